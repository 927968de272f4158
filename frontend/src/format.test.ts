import { describe, expect, it } from "vitest";
import {
  compareText,
  formatBytesPerSecond,
  formatLocalTime,
  formatNumber,
  formatPercent,
  formatRelativeTime,
  parseTimestamp,
  severityColor,
} from "./format";

describe("formatPercent", () => {
  it.each([
    [12.5, "12.5%"],
    [0, "0.0%"],
    [99.96, "100.0%"],
    [3.14159, "3.1%"],
  ])("shows %s as %s", (value, text) => {
    expect(formatPercent(value)).toBe(text);
  });

  it("shows a dash for missing values", () => {
    expect(formatPercent(null)).toBe("–");
    expect(formatPercent(undefined)).toBe("–");
    expect(formatPercent(Number.NaN)).toBe("–");
  });
});

describe("formatNumber", () => {
  it("drops trailing zeros and limits decimals", () => {
    expect(formatNumber(93.1)).toBe("93.1");
    expect(formatNumber(0.5234)).toBe("0.52");
    expect(formatNumber(2)).toBe("2");
    expect(formatNumber(null)).toBe("–");
  });
});

describe("formatBytesPerSecond", () => {
  it.each([
    [0, "0 B/s"],
    [340, "340 B/s"],
    [999, "999 B/s"],
    [1000, "1.0 kB/s"],
    [1234, "1.2 kB/s"],
    [1_234_567, "1.2 MB/s"],
    [99_940_000, "99.9 MB/s"],
    [123_456_789, "123 MB/s"],
    [999_600, "1.0 MB/s"],
    [2.5e9, "2.5 GB/s"],
  ])("shows %s as %s", (value, text) => {
    expect(formatBytesPerSecond(value)).toBe(text);
  });

  it("never shows a negative rate (a counter reset) and dashes missing ones", () => {
    expect(formatBytesPerSecond(-5)).toBe("0 B/s");
    expect(formatBytesPerSecond(null)).toBe("–");
  });
});

describe("formatRelativeTime", () => {
  const now = Date.parse("2026-11-26T17:00:00Z");
  const ago = (seconds: number) => formatRelativeTime(now - seconds * 1000, now);

  it.each([
    [0, "just now"],
    [9, "just now"],
    [42, "42 s ago"],
    [180, "3 min ago"],
    [59 * 60 + 59, "59 min ago"],
    [5 * 3600, "5 h ago"],
    [47 * 3600, "47 h ago"],
    [3 * 86400, "3 d ago"],
  ])("%s seconds ago reads %s", (seconds, text) => {
    expect(ago(seconds)).toBe(text);
  });

  it("treats a time slightly in the future (clock skew) as just now", () => {
    expect(ago(-30)).toBe("just now");
  });

  it("works with parsed ISO timestamps", () => {
    expect(formatRelativeTime(parseTimestamp("2026-11-26T16:57:00Z"), now)).toBe("3 min ago");
    expect(formatRelativeTime(parseTimestamp(null), now)).toBe("–");
  });
});

describe("severityColor", () => {
  it("gives each severity its own colour", () => {
    const colours = ["critical", "warning", "info"].map(severityColor);
    expect(new Set(colours).size).toBe(3);
    expect(severityColor("critical")).toBe("var(--sev-critical)");
  });

  it("falls back to the info colour for an unknown severity", () => {
    expect(severityColor("page-the-ceo")).toBe(severityColor("info"));
  });
});

describe("durations, sizes, values and changes", () => {
  it("words a duration by its largest unit", async () => {
    const { formatDuration } = await import("./format");
    expect(formatDuration(45)).toBe("45 s");
    expect(formatDuration(600)).toBe("10 min");
    expect(formatDuration(5400)).toBe("1.5 h");
    expect(formatDuration(86400 * 1.4)).toBe("33.6 h");
    expect(formatDuration(86400)).toBe("24 h");
    expect(formatDuration(9 * 86400)).toBe("9 days");
    expect(formatDuration(2 * 86400 + 1)).toBe("2 days");
    expect(formatDuration(null)).toBe("–");
  });

  it("formats sizes, values with units and signed changes", async () => {
    const { formatBytes, formatChange, formatValue } = await import("./format");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2_400_000)).toBe("2.4 MB");
    expect(formatValue(12.345, "%")).toBe("12.3%");
    expect(formatValue(1_500_000, "B/s")).toBe("1.5 MB/s");
    expect(formatValue(123.4, "ms")).toBe("123 ms");
    expect(formatValue(0.1234)).toBe("0.12");
    expect(formatValue(Number.NaN, "ms")).toBe("–");
    expect(formatChange(12.5)).toBe("+12.5%");
    expect(formatChange(-3)).toBe("−3.0%");
    expect(formatChange(0)).toBe("±0.0%");
    expect(formatChange(null)).toBe("–");
  });
});

describe("compareText", () => {
  it("orders by code units, as a sort comparator", () => {
    expect(["web", "api", "Zeta", "db", "api"].sort(compareText)).toEqual(["Zeta", "api", "api", "db", "web"]);
    expect(compareText("a", "a")).toBe(0);
    expect(compareText("a", "b")).toBe(-1);
    expect(compareText("b", "a")).toBe(1);
  });
});

describe("formatLocalTime", () => {
  it("shows the local date and time with zero padding", () => {
    const ms = new Date(2026, 0, 5, 4, 3, 9).getTime(); // local time
    expect(formatLocalTime(ms)).toBe("2026-01-05 04:03:09");
    expect(formatLocalTime(new Date(2026, 11, 31, 23, 59, 59).getTime())).toBe("2026-12-31 23:59:59");
  });

  it("shows a dash for times that are not finite", () => {
    expect(formatLocalTime(Number.NaN)).toBe("–");
  });
});
