"""Independent corroboration: derivation chains and cycles, origin counts on hand-built
cases (the service and the claim_corroboration view agree), the credibility-1 warning,
and the view's plan on each engine."""

import re
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from counterclaim.db import make_sessionmaker
from counterclaim.models import Revision, Source, SourceDerivation, claim_corroboration
from counterclaim.services.catalogue import derivations
from counterclaim.services.errors import Duplicate, NotAllowed
from counterclaim.services.rigour import corroboration
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_source,
    make_user,
)


def words(page: str) -> str:
    """The page's text without tags, its white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" — ", " — ")


def derive(session, source, origin, kind="republishes"):
    return derivations.add_derivation(session, source, origin, kind)


def view_row(session, claim):
    query = select(claim_corroboration).where(claim_corroboration.c.claim_id == claim.id)
    return dict(session.execute(query).mappings().one())


def both(session, claim):
    """The service's and the view's counts, checked to agree."""
    found = corroboration.corroboration(session, claim)
    row = view_row(session, claim)
    service = {
        "claim_id": claim.id,
        "appearances": found.appearances,
        "supporting_sources": found.supporting_sources,
        "independent_origins": found.independent_origins,
        "circular": found.circular,
    }
    assert row == service
    assert type(row["circular"]) is bool
    return row


# --- derivations: chains and cycles --------------------------------------------------------


def test_a_chain_is_followed_and_a_cycle_refused(session):
    a, b, c = (make_source(session) for _ in range(3))
    derive(session, a, b, "quotes")
    derive(session, b, c, "summarises")
    assert derivations.derives_from(session, a.id, c.id)
    assert not derivations.derives_from(session, c.id, a.id)
    with pytest.raises(NotAllowed, match="circle"):
        derive(session, c, a)
    with pytest.raises(NotAllowed, match="circle"):
        derive(session, b, a)
    with pytest.raises(NotAllowed, match="itself"):
        derive(session, a, a)
    with pytest.raises(Duplicate):
        derive(session, a, b, "cites")
    derive(session, a, c, "cites")  # a shortcut along the chain is no cycle
    shortcut = select(SourceDerivation.kind).where(
        SourceDerivation.source_id == a.id, SourceDerivation.derived_from_id == c.id
    )
    assert session.scalar(shortcut) == "cites"


@pytest.mark.parametrize(
    "values",
    [{"kind": "paraphrases"}, {"self": True}],
    ids=["unknown kind", "self-derivation"],
)
def test_the_schema_refuses_what_the_service_refuses(session, values):
    a, b = make_source(session), make_source(session)
    row = SourceDerivation(
        source_id=a.id,
        derived_from_id=a.id if values.get("self") else b.id,
        kind=values.get("kind", "quotes"),
    )
    session.add(row)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_derivations_are_audited(session):
    from counterclaim.models import Revision

    a, b = make_source(session), make_source(session)
    d = derive(session, a, b, "translates")
    (revision,) = session.scalars(
        select(Revision).where(Revision.entity == "source_derivations", Revision.entity_id == d.id)
    )
    assert revision.action == "create"
    assert revision.changes["kind"] == [None, "translates"]


def test_concurrent_opposite_derivations_cannot_both_land(engine):
    """Two editors record A→B and B→A at the same moment: one is refused, never a cycle."""
    factory = make_sessionmaker(engine)
    with factory.begin() as setup:
        a, b = make_source(setup), make_source(setup)
        ids = a.id, b.id
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def record(source_id, origin_id):
        with Session(engine) as session:
            try:
                barrier.wait()
                derivations.add_derivation(
                    session,
                    session.get(type(a), source_id),
                    session.get(type(a), origin_id),
                    "quotes",
                )
                session.commit()
                outcomes.append("saved")
            except NotAllowed:
                session.rollback()
                outcomes.append("refused")
            except Exception as error:  # SQLite: the second writer may wait, then see it
                session.rollback()
                outcomes.append(type(error).__name__)

    threads = [
        threading.Thread(target=record, args=ids),
        threading.Thread(target=record, args=ids[::-1]),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(outcomes) == ["refused", "saved"]
        with engine.connect() as conn:
            rows = conn.execute(
                select(SourceDerivation.source_id, SourceDerivation.derived_from_id).where(
                    SourceDerivation.source_id.in_(ids)
                )
            ).all()
        assert len(rows) == 1
    finally:  # the sources were committed: leave the shared database as it was
        with engine.begin() as conn:
            made = conn.scalars(
                select(SourceDerivation.id).where(SourceDerivation.source_id.in_(ids))
            ).all()
            conn.execute(SourceDerivation.__table__.delete().where(SourceDerivation.id.in_(made)))
            conn.execute(Source.__table__.delete().where(Source.id.in_(ids)))
            for entity, entity_ids in (("source_derivations", made), ("sources", ids)):
                conn.execute(
                    Revision.__table__.delete().where(
                        Revision.entity == entity, Revision.entity_id.in_(entity_ids)
                    )
                )


# --- independent origins -------------------------------------------------------------------


def test_a_wire_story_republished_three_times_is_one_origin_and_circular(session):
    claim = make_claim(session)
    wire = make_source(session, title="Wire story")
    papers = [make_source(session) for _ in range(3)]
    for paper in papers:
        derive(session, paper, wire)
        make_appearance(session, claim, paper, stance="endorses")

    assert both(session, claim) == {
        "claim_id": claim.id, "appearances": 3, "supporting_sources": 3,
        "independent_origins": 1, "circular": True,
    }  # fmt: skip

    make_appearance(session, claim, make_source(session), stance="neutral")  # unrelated outlet
    row = both(session, claim)
    assert (row["independent_origins"], row["circular"]) == (2, True)


def test_the_claimants_own_statement_quoted_approvingly_by_two_papers_is_no_origin(session):
    ministry = make_actor(session, kind="government")
    claim = make_claim(session, claimant=ministry)
    statement = make_source(session, kind="statement", publisher=ministry)
    make_appearance(session, claim, statement, stance="origin")
    for _ in range(2):
        paper = make_source(session)
        derive(session, paper, statement, "quotes")
        make_appearance(session, claim, paper, stance="endorses")

    row = both(session, claim)
    assert (row["supporting_sources"], row["independent_origins"], row["circular"]) == (3, 0, True)


def test_repeating_a_claimants_source_counts_nothing_even_if_it_is_not_attached(session):
    isis = make_actor(session, kind="armed_group")
    claim = make_claim(session, claimant=isis)
    video = make_source(session, kind="video", publisher=isis)  # not attached to the claim
    weekly = make_source(session)
    derive(session, weekly, video, "summarises")
    make_appearance(session, claim, weekly, stance="endorses")

    assert both(session, claim)["independent_origins"] == 0


def test_a_chain_through_sources_the_claim_does_not_cite_joins_them(session):
    claim = make_claim(session)
    root, middle = make_source(session), make_source(session)
    first, second = make_source(session), make_source(session)
    derive(session, middle, root, "translates")
    derive(session, first, middle, "quotes")
    derive(session, second, root, "cites")
    make_appearance(session, claim, first, stance="endorses")
    make_appearance(session, claim, second, stance="neutral")

    row = both(session, claim)
    assert (row["independent_origins"], row["circular"]) == (1, True)
    found = corroboration.corroboration(session, claim)
    assert (first.id, second.id, "chain") not in found.edges  # siblings, not ancestors


def test_one_publisher_is_one_origin_and_joins_what_derives_from_it(session):
    agency = make_actor(session, kind="media")
    claim = make_claim(session)
    dispatch, bulletin = (
        make_source(session, publisher=agency),
        make_source(session, publisher=agency),
    )
    wire_copy = make_source(session)
    derive(session, wire_copy, make_source(session, publisher=agency))  # another of theirs
    for source in (dispatch, bulletin, wire_copy):
        make_appearance(session, claim, source, stance="endorses")
    make_appearance(session, claim, make_source(session), stance="endorses")

    row = both(session, claim)
    assert (row["independent_origins"], row["circular"]) == (2, True)


@pytest.mark.parametrize(
    ("stances", "expected"),
    [
        (["refutes", "skeptical"], (0, 0, False)),
        (["endorses", "refutes"], (1, 1, False)),
        (["neutral", "skeptical", "endorses"], (2, 2, False)),
        ([], (0, 0, False)),
    ],
)
def test_refuting_and_skeptical_sources_confirm_nothing(session, stances, expected):
    claim = make_claim(session)
    for stance in stances:
        make_appearance(session, claim, make_source(session), stance=stance)
    row = both(session, claim)
    assert (row["supporting_sources"], row["independent_origins"], row["circular"]) == expected


def test_a_skeptical_source_in_an_origins_group_does_not_make_it_circular(session):
    claim = make_claim(session)
    story, rebuttal = make_source(session), make_source(session)
    derive(session, rebuttal, story, "quotes")
    make_appearance(session, claim, story, stance="endorses")
    make_appearance(session, claim, rebuttal, stance="skeptical")
    row = both(session, claim)
    assert (row["independent_origins"], row["circular"]) == (1, False)


# --- the credibility-1 warning --------------------------------------------------------------


def test_credibility_one_with_fewer_than_two_origins_is_warned(session):
    claim = make_claim(session)
    wire = make_source(session)
    for _ in range(2):
        paper = make_source(session)
        derive(session, paper, wire)
        make_appearance(session, claim, paper, stance="endorses")
    origins = corroboration.corroboration(session, claim).independent_origins
    assert corroboration.credibility_one_warning(session, claim, origins) is None  # unrated

    analyst = make_user(session)
    make_assessment(session, claim, analyst, credibility=1)
    warning = corroboration.credibility_one_warning(session, claim, origins)
    assert warning and "1 independent origin:" in warning

    make_assessment(session, claim, analyst, credibility=3)  # re-rated: no one says 1 now
    assert corroboration.credibility_one_warning(session, claim, origins) is None

    make_assessment(session, claim, make_user(session), credibility=1)
    make_appearance(session, claim, make_source(session), stance="neutral")
    origins = corroboration.corroboration(session, claim).independent_origins
    assert origins == 2
    assert corroboration.credibility_one_warning(session, claim, origins) is None


def test_the_claim_page_shows_origins_the_graph_and_the_warning(client, session):
    claim = make_claim(session)
    wire = make_source(session, title="Wire <story>")
    for _ in range(3):
        paper = make_source(session)
        derive(session, paper, wire)
        make_appearance(session, claim, paper, stance="endorses")
    make_assessment(session, claim, credibility=1)
    session.commit()

    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "carried by 3 sources — 1 independent origin" in words(page)
    assert "circular reporting" in page
    assert "<svg" in page and "Credibility 1 means confirmed" in page
    form = client.get(f"/claims/{claim.id}/assessments/new").get_data(as_text=True)
    assert "Credibility 1 means confirmed" in form


# --- plans: a filter on claim_id seeks, on each engine -------------------------------------


def test_the_view_answers_one_claim_through_indexes(session):
    claim = make_claim(session)
    make_appearance(session, claim, make_source(session), stance="endorses")
    sql = "SELECT * FROM claim_corroboration WHERE claim_id = :id"
    assert_no_table_scan(session, sql, {"id": claim.id})


BASE_TABLES = ("claims", "claim_sources", "sources", "source_derivations", "actors",
               "assessments", "claim_outcomes", "claim_links")  # fmt: skip


def assert_no_table_scan(session, sql, params):
    """Fail when the plan reads any base table whole (SQLite SCAN, PostgreSQL Seq Scan)."""
    if session.get_bind().dialect.name == "sqlite":
        plan = [row[-1] for row in session.execute(text("EXPLAIN QUERY PLAN " + sql), params)]
        scans = [line for line in plan if line.split()[:2] in (["SCAN", t] for t in BASE_TABLES)]
        assert any(line.startswith("SEARCH claims USING") or "claims" in line for line in plan)
    else:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = [row[0] for row in session.execute(text("EXPLAIN " + sql), params)]
        scans = [line for line in plan if "Seq Scan on" in line]
    assert scans == [], "\n".join(plan)


def test_a_round_up_citing_two_independent_originals_does_not_make_them_one(session):
    claim = make_claim(session)
    first, second, round_up = make_source(session), make_source(session), make_source(session)
    derive(session, round_up, first, "cites")
    derive(session, round_up, second, "cites")
    make_appearance(session, claim, first, stance="endorses")
    make_appearance(session, claim, second, stance="endorses")
    assert (both(session, claim)["independent_origins"], both(session, claim)["circular"]) == (
        2,
        False,
    )
    make_appearance(session, claim, round_up, stance="endorses")  # carries both: one story
    assert (both(session, claim)["independent_origins"], both(session, claim)["circular"]) == (
        1,
        True,
    )


def test_the_report_shows_corroboration_circular_reporting_and_claimants(client, session):
    isis, abadi = make_actor(session, name="ISIS-r"), make_actor(session, name="Abadi-r")
    defended = make_claim(session, claimant=isis, text="Mosul is well defended")
    collapsing = make_claim(session, claimant=abadi, text="ISIS is collapsing")
    video = make_source(session, publisher=isis)
    weekly = make_source(session)
    derive(session, weekly, video, "summarises")
    make_appearance(session, defended, video, stance="origin")
    make_appearance(session, defended, weekly, stance="endorses")
    from factories import make_link

    make_link(session, defended, collapsing, relation="contradicts")
    session.commit()

    page = words(client.get("/reports/report?actor=ISIS-r").get_data(as_text=True))
    assert "Circular reporting 1" in page
    assert f"#{defended.id} Mosul is well defended — 2 supporting sources, 0 independent" in page
    assert "ISIS-r 1 0 0 0 1" in page and "Abadi-r 1 0 0 0 1" in page

    from counterclaim.report_formats.rigour import markdown
    from counterclaim.services.reports.report_rigour import report_rigour
    from counterclaim.services.reports.reports import ReportScope

    text = markdown(report_rigour(session, ReportScope(actor="ISIS-r")))
    assert f"| #{defended.id} Mosul is well defended | 2 | 0 | yes |" in text
    assert f"| #{collapsing.id} ISIS is collapsing | 0 | 0 |  |" in text

    download = client.get("/reports/report.md?actor=ISIS-r").get_data(as_text=True)
    assert f"| #{defended.id} Mosul is well defended | 2 | 0 | yes |" in download
    document = client.get("/reports/report.json?actor=ISIS-r").get_json()
    rigour = document["rigour"]
    assert rigour["circular_reporting"] == [defended.id]
    by_claim = {row["claim_id"]: row for row in rigour["corroboration"]}
    assert (
        by_claim[defended.id]["supporting_sources"],
        by_claim[defended.id]["independent_origins"],
    ) == (2, 0)
    assert {row["name"] for row in rigour["claimants"]} == {"ISIS-r", "Abadi-r"}


def test_the_report_page_covers_the_claims_of_its_own_pairs(client, session, monkeypatch):
    """A page computes corroboration for its pairs' claims only (each is a graph walk), and
    the records of the claimants who made most of them, capped (each reads all their claims)."""
    from counterclaim.services.reports import report_rigour
    from counterclaim.web.reports import routes
    from factories import make_link

    monkeypatch.setattr(routes, "PAGE_PAIRS", 1)
    monkeypatch.setattr(report_rigour, "CLAIMANTS", 1)
    claims = []
    for n in range(3):
        one, other = make_actor(session, name=f"Left-{n}"), make_actor(session, name=f"Right-{n}")
        pair = (
            make_claim(session, claimant=one, text=f"Left {n} says yes", stated_on=None),
            make_claim(session, claimant=other, text=f"Right {n} says no", stated_on=None),
        )
        make_link(session, *pair, relation="contradicts")
        claims.append(pair)
    session.commit()

    page = client.get("/reports/report?page=2").get_data(as_text=True)
    table = page.split('id="report-corroboration"', 1)[1].split("</section>", 1)[0]
    shown = {int(i) for i in re.findall(r"#(\d+)", table)}
    assert shown == {claims[1][0].id, claims[1][1].id}
    records = words(page.split('id="claimant-records"', 1)[1].split("</section>", 1)[0])
    assert ("Left-1" in records) != ("Right-1" in records)  # one claimant of the two
    assert not any(f"{side}-{n}" in records for side in ("Left", "Right") for n in (0, 2))
    assert "The 1 claimants who made the most claims on this page" in records

    found = report_rigour.report_rigour(session, routes.ReportScope())  # a download's
    assert set(found.corroboration) == {claim.id for pair in claims for claim in pair}
    assert len(found.claimants) == 1 and found.claimants_truncated


def test_researchers_read_the_views_through_the_read_only_console(research):
    """The console (read-only by the database's own means) runs both views on the demo."""
    console = research.console()
    result = console.run(
        "SELECT c.supporting_sources, c.independent_origins, c.circular"
        "  FROM claim_corroboration AS c JOIN claims ON claims.id = c.claim_id"
        " WHERE claims.text LIKE :start",
        {"start": "ISIS has built%"},
    )
    assert [tuple(row[:2]) for row in result.rows] == [(2, 0)]
    assert result.rows[0][2] in (True, 1)
    record = console.run(
        "SELECT t.claims, t.contradicted_claims FROM actor_track_record AS t"
        " JOIN actors ON actors.id = t.actor_id WHERE actors.name = :name",
        {"name": "Haider al-Abadi"},
    )
    assert record.rows[0][0] >= 3 and record.rows[0][1] >= 1
