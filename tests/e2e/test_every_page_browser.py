"""Every page of the navigation, in both languages, in a real browser: it opens from the sidebar within
one signed-in session, draws its title in the session's language with no error, no catalog key and
nothing fetched from outside the machine, and leaves a picture for review in
tests/e2e/screenshots/page_<name>_<lang>.png.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from i18n import catalog, translate
from tests.e2e.conftest import FOREIGN_RESOURCES
from tests.e2e.test_overview_browser import ERRORS, language_radio
from ui.navigation import PAGES

pytestmark = pytest.mark.e2e
expect.set_options(timeout=30_000)

LOCALES = {"vi": "vi-VN", "en": "en-US"}
# Presentation hides the sidebar (full screen): it comes last, when nothing needs the sidebar any more.
VISIT_ORDER = sorted(PAGES, key=lambda spec: spec.url_path == "present")
_KEY = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")  # how catalog keys look: "rankings.title"


def _catalog_texts(lang: str) -> list[re.Pattern]:
    """Every text of the catalog, its placeholders open to any value (a title may name a unit)."""
    return [re.compile(re.sub(r"\\\{[a-z_]+\\\}", ".+", re.escape(text)) + "$") for text in catalog(lang).values()]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_page_opens_from_the_sidebar_in_the_sessions_language(open_app, rerun, screenshot, app_url, lang):
    page = open_app(LOCALES[lang], "/")
    expect(language_radio(page, lang)).to_be_checked()
    keys, texts = set(catalog(lang)), _catalog_texts(lang)
    problems: list[str] = []
    for spec in VISIT_ORDER:
        title = translate(spec.title_key, lang)
        link = page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
        rerun(page, link.click)
        if spec.url_path != "present":  # full screen: no sidebar to look at
            expect(link).to_have_attribute("aria-current", "page")
        heading = page.get_by_role("heading", level=1).first
        expect(heading).to_be_visible()
        shown_title = heading.inner_text().strip()
        text = page.get_by_test_id("stMain").inner_text()
        errors = page.locator(ERRORS).all_inner_texts()
        leaked = sorted({key for key in _KEY.findall(text) if key in keys})
        if errors:
            problems.append(f"{spec.url_path}: error on the page: {errors}")
        if leaked:
            problems.append(f"{spec.url_path}: catalog keys shown instead of text: {leaked}")
        if not any(text.match(shown_title) for text in texts):
            problems.append(f"{spec.url_path}: title {shown_title!r} is not a {lang} text of the catalog")
        expected_path = "" if spec is PAGES[0] else spec.url_path  # the first page is the app's address
        if page.url.split("?")[0].rstrip("/") != f"{app_url}/{expected_path}".rstrip("/"):
            problems.append(f"{spec.url_path}: opened {page.url}")
        screenshot(page, f"page_{spec.url_path}_{lang}.png")
    assert problems == []
    assert page.evaluate(FOREIGN_RESOURCES, app_url) == []
