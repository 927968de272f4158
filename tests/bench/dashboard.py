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
import time
from pathlib import Path
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
LCP_SCRIPT = """() => new Promise((resolve) => {
  new PerformanceObserver((list) => {
    const last = list.getEntries().at(-1);
    const element = last.element;
    const what = element ? element.tagName.toLowerCase() + '.' + element.className : '?';
    resolve([last.startTime, what]);
  }).observe({type: 'largest-contentful-paint', buffered: true});
})"""
RANGE_SCRIPT = """async (label) => {
  const charts = () => document.querySelector('.charts');
  const start = performance.now();
  document.querySelector(`[data-testid=range-${label}]`).click();
  await new Promise((resolve) => {
    const check = () => {
      const box = charts();
      const ready = box && box.getAttribute('aria-busy') === 'false'
        && box.querySelectorAll('[data-ready=true] canvas').length >= COUNT;
      if (ready) requestAnimationFrame(() => requestAnimationFrame(resolve));
      else setTimeout(check, 5);
    };
    setTimeout(check, 5);
  });
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
    return {
        "score": report["categories"]["performance"]["score"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
    }


def run_dashboard() -> None:
    """Print the dashboard's figures (issue 7 budgets: LCP <= 1 s, JS <= 100 KB gzipped,
    30-day view of 12 charts <= 1 s, <= 1000 points per series, Lighthouse >= 0.95)."""
    if not (DIST / "index.html").is_file():
        raise SystemExit("build the dashboard first: cd frontend && npm run build")
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
            print(
                f"Lighthouse 12 mobile preset: performance {scores['score']:.2f}, "
                f"LCP {scores['lcp_ms']:.0f} ms, FCP {scores['fcp_ms']:.0f} ms, "
                f"TBT {scores['tbt_ms']:.0f} ms"
            )
