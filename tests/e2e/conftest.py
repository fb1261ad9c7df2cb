"""Browser tests: Playwright driving Debian's Chromium against a live Django server.

Chromium comes from the system (`apt-get install chromium`); Playwright cannot download its own
browser here. On CI the browser must exist (the test fails); elsewhere a missing browser skips.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CONTENT = Path(__file__).resolve().parents[2] / "content" / "genai-intro"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run installs it with apt-get")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def course(transactional_db):
    from courses.services import course_pack_load

    return course_pack_load(path=CONTENT).course


@pytest.fixture
def accounts(course, django_user_model):
    from courses.services import enrollment_create

    student = django_user_model.objects.create_user("student", password="student-pass")
    teacher = django_user_model.objects.create_user("instructor", password="instructor-pass")
    enrollment_create(user=student, course=course, role="student")
    enrollment_create(user=teacher, course=course, role="instructor")
    return {"student": student, "instructor": teacher}


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def open_page(username: str, password: str, *, locale: str = "ko-KR",
                  viewport: dict | None = None, bypass_csp: bool = False):
        # bypass_csp only for injecting test tools (axe-core): the site's CSP forbids inline
        # scripts, which is what a test tool's injection is.
        context = browser.new_context(locale=locale, base_url=live_server.url,
                                      viewport=viewport or {"width": 1200, "height": 900},
                                      bypass_csp=bypass_csp)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.press("#id_password", "Enter")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def shot(page, name: str) -> None:
    """Save a PNG of the page: into docs/screenshots/ when UPDATE_SCREENSHOTS=1 (to refresh the
    README's pictures), else into a scratch folder so a test run leaves the tree unchanged."""
    import tempfile

    folder = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else (
        Path(tempfile.gettempdir()) / "genai-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=False)
