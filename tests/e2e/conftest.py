"""Browser journeys: Playwright's Python package driving Debian's Chromium against a live server.

Chromium is not downloaded: it is Debian's package at /usr/bin/chromium. Without it the
journeys are skipped, unless REQUIRE_BROWSER=1 (CI), when they fail instead.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still safe to
# use there because nothing else runs in that thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required but missing at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(page):
    """Sign a user in through the real sign-in form."""
    from tests.factories import PASSWORD

    def _login(username: str, password: str = PASSWORD):
        from solidarity.accounts.mfa import mfa_required
        from solidarity.accounts.models import User
        from tests import mfa

        user = User.objects.filter(username=username).first()
        if user is not None and mfa_required(user):
            # A known authenticator, its last used step forgotten so a code can be reused.
            mfa.enrol(user)
            user.totpdevice_set.update(last_t=-1)
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if "/accounts/mfa/verify/" in page.url:
            # Staff sign in with the second factor: the test authenticator's current code.
            page.get_by_label("Code").fill(mfa.current_code())
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/")
        return page

    return _login
