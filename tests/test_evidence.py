"""Evidence: excerpts from sources with their stance, assessments over time, notes."""

import re

import pytest
from sqlalchemy import func, select

from counterclaim.models import Annotation, Assessment, ClaimSource
from factories import make_appearance, make_assessment, make_claim, make_source, make_user


def test_attaching_a_source_keeps_the_exact_excerpt_locator_and_stance(client, session):
    claim, source = make_claim(session), make_source(session, reliability="D")
    session.commit()
    excerpt = "“We have seen the whole [ISIS] organization collapsing…”"
    data = {"source_id": str(source.id), "excerpt": excerpt, "locator": "para 2"}
    response = client.post(f"/claims/{claim.id}/sources/new", data=data | {"stance": "skeptical"})
    assert response.status_code == 302
    appearance = session.scalar(select(ClaimSource))
    assert (appearance.excerpt, appearance.locator, appearance.stance) == (
        excerpt,
        "para 2",
        "skeptical",
    )
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "stance-skeptical" in page and "reliability-D" in page and "para 2" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"source_id": ""}, b"Choose the source."),
        ({"excerpt": ""}, b"Quote the passage exactly."),
        ({"stance": "hostile"}, b"Not a valid choice"),
        ({"locator": "x" * 101}, b"Field cannot be longer than 100 characters."),
    ],
)
def test_a_bad_attachment_is_refused_next_to_its_field(client, session, data, message):
    claim, source = make_claim(session), make_source(session)
    session.commit()
    form = {"source_id": str(source.id), "excerpt": "words", "stance": "neutral"} | data
    response = client.post(f"/claims/{claim.id}/sources/new", data=form)
    assert response.status_code == 400 and message in response.data
    assert session.scalar(select(func.count()).select_from(ClaimSource)) == 0


def test_the_same_source_at_the_same_place_is_refused(client, session):
    appearance = make_appearance(session, locator="p. 4")
    session.commit()
    data = {"source_id": str(appearance.source_id), "excerpt": "again", "locator": "p. 4"}
    data["stance"] = "neutral"
    response = client.post(f"/claims/{appearance.claim_id}/sources/new", data=data)
    assert response.status_code == 400 and b"already attached" in response.data


def test_an_assessment_is_recorded_and_a_new_one_keeps_the_old_as_history(client, session):
    claim = make_claim(session)
    session.commit()
    first = {"credibility": "3", "confidence": "low", "rationale": "Single source."}
    second = {"credibility": "5", "confidence": "high", "rationale": "Video contradicts it."}
    assert client.post(f"/claims/{claim.id}/assessments/new", data=first).status_code == 302
    assert client.post(f"/claims/{claim.id}/assessments/new", data=second).status_code == 302
    rows = session.scalars(select(Assessment).order_by(Assessment.id)).all()
    assert [(a.credibility, a.confidence) for a in rows] == [(3, "low"), (5, "high")]
    assert rows[0].analyst_id == rows[1].analyst_id
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Earlier assessments (1)" in page and "Single source." in page
    assert "Consensus credibility" in page
    assert 'credibility-5" title="Consensus credibility 5' in page
    assert "Improbable" in page


def test_analysts_who_disagree_are_flagged(client, session):
    claim = make_claim(session)
    make_assessment(session, claim=claim, analyst=make_user(session), credibility=2)
    make_assessment(session, claim=claim, analyst=make_user(session), credibility=5)
    session.commit()
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "analysts disagree" in page and "spread 3" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"credibility": ""}, b"Rate the claim"),
        ({"credibility": "7"}, b"Not a valid choice"),
        ({"credibility": "x"}, b"Rate the claim"),
        ({"confidence": "certain"}, b"Not a valid choice"),
        ({"confidence": ""}, b"Say how confident you are."),
        ({"rationale": ""}, b"Give the evidence and reasoning."),
    ],
)
def test_a_bad_assessment_is_refused_next_to_its_field(client, session, data, message):
    claim = make_claim(session)
    session.commit()
    form = {"credibility": "2", "confidence": "moderate", "rationale": "why"} | data
    response = client.post(f"/claims/{claim.id}/assessments/new", data=form)
    assert response.status_code == 400 and message in response.data
    assert session.scalar(select(func.count()).select_from(Assessment)) == 0


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
    ],
)
def test_a_note_renders_markdown_and_nothing_executable(client, session, payload):
    claim = make_claim(session)
    session.commit()
    body = f"**Bold point**\n\n{payload}"
    assert client.post(f"/claims/{claim.id}/notes/new", data={"body": body}).status_code == 302
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    notes = page.split('id="notes"', 1)[1].split("</section>", 1)[0]
    assert "<strong>Bold point</strong>" in notes
    tags = re.findall(r"<[a-zA-Z][^>]*>", notes)
    assert not [t for t in tags if re.search(r"^<(script|img|iframe)|\son\w+=|javascript:", t)]


def test_an_empty_note_is_refused(client, session):
    claim = make_claim(session)
    session.commit()
    response = client.post(f"/claims/{claim.id}/notes/new", data={"body": "  "})
    assert response.status_code == 400 and b"Write the note." in response.data
    assert session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_a_note_on_a_source(client, session):
    source = make_source(session)
    session.commit()
    response = client.post(f"/sources/{source.id}/notes", data={"body": "Known *forger*"})
    assert response.status_code == 302
    page = client.get(f"/sources/{source.id}").get_data(as_text=True)
    assert "<em>forger</em>" in page
    assert client.post(f"/sources/{source.id}/notes", data={"body": ""}).status_code == 400
