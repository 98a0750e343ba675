"""End to end in headless Chromium: record a claim, link a counterclaim through the
search-as-you-type picker, and see both claims side by side from either end.

The real app serves a real, migrated database over HTTP with CSRF on, so the browser
submits the tokens the forms carry. Debian's Chromium is used, never a downloaded one.
"""

import os
import re
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.services import migrations
from counterclaim.services.accounts import users
from counterclaim.web import create_app
from factories import make_actor, make_claim

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 10_000

ISIS_CLAIM = "ISIS video shows a highly competent defence of Mosul"
ABADI_CLAIM = "ISIS no longer has the guts to fight"
RATIONALE = "The video shows fighters holding their ground, not fleeing."
ANALYST, PASSWORD = "mreyes", "a long enough browser password"


@pytest.fixture
def chromium_path() -> str:
    """Debian's Chromium: skip without it, but fail on CI, which installs it."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this is an error, not a skip)")
        pytest.skip(message)
    return str(CHROMIUM)


@pytest.fixture
def live_server(kind, database_url_factory):
    """Serve the app on a fresh migrated database of `kind`; yield (base URL, seeded ids)."""
    url = database_url_factory(kind)
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            isis = make_actor(session, name="ISIS", kind="armed_group")
            abadi = make_actor(session, name="Haider al-Abadi", kind="person")
            claim = make_claim(
                session, text=ISIS_CLAIM, claimant=isis, stated_on=date(2016, 11, 24)
            )
            users.create_user(session, ANALYST, PASSWORD, role="analyst")
            session.commit()
            seeded = {"isis": isis.name, "abadi": abadi.name, "isis_claim_id": claim.id}
    finally:
        engine.dispose()

    with serving(url) as base:
        yield base, seeded


@contextmanager
def serving(url: str):
    """Serve the app on the database at `url` over HTTP; yield its base URL."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        app.extensions["counterclaim.db"].dispose()


@pytest.mark.browser
@pytest.mark.parametrize("kind", ENGINES)
def test_link_a_counterclaim_and_see_both_sides(chromium_path, kind, live_server, tmp_path):
    base, seeded = live_server
    origin = urlsplit(base).netloc
    console_errors: list[str] = []
    failed: list[str] = []
    picker_requests: list[str] = []

    def own(url: str) -> bool:
        return urlsplit(url).netloc == origin

    def on_console(message):
        if message.type == "error":
            console_errors.append(f"{message.text} @ {message.location}")

    def on_response(response):
        if own(response.url) and response.status >= 400:
            failed.append(f"{response.status} {response.request.method} {response.url}")

    def on_request(request):
        if own(request.url) and urlsplit(request.url).path == "/claims/picker":
            picker_requests.append(request.url)

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            expect.set_options(timeout=TIMEOUT_MS)
            page.on("console", on_console)
            page.on("pageerror", lambda e: console_errors.append(f"uncaught: {e}"))
            page.on(
                "requestfailed",
                lambda r: failed.append(f"{r.failure} {r.method} {r.url}") if own(r.url) else None,
            )
            page.on("response", on_response)
            page.on("request", on_request)
            try:
                _record_and_link(page, base, seeded, picker_requests)
                assert console_errors == [], "errors in the browser console"
                assert failed == [], "requests to the app failed"
            except Exception as error:
                error.add_note(_keep_evidence(page, tmp_path / f"browser-failure-{kind}"))
                error.add_note(f"Console errors: {console_errors}; failed requests: {failed}")
                raise
        finally:
            browser.close()


def _keep_evidence(page, stem: Path) -> str:
    """Save a screenshot and the HTML of the page; say where they are."""
    try:
        page.screenshot(path=str(stem.with_suffix(".png")), full_page=True)
        stem.with_suffix(".html").write_text(page.content())
    except Exception as error:  # the page may be gone: keep the original failure
        return f"Page at failure: {page.url}; no screenshot ({error})"
    return f"Page at failure: {page.url}; screenshot: {stem.with_suffix('.png')}"


def sign_in(page, base: str, path: str) -> None:
    """Open `path`, sign in on the page it sends to, and come back to `path`."""
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("Username").fill(ANALYST)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}{path}")


def _record_and_link(page, base: str, seeded: dict, picker_requests: list[str]) -> None:
    # Record al-Abadi's claim, after signing in.
    sign_in(page, base, "/claims/new")
    expect(page.get_by_role("heading", name="New claim")).to_be_visible()
    page.get_by_label("Claim", exact=True).fill(ABADI_CLAIM)
    page.get_by_label("Claimant", exact=True).select_option(label=seeded["abadi"])
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Claim recorded.")
    expect(page).to_have_url(re.compile(r"/claims/\d+$"))
    new_id = int(page.url.rsplit("/", 1)[1])
    assert new_id != seeded["isis_claim_id"]
    expect(page.locator("#counterclaims .versus")).to_have_count(0)

    # Link it to ISIS's claim, found by typing part of its text.
    page.get_by_role("link", name="Link a claim", exact=True).click()
    expect(page.get_by_role("heading", name=f"Link claim #{new_id} to another")).to_be_visible()
    search = page.get_by_label("Find the other claim")
    search.press_sequentially("competent defence")
    candidate = page.locator("#candidates").get_by_role("radio", name=re.compile(ISIS_CLAIM))
    expect(candidate).to_be_visible()
    assert picker_requests, "the choices did not come from the picker's fetch"
    assert page.url.endswith(f"/claims/{new_id}/links/new"), "the page reloaded instead"
    expect(page.locator("#candidates")).to_contain_text(f"#{seeded['isis_claim_id']}")
    candidate.check()
    page.get_by_role("radio", name="contradicts it", exact=True).check()
    page.get_by_label("Rationale").fill(RATIONALE)
    page.get_by_role("button", name="Link", exact=True).click()

    # The new claim's page shows both claims side by side.
    expect(page.get_by_role("status")).to_contain_text("Linked.")
    expect(page).to_have_url(re.compile(rf"/claims/{new_id}$"))
    _expect_versus(page, this=(ABADI_CLAIM, seeded["abadi"]), other=(ISIS_CLAIM, seeded["isis"]))

    # And so does the other claim's page: the link is found from both ends.
    versus = page.locator("#counterclaims .versus")
    versus.locator(".other-side").get_by_role(
        "link", name=f"#{seeded['isis_claim_id']}", exact=True
    ).click()
    expect(page).to_have_url(re.compile(rf"/claims/{seeded['isis_claim_id']}$"))
    _expect_versus(page, this=(ISIS_CLAIM, seeded["isis"]), other=(ABADI_CLAIM, seeded["abadi"]))


def _expect_versus(page, *, this: tuple[str, str], other: tuple[str, str]) -> None:
    section = page.locator("#counterclaims")
    expect(section.locator("h2 .count")).to_have_text("1")
    versus = section.locator(".versus")
    expect(versus).to_have_count(1)
    for side, (text, claimant) in ((".this-side", this), (".other-side", other)):
        expect(versus.locator(f"{side} .claim-text")).to_have_text(text)
        expect(versus.locator(f"{side} .claimant")).to_have_text(claimant)
    expect(versus.locator(".relation")).to_have_text("contradicts")
    expect(versus.locator(".rationale")).to_have_text(RATIONALE)
    # Side by side: the other claim sits to the right of this one, level with it.
    mine, theirs = (versus.locator(side).bounding_box() for side in (".this-side", ".other-side"))
    assert mine and theirs, "a side of the versus block is not shown"
    assert theirs["x"] >= mine["x"] + mine["width"], "the claims are not side by side"
    assert abs(theirs["y"] - mine["y"]) < 2, "the claims are not level"


# --- stored XSS: every text field holds a payload; no page runs it -------------------------

PAYLOAD = (
    """<script>alert('xss')</script><img src=x onerror="alert('img')">"'><svg onload=alert(1)>"""
)
MARKDOWN_PAYLOAD = (
    "[click](javascript:alert('md')) <img src=x onerror=alert('md')> "
    '<a href="javascript:alert(1)">raw</a>'
)


def _seed_payloads(session) -> dict:
    """Put the payload in every text field an analyst can fill; return the ids to visit."""
    from factories import (
        make_appearance,
        make_assessment,
        make_link,
        make_note,
        make_source,
        make_tag,
    )

    admin = users.create_user(session, "root", PASSWORD, role="admin", display_name=PAYLOAD)
    session.info["user_id"] = admin.id
    actor = make_actor(session, name=f"Actor {PAYLOAD}", description=PAYLOAD)
    tag = make_tag(session, name=f"tag {PAYLOAD}"[:100], description=PAYLOAD)
    claim = make_claim(session, text=PAYLOAD, claimant=actor, tags=[tag])
    other = make_claim(session, text=f"Other {PAYLOAD}", claimant=actor)
    source = make_source(
        session, title=PAYLOAD, author=PAYLOAD, notes=PAYLOAD, publisher=actor,
        url="javascript:alert('url')", archived_url="https://example.org/?q=<script>",
    )  # fmt: skip
    make_appearance(session, claim, source, excerpt=PAYLOAD, locator=PAYLOAD[:100])
    make_link(session, claim, other, relation="contradicts", rationale=PAYLOAD)
    make_assessment(session, claim, admin, rationale=PAYLOAD)
    make_note(session, claim, admin, body=MARKDOWN_PAYLOAD)
    make_note(session, author=admin, source=source, body=MARKDOWN_PAYLOAD)
    claim.text = f"Edited {PAYLOAD}"  # so that the history shows a diff of payloads
    session.commit()
    return {"claim": claim.id, "source": source.id, "actor": actor.id}


@pytest.mark.browser
def test_stored_payloads_in_every_text_field_render_inert(chromium_path, database_url_factory):
    # One engine is enough: what is under test is the rendering, the same on both.
    url = database_url_factory("sqlite")
    engine = make_engine(url)
    try:
        migrations.upgrade(engine)
        with Session(engine, expire_on_commit=False) as session:
            ids = _seed_payloads(session)
    finally:
        engine.dispose()
    pages = [
        "/", "/claims/", f"/claims/{ids['claim']}", f"/claims/{ids['claim']}/edit",
        f"/sources/{ids['source']}", "/sources/", f"/actors/{ids['actor']}", "/actors/",
        "/tags/", f"/history/claims/{ids['claim']}", f"/history/sources/{ids['source']}",
        "/history/", "/users/", "/account", f"/claims/{ids['claim']}/merge?duplicate_id=2",
        f"/claims/{ids['claim']}/links/new?q=Other",
    ]  # fmt: skip
    dialogs: list[str] = []
    with serving(url) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(f"{base}/login")
            page.get_by_label("Username").fill("root")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("status")).to_contain_text("Signed in")
            for path in pages:
                response = page.goto(f"{base}{path}")
                assert response.status == 200, path
                page.wait_for_load_state("load")
                assert (
                    page.locator(
                        # the app's own drawings (svg.origins, svg.years) are not payloads
                        "img[src='x'], svg:not(.origins):not(.years),"
                        " script:not([src]):not([type='application/ld+json'])"
                    ).count()
                    == 0
                ), path
                assert page.locator("[onerror], [onload], a[href^='javascript:']").count() == 0, (
                    path
                )
                assert "<script>alert('xss')</script>" in page.inner_text("main"), path
            for link in ("click", "raw"):  # sanitised Markdown links go nowhere harmful
                page.goto(f"{base}/claims/{ids['claim']}")
                anchors = page.locator("#notes a", has_text=link)
                for i in range(anchors.count()):
                    assert not (anchors.nth(i).get_attribute("href") or "").startswith("javascript")
        finally:
            browser.close()
    assert dialogs == []
