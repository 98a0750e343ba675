"""Nothing offers what the user may not do: every link a page shows a role leads to a
page that role may open (no 403 after the click)."""

import re
from html import unescape

import pytest

from test_pages import make_world

PAGES = (
    "/", "/claims/", "/claims/{claim_id}", "/sources/", "/sources/{source_id}", "/actors/",
    "/actors/{actor_id}", "/tags/", "/sql/?sql=SELECT+1", "/sql/saved/",
    "/sql/saved/{query_id}", "/history/", "/history/claims/{claim_id}", "/exchange/verdicts",
    "/reports/", "/vocabulary", "/schema/",
)  # fmt: skip
SKIP = re.compile(r"^/(static|logout|reports/report\.)")


@pytest.mark.parametrize("role", ["viewer", "analyst", "editor"])
def test_every_link_shown_to_a_role_opens_for_it(login_as, session, role):
    world = make_world(session)
    session.commit()
    client = login_as(role)
    followed, refused = set(), []
    for page in PAGES:
        url = page.format(**world)
        html = client.get(url).get_data(as_text=True)
        for href in re.findall(r'href="(/[^"#]*)"', html):
            href = unescape(href)
            if href in followed or SKIP.match(href):
                continue
            followed.add(href)
            if client.get(href).status_code == 403:
                refused.append(f"{url} offers {href}")
    assert len(followed) > 40
    assert refused == []


def test_viewers_are_not_offered_import_save_or_delete(login_as, session):
    world = make_world(session)
    session.commit()
    viewer = login_as("viewer")
    home = viewer.get("/").get_data(as_text=True)
    assert "/exchange/import" not in home
    console = viewer.get("/sql/?sql=SELECT+1").get_data(as_text=True)
    assert "Save as a saved query" not in console
    claim = viewer.get(f"/claims/{world['claim_id']}").get_data(as_text=True)
    assert ">Delete<" not in claim and "Merge a duplicate" not in claim
    assert "/exchange/import" in login_as("editor").get("/").get_data(as_text=True)
