"""Playwright in Debian's Chromium against pytest-django's live server.

``playwright install`` cannot download browsers here, so the tests drive
``/usr/bin/chromium`` (or ``$CHROMIUM``) directly.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make to arrange data are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
RESIDENT_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0 Mobile Safari/537.36"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """A factory of pages in fresh browser contexts (own cookies), with
    JavaScript on or off; ``page.goto("/news/")`` is relative to the live server."""
    contexts = []

    def make(java_script_enabled=True, **options):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=java_script_enabled,
            locale="uk-UA",
            timezone_id="Europe/Kyiv",
            # Headless Chromium names itself "HeadlessChrome", which the view
            # counter rightly treats as a bot; a resident's browser does not.
            user_agent=options.pop("user_agent", RESIDENT_USER_AGENT),
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()
