"""Run a notebook in JupyterLab as a teacher does (Run All Cells) N times; measure how late each cell's reply comes.

    python tools/lab_walkthrough.py --runs 10       # notebook 01, quick mode, headless Chromium

A cell shows busy `[*]` until the browser gets the kernel's execute_reply. For each cell this records the delay
between the kernel's timestamp on that reply and its arrival in the page (read off the page's kernel WebSocket), so
a reply held up anywhere on the way (kernel, server, browser) counts. Prints the versions, the delays per run and
a summary. Needs Chromium and Playwright, as the browser tests do. Not part of the test suite (15 to 19 s a run
on a 2-core AMD EPYC Zen 3, 2026-12-07).
"""

import argparse
import json
import sys
import time
import urllib.request
from importlib.metadata import version
from pathlib import Path
from tempfile import TemporaryDirectory

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from conftest import CHROMIUM_FLAGS, TOKEN, find_chromium, jupyterlab  # noqa: E402

# Kept by the page: one entry per execute_reply, with its delay. JupyterLab's kernel WebSocket speaks JSON text or
# the v1 binary framing (a count, offsets, then channel, header, parent header, metadata, content).
LISTEN = """
window.replies = [];
const Native = window.WebSocket;
function decode(data) {
  if (typeof data === 'string') return JSON.parse(data);
  const view = new DataView(data), n = Number(view.getBigUint64(0, true)), offsets = [];
  for (let i = 1; i <= n; i++) offsets.push(Number(view.getBigUint64(8 * i, true)));
  const part = i => new TextDecoder().decode(data.slice(offsets[i], offsets[i + 1]));
  return {header: JSON.parse(part(1)), content: JSON.parse(part(4))};
}
window.WebSocket = function (url, protocols) {
  const socket = new Native(url, protocols);
  socket.addEventListener('message', event => {
    const now = Date.now();
    let msg;
    try { msg = decode(event.data); } catch (error) { return; }
    if (msg.header && msg.header.msg_type === 'execute_reply')
      window.replies.push({count: msg.content.execution_count, status: msg.content.status,
                           delay: (now - Date.parse(msg.header.date)) / 1000});
  });
  return socket;
};
Object.assign(window.WebSocket, Native);
window.WebSocket.prototype = Native.prototype;
"""
# Every cell in the page (JupyterLab otherwise leaves far-away cells unrendered).
SETTINGS = [("notebook-extension/tracker", {"windowingMode": "none"})]
VERSIONS = ("jupyterlab", "jupyter_server", "jupyter_client", "ipykernel", "pyzmq", "tornado")


def one_run(browser, url, notebook):
    """Open `notebook` with a new kernel, run all its cells, wait until all ran; return the replies' delays."""
    for kernel in json.load(urllib.request.urlopen(f"{url}/api/kernels?token={TOKEN}")):
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels/{kernel['id']}?token={TOKEN}",
                                                      method="DELETE"))
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_init_script(LISTEN)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(f"{url}/lab/tree/{notebook}?reset&token={TOKEN}")
    page.wait_for_selector(".jp-KernelName:has-text('Python 3')")
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", state="attached")
    cells = page.locator(".jp-Notebook .jp-CodeCell").count()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-content").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(f"window.replies.length >= {cells}", timeout=600_000, polling=500)
    replies = page.evaluate("window.replies")
    context.close()
    assert all(r["status"] == "ok" for r in replies), [r for r in replies if r["status"] != "ok"]
    return [r["delay"] for r in replies]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default="notebooks/01-learning-from-data.ipynb")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    print(f"{Path(args.notebook).name} in JupyterLab, {args.runs} runs, "
          + ", ".join(f"{name} {version(name)}" for name in VERSIONS), flush=True)
    delays = []
    with TemporaryDirectory() as home, jupyterlab(Path(home), SETTINGS) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_FLAGS, headless=True)
        for run in range(args.runs):
            start = time.monotonic()
            these = one_run(browser, url, args.notebook)
            delays += these
            print(f"run {run + 1}/{args.runs}: {len(these)} cells in {time.monotonic() - start:.0f} s, slowest reply "
                  f"{max(these):.3f} s after the kernel sent it", flush=True)
        browser.close()
    delays.sort()
    print(f"{len(delays)} replies: median {delays[len(delays) // 2]:.3f} s, later than 1 s: "
          f"{sum(d > 1 for d in delays)}, later than 5 s: {sum(d > 5 for d in delays)}, worst {delays[-1]:.3f} s")


if __name__ == "__main__":
    main()
