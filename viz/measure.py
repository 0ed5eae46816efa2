"""Measure one step plus redraw of the app in a real browser (headless Chromium).

    python -m viz.measure [--steps 30] [--customers 1000] [--port 0] [--json]

Starts ``offshoring viz`` offline on a free port, opens the page in Debian's Chromium
(``/usr/bin/chromium``, driven by Playwright), optionally sets the number of customers
and presses Reset, then clicks **Step** ``--steps`` times. Each latency runs, inside the
page, from the click until the week counter shows the next week *and* every view's image
has been replaced and decoded (the ``data-week`` of every view is the new week and every
``img`` has a new, loaded source). Prints the median, 90th percentile and maximum.

The same helpers (:func:`step_and_wait`, :func:`wait_for_week`) are used by the
end-to-end tests, which check that a step updates everything but never assert a time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from viz.assets import configure_env

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update"]
VIEW_COUNT = 7  # the network and six chart tiles

#: Click a button, then resolve with the milliseconds until the week counter and every
#: view show week ``expected`` of one model and every view's image is decoded. After Step
#: every image must be new (each frame carries its week); after Reset the model must be a
#: new one (``data-run``): week-0 charts of two models can be identical images.
CLICK_AND_WAIT_JS = """
async ([label, expected, views, timeoutMs]) => {
  const images = () => Array.from(document.querySelectorAll('[data-view] img'));
  const counter = () => document.querySelector('.offshoring-week');
  const before = images().map((img) => img.src);
  const runBefore = counter() && counter().getAttribute('data-run');
  const button = Array.from(document.querySelectorAll('button'))
    .find((b) => b.textContent.trim() === label);
  if (!button) throw new Error('no button ' + label);
  const start = performance.now();
  button.click();
  return await new Promise((resolve, reject) => {
    const done = () => {
      const week = counter();
      const boxes = Array.from(document.querySelectorAll('[data-view]'));
      const now = images();
      if (!week || week.getAttribute('data-week') !== String(expected)) return false;
      const run = week.getAttribute('data-run');
      if (label === 'Reset' && run === runBefore) return false;
      return boxes.length === views && now.length === views
        && boxes.every((b) => b.getAttribute('data-week') === String(expected)
                              && b.getAttribute('data-run') === run)
        && now.every((img, i) => (label === 'Reset' || img.src !== before[i])
                                 && img.complete && img.naturalWidth > 0);
    };
    const poll = () => {
      if (done()) resolve(performance.now() - start);
      else if (performance.now() - start > timeoutMs) reject(new Error(label + ' timed out'));
      else setTimeout(poll, 2);
    };
    poll();
  });
}
"""


def week_of(page: Page) -> int:
    """The week counter of the page (``data-week`` of ``.offshoring-week``)."""
    return int(page.locator(".offshoring-week").get_attribute("data-week") or "-1")


def wait_for_week(page: Page, week: int, views: int = VIEW_COUNT,
                  timeout_ms: float = 60_000) -> None:
    """Wait until the counter and ``views`` loaded view images all show ``week``."""
    page.wait_for_function(
        """([week, views]) => {
             const w = document.querySelector('.offshoring-week');
             const boxes = Array.from(document.querySelectorAll('[data-view]'));
             const imgs = Array.from(document.querySelectorAll('[data-view] img'));
             return w && w.getAttribute('data-week') === String(week)
               && boxes.length === views && imgs.length === views
               && boxes.every((b) => b.getAttribute('data-week') === String(week))
               && imgs.every((i) => i.complete && i.naturalWidth > 0);
           }""", arg=[week, views], timeout=timeout_ms)


def step_and_wait(page: Page, views: int = VIEW_COUNT, timeout_ms: float = 30_000) -> float:
    """Click Step once; return milliseconds until everything shows the next week."""
    expected = week_of(page) + 1
    return float(page.evaluate(CLICK_AND_WAIT_JS, ["Step", expected, views, timeout_ms]))


def reset_and_wait(page: Page, views: int = VIEW_COUNT, timeout_ms: float = 60_000) -> float:
    """Click Reset; return milliseconds until week 0 of the new model is fully drawn."""
    return float(page.evaluate(CLICK_AND_WAIT_JS, ["Reset", 0, views, timeout_ms]))


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str) -> bool:
    """Whether ``url`` answers HTTP 200, bypassing any proxy from the environment."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


@contextmanager
def served(port: int, timeout: float = 60.0) -> Iterator[str]:
    """``offshoring viz`` on ``port`` in its own process group; killed on exit."""
    env = dict(os.environ)
    configure_env(env, block_cdn=True)
    proc = subprocess.Popen([sys.executable, "-m", "offshoring", "viz",
                             "--port", str(port)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while not answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"server did not start on {url}: {err.strip()}")
            time.sleep(0.2)
        yield url
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def set_customers(page: Page, customers: int) -> None:
    """Type a number of customers, press Reset and wait for week 0 of the new model."""
    box = page.locator(".control-n_customers input")
    box.fill(str(customers))
    box.press("Enter")
    page.locator(".settings-pending").wait_for()
    reset_and_wait(page)


def measure(steps: int, customers: int | None, port: int, screenshot: Path | None = None
            ) -> list[float]:
    """Latencies (ms) of ``steps`` steps after two warm-up steps; optionally a screenshot
    of the whole page afterwards (a viewport tall enough for every tile)."""
    from playwright.sync_api import sync_playwright

    with served(port or free_port()) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(url)
        wait_for_week(page, 0)
        if customers is not None:
            set_customers(page, customers)
        for _ in range(2):
            step_and_wait(page)
        latencies = [step_and_wait(page) for _ in range(steps)]
        if screenshot is not None:
            page.set_viewport_size({"width": 1280, "height": 1950})
            page.wait_for_timeout(500)  # let the grid lay out again
            page.screenshot(path=str(screenshot))
        browser.close()
    return latencies


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m viz.measure",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--steps", dest="n_steps", type=int, default=30,
                        help="measured steps (default 30)")
    parser.add_argument("--customers", type=int, default=None,
                        help="number of customers (default: the app's default, 1,000)")
    parser.add_argument("--port", type=int, default=0, help="server port (default: free)")
    parser.add_argument("--json", action="store_true", help="print the latencies as JSON")
    parser.add_argument("--screenshot", type=Path, default=None,
                        help="save a screenshot of the page after the steps (PNG)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parse(argv)
    if args.n_steps < 1:
        print("viz.measure: error: --steps must be >= 1", file=sys.stderr)
        return 2
    ms = measure(args.n_steps, args.customers, args.port, args.screenshot)
    if args.json:
        print(json.dumps({"steps": len(ms), "latency_ms": ms}))
        return 0
    q = statistics.quantiles(ms, n=10) if len(ms) >= 2 else ms
    print(f"step + redraw in Chromium, {len(ms)} steps: median {statistics.median(ms):.0f} ms, "
          f"p90 {q[-1]:.0f} ms, max {max(ms):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
