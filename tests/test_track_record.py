"""Claim outcomes and claimants' track records: the proposal from the consensus, settling,
the actor_track_record view against plain SQL counts, its plan, and the claimant filter."""

from datetime import date

import pytest
from sqlalchemy import select, text

from counterclaim.models import Claim, ClaimOutcome, actor_track_record
from counterclaim.services.claims import outcomes
from counterclaim.services.errors import NotAllowed
from counterclaim.services.rigour import track_records
from factories import make_actor, make_assessment, make_claim, make_link, make_user
from test_corroboration import assert_no_table_scan, words


@pytest.mark.parametrize(
    ("median", "outcome"),
    [(None, "unresolved"), (1.0, "confirmed"), (1.5, "confirmed"), (2.0, "probably_true"),
     (2.5, "probably_true"), (3.0, "unresolved"), (3.5, "unresolved"), (4.0, "doubtful"),
     (4.5, "doubtful"), (5.0, "false")],
)  # fmt: skip
def test_the_consensus_median_proposes_an_outcome(median, outcome):
    assert outcomes.outcome_for(median) == outcome


def test_settling_records_an_outcome_and_keeps_the_earlier_ones(session):
    claim = make_claim(session)
    editor = make_user(session, role="editor")
    make_assessment(session, claim, credibility=5)
    make_assessment(session, claim, credibility=4)
    assert outcomes.proposed_outcome(session, claim) == "doubtful"  # median 4.5
    first = outcomes.settle_claim(session, claim, "doubtful", "Two analysts.", by=editor.id)
    assert claim.status == "settled"
    second = outcomes.settle_claim(session, claim, "false", "Video proves it.", by=editor.id)
    assert [o.id for o in outcomes.outcome_history(session, claim.id)] == [second.id, first.id]
    with pytest.raises(NotAllowed, match="rationale"):
        outcomes.settle_claim(session, claim, "false", "  ", by=editor.id)
    with pytest.raises(NotAllowed, match="outcome"):
        outcomes.settle_claim(session, claim, "maybe", "Why", by=editor.id)


def plain_counts(session, actor_id):
    """The track record's counts by plain SQL, written independently of the view."""
    sql = """
    SELECT COUNT(*),
           SUM(CASE WHEN status = 'settled' THEN 1 ELSE 0 END),
           SUM(CASE WHEN status = 'settled' AND (SELECT o.outcome FROM claim_outcomes o
                  WHERE o.claim_id = c.id AND o.id = (SELECT MAX(id) FROM claim_outcomes
                  WHERE claim_id = c.id)) = 'confirmed' THEN 1 ELSE 0 END),
           SUM(CASE WHEN status = 'settled' AND (SELECT o.outcome FROM claim_outcomes o
                  WHERE o.claim_id = c.id AND o.id = (SELECT MAX(id) FROM claim_outcomes
                  WHERE claim_id = c.id)) = 'false' THEN 1 ELSE 0 END),
           SUM(CASE WHEN c.id IN (SELECT claim_id FROM claim_contradictions)
                    THEN 1 ELSE 0 END)
      FROM claims c WHERE c.claimant_id = :actor
    """
    return tuple(int(v or 0) for v in session.execute(text(sql), {"actor": actor_id}).one())


def test_track_record_counts_equal_a_plain_sql_count(session):
    isis, abadi = make_actor(session), make_actor(session)
    editor = make_user(session, role="editor")
    claims = [make_claim(session, claimant=isis, stated_on=date(2016, 10 + i % 2, 1 + i))
              for i in range(6)]  # fmt: skip
    other = make_claim(session, claimant=abadi)
    verdicts = ["false", "confirmed", "false", "doubtful"]
    for claim, verdict in zip(claims, verdicts, strict=False):
        outcomes.settle_claim(session, claim, "confirmed", "first thought", by=editor.id)
        outcomes.settle_claim(session, claim, verdict, "on reflection", by=editor.id)
    claims[2].status = "under_review"  # reopened: its outcome no longer counts
    make_link(session, claims[0], other, relation="contradicts")
    make_link(session, other, claims[4], relation="contradicts")
    make_link(session, claims[5], other, relation="supports")
    analysts = [make_user(session) for _ in range(3)]
    for claim, ratings in ((claims[0], [5, 5]), (claims[1], [1, 2]), (claims[4], [6, 6]),
                           (claims[5], [3, 4, 6])):  # fmt: skip
        for analyst, rating in zip(analysts, ratings, strict=False):
            make_assessment(session, claim, analyst, credibility=rating)
    session.flush()

    row = track_records.records(session, [isis.id])[isis.id]
    view_counts = tuple(
        row[k] for k in ("claims", "settled", "confirmed_claims", "false_claims",
                         "contradicted_claims")
    )  # fmt: skip
    assert view_counts == plain_counts(session, isis.id) == (6, 3, 1, 1, 2)
    # claim medians: 5, 1.5, 3.5 (claims[4] rated only 6 is left out) → median 3.5
    assert row["median_credibility"] == 3.5
    assert str(row["first_claim_on"]) == "2016-10-01"
    assert str(row["last_claim_on"]) == "2016-11-06"
    assert track_records.records(session, [abadi.id])[abadi.id]["false_claims"] == 0


def test_an_actor_page_shows_the_record_and_best_and_worst(client, session):
    actor = make_actor(session, name="Islamic State")
    good = make_claim(session, claimant=actor, text="Fighters hold the airport.")
    bad = make_claim(session, claimant=actor, text="The army fled Mosul.")
    make_assessment(session, good, credibility=2)
    make_assessment(session, bad, credibility=5)
    outcomes.settle_claim(session, bad, "false", "Disproved.", by=None)
    session.commit()
    page = client.get(f"/actors/{actor.id}").get_data(as_text=True)
    assert "Track record" in page and "1 false" in words(page)
    record = page[page.index('id="track-record"') :]
    assert record.index("Fighters hold") < record.index("The army fled")  # best, then worst
    assert "<svg" in record


def test_the_claims_list_filters_by_claimants_false_claims(client, session):
    liar, honest = make_actor(session), make_actor(session)
    lies = [make_claim(session, claimant=liar, text=f"Lie {i}") for i in range(2)]
    make_claim(session, claimant=liar, text="Another by the liar")
    make_claim(session, claimant=honest, text="Honest claim")
    for lie in lies:
        outcomes.settle_claim(session, lie, "false", "Disproved.", by=None)
    session.commit()
    page = client.get("/claims/?claimant_false_min=2").get_data(as_text=True)
    assert "Another by the liar" in page and "Honest claim" not in page
    page = client.get("/claims/?claimant_false_min=3").get_data(as_text=True)
    assert "Another by the liar" not in page
    assert client.get("/claims/?claimant_false_min=-1").status_code == 400


def test_the_view_answers_one_actor_through_indexes(session):
    actor = make_actor(session)
    make_assessment(session, make_claim(session, claimant=actor), credibility=2)
    assert_no_table_scan(
        session, "SELECT * FROM actor_track_record WHERE actor_id = :id", {"id": actor.id}
    )


def test_outcomes_are_audited(session):
    from counterclaim.models import Revision

    claim = make_claim(session)
    decision = outcomes.settle_claim(session, claim, "confirmed", "Seen.", by=None)
    assert (
        session.scalar(
            select(Revision.action).where(
                Revision.entity == "claim_outcomes", Revision.entity_id == decision.id
            )
        )
        == "create"
    )
    assert session.get(ClaimOutcome, decision.id).claim_id == claim.id
    assert session.get(Claim, claim.id).status == "settled"
    assert actor_track_record.c.false_claims is not None


@pytest.mark.parametrize(
    ("role", "lands_on"), [("editor", "/settle"), ("analyst", "")], ids=["editor", "analyst"]
)
def test_settling_through_the_edit_form_asks_for_the_outcome(login_as, session, role, lands_on):
    client = login_as(role)
    session.info["user_id"] = client.user.id  # the analyst's own claim
    claim = make_claim(session)
    session.info.pop("user_id")
    session.commit()
    answer = client.post(
        f"/claims/{claim.id}/edit",
        data={"text": claim.text, "claimant_id": claim.claimant_id, "status": "settled",
              "version": claim.version},
    )  # fmt: skip
    assert answer.status_code == 302
    assert answer.headers["Location"] == f"/claims/{claim.id}{lands_on}"


def test_the_settle_page_proposes_from_the_consensus_and_records(client, session):
    claim = make_claim(session)
    make_assessment(session, claim, credibility=5)
    session.commit()
    page = client.get(f"/claims/{claim.id}/settle").get_data(as_text=True)
    assert '<option selected value="false">' in page
    refused = client.post(f"/claims/{claim.id}/settle", data={"outcome": "false", "rationale": ""})
    assert refused.status_code == 400 and "Say why" in refused.get_data(as_text=True)
    done = client.post(
        f"/claims/{claim.id}/settle", data={"outcome": "doubtful", "rationale": "Video seen."}
    )
    assert done.status_code == 302
    assert outcomes.outcome_history(session, claim.id)[0].outcome == "doubtful"
