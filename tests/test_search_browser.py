"""In headless Chromium: the new-claim form suggests look-alike claims as one types, the
global search box finds and highlights, and a facet narrows the claims list."""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from conftest import ENGINES
from test_browser import (  # noqa: F401 - fixtures
    CHROMIUM_ARGS,
    ISIS_CLAIM,
    TIMEOUT_MS,
    chromium_path,
    live_server,
    sign_in,
)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
def test_suggestions_search_box_and_facets(chromium_path, kind, live_server):  # noqa: F811
    base, seeded = live_server
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))

            # Typing a claim that is already recorded shows it, with a way to add to it.
            sign_in(page, base, "/claims/new")
            page.get_by_label("Claim", exact=True).press_sequentially(
                "The ISIS video shows a competent defence of "
            )
            box = page.locator("#similar-claims")
            expect(box.get_by_role("link", name=re.compile("competent defence"))).to_be_visible()
            add = box.get_by_role("link", name="Add a source to it instead")
            expect(add).to_have_attribute("href", f"/claims/{seeded['isis_claim_id']}/sources/new")

            # The search box on every page finds it and marks the words.
            page.get_by_label("Search everything").fill("competent defence")
            page.get_by_label("Search everything").press("Enter")
            expect(page).to_have_url(re.compile(r"/search/\?q=competent"))
            expect(page.locator("#claims mark")).to_have_text(["competent", "defence"])

            # A facet value narrows the claims list.
            page.goto(f"{base}/claims/")
            page.locator(".facet-claimant").get_by_role("link", name=seeded["isis"]).click()
            expect(page).to_have_url(re.compile(r"claimant=\d+"))
            expect(page.locator("table.claims tbody tr")).to_have_count(1)
            expect(page.locator("table.claims")).to_contain_text(ISIS_CLAIM)
            assert errors == []
        finally:
            browser.close()
