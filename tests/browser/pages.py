"""A Playwright page that audits every page it loads: axe-core accessibility, transferred bytes, load time.

Tests drive pages through `BrowserPage`: `goto(path)`, `submit(locator)` (click and wait for the next page), or
`with page.navigation(): ...` for anything else that loads a page (Enter in a field, a script submitting a form).
Each of these runs `audit()` on the page that loaded. The fixture fails the test at teardown if a page was loaded
without being audited, so no visited page escapes the checks.

Everything else (locators, keyboard, expect) is the Playwright page itself: `page.get_by_label(...)` works as usual.
"""

from __future__ import annotations

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
MAX_PAGE_BYTES = 150 * 1024
FAILING_IMPACTS = ("serious", "critical")
VIEWPORT = {"width": 1024, "height": 720}
PHONE = {"width": 360, "height": 740}
SHOT = {"width": 880, "height": 560}
SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)
HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)


@dataclass
class PageVisit:
    test: str
    label: str
    path: str
    load_ms: float
    bytes: int
    axe_other: list[str] = field(default_factory=list)  # moderate/minor violations, reported, not failing


class JourneyLog:
    """What the browser tests measured in this session (bench/bench_journeys.py writes it out)."""

    def __init__(self):
        self.visits: list[PageVisit] = []


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class BrowserPage:
    def __init__(
        self,
        *,
        context: BrowserContext,
        base_url: str,
        axe_source: str,
        log: JourneyLog,
        test: str,
        shots_dir: Path,
        lang: str,
        locale: str,
        javascript: bool = True,
    ):
        self.context = context
        self.page: Page = context.new_page()
        self.base_url = base_url.rstrip("/")
        self.lang = lang
        self.javascript = javascript
        self._locale = locale
        self._axe_source = axe_source
        self._log = log
        self._test = test
        self._shots_dir = shots_dir
        self._bytes = 0
        self._loads: list[str] = []  # documents loaded in the main frame, in order
        self._audited = 0
        cdp = context.new_cdp_session(self.page)
        cdp.on("Network.responseReceived", self._on_response)
        cdp.on("Network.loadingFinished", self._on_finished)
        self._urls: dict[str, str] = {}
        cdp.send("Network.enable")
        self.page.on("load", self._on_load)
        self.csp_violations: list[str] = []  # what the browser refused under the Content-Security-Policy
        self.page.on("console", self._on_console)

    # -- delegation: everything not defined here is Playwright's Page ------------------------------------------
    def __getattr__(self, name):
        return getattr(self.page, name)

    def url_for(self, path: str) -> str:
        return self.base_url + path if path.startswith("/") else path

    @property
    def path(self) -> str:
        return _path_of(self.page.url)

    # -- navigation that audits ---------------------------------------------------------------------------------
    def goto(self, path: str, *, label: str = "", expect_status: int | None = 200):
        response = self.page.goto(self.url_for(path))
        if expect_status is not None:
            assert response is not None and response.status == expect_status, (path, response and response.status)
        self.audit(label)
        return response

    def submit(self, target: Locator, *, label: str = ""):
        """Click a button or link that loads a new page, wait for it, audit it."""
        with self.navigation(label=label):
            target.click()

    @contextmanager
    def navigation(self, *, label: str = ""):
        with self.page.expect_navigation():
            yield
        self.page.wait_for_load_state("load")
        self.audit(label)

    # -- checks -------------------------------------------------------------------------------------------------
    def audit(self, label: str = "") -> PageVisit:
        """axe-core (fail on serious/critical), no sideways scrolling on a phone, the page's transferred bytes (fail
        over 150 kB), the load time."""
        path = self.path
        assert not self.csp_violations, f"Content-Security-Policy violations on {path}: {self.csp_violations}"
        violations = self._axe()
        failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
        if failing:
            pytest.fail(
                f"axe-core found {len(failing)} serious/critical violation(s) on {path}:\n"
                + "\n".join(f"- [{v['impact']}] {v['id']}: {v['help']} at {v['targets'][:5]}" for v in failing),
                pytrace=False,
            )
        self._fits_phone(path)
        load_ms = self.page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n && n.loadEventEnd ? n.loadEventEnd - n.startTime : performance.now(); }"
        )
        transferred, self._bytes = self._bytes, 0
        assert transferred <= MAX_PAGE_BYTES, f"{path} transferred {transferred} bytes (limit {MAX_PAGE_BYTES})"
        self._audited = len(self._loads)
        visit = PageVisit(
            test=self._test,
            label=label or path,
            path=path,
            load_ms=round(load_ms, 1),
            bytes=transferred,
            axe_other=[f"{v['impact']}:{v['id']}" for v in violations if v["impact"] not in FAILING_IMPACTS],
        )
        self._log.visits.append(visit)
        return visit

    def _fits_phone(self, path: str) -> None:
        """Readable on a phone: at 360 px wide nothing makes the page scroll sideways."""
        self.page.set_viewport_size(PHONE)
        try:
            overflow, culprits = self.page.evaluate("""() => {
                const width = document.documentElement.clientWidth;
                const wide = [...document.querySelectorAll('body *')]
                    .filter(e => !e.closest('.visually-hidden, .skip') && (e.getBoundingClientRect().right > width + 1
                            || (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === 'visible')))
                    .map(e => e.outerHTML.slice(0, 120));
                return [document.documentElement.scrollWidth - width, wide.slice(-5)];
            }""")
        finally:
            self.page.set_viewport_size(VIEWPORT)
        assert overflow <= 0, f"{path} is {overflow} px wider than a {PHONE['width']} px phone screen: {culprits}"

    def _axe(self) -> list[dict]:
        if not self.javascript:
            return self._axe_without_javascript()
        return self._run_axe(self.page)

    def _axe_without_javascript(self) -> list[dict]:
        """With JavaScript off the page's timers never fire, so axe cannot finish there: it runs on a copy of the
        rendered document (the page's own scripts removed: they never ran) with the same styles and viewport."""
        html = SCRIPT.sub("", self.page.content())
        html = HEAD.sub(lambda match: f'{match.group(0)}<base href="{self.page.url}">', html, count=1)
        browser = self.context.browser
        context = browser.new_context(locale=self._locale, viewport=VIEWPORT)
        try:
            copy = context.new_page()
            copy.set_content(html, wait_until="load")
            return self._run_axe(copy)
        finally:
            context.close()

    def _run_axe(self, page: Page) -> list[dict]:
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self._axe_source)
        return page.evaluate("""async () => {
            const result = await window.axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                                targets: v.nodes.map(n => n.target.join(' '))}));
        }""")

    def unaudited(self) -> list[str]:
        return self._loads[self._audited :]

    # -- screenshots --------------------------------------------------------------------------------------------
    def shot(self, name: str, *, near: Locator | None = None) -> Path:
        """A screenshot of the top of the page (880 x 560 CSS pixels): into docs/screenshots/ with VOUCH_SCREENSHOTS=1,
        else the test's tmp dir (so ordinary runs leave the tree alone). `near`: scroll that element to the middle."""
        path = self._shots_dir / f"{name}.png"
        self.page.set_viewport_size(SHOT)  # small enough that a page's PNG stays well under 80 kB
        try:
            if near is not None:  # what the picture is about, in the middle of it
                near.first.evaluate("element => element.scrollIntoView({block: 'center'})")
            self.page.screenshot(path=str(path), scale="css", animations="disabled", caret="hide")
        finally:
            self.page.set_viewport_size(VIEWPORT)
        return path

    # -- other pages of the same visitor ------------------------------------------------------------------------
    def cookies_to(self, other: BrowserPage) -> BrowserPage:
        """Give `other` this visitor's cookies (the same session), e.g. to continue with JavaScript off."""
        other.context.add_cookies(self.context.cookies())
        return other

    # -- event handlers -----------------------------------------------------------------------------------------
    def _on_console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(message.text[:300])

    def _on_load(self, page) -> None:
        self._loads.append(page.url)

    def _on_response(self, params: dict) -> None:
        self._urls[params["requestId"]] = params["response"]["url"]

    def _on_finished(self, params: dict) -> None:
        if self._urls.get(params["requestId"], "").endswith("/favicon.ico"):
            return  # the browser's own request, not part of the page
        self._bytes += int(params.get("encodedDataLength", 0))


def screenshots_dir(tmp_path: Path) -> Path:
    if os.environ.get("VOUCH_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path
