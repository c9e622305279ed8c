"""Open the built book in a real browser and read every page the way a reader sees it.

The book's build proves each notebook ran; this proves the *site* works: the home page loads,
its table of contents links to a lesson, and that lesson shows the output its cells produced.
Then every page of the table of contents is opened and read for what a green build once
shipped unnoticed: a markdown table printed as one run-on paragraph (``| a | b | |---| ...``),
a cell output that is empty, and an error that no cell meant to raise. Each lesson is
screenshotted. A broken theme, a wrong base URL or a notebook published without outputs fails
here too.

It drives headless Chromium through the Chrome DevTools Protocol (CDP), the same protocol that
Playwright and Puppeteer use, with only the standard library and ``websockets``; nothing is
downloaded. Run it on its own after building the book::

    uv run jupyter-book build .
    uv run python book/tests/browser_check.py _build/html

It serves the site on a loopback port, saves a screenshot of every lesson to
``_build/browser-check/`` and exits non-zero if any page fails, naming every failing page.
"""

import argparse
import base64
import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.sync.client import ClientConnection, connect

# Every wait is bounded: a hung browser must fail the check, not the CI job's time limit.
STARTUP_TIMEOUT_SECONDS = 30.0
PAGE_TIMEOUT_SECONDS = 30.0
COMMAND_TIMEOUT_SECONDS = 30.0
SHUTDOWN_TIMEOUT_SECONDS = 10.0
POLL_INTERVAL_SECONDS = 0.1

# Headless, sandbox-free (CI containers run as root) and silent: no GPU, no sign-in, no
# background updates or QUIC, so the browser makes no connection except to our server.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1600",
]

# The sidebar of the Jupyter Book (sphinx-book-theme) is <nav class="bd-docs-nav">.
TOC_LINKS_JS = """
[...document.querySelectorAll('nav.bd-docs-nav a.reference.internal')]
  .map(a => a.href)
"""
EXECUTED_OUTPUTS_JS = """
[...document.querySelectorAll('div.cell_output')]
  .map(el => el.innerText.trim())
  .filter(text => text.length > 0)
"""


# What a reader sees on a page: the text of the article without the code cells' sources (code
# may well build a table row in a string), each empty cell output, and each error output of a
# cell that was not tagged to raise one (lessons show some failures on purpose).
PAGE_REPORT_JS = """
(() => {
  const article = (document.querySelector('article') || document.body).cloneNode(true);
  article.querySelectorAll('.cell_input').forEach(el => el.remove());
  const outputs = [...document.querySelectorAll('div.cell_output')];
  const unexpected = [...document.querySelectorAll('div.cell')]
    .filter(cell => !cell.classList.contains('tag_raises-exception'));
  return {
    text: article.innerText,
    emptyOutputs: outputs.filter(
      el => !el.innerText.trim() && !el.querySelector('img, svg, table, iframe')).length,
    errors: unexpected.flatMap(cell => [
      ...cell.querySelectorAll('div.output.traceback'),
      ...[...cell.querySelectorAll('div.output.stderr')]
        .filter(el => el.innerText.includes('Traceback (most recent call last)')),
    ]).map(el => el.innerText.trim().split('\\n').slice(-1)[0]),
  };
})()
"""
# A markdown table row or separator left as text: "| a | b |" or "|---|---|".
MARKDOWN_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$|\|\s*:?-{3,}", re.MULTILINE)


class BrowserCheckError(AssertionError):
    """The site failed the check; the message says which step and what was seen."""


@dataclass(frozen=True)
class CheckResult:
    """What the check saw, for the report and for tests that want to assert more."""

    home_url: str
    lesson_url: str
    first_output: str
    screenshot: Path
    pages: list[str]
    screenshots: list[Path]


def page_problems(url: str, report: dict[str, Any]) -> list[str]:
    """What is wrong with one page, from what :data:`PAGE_REPORT_JS` read off it."""
    problems = []
    if rows := MARKDOWN_TABLE_ROW.findall(report["text"]):
        problems.append(f"{url}: markdown table shown as text, e.g. {rows[0].strip()[:60]!r}")
    if report["emptyOutputs"]:
        problems.append(f"{url}: {report['emptyOutputs']} empty cell output(s)")
    for error in report["errors"]:
        problems.append(f"{url}: error output {error[:100]!r}")
    return problems


# --- serving the site ---------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files without logging every request to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve ``root`` over HTTP on a free loopback port; yield its base URL.

    A real server rather than ``file://`` URLs: the published site is served over HTTP, and
    browsers restrict scripts on file pages.
    """
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=SHUTDOWN_TIMEOUT_SECONDS)


# --- starting and stopping Chromium -------------------------------------------------------


def find_chromium() -> str | None:
    """The Chromium binary: ``$CHROMIUM`` if set, else the first known name on PATH."""
    if explicit := os.environ.get("CHROMIUM"):
        return explicit
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        if found := shutil.which(name):
            return found
    return None


def _wait_for_devtools(profile: Path, process: subprocess.Popen[bytes]) -> str:
    """The browser's DevTools websocket URL, read from the file Chromium writes once listening.

    ``DevToolsActivePort`` holds two lines: the port it chose and the browser endpoint's path.
    """
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BrowserCheckError(f"Chromium exited at start-up with code {process.returncode}")
        lines = port_file.read_text().splitlines() if port_file.is_file() else []
        if len(lines) == 2:
            port, path = lines
            return f"ws://127.0.0.1:{port}{path}"
        time.sleep(POLL_INTERVAL_SECONDS)
    raise BrowserCheckError(f"Chromium opened no DevTools port in {STARTUP_TIMEOUT_SECONDS}s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop Chromium and every helper process it started (they share its process group)."""
    process.terminate()
    try:
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SHUTDOWN_TIMEOUT_SECONDS)
    with contextlib.suppress(ProcessLookupError):  # the group is gone: nothing was left behind
        os.killpg(process.pid, signal.SIGKILL)  # renderers left behind, if any


@contextmanager
def launch_chromium(binary: str) -> Iterator[str]:
    """Start headless Chromium with a throwaway profile; yield its DevTools websocket URL.

    Port 0 lets Chromium pick a free port, so parallel runs never collide. The fresh profile
    directory means no state leaks from one run (or one developer's browser) into another.
    """
    with tempfile.TemporaryDirectory(prefix="browser-check-", ignore_cleanup_errors=True) as tmp:
        profile = Path(tmp)
        command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}"]
        process = subprocess.Popen(
            [*command, "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # D-Bus and GPU chatter that means nothing headless
            start_new_session=True,  # its own process group, so _stop reaches every helper
        )
        try:
            yield _wait_for_devtools(profile, process)
        finally:
            _stop(process)


# --- talking to a page over CDP -----------------------------------------------------------


class Page:
    """One browser tab, driven by CDP commands: JSON messages with an id over a websocket."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection
        self._last_id = 0

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result, skipping the events that arrive meanwhile."""
        self._last_id += 1
        self._connection.send(json.dumps({"id": self._last_id, "method": method, "params": params}))
        deadline = time.monotonic() + COMMAND_TIMEOUT_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserCheckError(f"no answer to {method} in {COMMAND_TIMEOUT_SECONDS}s")
            message = json.loads(self._connection.recv(timeout=remaining))
            if message.get("id") != self._last_id:
                continue
            if "error" in message:
                raise BrowserCheckError(f"{method} failed: {message['error']}")
            return dict(message["result"])

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page and return its (JSON-serialisable) value."""
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise BrowserCheckError(f"JavaScript failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        """Poll ``expression`` until it is truthy (and return it); fail after the timeout.

        While a page is being replaced (a redirect, a navigation) there is briefly no document
        to run the expression in; that error means "not yet", so it is retried too.
        """
        deadline = time.monotonic() + PAGE_TIMEOUT_SECONDS
        last_error = ""
        while time.monotonic() < deadline:
            try:
                if value := self.evaluate(expression):
                    return value
            except BrowserCheckError as error:
                last_error = f" (last error: {error})"
            time.sleep(POLL_INTERVAL_SECONDS)
        raise BrowserCheckError(
            f"timed out after {PAGE_TIMEOUT_SECONDS}s waiting for {what}{last_error}"
        )

    def goto(self, url: str) -> None:
        """Load ``url`` and wait until the *new* document has finished loading.

        The current document is marked first: a new one starts without the mark, so the old
        page, still ``complete`` while the new one is requested, is never mistaken for it.
        """
        self.evaluate("window.__browserCheckOldPage = true")
        result = self.send("Page.navigate", url=url)
        if error := result.get("errorText"):
            raise BrowserCheckError(f"could not load {url}: {error}")
        self.wait_for(
            "!window.__browserCheckOldPage && document.readyState === 'complete'",
            f"{url} to finish loading",
        )

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of what a reader sees first (the window, 1280x1600; a lesson is longer)."""
        data = self.send("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data["data"]))
        return path


@contextmanager
def open_page(browser_url: str) -> Iterator[Page]:
    """Open a new tab through the browser endpoint, then connect to the tab's own endpoint."""
    with connect(browser_url, max_size=None, open_timeout=COMMAND_TIMEOUT_SECONDS) as browser:
        target = Page(browser).send("Target.createTarget", url="about:blank")
        host = urlsplit(browser_url).netloc
        tab_url = f"ws://{host}/devtools/page/{target['targetId']}"
        with connect(tab_url, max_size=None, open_timeout=COMMAND_TIMEOUT_SECONDS) as tab:
            yield Page(tab)


# --- the check itself ---------------------------------------------------------------------


def find_lesson_link(page: Page, link_contains: str) -> str:
    """The first table-of-contents link whose URL contains ``link_contains``."""
    links = page.wait_for(TOC_LINKS_JS, "the table of contents (nav.bd-docs-nav)")
    for href in links:
        if link_contains in href:
            return str(href)
    raise BrowserCheckError(f"no table-of-contents link contains {link_contains!r}: {links}")


def check_site(
    site: Path, screenshot: Path, link_contains: str = "/lessons/", chromium: str | None = None
) -> CheckResult:
    """Load the home page, follow the ToC into a lesson, require an executed output, then
    read every page of the ToC (screenshotting each lesson next to ``screenshot``).

    Every failing page is collected before failing, so one run names them all.
    """
    if not (site / "index.html").is_file():
        raise BrowserCheckError(f"{site / 'index.html'} does not exist: build the book first")
    binary = chromium or find_chromium()
    if binary is None:
        raise BrowserCheckError("Chromium not found: apt-get install chromium, or set CHROMIUM")
    with (
        serve_directory(site) as base_url,
        launch_chromium(binary) as browser_url,
        open_page(browser_url) as page,
    ):
        page.goto(base_url)
        # The book's index.html only redirects to its root page: find_lesson_link waits for
        # the page that has the table of contents.
        lesson_url = find_lesson_link(page, link_contains)
        home_url = str(page.evaluate("location.href"))
        # The sidebar lists every page of the ToC but its root, the home page: read that too.
        every_page = _unique_pages([home_url, *page.evaluate(TOC_LINKS_JS)])
        page.goto(lesson_url)
        outputs = page.wait_for(EXECUTED_OUTPUTS_JS, f"an executed cell output on {lesson_url}")
        first_screenshot = page.screenshot(screenshot)
        problems: list[str] = []
        screenshots: list[Path] = []
        for url in every_page:
            page.goto(url)
            problems += page_problems(url, page.evaluate(PAGE_REPORT_JS))
            if link_contains in url:
                name = url.rsplit("/", 1)[-1].removesuffix(".html")
                screenshots.append(page.screenshot(screenshot.with_suffix("") / f"{name}.png"))
        if problems:
            raise BrowserCheckError(f"{len(problems)} problem(s):\n" + "\n".join(problems))
        return CheckResult(
            home_url, lesson_url, outputs[0], first_screenshot, every_page, screenshots
        )


def _unique_pages(links: list[str]) -> list[str]:
    """The pages in order, each once (section links point into a page with #...)."""
    return list(dict.fromkeys(link.split("#", 1)[0] for link in links))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: print what was checked, exit 1 on failure."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built book, e.g. _build/html")
    parser.add_argument(
        "--screenshot", type=Path, help="where to save the PNG (default: next to the site dir)"
    )
    parser.add_argument("--link-contains", default="/lessons/", help="which ToC link to follow")
    args = parser.parse_args(argv)
    screenshot = args.screenshot or args.site.resolve().parent / "browser-check.png"
    try:
        result = check_site(args.site, screenshot, args.link_contains)
    except BrowserCheckError as error:
        print(f"browser check FAILED: {error}", file=sys.stderr)
        return 1
    print(f"home:       {result.home_url}")
    print(f"lesson:     {result.lesson_url}")
    print(f"output:     {result.first_output[:80]!r}")
    print(f"pages read: {len(result.pages)}, no run-on tables, empty outputs or errors")
    print(f"screenshot: {result.screenshot} and {len(result.screenshots)} lessons in")
    print(f"            {result.screenshot.with_suffix('')}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
