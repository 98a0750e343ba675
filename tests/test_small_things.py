"""Small things users noticed: "an analyst", one charset in downloads, excerpts in the
source's own order, the demo claims' dates."""

from counterclaim.services.catalogue.sources import locator_order
from counterclaim.services.demo.seed import default_seed_path, load_seed
from factories import make_appearance, make_source


def test_a_refusal_says_an_analyst(login_as):
    response = login_as("analyst").get("/users/")
    assert response.status_code == 403
    assert "signed in as an analyst" in response.get_data(as_text=True)


def test_downloads_name_their_charset_once(client, session):
    make_source(session)  # any scope will do: the header is the point
    session.commit()
    for fmt, kind in (("csv", "text/csv"), ("md", "text/markdown")):
        response = client.get(f"/reports/report.{fmt}")
        response.close()  # a streamed download holds its heavy-request slot until closed
        assert response.headers["Content-Type"] == f"{kind}; charset=utf-8"


def test_the_source_page_lists_excerpts_in_the_sources_order(client, session):
    source = make_source(session)
    for locator in ("para 10", "", "para 2", "p. 3, para 1", "para 1"):
        make_appearance(session, source=source, locator=locator, excerpt=f"at {locator or 'none'}")
    session.commit()
    page = client.get(f"/sources/{source.id}").get_data(as_text=True)
    order = [page.index(f"at {x}") for x in ("p. 3, para 1", "para 1", "para 2", "para 10", "none")]
    assert order == sorted(order)


def test_locators_sort_by_their_numbers():
    ordered = ["00:59", "02:15", "p. 4", "p. 12", "para 2", "para 10", None]
    assert sorted(reversed(ordered), key=locator_order) == ordered


def test_most_demo_claims_carry_the_date_they_were_stated(session):
    from sqlalchemy import func, select

    from counterclaim.models import Claim

    load_seed(session, default_seed_path())
    total = session.scalar(select(func.count()).select_from(Claim))
    undated = session.scalar(select(func.count()).where(Claim.stated_on.is_(None)))
    assert total >= 20 and undated <= 3


def test_a_note_can_be_previewed_before_it_is_saved(login_as, session):
    from counterclaim.models import Annotation
    from factories import make_claim

    claim = make_claim(session)
    session.commit()
    client = login_as("analyst")
    data = {"body": "**Bold point** and <script>alert(1)</script>", "preview": "1"}
    response = client.post(f"/claims/{claim.id}/notes/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<strong>Bold point</strong>" in page
    assert "<script>alert(1)" not in page
    assert session.query(Annotation).filter_by(claim_id=claim.id).count() == 0
