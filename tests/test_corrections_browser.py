"""An analyst corrects their own work in the browser: edits a note, records a new
assessment from the last one, withdraws it, changes a link and an appearance (issue 13,
item 7). Set COUNTERCLAIM_SCREENSHOTS to a folder to keep each page at 1400 and 390 px."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.services import migrations
from counterclaim.services.accounts import users
from factories import make_actor, make_appearance, make_claim, make_link, make_source
from test_browser import CHROMIUM_ARGS, TIMEOUT_MS, chromium_path, serving  # noqa: F401
from test_conflict_browser import PASSWORD, _shoot, _signed_in


@pytest.fixture
def world(kind, database_url_factory):
    """A claim with a counterclaim and an appearance, all the analyst's; yield (url, ids)."""
    url = database_url_factory(kind)
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            mreyes = users.create_user(
                session, "mreyes", PASSWORD, role="analyst", display_name="M. Reyes"
            )
            session.flush()
            session.info["user_id"] = mreyes.id  # the records are the analyst's own
            abadi = make_actor(session, name="Haider al-Abadi")
            claim = make_claim(session, text="ISIS is collapsing", claimant=abadi,
                               stated_on=date(2016, 11, 27))  # fmt: skip
            other = make_claim(session, text="ISIS defends Mosul competently")
            source = make_source(session, title="DEBKA Weekly", reliability="D")
            make_appearance(session, claim, source, excerpt="ISIS is collpasing",
                            locator="para 2", stance="skeptical")  # fmt: skip
            make_link(session, claim, other, relation="supports", rationale="Same week.")
            session.commit()
            ids = {"claim": claim.id}
    finally:
        engine.dispose()
    yield url, ids


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
def test_an_analyst_corrects_their_own_note_assessment_link_and_excerpt(
    chromium_path,  # noqa: F811
    kind,
    world,
):
    url, ids = world
    claim_url = f"/claims/{ids['claim']}"
    expect.set_options(timeout=TIMEOUT_MS)
    with serving(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = _signed_in(browser, base, "mreyes")
            page.goto(f"{base}{claim_url}")

            # A note, then a correction of it.
            page.get_by_role("link", name="Add a note").click()
            page.get_by_label("Note").fill("Said on the *sixth* week.")
            page.get_by_role("button", name="Add note").click()
            page.get_by_role("link", name=re.compile(r"^edit note")).click()
            _shoot(page, "note-edit")
            page.get_by_label("Note").fill("Said on the *seventh* week.")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status")).to_contain_text("Note saved.")
            expect(page.locator("#notes")).to_contain_text("Said on the seventh week.")

            # An assessment; the next one starts from it; then it is withdrawn.
            page.get_by_role("link", name="Record an assessment").click()
            page.get_by_label("Credibility").select_option("4")
            page.get_by_label("Confidence").select_option("moderate")
            page.get_by_label("Rationale").fill("Contradicted by the video.")
            page.get_by_role("button", name="Record assessment").click()
            page.get_by_role("link", name="Record an assessment").click()
            expect(page.get_by_label("Rationale")).to_have_value("Contradicted by the video.")
            expect(page.get_by_label("Credibility")).to_have_value("4")
            _shoot(page, "assess-prefilled")
            page.get_by_label("Credibility").select_option("5")
            page.get_by_role("button", name="Record assessment").click()
            expect(page.locator(".consensus-box .credibility")).to_have_text("5")
            page.locator("#assessments").get_by_role("link", name="withdraw").click()
            _shoot(page, "assessment-withdraw")
            page.get_by_role("button", name="Withdraw").click()
            expect(page.get_by_role("status")).to_contain_text("Assessment withdrawn")
            expect(page.locator(".consensus-box .credibility")).to_have_text("4")
            expect(page.locator("#assessments")).to_contain_text("(withdrawn ")

            # The link becomes a contradiction, with a stronger rationale.
            page.get_by_role("link", name="change").first.click()
            _shoot(page, "link-edit")
            page.get_by_role("radio", name=re.compile("^contradicts")).check()
            page.get_by_label("Strength").select_option("strong")
            page.get_by_label("Rationale").fill("The video shows the opposite.")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status")).to_contain_text("Link saved.")
            expect(page.locator("#counterclaims")).to_contain_text("The video shows the opposite.")

            # The excerpt's typo is corrected.
            page.locator("#counterclaims .this-side").get_by_role("link", name="correct").click()
            _shoot(page, "appearance-edit")
            page.get_by_label("Exact excerpt").fill("ISIS is collapsing")
            page.get_by_role("button", name="Save").click()
            expect(page.get_by_role("status")).to_contain_text("Appearance saved.")
            expect(page).to_have_url(f"{base}{claim_url}")
        finally:
            browser.close()
