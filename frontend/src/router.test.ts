import { describe, expect, it } from "vitest";
import { entityPath, parseRoute } from "./router";

describe("parseRoute", () => {
  it("maps every view's path", () => {
    expect(parseRoute("/")).toEqual({ view: "overview" });
    expect(parseRoute("/alerts")).toEqual({ view: "alerts", state: null });
    expect(parseRoute("/alerts", "?state=firing")).toEqual({ view: "alerts", state: "firing" });
    expect(parseRoute("/alerts/42")).toEqual({ view: "alert", id: 42 });
    expect(parseRoute("/hosts/box")).toEqual({ view: "detail", kind: "host", name: "box" });
    expect(parseRoute("/services/api")).toEqual({ view: "detail", kind: "service", name: "api" });
    expect(parseRoute("/containers/db%201")).toEqual({ view: "detail", kind: "container", name: "db 1" });
    for (const view of ["topology", "trends", "silences", "rules", "settings", "users", "account"]) {
      expect(parseRoute(`/${view}`)).toEqual({ view });
    }
  });

  it("calls anything else missing", () => {
    expect(parseRoute("/alerts/abc")).toEqual({ view: "missing", path: "/alerts/abc" });
    expect(parseRoute("/hosts")).toEqual({ view: "missing", path: "/hosts" });
    expect(parseRoute("/rules/x")).toEqual({ view: "missing", path: "/rules/x" });
    expect(parseRoute("/nope")).toEqual({ view: "missing", path: "/nope" });
  });

  it("round-trips entity paths", () => {
    const path = entityPath("container", "web/1 a");
    expect(path).toBe("/containers/web%2F1%20a");
    expect(parseRoute(path)).toEqual({ view: "detail", kind: "container", name: "web/1 a" });
  });
});
