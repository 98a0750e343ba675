"""In headless Chromium, the analyst's daily workbench at scale: record pickers that
reach every record (with and without script)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.services import migrations, users
from factories import make_actor, make_claim, make_source
from test_browser import (  # noqa: F401 - fixtures
    ANALYST,
    CHROMIUM_ARGS,
    PASSWORD,
    TIMEOUT_MS,
    chromium_path,
    serving,
    sign_in,
)

SOURCES = 300
OLD_TITLE = "Reuters: Iraqi forces pause the Mosul advance"


@pytest.fixture
def big_server(kind, database_url_factory):
    """Serve a database of 300 sources, the one sought among the oldest."""
    url = database_url_factory(kind)
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            make_source(session, title="An early unrelated bulletin")
            old = make_source(session, title=OLD_TITLE, reliability="B")
            for n in range(SOURCES - 2):
                make_source(session, title=f"Generated wire story {n}")
            abadi = make_actor(session, name="Haider al-Abadi")
            claim = make_claim(session, text="ISIS no longer has the guts", claimant=abadi,
                               stated_on=date(2016, 11, 20))  # fmt: skip
            users.create_user(session, ANALYST, PASSWORD, role="analyst")
            session.commit()
            seeded = {"claim_id": claim.id, "old_source_id": old.id}
    finally:
        engine.dispose()
    with serving(url) as base:
        yield base, seeded


def _browser(p, executable: str):
    return p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_attach_a_source_older_than_the_newest_hundred(
    chromium_path,  # noqa: F811
    kind,
    big_server,
    script,
):
    base, seeded = big_server
    errors: list[str] = []
    with sync_playwright() as p:
        browser = _browser(p, chromium_path)
        try:
            page = browser.new_page(java_script_enabled=script)
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
            path = f"/claims/{seeded['claim_id']}/sources/new"
            sign_in(page, base, path)
            chooser = page.get_by_label("Source", exact=True)
            old = str(seeded["old_source_id"])
            assert old not in chooser.locator("option").evaluate_all(
                "options => options.map(o => o.value)"
            ), "the old source should be out of the first page of choices"
            search = page.get_by_label("Find source by name")
            if script:
                search.focus()
                page.keyboard.type("mosul advance")
                expect(chooser.locator(f"option[value='{old}']")).to_have_count(1)
                expect(chooser).to_have_value(old)  # the only match is chosen
                assert page.url.endswith(path), "the page reloaded instead"
            else:
                search.fill("mosul advance")
                page.get_by_role("button", name="Search").click()
                expect(chooser.locator(f"option[value='{old}']")).to_have_count(1)
                expect(search).to_have_value("mosul advance")
                chooser.select_option(old)
            page.get_by_label("Exact excerpt").fill("Iraqi forces paused their advance")
            page.get_by_label("Locator").fill("para 2")
            page.get_by_role("button", name="Attach").click()
            expect(page.get_by_role("status")).to_contain_text("Source attached.")
            expect(page).to_have_url(re.compile(rf"/claims/{seeded['claim_id']}$"))
            expect(page.get_by_role("link", name=OLD_TITLE).first).to_be_visible()
            assert errors == []
        finally:
            browser.close()
