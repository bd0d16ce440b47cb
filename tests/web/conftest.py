"""The web widget in a real browser: Debian's Chromium, driven by Playwright's
Python package, against the real action server and Rasa server.

Three static servers on free loopback ports play the parts of a deployment:
- `widget`: web/public, as `make run` serves it (the bundle built by `make`);
- `intranet`: a page of another site that embeds the widget with the snippet
  of docs/web.md; its origin is the one allowed in the Rasa server's
  credentials (a copy of credentials.yml with this origin) and `--cors`;
- `foreign`: the same page from an origin that is not allowed.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from harness.bots import running_bot
from harness.processes import ROOT

WEB = ROOT / "web"
PUBLIC = WEB / "public"
BUNDLE = PUBLIC / "clinibot-widget.js"
AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CLINIBOT_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "results" / "screenshots"
RESULTS = ROOT / "results" / "web"
CHANNEL = "channels.socketio.SocketIOInput"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

EMBED_PAGE = """<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Intranet — service d'orthopédie</title></head>
<body>
<main>
  <h1>Service d'orthopédie</h1>
  <p>Page d'un autre site qui intègre l'assistant.</p>
  <div id="clinibot"></div>
  <script src="{widget}/clinibot-widget.js" data-server="{server}" data-target="#clinibot" defer></script>
</main>
</body>
</html>
"""


def tracker_when(bot, conversation, condition, timeout=15.0) -> dict:
    """The Rasa tracker once `condition(tracker)` holds (Rasa saves it at the
    end of the turn, a moment after the page has shown the messages)."""
    deadline = time.monotonic() + timeout
    while True:
        tracker = bot.tracker(conversation)
        if condition(tracker) or time.monotonic() > deadline:
            return tracker
        time.sleep(0.2)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the standard library's name
        pass


@contextlib.contextmanager
def static_server(directory: Path) -> Iterator[str]:
    """`python -m http.server --bind 127.0.0.1 --directory DIR` on a free port."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="session")
def web_build() -> Path:
    if not BUNDLE.exists() or not AXE.exists():
        pytest.fail(f"{BUNDLE.relative_to(ROOT)} or axe-core missing: run `make web-deps` (make test does)")
    return PUBLIC


@pytest.fixture(scope="session")
def widget_url(web_build) -> Iterator[str]:
    with static_server(web_build) as url:
        yield url


@pytest.fixture(scope="session")
def sites(tmp_path_factory, widget_url):
    """The intranet page (allowed origin) and the foreign one (not allowed);
    their index.html is written once the Rasa server's URL is known."""
    intranet_dir = tmp_path_factory.mktemp("intranet")
    foreign_dir = tmp_path_factory.mktemp("foreign")
    with static_server(intranet_dir) as intranet, static_server(foreign_dir) as foreign:
        yield {"intranet": (intranet, intranet_dir), "foreign": (foreign, foreign_dir)}


@pytest.fixture(scope="package")
def bot(tmp_path_factory, sites, widget_url):
    """The Rasa server with the project's credentials.yml, its allowed origins
    replaced by the intranet page's."""
    intranet, intranet_dir = sites["intranet"]
    workdir = tmp_path_factory.mktemp("web-bot")
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert CHANNEL in credentials, f"credentials.yml does not enable {CHANNEL}"
    credentials[CHANNEL]["cors_allowed_origins"] = [intranet]
    (workdir / "credentials.yml").write_text(yaml.safe_dump(credentials), encoding="utf-8")
    with running_bot(workdir, ["--cors", intranet, "--credentials", str(workdir / "credentials.yml")]) as started:
        for _, directory in sites.values():
            (directory / "index.html").write_text(
                EMBED_PAGE.format(widget=widget_url, server=started.url), encoding="utf-8"
            )
        yield started


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium, driven by Playwright's sync API, closed at the end of tests/web:
    that API runs an event loop in this thread, and `asyncio.run` in the tests
    collected after this package (tests/actions when ordered after) fails
    while it runs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make web-deps` (make test does)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page and what it did that it should not: script errors, dialogs (an
    injected alert()), requests leaving the machine (a CDN)."""

    def __init__(self, page: Page):
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.outside: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.on("websocket", self._request)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _request(self, request) -> None:
        host = urllib.parse.urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in ("127.0.0.1", "localhost"):
            self.outside.append(request.url)

    def check(self) -> None:
        assert not self.errors, f"script errors in the page: {self.errors}"
        assert not self.dialogs, f"the page opened dialogs: {self.dialogs}"
        assert not self.outside, f"requests outside the machine (CDN?): {self.outside}"


@pytest.fixture
def open_page(browser):
    """open_page(url, width=1280, height=900) -> Watched, in a fresh browser
    context (fresh sessionStorage: a new Rasa conversation)."""
    contexts = []
    watched: list[Watched] = []

    def opener(url: str, width: int = 1280, height: int = 900, **options) -> Watched:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="fr-FR", accept_downloads=True, **options
        )
        context.set_default_timeout(30000)
        contexts.append(context)
        page = context.new_page()
        watch = Watched(page)
        watched.append(watch)
        page.goto(url)
        return watch

    yield opener
    try:
        for watch in watched:
            watch.check()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture(scope="session")
def axe_results():
    """Every axe-core run of the session, written to results/web/axe.json."""
    runs = []
    yield runs
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "axe.json").write_text(json.dumps(runs, ensure_ascii=False, indent=2), encoding="utf-8")
