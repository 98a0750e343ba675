"""Migration 0010: fact-checkers' verdicts stored as reviewer assessments move into reviews."""

import pytest
from sqlalchemy import text

from conftest import ENGINES
from counterclaim.db import make_engine
from counterclaim.services import migrations

NOW = "2026-11-01 10:00:00+00:00"


@pytest.fixture(params=ENGINES)
def at_0008(request, database_url_factory):
    engine = make_engine(database_url_factory(request.param))
    migrations.upgrade(engine, "0008")
    yield engine
    engine.dispose()


def insert(connection, table, **values):
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    return connection.execute(
        text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"), values
    ).scalar_one()


def test_reviewer_assessments_become_reviews_and_analysts_keep_theirs(at_0008):
    with at_0008.begin() as c:
        stamp = {"created_at": NOW, "updated_at": NOW}
        claimant = insert(c, "actors", name="Facebook posts", kind="other", description="",
                          **stamp)  # fmt: skip
        politifact = insert(c, "actors", name="PolitiFact", kind="media", description="", **stamp)
        claim = insert(c, "claims", text="Garlic water cures it.", is_verbatim=False,
                       claimant_id=claimant, status="open", version=1, **stamp)  # fmt: skip
        insert(c, "sources", title="No, garlic water does not", kind="article",
               url="https://politifact.example/garlic", author="", archived_url="",
               reliability="F", notes="", publisher_id=politifact, version=1, **stamp)  # fmt: skip
        account = {"must_change_password": False, **stamp}
        reviewer = insert(c, "users", username="reviewer:politifact", display_name="PolitiFact",
                          role="viewer", is_active=False, session_token="t1",
                          **account)  # fmt: skip
        analyst = insert(c, "users", username="alice", display_name="Alice", role="analyst",
                         session_token="t2", is_active=True, **account)  # fmt: skip
        rationale = (
            "Verdict: Pants on Fire!\n"
            "Reviewed by PolitiFact on 2020-03-02: https://politifact.example/garlic\n"
            "Rating: 0 (best 5, worst 0)\nLanguage: en"
        )
        insert(c, "assessments", claim_id=claim, analyst_id=reviewer, credibility=5,
               confidence="moderate", rationale=rationale, **stamp)  # fmt: skip
        insert(c, "assessments", claim_id=claim, analyst_id=reviewer, credibility=6,
               confidence="moderate", rationale="No textual verdict given.\nReviewed by "
               "Lead Checks.", **stamp)  # fmt: skip
        insert(c, "assessments", claim_id=claim, analyst_id=analyst, credibility=4,
               confidence="high", rationale="My own reading.", **stamp)  # fmt: skip

    migrations.upgrade(at_0008)

    with at_0008.connect() as c:
        reviews = c.execute(text(
            "SELECT a.name, r.url, r.title, r.review_date, r.verdict, r.rating, r.language, "
            "r.credibility, r.mapping_origin FROM reviews r JOIN actors a ON a.id = r.reviewer_id "
            "ORDER BY r.id"
        )).all()  # fmt: skip
        left = c.execute(text("SELECT rationale FROM assessments")).scalars().all()
    assert [tuple(map(str, r)) for r in reviews] == [
        ("PolitiFact", "https://politifact.example/garlic", "No, garlic water does not",
         "2020-03-02", "Pants on Fire!", "0/5/0", "en", "5", "default"),
        ("Lead Checks", "", "", "None", "", "", "", "6", "unmapped"),  # actor made for it
    ]  # fmt: skip
    assert left == ["My own reading."]  # the analyst's assessment stays; consensus is hers
