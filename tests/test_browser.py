"""The built HTML opened in headless Chromium, watched through the DevTools protocol.

Every console message, log entry (a Content-Security-Policy violation is one), uncaught exception and
network request is recorded while the page loads. The report must make no request besides its own
file, log no error, have every TOC link resolve, and render to a non-trivial screenshot. A control page
with an external image proves the harness sees a request when one is made.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import PROJECT, RAW, DataCopy

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars"]


@dataclass
class PageReport:
    requests: list[str] = field(default_factory=list)       # every URL the page asked for
    errors: list[str] = field(default_factory=list)         # console errors, log errors, exceptions, failures
    toc: list[bool] = field(default_factory=list)           # does each TOC link's target exist?
    title: str = ""
    screenshot: bytes = b""
    layout: dict = field(default_factory=dict)               # LAYOUT_PROBE's measurements


# Measured in the page: horizontal overflow of the page; the smallest figure text in CSS px (matplotlib
# writes text as <text> whose font size is in the SVG's user units, so its size on screen is
# font size × rendered width / viewBox width); how the contents and the back-to-top link are shown.
LAYOUT_PROBE = """JSON.stringify((() => {
  const doc = document.documentElement;
  let min = Infinity, glyphs = 0;
  for (const svg of document.querySelectorAll('.st-svg svg')) {
    const vb = svg.viewBox.baseVal, r = svg.getBoundingClientRect();
    if (!vb || !vb.width || !r.width) continue;
    for (const t of svg.querySelectorAll('text')) {
      if (!t.textContent.trim()) continue;
      glyphs++;
      min = Math.min(min, parseFloat(getComputedStyle(t).fontSize) * r.width / vb.width);
    }
  }
  const nav = document.querySelector('nav.toc'), top = document.querySelector('a.to-top');
  const navBox = nav.getBoundingClientRect();
  return {overflow: doc.scrollWidth - doc.clientWidth, viewport: doc.clientWidth, minFigurePx: min,
          glyphs: glyphs, navPosition: getComputedStyle(nav).position, navLeft: navBox.left,
          navRight: navBox.right, navTop: navBox.top, toTop: top ? getComputedStyle(top).display : 'missing',
          scrollTables: document.querySelectorAll('.st-table .st-scroll').length,
          tables: document.querySelectorAll('figure.st-table').length,
          csvLinks: Array.from(document.querySelectorAll('.st-csv a')).map(a => a.getAttribute('href'))};
})())"""


class Chromium:
    """Headless Chromium with a DevTools endpoint on a free port."""

    def __init__(self, profile: Path):
        self.proc = subprocess.Popen([str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}",
                                      "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            match = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
            if match:
                self.port = int(match.group(1))
                break
            if not line and self.proc.poll() is not None:
                break
        if self.port is None:
            self.close()
            raise RuntimeError("chromium did not start a DevTools endpoint")

    def page_ws(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        return next(t["webSocketDebuggerUrl"] for t in targets if t["type"] == "page")

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


async def _visit(ws_url: str, url: str, screenshot: bool, width: int = 1280) -> PageReport:
    from tornado.websocket import websocket_connect

    report = PageReport()
    conn = await websocket_connect(ws_url, max_message_size=256 * 1024 * 1024)
    counter = 0
    pending: dict[int, asyncio.Future] = {}
    loaded = asyncio.get_running_loop().create_future()

    async def reader():
        while True:
            msg = await conn.read_message()
            if msg is None:
                return
            data = json.loads(msg)
            if "id" in data and data["id"] in pending:
                pending.pop(data["id"]).set_result(data)
                continue
            method, params = data.get("method"), data.get("params", {})
            if method == "Network.requestWillBeSent":
                report.requests.append(params["request"]["url"])
            elif method == "Network.loadingFailed":
                report.errors.append(f"loading failed: {params.get('errorText')} {params.get('blockedReason', '')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                report.errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                           for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                report.errors.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                report.errors.append(f"log: {params['entry'].get('text')}")
            elif method == "Page.loadEventFired" and not loaded.done():
                loaded.set_result(True)

    task = asyncio.ensure_future(reader())

    async def call(method: str, **params):
        nonlocal counter
        counter += 1
        fut = asyncio.get_running_loop().create_future()
        pending[counter] = fut
        conn.write_message(json.dumps({"id": counter, "method": method, "params": params}))
        reply = await asyncio.wait_for(fut, 60)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    for domain in ("Page", "Runtime", "Log", "Network"):
        await call(f"{domain}.enable")
    await call("Emulation.setDeviceMetricsOverride", width=width, height=1600 if width > 800 else 844,
               deviceScaleFactor=1, mobile=width < 800)
    await call("Page.navigate", url=url)
    await asyncio.wait_for(loaded, 60)
    await asyncio.sleep(0.5)          # late requests or console messages
    script = ("JSON.stringify({title: document.title, toc: Array.from(document.querySelectorAll('nav.toc a'))"
              ".map(a => !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))})")
    value = json.loads((await call("Runtime.evaluate", expression=script, returnByValue=True))["result"]["value"])
    report.title, report.toc = value["title"], value["toc"]
    if await call("Runtime.evaluate", expression="!!document.querySelector('nav.toc')", returnByValue=True):
        probe = await call("Runtime.evaluate", expression=LAYOUT_PROBE, returnByValue=True)
        if probe["result"].get("type") == "string":
            report.layout = json.loads(probe["result"]["value"])
    if screenshot:
        shot = await call("Page.captureScreenshot", format="png")
        report.screenshot = base64.b64decode(shot["data"])
    conn.close()
    task.cancel()
    return report


def visit(page: Path, profile: Path, screenshot: bool = True, width: int = 1280) -> PageReport:
    browser = Chromium(profile)
    try:
        return asyncio.run(_visit(browser.page_ws(), page.resolve().as_uri(), screenshot, width))
    finally:
        browser.close()


def _external(report: PageReport, page: Path) -> list[str]:
    own = page.resolve().as_uri()
    return [u for u in report.requests if u != own]


@pytest.fixture(scope="module")
def built_html(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(RAW, root / "raw")
    (root / "processed").mkdir()
    copy = DataCopy(root)
    proc = subprocess.run([sys.executable, str(PROJECT / "pipeline.py"), "build", "--all", "--jobs", "2",
                           "--format", "html", "--quiet"], capture_output=True, text=True, env=copy.env(),
                          cwd=root.parent, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root.parent / "reports" / "slagelse" / "servicetjek-slagelse.html"


def _report(built_html: Path, slug: str) -> Path:
    return built_html.parents[1] / slug / f"servicetjek-{slug}.html"


@pytest.mark.parametrize("slug", ["slagelse", "naestved"])
def test_phone_width_no_overflow_and_legible_figures(built_html, tmp_path, slug):
    """At 390 px the page does not scroll sideways (wide tables and figures scroll in their own
    containers), no figure text is under 9 px, and the back-to-top link replaces the side bar."""
    page = _report(built_html, slug)
    report = visit(page, tmp_path / "profile", width=390)
    (tmp_path / f"{slug}-390.png").write_bytes(report.screenshot)
    lay = report.layout
    assert lay["viewport"] == 390, lay
    assert lay["overflow"] <= 0, lay
    assert lay["glyphs"] > 100, lay                 # the probe found the figures' text
    assert lay["minFigurePx"] >= 9.0, lay
    assert lay["toTop"] != "none" and lay["navPosition"] != "fixed", lay
    assert lay["scrollTables"] == lay["tables"] > 0, lay
    assert not report.errors, report.errors


def test_wide_screen_shows_navigation(built_html, tmp_path):
    """At 1280 px the contents stay in a fixed side bar, and the screenshot shows it (dark text pixels in
    the bar's area); the back-to-top link is hidden."""
    from PIL import Image

    report = visit(_report(built_html, "naestved"), tmp_path / "profile", width=1280)
    lay = report.layout
    assert lay["navPosition"] == "fixed" and lay["navLeft"] == 0 and 150 < lay["navRight"] < 400, lay
    assert lay["toTop"] == "none", lay
    assert lay["overflow"] <= 0, lay
    shot = tmp_path / "naestved-1280.png"
    shot.write_bytes(report.screenshot)
    image = Image.open(shot).convert("L")
    bar = image.crop((0, 0, int(lay["navRight"]) - 5, 400))
    dark = sum(bar.histogram()[:120])
    assert dark > 2000, dark                          # the contents' text is on the screenshot


def test_every_table_links_its_csv(built_html):
    import re

    for slug in ("slagelse", "naestved"):
        page = _report(built_html, slug)
        text = page.read_text(encoding="utf-8")
        links = re.findall(r'<p class="st-csv"><a href="([^"]+)"', text)
        assert len(links) == len(re.findall(r'<figure class="st-table', text)) > 0
        for link in links:
            assert (page.parent / link).is_file(), link


def test_report_in_chromium(built_html, tmp_path):
    report = visit(built_html, tmp_path / "profile")
    assert "Slagelse" in report.title
    assert report.toc and all(report.toc), report.toc
    assert not _external(report, built_html), report.requests
    assert not report.errors, report.errors
    shot = tmp_path / "report.png"
    shot.write_bytes(report.screenshot)
    assert shot.stat().st_size > 20_000
    assert report.screenshot.startswith(b"\x89PNG")


def test_chapter_pages_in_chromium(built_html, tmp_path):
    for page in sorted((built_html.parent / "chapters").glob("*.html")):
        report = visit(page, tmp_path / f"profile-{page.stem}", screenshot=False)
        assert not _external(report, page), (page.name, report.requests)
        assert not report.errors, (page.name, report.errors)


def test_harness_sees_a_request(tmp_path):
    """Control: a page with an external image is caught — as a request without a CSP, and as a logged
    violation with the report's CSP."""
    from servicetjek.publish.render import CSP

    plain = tmp_path / "plain.html"
    plain.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>'
                     '<img src="http://example.invalid/x.png"></body></html>', encoding="utf-8")
    report = visit(plain, tmp_path / "p1", screenshot=False)
    assert any("example.invalid" in u for u in _external(report, plain)), report.requests
    guarded = tmp_path / "guarded.html"
    guarded.write_text('<!DOCTYPE html><html><head><meta charset="utf-8">'
                       f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><title>t</title></head><body>'
                       '<img src="https://example.invalid/x.png"><script>console.error("boom")</script>'
                       '</body></html>', encoding="utf-8")
    report = visit(guarded, tmp_path / "p2", screenshot=False)
    assert report.errors, "a blocked request (or script) must show up as an error"
    assert any("Content Security Policy" in e or "csp" in e.lower() for e in report.errors), report.errors
