"""Two editors in two browsers edit the same claim: both changes stay (issue 13, item 1).

Alice and Eve open /claims/N/edit; Eve settles the claim and saves; Alice changes the
date and saves: her save is merged, the status stays settled. When both change the status,
Alice gets the conflict page, naming Eve, and chooses. Set COUNTERCLAIM_SCREENSHOTS to a
folder to keep the pages at 1400 and 390 px.
"""

import os
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.models import Claim
from counterclaim.services import migrations
from counterclaim.services.accounts import users
from factories import make_actor, make_claim
from test_browser import CHROMIUM_ARGS, TIMEOUT_MS, chromium_path, serving  # noqa: F401

PASSWORD = "a long enough browser password"
SHOTS = os.environ.get("COUNTERCLAIM_SCREENSHOTS")


@pytest.fixture
def shared_claim(kind, database_url_factory):
    """A database with one claim under review and two editors; yield (url, claim id)."""
    url = database_url_factory(kind)
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            abadi = make_actor(session, name="Haider al-Abadi")
            claim = make_claim(
                session, text="ISIS is collapsing", claimant=abadi, status="under_review",
                stated_on=date(2016, 11, 27),
            )  # fmt: skip
            for name in ("alice", "eve"):
                users.create_user(session, name, PASSWORD, role="editor", display_name=name.title())
            session.commit()
            claim_id = claim.id
    finally:
        engine.dispose()
    yield url, claim_id


def _stored(url: str, claim_id: int) -> Claim:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            claim = session.get(Claim, claim_id)
            session.expunge(claim)
            return claim
    finally:
        engine.dispose()


def _signed_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def _shoot(page, name: str) -> None:
    if not SHOTS:
        return
    for width in (1400, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1400, "height": 900})


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
def test_two_editors_in_two_browsers_keep_both_changes(chromium_path, kind, shared_claim):  # noqa: F811
    url, claim_id = shared_claim
    edit = f"/claims/{claim_id}/edit"
    expect.set_options(timeout=TIMEOUT_MS)
    with serving(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            alice, eve = _signed_in(browser, base, "alice"), _signed_in(browser, base, "eve")
            alice.goto(f"{base}{edit}")
            eve.goto(f"{base}{edit}")

            eve.get_by_label("Status").select_option("settled")
            eve.get_by_role("button", name="Save").click()
            expect(eve.get_by_role("status")).to_contain_text("Claim saved.")

            alice.get_by_label("Stated on").fill("2016-11-20")
            alice.get_by_role("button", name="Save").click()
            expect(alice.get_by_role("status")).to_contain_text("merged with Eve's save")
            stored = _stored(url, claim_id)
            assert (stored.status, stored.stated_on) == ("settled", date(2016, 11, 20))

            # Now both change the status, differently: Alice is asked, naming Eve.
            alice.goto(f"{base}{edit}")
            eve.goto(f"{base}{edit}")
            eve.get_by_label("Status").select_option("retracted")
            eve.get_by_role("button", name="Save").click()
            expect(eve.get_by_role("status")).to_contain_text("Claim saved.")
            alice.get_by_label("Status").select_option("open")
            alice.get_by_label("Claim", exact=True).fill("ISIS is collapsing, al-Abadi says")
            alice.get_by_role("button", name="Save").click()

            conflict = alice.get_by_role("alert")
            expect(conflict).to_contain_text("Eve saved at")
            expect(conflict).to_contain_text("Status: you both changed it")
            _shoot(alice, "edit-conflict")
            alice.get_by_role("radio", name=re.compile("Keep Eve's")).check()
            alice.get_by_role("button", name="Save").click()
            expect(alice.get_by_role("status")).to_contain_text("Claim saved")

            stored = _stored(url, claim_id)
            assert (stored.status, stored.text, stored.stated_on) == (
                "retracted",
                "ISIS is collapsing, al-Abadi says",
                date(2016, 11, 20),
            )
        finally:
            browser.close()
