"""The research views, the stable SQL interface: claim_contradictions, claim_consensus and
contested_claims return the right rows on each engine."""

from datetime import date

import pytest
from sqlalchemy import select

from counterclaim.models import claim_consensus, claim_contradictions, contested_claims
from counterclaim.models.vocabulary import RELATIONS
from factories import make_actor, make_assessment, make_claim, make_link, make_user


def rows(session, view, key, ids):
    """The view's rows about the claims `ids`, as dicts, ordered by every column."""
    query = select(view).where(view.c[key].in_(ids)).order_by(*view.columns)
    return [dict(row) for row in session.execute(query).mappings()]


# --- claim_contradictions ------------------------------------------------------------------


def test_a_contradiction_appears_from_both_claims(session):
    first, second = make_claim(session), make_claim(session)
    link = make_link(
        session,
        second,
        first,
        relation="contradicts",
        strength="strong",
        rationale="Both cannot be true.",
    )

    found = rows(session, claim_contradictions, "claim_id", [first.id, second.id])

    assert found == [
        {
            "claim_id": first.id,
            "counterclaim_id": second.id,
            "link_id": link.id,
            "strength": "strong",
            "rationale": "Both cannot be true.",
        },
        {
            "claim_id": second.id,
            "counterclaim_id": first.id,
            "link_id": link.id,
            "strength": "strong",
            "rationale": "Both cannot be true.",
        },
    ]


@pytest.mark.parametrize(
    ("relation", "rows_per_link"),
    [(relation, 2 if relation == "contradicts" else 0) for relation in RELATIONS],
)
def test_only_contradicts_links_are_contradictions(session, relation, rows_per_link):
    first, second = make_claim(session), make_claim(session)
    make_link(session, first, second, relation=relation)

    found = rows(session, claim_contradictions, "claim_id", [first.id, second.id])
    assert len(found) == rows_per_link


def test_every_contradiction_of_a_claim_is_listed(session):
    claim = make_claim(session)
    earlier = make_claim(session)  # made before `later`, stored as the link's from side
    later = make_claim(session)
    links = [
        make_link(session, earlier, claim, relation="contradicts"),
        make_link(session, claim, later, relation="contradicts"),
    ]
    make_link(session, claim, make_claim(session), relation="supports")

    found = rows(session, claim_contradictions, "claim_id", [claim.id])

    assert {(row["counterclaim_id"], row["link_id"]) for row in found} == {
        (earlier.id, links[0].id),
        (later.id, links[1].id),
    }


# --- claim_consensus -----------------------------------------------------------------------

# Each case: one rating history per analyst, in the order the ratings are made; analysts
# take turns, so a re-rating comes after the other analysts' first ratings. Expected:
# (assessments, analysts, cannot_judge, median, min, max, spread); `disagreement` is
# expected exactly when the spread is 2 or more.
CONSENSUS = [
    ("one analyst", [[4]], (1, 1, 0, 4.0, 4, 4, 0)),
    ("odd count: 2, 3, 5", [[2], [3], [5]], (3, 3, 0, 3.0, 2, 5, 3)),
    ("odd count made out of order: 5, 2, 3", [[5], [2], [3]], (3, 3, 0, 3.0, 2, 5, 3)),
    ("odd count with a tie: 3, 3, 1", [[3], [3], [1]], (3, 3, 0, 3.0, 1, 3, 2)),
    ("even count: 2, 5", [[2], [5]], (2, 2, 0, 3.5, 2, 5, 3)),
    ("even count: 5, 2", [[5], [2]], (2, 2, 0, 3.5, 2, 5, 3)),
    ("even count of four: 1, 1, 2, 5", [[1], [1], [2], [5]], (4, 4, 0, 1.5, 1, 5, 4)),
    ("agreement: 2, 2", [[2], [2]], (2, 2, 0, 2.0, 2, 2, 0)),
    ("a re-rating replaces the first", [[1, 4], [5]], (3, 2, 0, 4.5, 4, 5, 1)),
    ("re-rated twice, counted once", [[1, 2, 5], [3], [4]], (5, 3, 0, 4.0, 3, 5, 2)),
    ("a re-rating to 6 takes the analyst out", [[2, 6], [3]], (3, 2, 1, 3.0, 3, 3, 0)),
    ("a re-rating from 6 brings the analyst in", [[6, 2], [4]], (3, 2, 0, 3.0, 2, 4, 2)),
    ("6 is left out of the median: 2, 3, 5, 6", [[2], [3], [5], [6]], (4, 4, 1, 3.0, 2, 5, 3)),
    ("6 is left out of the median: 2, 5, 6", [[2], [5], [6]], (3, 3, 1, 3.5, 2, 5, 3)),
    ("6 is left out of min and max: 6, 1", [[6], [1]], (2, 2, 1, 1.0, 1, 1, 0)),
    ("only 6", [[6], [6]], (2, 2, 2, None, None, None, 0)),
]


@pytest.mark.parametrize(
    ("histories", "expected"), [pytest.param(h, e, id=d) for d, h, e in CONSENSUS]
)
def test_consensus_combines_each_analysts_latest_assessment(session, histories, expected):
    claim, other = make_claim(session), make_claim(session)
    analysts = [make_user(session) for _ in histories]
    for turn in range(max(len(history) for history in histories)):
        for analyst, history in zip(analysts, histories, strict=True):
            if turn < len(history):
                make_assessment(session, claim, analyst, credibility=history[turn])
    make_assessment(session, other, analysts[0], credibility=1)  # another claim's rating

    (found,) = rows(session, claim_consensus, "claim_id", [claim.id])

    columns = (
        "assessments",
        "analysts",
        "cannot_judge",
        "credibility_median",
        "credibility_min",
        "credibility_max",
        "credibility_spread",
    )
    spread = expected[-1]
    assert found == {
        "claim_id": claim.id,
        **dict(zip(columns, expected, strict=True)),
        "disagreement": spread >= 2,  # flagged from a spread of 2 up
    }
    assert type(found["disagreement"]) is bool


def test_an_unassessed_claim_has_no_consensus_row(session):
    claim = make_claim(session)
    assert rows(session, claim_consensus, "claim_id", [claim.id]) == []


# --- contested_claims ----------------------------------------------------------------------


def test_contested_claims_count_contradictions_and_distinct_contradicting_actors(session):
    abadi, isis, debka, pmu = (make_actor(session) for _ in range(4))
    counterclaim_by_pmu = make_claim(session, claimant=pmu)  # lower id: the link's from side
    collapsing = make_claim(
        session, claimant=abadi, text="ISIS is collapsing.", status="under_review"
    )
    defended = make_claim(session, claimant=isis, stated_on=date(2016, 11, 26))
    video = make_claim(session, claimant=isis)
    stalled = make_claim(session, claimant=debka)
    supported = make_claim(session, claimant=abadi)
    uncontested = make_claim(session, claimant=abadi)
    for counterclaim in (counterclaim_by_pmu, defended, video, stalled):
        make_link(session, collapsing, counterclaim, relation="contradicts")
    make_link(session, defended, video, relation="duplicates")
    make_link(session, supported, collapsing, relation="supports")
    make_link(session, uncontested, stalled, relation="qualifies")

    ids = [
        c.id
        for c in (counterclaim_by_pmu, collapsing, defended, video, stalled, supported, uncontested)
    ]
    found = {row.pop("claim_id"): row for row in rows(session, contested_claims, "claim_id", ids)}

    assert set(found) == {counterclaim_by_pmu.id, collapsing.id, defended.id, video.id, stalled.id}
    assert found[collapsing.id] == {
        "text": "ISIS is collapsing.",
        "claimant_id": abadi.id,
        "status": "under_review",
        "stated_on": found[collapsing.id][
            "stated_on"
        ],  # a date on PostgreSQL, text on SQLite: below
        "contradictions": 4,
        "contradicting_actors": 3,  # ISIS twice, DEBKA, the PMU
    }
    assert str(found[collapsing.id]["stated_on"]) == "2016-11-27"
    assert str(found[defended.id]["stated_on"]) == "2016-11-26"
    for counterclaim in (counterclaim_by_pmu, defended, video, stalled):
        assert found[counterclaim.id]["contradictions"] == 1
        assert found[counterclaim.id]["contradicting_actors"] == 1
        assert found[counterclaim.id]["claimant_id"] == counterclaim.claimant_id


@pytest.mark.parametrize(
    "relation", [relation for relation in RELATIONS if relation != "contradicts"]
)
def test_other_links_do_not_make_a_claim_contested(session, relation):
    first, second = make_claim(session), make_claim(session)
    make_link(session, first, second, relation=relation)
    assert rows(session, contested_claims, "claim_id", [first.id, second.id]) == []
