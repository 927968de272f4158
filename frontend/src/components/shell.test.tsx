import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FakeEventSource } from "../test/fake-event-source";
import html from "../../index.html?raw";
import { App } from "./App";

// index.html's static frame, painted before the script runs (the first contentful paint).
const shell = /<div id="app">([\s\S]*?)<\/div><\/div>/.exec(html)?.[1] ?? "";

const links = (root: ParentNode) => [...root.querySelectorAll(".nav a")].map((a) => [a.getAttribute("href"), a.textContent]);

describe("the static shell in index.html", () => {
  let root: HTMLElement;
  beforeEach(() => {
    FakeEventSource.reset();
    vi.stubGlobal("EventSource", FakeEventSource);
    vi.stubGlobal("fetch", vi.fn(() => new Promise<Response>(() => {}))); // nothing answers yet
    root = document.createElement("div");
    root.innerHTML = `${shell}</div>`;
    document.body.append(root);
  });
  afterEach(() => {
    render(null, root);
    root.remove();
  });

  it("has the frame the dashboard draws first", () => {
    expect(shell).toContain('class="shell"');
    expect(links(root).map(([href]) => href)).toEqual(
      ["/", "/alerts", "/topology", "/trends", "/silences", "/maintenance", "/rules", "/settings", "/account"],
    );
  });

  it("is taken over by the first render: the same elements, the same links, nothing doubled", () => {
    const before = links(root);
    const nav = root.querySelector(".nav");
    const title = root.querySelector("h1 a");
    const status = root.querySelector("[data-testid=live-status]");
    render(<App />, root);
    expect(root.querySelectorAll(".shell")).toHaveLength(1);
    expect(root.querySelectorAll("main")).toHaveLength(1);
    expect(links(root)).toEqual(before);
    expect(root.querySelector(".nav")).toBe(nav);
    expect(root.querySelector("h1 a")).toBe(title);
    expect(root.querySelector("[data-testid=live-status]")).toBe(status);
    expect(status?.textContent).toBe("connecting…");
    expect(root.querySelector(".view-title")?.textContent).toBe("Overview");
    expect(root.querySelector("[data-testid=overview-loading]")?.textContent).toBe("Loading…");
  });
});
