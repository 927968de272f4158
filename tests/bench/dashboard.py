"""The dashboard in Debian's Chromium against a real ``tcf-hub serve``: JS size, cold-load LCP,
the time a 30-day view of 12 charts takes to be ready, and Lighthouse's mobile preset.

``python -m tests.bench dashboard`` (needs ``npm run build`` and /usr/lib/chromium/chromium;
Lighthouse runs through ``npx --yes lighthouse@12`` when npx can fetch it)."""

from __future__ import annotations

import gzip
import json
import math
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Browser, sync_playwright

from tests.bench.hubproc import HubProcess, hub_process

DIST = Path(__file__).resolve().parents[2] / "hub" / "web" / "dist"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = "/usr/lib/chromium/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOST = "bench-1"
DAYS = 29.5
STEP = 300.0
SERIES: list[tuple[str, dict[str, str], float]] = [
    ("cpu_usage", {}, 30),
    ("memory_usage", {}, 60),
    *[("disk_usage", {"mount": m}, 40 + i * 10) for i, m in enumerate(["/", "/data", "/var"])],
    *[("system_load", {"period": p}, 1.5) for p in ("1m", "5m", "15m")],
    *[
        ("network_io", {"interface": i, "direction": d}, 2e6)
        for i in ("eth0", "eth1")
        for d in ("rx", "tx")
    ],
]
COLD_RUNS = 5
LIGHTHOUSE_RUNS = 3
LCP_SCRIPT = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const last = list.getEntries().at(-1);
    const element = last.element;
    const what = element ? element.tagName.toLowerCase() + '.' + element.className : '?';
    resolve([last.startTime, what]);
  }).observe({type: 'largest-contentful-paint', buffered: true});
})"""
RANGE_SCRIPT = """async (label) => {
  // The charts keep the previous range's drawing until the new one is in, and the view marks
  // itself busy only once its effect runs: ready means busy was seen and is over again.
  const box = document.querySelector('.charts');
  let sawBusy = false;
  const watch = new MutationObserver((records) => {
    if (records.some((r) => r.oldValue === 'true') || box.getAttribute('aria-busy') === 'true') {
      sawBusy = true;
    }
  });
  watch.observe(box, {attributes: true, attributeFilter: ['aria-busy'], attributeOldValue: true});
  const start = performance.now();
  document.querySelector(`[data-testid=range-${label}]`).click();
  await new Promise((resolve) => {
    const check = () => {
      const ready = sawBusy && box.getAttribute('aria-busy') === 'false'
        && box.querySelectorAll('[data-ready=true] canvas').length >= COUNT;
      if (ready) requestAnimationFrame(() => requestAnimationFrame(resolve));
      else setTimeout(check, 5);
    };
    setTimeout(check, 5);
  });
  watch.disconnect();
  return performance.now() - start;
}""".replace("COUNT", str(len(SERIES)))


def js_gzipped_kb() -> float:
    """Gzipped size (level 9) of every built .js file, summed, in KB."""
    files = sorted(DIST.rglob("*.js"))
    return sum(len(gzip.compress(f.read_bytes(), 9)) for f in files) / 1024


def seed(hub: HubProcess) -> int:
    """Thirty days of the 12 series of host ``bench-1``, one sample every five minutes."""
    now = time.time()
    rows: list[list[object]] = []
    steps = int(DAYS * 86400 / STEP)
    for step in range(steps):
        t = now - (steps - 1 - step) * STEP  # the newest is now: the view lists current series
        wave = math.sin(step / 288 * 2 * math.pi)
        rows.extend([name, labels, base * (1 + 0.3 * wave), t] for name, labels, base in SERIES)
    with hub.api() as api:
        for at in range(0, len(rows), 20_000):
            batch = {"v": 1, "agent": HOST, "samples": rows[at : at + 20_000]}
            api.post("/api/v1/ingest", json=batch).raise_for_status()
    return len(rows)


def session_cookie(hub: HubProcess) -> str:
    """A dashboard session for the admin token."""
    with hub.api() as api:
        response = api.post("/api/v1/session", json={"token": hub.token})
        response.raise_for_status()
        return str(response.cookies["tcf_session"])


def session_cookie_header(hub: HubProcess) -> str:
    """A Cookie header for a new session with its CSRF cookie too: Lighthouse sends cookies as an
    extra header, and a CSRF cookie the hub set (when it is missing) would replace that header in
    Chromium's requests, signing the page out halfway through the run."""
    with hub.api() as api:
        response = api.post("/api/v1/session", json={"token": hub.token})
        response.raise_for_status()
        return "; ".join(f"{name}={response.cookies[name]}" for name in ("tcf_session", "tcf_csrf"))


def cold_lcp_ms(browser: Browser, url: str, cookie: str) -> tuple[float, str]:
    """LCP of the overview in a fresh context (empty cache, no service worker), median of runs,
    and the element it was."""
    results = []
    elements = set()
    for _ in range(COLD_RUNS):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies([{"name": "tcf_session", "value": cookie, "url": url}])
        page = context.new_page()
        page.goto(url + "/")
        page.get_by_test_id("metric-cpu_usage").get_by_test_id("metric-value").wait_for()
        page.wait_for_timeout(300)
        at, element = page.evaluate(LCP_SCRIPT)
        results.append(float(at))
        elements.add(str(element))
        context.close()
    return statistics.median(results), ", ".join(sorted(elements))


def thirty_day_ready_ms(browser: Browser, url: str, cookie: str) -> tuple[float, int]:
    """Time from choosing 30d to 12 drawn charts (median of 3), and the most points asked."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "tcf_session", "value": cookie, "url": url}])
    page = context.new_page()
    asked: list[int] = []

    def note(request: object) -> None:
        query = parse_qs(urlparse(getattr(request, "url", "")).query)
        if "points" in query:
            asked.append(int(query["points"][0]))

    page.on("request", note)
    page.goto(f"{url}/hosts/{HOST}")
    drawn = page.locator("[data-testid=detail-chart][data-ready=true] canvas")
    drawn.nth(len(SERIES) - 1).wait_for(timeout=60000)
    runs = []
    for label in ("30d", "24h", "30d", "7d", "30d"):
        elapsed = float(page.evaluate(RANGE_SCRIPT, label))
        if label == "30d":
            runs.append(elapsed)
    context.close()
    return statistics.median(runs), max(asked)


def long_tasks(report: dict[str, Any]) -> list[tuple[str, float]]:
    """Lighthouse's long tasks (script name, ms, on its simulated slower phone), longest first."""
    items = report["audits"].get("long-tasks", {}).get("details", {}).get("items", [])
    return [(str(item["url"]).rsplit("/", 1)[-1] or "/", float(item["duration"])) for item in items]


def lighthouse(url: str, cookie_header: str) -> dict[str, float] | None:
    """Lighthouse 12's mobile preset (performance only) on the overview, or None without npx."""
    npx = shutil.which("npx")
    if npx is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "lh.json"
        command = [
            npx, "--yes", "lighthouse@12", url + "/",
            "--only-categories=performance", "--output=json", f"--output-path={out}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
            f"--extra-headers={json.dumps({'Cookie': cookie_header})}", "--quiet",
        ]  # fmt: skip
        env = {"CHROME_PATH": "/usr/bin/chromium", "PATH": "/usr/bin:/bin:/usr/local/bin"}
        done = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)
        if done.returncode != 0 or not out.exists():
            print(f"  lighthouse failed: {done.stderr.decode(errors='replace')[-400:]}")
            return None
        report = json.loads(out.read_text())
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(out, ARTIFACTS / "lighthouse.json")
    audits = report["audits"]
    element = audits["largest-contentful-paint-element"]["details"]["items"][0]["items"][0]
    print(f"  Lighthouse LCP element: {element['node'].get('selector', '?')}")
    tasks = ", ".join(f"{name} {ms:.0f}" for name, ms in long_tasks(report)[:5])
    print(f"  Lighthouse long tasks (ms): {tasks or 'none'}")
    return {
        "score": report["categories"]["performance"]["score"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
    }


def describe_scores(scores: dict[str, float]) -> str:
    """One line of Lighthouse figures."""
    return (
        f"performance {scores['score']:.2f}, LCP {scores['lcp_ms']:.0f} ms, "
        f"FCP {scores['fcp_ms']:.0f} ms, TBT {scores['tbt_ms']:.0f} ms, CLS {scores['cls']:.3f}"
    )


def compare_lighthouse(folder: Path, baseline: Path) -> None:
    """Lighthouse on a hub running ``baseline`` (older code with its hub/web/dist) and on this
    one, seeded alike, alternating runs so both see the same machine load; medians printed."""
    results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    with (
        hub_process(folder / "before", code=baseline) as before,
        hub_process(folder / "after") as after,
    ):
        hubs = {"before": before, "after": after}
        for hub in hubs.values():
            hub.wait_healthy()
            seed(hub)
        for run in range(LIGHTHOUSE_RUNS):
            for name, hub in hubs.items():
                print(f"Lighthouse run {run + 1}, {name}:")
                scores = lighthouse(hub.url, session_cookie_header(hub))
                if scores is None:
                    return
                print(f"  {describe_scores(scores)}")
                results[name].append(scores)
    for name, runs in results.items():
        median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        label = f"{name}, median of {len(runs)}"
        print(f"Lighthouse 12 mobile preset, {label}: {describe_scores(median)}")


def run_dashboard(baseline: Path | None = None) -> None:
    """Print the dashboard's figures (issue 7 budgets: LCP <= 1 s, JS <= 100 KB gzipped,
    30-day view of 12 charts <= 1 s, <= 1000 points per series, Lighthouse >= 0.95); with
    ``baseline`` (older code plus its built hub/web/dist), Lighthouse before and after instead."""
    if not (DIST / "index.html").is_file():
        raise SystemExit("build the dashboard first: cd frontend && npm run build")
    if baseline is not None:
        with tempfile.TemporaryDirectory() as folder:
            compare_lighthouse(Path(folder), baseline)
        return
    print(f"dashboard JS gzipped: {js_gzipped_kb():.1f} KB (budget 100 KB)")
    with tempfile.TemporaryDirectory() as folder, hub_process(Path(folder)) as hub:
        hub.wait_healthy()
        samples = seed(hub)
        cookie = session_cookie(hub)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            lcp, element = cold_lcp_ms(browser, hub.url, cookie)
            print(
                f"cold load LCP (overview, localhost, median of {COLD_RUNS}): {lcp:.0f} ms "
                f"({element})"
            )
            ready, points = thirty_day_ready_ms(browser, hub.url, cookie)
            print(
                f"30-day view of {len(SERIES)} charts ready ({samples} samples stored, "
                f"median of 3): {ready:.0f} ms; most points asked per series: {points}"
            )
            browser.close()
        scores = lighthouse(hub.url, session_cookie_header(hub))
        if scores is None:
            print("Lighthouse: not run (npx lighthouse@12 unavailable)")
        else:
            print(f"Lighthouse 12 mobile preset: {describe_scores(scores)}")


MEMORY_MONITORING = "collection:\n  interval: 1s\n  docker: off\n"
"""Host metrics every second (ten times the default): the overview gets a batch a second."""
PUSH_SERIES = 20


LIVE_BUFFER_FILLED = 1200.0
"""Seconds until the live chart holds its 1000 newest rows at the benchmark's row a second."""


def _push_samples(hub: HubProcess, stop: threading.Event) -> int:
    """Sends a batch of ``PUSH_SERIES`` samples of another agent every half second until
    ``stop`` (a metric no rule watches: the alert list stays as it is, so the page's content
    does not grow); returns how many batches were stored."""
    sent = 0
    with hub.api() as api:
        while not stop.wait(0.5):
            now = time.time()
            rows = [
                ["bench_wave", {"index": str(i)}, 50 + 40 * math.sin(now + i), now]
                for i in range(PUSH_SERIES)
            ]
            batch = {"v": 1, "agent": "bench-agent", "samples": rows}
            if api.post("/api/v1/ingest", json=batch).status_code < 300:
                sent += 1
    return sent


COUNT_EVENTS = """(() => {
  window.__samplesEvents = 0;
  const Original = window.EventSource;
  window.EventSource = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener('samples', () => { window.__samplesEvents += 1; });
    }
  };
})();"""
"""Counts the stream's ``samples`` events the page receives (the live updates it applies)."""


def heap_after_gc(cdp: Any, page: Any) -> tuple[float, int]:
    """The page's JS heap in use (MB) after a full garbage collection, and its element count."""
    cdp.send("HeapProfiler.collectGarbage")
    used = cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6
    return used, int(page.evaluate("() => document.getElementsByTagName('*').length"))


def run_dashboard_memory(
    seconds: float = 300.0, every: float = 30.0, warmup: float = LIVE_BUFFER_FILLED
) -> None:
    """Keeps the overview open on live updates (host metrics every second plus another agent's
    batch every half second, all streamed over SSE) for ``seconds``; samples the JS heap after a
    forced GC every ``every`` seconds (issue 7: no memory growth over hours open).

    The live chart keeps its newest ``MAX_ROWS`` (1000) rows, so the heap rightly grows until the
    buffer is full (about 17 minutes at a row a second). Growth is judged after that warm-up:
    the end against the first sample at ``warmup`` seconds (<= 10 %), with the least-squares
    slope of the heap over the steady part, which shows a slow leak a single pair can hide."""
    if not (DIST / "index.html").is_file():
        raise SystemExit("build the dashboard first: cd frontend && npm run build")
    with (
        tempfile.TemporaryDirectory() as folder,
        hub_process(Path(folder), MEMORY_MONITORING) as hub,
    ):
        hub.wait_healthy()
        cookie = session_cookie(hub)
        stop = threading.Event()
        with ThreadPoolExecutor(1) as pool, sync_playwright() as driver:
            pushing = pool.submit(_push_samples, hub, stop)
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": "tcf_session", "value": cookie, "url": hub.url}])
            page = context.new_page()
            page.add_init_script(COUNT_EVENTS)
            cdp = context.new_cdp_session(page)
            page.goto(hub.url + "/")
            page.locator("[data-testid=live-chart] canvas").first.wait_for(timeout=60_000)
            page.get_by_test_id("live-status").filter(has_text="live").wait_for(timeout=60_000)
            # The chart draws the hub's own host (not the agent's 20 series): rows do arrive.
            page.locator("[data-testid=live-chart] .chart-empty").wait_for(
                state="detached", timeout=60_000
            )
            start = time.monotonic()
            samples: list[tuple[float, float, int, int]] = []
            while True:
                elapsed = time.monotonic() - start
                used, elements = heap_after_gc(cdp, page)
                events = int(page.evaluate("() => window.__samplesEvents"))
                samples.append((elapsed, used, elements, events))
                print(
                    f"  {elapsed:5.0f} s: heap {used:6.2f} MB after GC, {elements} elements, "
                    f"{events} sample batches received"
                )
                if elapsed >= seconds:
                    break
                time.sleep(min(every, max(0.0, seconds - elapsed)))
            browser.close()
            stop.set()
            batches = pushing.result()
    start_at = min(warmup, seconds / 2)
    steady = [s for s in samples if s[0] >= start_at]
    first, last = steady[0], steady[-1]
    growth = (last[1] - first[1]) / first[1] * 100
    slope = heap_slope_mb_per_hour([(s[0], s[1]) for s in steady])
    minute_1 = next(s for s in samples if s[0] >= 60.0)
    received = last[3] - samples[0][3]
    print(
        f"overview open {last[0]:.0f} s on live updates ({batches} batches pushed, {received} "
        f"sample events received by the page): heap after GC {minute_1[1]:.2f} MB at minute 1, "
        f"{first[1]:.2f} MB at {first[0]:.0f} s (live chart full), {last[1]:.2f} MB at the end "
        f"({growth:+.1f} % after warm-up, budget <= 10 %; slope {slope:+.3f} MB/h over "
        f"{(last[0] - first[0]) / 3600:.2f} h); elements {first[2]} -> {last[2]}; "
        f"peak {max(s[1] for s in samples):.2f} MB"
    )
    if received < last[0] / 2:
        raise SystemExit("the overview got few live updates: the run measured nothing live")
    if growth > 10:
        raise SystemExit(f"the heap grew {growth:.1f} % after warm-up (budget 10 %)")


def heap_slope_mb_per_hour(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, MB) points in MB per hour; 0 for fewer than two."""
    if len(points) < 2:
        return 0.0
    return statistics.linear_regression([t for t, _ in points], [m for _, m in points]).slope * 3600
