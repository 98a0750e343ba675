"""In headless Chromium, the analyst's daily workbench at scale: record pickers that
reach every record (with and without script)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.services import migrations
from counterclaim.services.accounts import users
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


# --- the main pages on the demo data: phone width, accessibility, history --------------

ADMIN, ADMIN_PASSWORD = "chief", "a long enough admin password"
MAIN_PAGES = (
    "/", "/claims/", "/claims/{claim}", "/claims/new", "/claims/{claim}/sources/new",
    "/sources/", "/sources/{source}", "/actors/", "/actors/{actor}", "/tags/", "/reports/",
    "/vocabulary", "/sql/", "/schema/", "/history/", "/history/claims/{claim}",
    "/search/?q=Mosul", "/exchange/import", "/users/",
)  # fmt: skip


@pytest.fixture
def demo_server(kind, database_url_factory):
    """Serve the demo seed (the Mosul offensive) with an administrator."""
    from counterclaim.models import Actor, Claim, Source
    from counterclaim.services.demo.seed import default_seed_path, load_seed

    url = database_url_factory(kind)
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            load_seed(session, default_seed_path())
            users.create_user(session, ADMIN, ADMIN_PASSWORD, role="admin")
            session.commit()
            ids = {
                "claim": session.scalar(select(func.min(Claim.id))),
                "source": session.scalar(select(func.min(Source.id))),
                "actor": session.scalar(select(func.min(Actor.id))),
            }
    finally:
        engine.dispose()
    with serving(url) as base:
        yield base, ids


def _sign_in_admin(page, base: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
def test_main_pages_fit_a_phone_and_pass_axe(chromium_path, kind, demo_server):  # noqa: F811
    from axe_playwright_python.sync_playwright import Axe

    base, ids = demo_server
    axe = Axe()
    wide, serious = [], []
    with sync_playwright() as p:
        browser = _browser(p, chromium_path)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.set_default_timeout(TIMEOUT_MS)
            _sign_in_admin(page, base)
            for path in MAIN_PAGES:
                page.goto(base + path.format(**ids))
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide.append(f"{path}: {width}px")
            page.set_viewport_size({"width": 1400, "height": 900})
            for path in MAIN_PAGES:
                page.goto(base + path.format(**ids))
                results = axe.run(page)
                for violation in results.response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        nodes = [n["target"] for n in violation["nodes"][:3]]
                        serious.append(f"{path}: {violation['id']} {nodes}")
        finally:
            browser.close()
    assert wide == [], "pages scroll sideways at 390 px"
    assert serious == [], "serious or critical accessibility violations"


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
def test_history_pages_and_filters(chromium_path, kind, demo_server):  # noqa: F811
    base, _ids = demo_server
    with sync_playwright() as p:
        browser = _browser(p, chromium_path)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            _sign_in_admin(page, base)
            page.goto(f"{base}/history/")
            revisions = page.locator("ol.revisions > li.revision")
            expect(revisions).to_have_count(50)
            first_of_newest = revisions.first.inner_text()
            page.get_by_role("link", name="Older changes ›").click()
            expect(page).to_have_url(re.compile(r"older=\d+"))
            expect(revisions.first).not_to_have_text(first_of_newest)
            page.get_by_role("link", name="‹ Newer changes").click()
            expect(revisions.first).to_have_text(first_of_newest)
            # Narrow to created claims: every entry says so, and the values name people.
            page.get_by_label("Kind of record").select_option("claims")
            page.get_by_label("Change").select_option("create")
            page.get_by_role("button", name="Filter").click()
            expect(page).to_have_url(re.compile(r"entity=claims.*action=create"))
            count = revisions.count()
            assert 0 < count <= 50
            for n in range(count):
                expect(revisions.nth(n).locator(".meta")).to_contain_text("Created claims #")
            expect(revisions.first.locator("table.diff")).to_contain_text("claimant")
            # A day with no change shows nothing and says how to widen the search.
            page.get_by_label("From").fill("2001-01-01")
            page.get_by_label("To").fill("2001-01-02")
            page.get_by_role("button", name="Filter").click()
            expect(page.locator("ol.revisions .empty")).to_contain_text("No change matches")
        finally:
            browser.close()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ["sqlite"])
def test_sql_parameters_appear_as_the_query_is_typed(chromium_path, kind, demo_server):  # noqa: F811
    base, ids = demo_server
    with sync_playwright() as p:
        browser = _browser(p, chromium_path)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            _sign_in_admin(page, base)
            page.goto(f"{base}/sql/")
            page.get_by_label("SQL", exact=True).fill(
                "SELECT id AS claim_id, text FROM claims WHERE id = :claim AND 'a::int' <> ''"
            )
            field = page.get_by_label(":claim", exact=True)
            expect(field).to_be_visible()
            expect(page.get_by_label(":int")).to_have_count(0)  # a cast, not a parameter
            field.fill(str(ids["claim"]))
            page.get_by_role("button", name="Run").click()
            link = page.locator(".results-table").get_by_role("link", name=str(ids["claim"]))
            expect(link).to_have_attribute("href", f"/claims/{ids['claim']}")
        finally:
            browser.close()
