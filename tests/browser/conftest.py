"""Browser tests: Debian's Chromium driven by Playwright against Django's live server (see docs/browser-tests.md).

Fixtures:
- `lang` ("en" unless the test parametrizes it with LANGS) and `page`: a fresh browser context in that language,
  wrapped in tests.browser.pages.BrowserPage (every page loaded is audited: axe-core, bytes, load time).
- `new_page(lang=..., javascript=True)`: another visitor (or the same one, with `page.cookies_to(other)`).
- `demo_program`, `demo_catalog`: the demo program and store catalog; `registry("au", "us-ri", ...)`: real
  registry samples imported for this test; `mailbox`: emails over the test's SMTP server.
"""

import json
import os
import shutil
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls from the test body.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from tests.browser.mail import Mailbox
from tests.browser.pages import ROOT, VIEWPORT, BrowserPage, JourneyLog, screenshots_dir
from tests.conftest import REGISTRIES

CHROMIUM = os.environ.get("VOUCH_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
LANGS = ["en", "fr"]
LOCALES = {"en": "en-US", "fr": "fr-FR"}
REGISTRY_SAMPLES = {  # name -> (source, path) among the committed registry slices
    "au": ("au-acnc", REGISTRIES / "australia"),
    "us": ("us-irs-bmf", REGISTRIES / "us" / "irs_eo_bmf"),
    "us-ri": ("us-irs-bmf", REGISTRIES / "us" / "irs_eo_bmf" / "eo_ri.csv"),
    "us-ak": ("us-irs-bmf", REGISTRIES / "us" / "irs_eo_bmf" / "eo_ak.csv"),
}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() or not shutil.which(CHROMIUM):
        message = f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message + ": CI must run the browser tests.", pytrace=False)
        pytest.skip(message + "; browser tests skipped.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci --no-audit --no-fund` at the repository root", pytrace=False)
    return AXE.read_text()


@pytest.fixture(scope="session")
def journey_log():
    """Page visits of the session; with VOUCH_BENCH_JOURNEYS=<path>, written there as JSON at the end."""
    log = JourneyLog()
    yield log
    target = os.environ.get("VOUCH_BENCH_JOURNEYS")
    if target and log.visits:
        Path(target).write_text(json.dumps([vars(visit) for visit in log.visits], indent=1) + "\n")


@pytest.fixture
def lang() -> str:
    return "en"


@pytest.fixture
def site(live_server, settings):
    """The live server, with the links in emails pointing at it and a clean cache (rate limits live there)."""
    from django.core.cache import cache

    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    yield live_server
    cache.clear()


@pytest.fixture
def new_page(browser, site, axe_source, journey_log, request, tmp_path):
    """Factory: a page in a fresh browser context (a new visitor). Checks at teardown that every page was audited."""
    made: list[BrowserPage] = []

    def make(*, lang: str = "en", javascript: bool = True) -> BrowserPage:
        context = browser.new_context(
            locale=LOCALES[lang],
            viewport=VIEWPORT,
            java_script_enabled=javascript,
            extra_http_headers={"Accept-Language": LOCALES[lang]},
        )
        context.set_default_timeout(10_000)
        page = BrowserPage(
            context=context,
            base_url=site.url,
            axe_source=axe_source,
            log=journey_log,
            test=request.node.nodeid,
            shots_dir=screenshots_dir(tmp_path),
            lang=lang,
            locale=LOCALES[lang],
            javascript=javascript,
        )
        made.append(page)
        return page

    yield make
    unaudited = [url for page in made for url in page.unaudited()]
    for page in made:
        page.context.close()
    if unaudited and not _failed(request):
        pytest.fail(f"pages loaded without an audit (use page.goto/submit/navigation): {unaudited}", pytrace=False)


def _failed(request) -> bool:
    report = getattr(request.node, "rep_call", None)
    return bool(report and report.failed)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report


@pytest.fixture
def page(new_page, lang) -> BrowserPage:
    return new_page(lang=lang)


@pytest.fixture
def demo_program(transactional_db):
    from programs.demo import program_demo_ensure

    return program_demo_ensure()


@pytest.fixture
def demo_catalog(transactional_db):
    from billing.demo import catalog_demo_ensure

    return catalog_demo_ensure()


@pytest.fixture
def registry(transactional_db):
    """Factory: import real registry samples (names in REGISTRY_SAMPLES) for this test. The transactional flush
    empties the models' tables afterwards; the search index table is not a model, so it is emptied here."""
    from registry.importers.pipeline import registry_import

    def load(*names: str) -> None:
        for name in names:
            source, path = REGISTRY_SAMPLES[name]
            registry_import(source=source, paths=[str(path)])

    yield load
    clear_search_index()


def clear_search_index() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM registry_org_fts" if connection.vendor == "sqlite" else "DELETE FROM registry_search_term"
        )


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:
    return Mailbox(smtp_server)
