"""The report service: scope parsing and checks, what each filter keeps, the summary, the
actor matrix, the timeline, and a statement count that does not grow with the scope."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from counterclaim import report_formats
from counterclaim.models import Claim, ClaimLink, ClaimSource
from counterclaim.services.demo.seed import default_seed_path, load_seed
from counterclaim.services.reports.reports import ReportScope, ScopeError, build_report
from factories import (
    make_actor,
    make_appearance,
    make_assessment,
    make_claim,
    make_link,
    make_note,
    make_source,
    make_tag,
    make_user,
)

# --- parsing: text parameters (query string, CLI) ----------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ReportScope()),
        ({"tag": ["Mosul", " ISIS morale "]}, ReportScope(tags=("Mosul", "ISIS morale"))),
        ({"tag": "Mosul"}, ReportScope(tags=("Mosul",))),
        ({"actor": "12"}, ReportScope(actor=12)),
        ({"actor": "Haider al-Abadi"}, ReportScope(actor="Haider al-Abadi")),
        ({"claim": "7", "depth": "2"}, ReportScope(claim_id=7, depth=2)),
        ({"stated_from": "2016-11-01", "stated_to": "2016-11-30"},
         ReportScope(stated_from=date(2016, 11, 1), stated_to=date(2016, 11, 30))),
        ({"status": "open"}, ReportScope(status="open")),
        ({"reliability": "c"}, ReportScope(min_reliability="C")),
        ({"tag": "", "actor": "", "claim": "", "status": ""}, ReportScope()),
    ],
)  # fmt: skip
def test_good_parameters_parse(params, expected):
    assert ReportScope.from_params(params) == expected


@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"claim": "abc"}, "claim", "'abc' is not a whole number"),
        ({"claim": "-3"}, "claim", "not a whole number"),
        ({"claim": "0"}, "claim", "from 1"),
        ({"claim": "1", "depth": "x"}, "depth", "not a whole number"),
        ({"claim": "1", "depth": "4"}, "depth", "1 to 3"),
        ({"stated_from": "2016-13-01"}, "stated_from", "not a date"),
        ({"stated_to": "yesterday"}, "stated_to", "not a date"),
        ({"stated_from": "2016-12-01", "stated_to": "2016-11-01"}, "stated_to", "before"),
        ({"status": "closed"}, "status", "choose one of open"),
        ({"reliability": "G"}, "reliability", "A to F"),
        ({"actor": ["1", "2"]}, "actor", "give it once"),
        ({"tag": ["  "]}, None, None),  # blank tags are dropped, not an error
    ],
)  # fmt: skip
def test_bad_parameters_name_the_parameter(params, parameter, words):
    if parameter is None:
        assert ReportScope.from_params(params) == ReportScope()
        return
    with pytest.raises(ScopeError) as caught:
        ReportScope.from_params(params)
    assert caught.value.parameter == parameter
    assert words in caught.value.message
    assert str(caught.value).startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    ("scope", "parameter", "words"),
    [
        (ReportScope(tags=("no such tag",)), "tag", "there is no tag named 'no such tag'"),
        (ReportScope(actor="Nobody at all"), "actor", "no actor named"),
        (ReportScope(actor=987654), "actor", "no actor #987654"),
        (ReportScope(claim_id=987654), "claim", "no claim #987654"),
    ],
)
def test_names_that_match_nothing_are_refused(session, scope, parameter, words):
    with pytest.raises(ScopeError) as caught:
        build_report(session, scope)
    assert caught.value.parameter == parameter
    assert words in caught.value.message


def test_a_tag_differing_only_in_case_needs_its_exact_spelling(session):
    make_tag(session, name="Kirkuk")
    make_tag(session, name="KIRKUK")
    with pytest.raises(ScopeError, match="give its exact spelling"):
        build_report(session, ReportScope(tags=("kirkuk",)))
    report = build_report(session, ReportScope(tags=("KIRKUK",)))
    assert [name for _, name in report.scope.tags] == ["KIRKUK"]


# --- each filter on the seed data keeps what it should --------------------------------


@pytest.fixture
def seeded(session):
    """The Mosul demo data, with every claim's tags, sources and links loaded."""
    load_seed(session, default_seed_path())
    session.flush()
    claims = session.scalars(
        select(Claim).options(
            selectinload(Claim.tags),
            selectinload(Claim.appearances).joinedload(ClaimSource.source),
            selectinload(Claim.claimant),
        )
    ).all()
    links = session.scalars(select(ClaimLink)).all()
    return {c.text: c for c in claims}, links


def _abadi_collapsing(claims):
    return next(c for text, c in claims.items() if "organization collapsing" in text)


def _within(links, start: int, depth: int) -> set[int]:
    reached, frontier = {start}, {start}
    for _ in range(depth):
        frontier = {
            other
            for link in links
            for here, other in (
                (link.from_claim_id, link.to_claim_id),
                (link.to_claim_id, link.from_claim_id),
            )  # fmt: skip
            if here in frontier
        } - reached
        reached |= frontier
    return reached


CASES = {
    "tag": (lambda cl, ln: ReportScope(tags=("mosul",)),
            lambda c, cl, ln: "Mosul" in {t.name for t in c.tags}),
    "two tags": (lambda cl, ln: ReportScope(tags=("Mosul", "ISIS morale")),
                 lambda c, cl, ln: {"Mosul", "ISIS morale"} <= {t.name for t in c.tags}),
    "actor by name": (lambda cl, ln: ReportScope(actor="haider al-abadi"),
                      lambda c, cl, ln: c.claimant.name == "Haider al-Abadi"),
    "actor by id": (lambda cl, ln: ReportScope(actor=_abadi_collapsing(cl).claimant_id),
                    lambda c, cl, ln: c.claimant.name == "Haider al-Abadi"),
    "claim, depth 1": (lambda cl, ln: ReportScope(claim_id=_abadi_collapsing(cl).id),
                       lambda c, cl, ln: c.id in _within(ln, _abadi_collapsing(cl).id, 1)),
    "claim, depth 2": (lambda cl, ln: ReportScope(claim_id=_abadi_collapsing(cl).id, depth=2),
                       lambda c, cl, ln: c.id in _within(ln, _abadi_collapsing(cl).id, 2)),
    "stated range": (lambda cl, ln: ReportScope(stated_from=date(2016, 11, 27),
                                                stated_to=date(2016, 11, 27)),
                     lambda c, cl, ln: c.stated_on == date(2016, 11, 27)),
    "stated to": (lambda cl, ln: ReportScope(stated_to=date(2016, 11, 30)),
                  lambda c, cl, ln: c.stated_on is not None and c.stated_on <= date(2016, 11, 30)),
    "status": (lambda cl, ln: ReportScope(status="under_review"),
               lambda c, cl, ln: c.status == "under_review"),
    "reliability": (lambda cl, ln: ReportScope(min_reliability="C"),
                    lambda c, cl, ln: any(a.source.reliability <= "C" for a in c.appearances)),
    "tag and status": (lambda cl, ln: ReportScope(tags=("Mosul",), status="open"),
                       lambda c, cl, ln: "Mosul" in {t.name for t in c.tags}
                       and c.status == "open"),
}  # fmt: skip


def test_each_filter_keeps_exactly_its_claims_and_their_contradictions(session, seeded):
    claims, links = seeded
    everything = {c.id for c in claims.values()}
    for case, (make_scope, keeps) in CASES.items():  # one table, one load of the seed
        expected = {c.id for c in claims.values() if keeps(c, claims, links)}
        assert expected and expected != everything, f"{case}: the case must narrow"
        report = build_report(session, make_scope(claims, links))

        assert {c.id for c in report.claims if c.in_scope} == expected, case
        assert report.summary.claims == len(expected), case
        touching = {
            link.id for link in links
            if link.relation == "contradicts" and {link.from_claim_id, link.to_claim_id} & expected
        }  # fmt: skip
        assert {p.link_id for p in report.pairs} == touching, case
        assert report.summary.pairs == len(touching), case
        assert all(p.claim.id in expected for p in report.pairs), case  # in-scope end leads
        counterparts = {p.counterclaim.id for p in report.pairs} - expected
        assert {c.id for c in report.claims if not c.in_scope} == counterparts, case


def test_the_whole_seed_has_the_articles_nine_contradictions(session, seeded):
    report = build_report(session, ReportScope())
    assert report.summary.pairs == 9
    assert len(report.claims) == report.summary.claims == len(seeded[0])


def test_an_empty_scope_is_a_report_that_says_nothing_is_contested(session, seeded):
    report = build_report(session, ReportScope(status="settled"))
    assert report.is_empty
    assert (report.summary.pairs, report.pairs, report.matrix.cells) == (0, [], {})


# --- summary, matrix, timeline on a world built for them ------------------------------


@pytest.fixture
def world(session):
    """Three actors' claims on one tag, with contradictions across and within actors."""
    tag = make_tag(session)
    a, b, c = (make_actor(session, name=n) for n in ("Alpha", "Bravo", "Charlie"))

    def claim(actor, stated):
        return make_claim(session, claimant=actor, stated_on=stated, tags=[tag])

    a1, a2 = claim(a, date(2016, 1, 2)), claim(a, None)
    b1, b2 = claim(b, date(2016, 1, 1)), claim(b, date(2016, 1, 2))
    c1 = claim(c, date(2016, 1, 3))
    outsider = make_claim(session, claimant=c, stated_on=date(2015, 1, 1))
    for one, other in ((a1, b1), (a1, c1), (a2, b1), (b2, c1), (a1, a2), (outsider, b2)):
        make_link(session, one, other, relation="contradicts")
    make_link(session, c1, a1, relation="supports")
    first, second = make_user(session), make_user(session)
    make_assessment(session, claim=a1, analyst=first, credibility=1)
    make_assessment(session, claim=a1, analyst=second, credibility=4)
    make_assessment(session, claim=b1, analyst=first, credibility=3)
    return {"tag": tag, "actors": (a, b, c), "claims": (a1, a2, b1, b2, c1), "outsider": outsider}


def test_the_summary_counts(session, world):
    report = build_report(session, ReportScope(tags=(world["tag"].name,)))
    s = report.summary
    # pairs: the five among the tagged claims and the outsider's against b2
    assert (s.claims, s.contested, s.pairs) == (5, 5, 6)
    assert s.unassessed == 2  # b2–c1 and outsider–b2: neither side has an assessment
    assert s.disputed == 1  # a1: ratings 1 and 4
    counts = {a.name: (a.claims, a.contested) for a in report.by_actor}
    assert counts == {"Alpha": (2, 2), "Bravo": (2, 2), "Charlie": (1, 1)}


def test_the_actor_matrix_counts_pairs_per_pair_of_actors(session, world):
    a, b, c = (actor.id for actor in world["actors"])
    report = build_report(session, ReportScope(tags=(world["tag"].name,)))
    m = report.matrix
    assert [name for _, name in m.actors] == ["Alpha", "Bravo", "Charlie"]
    assert (m.count(a, b), m.count(b, a)) == (2, 2)  # a1–b1, a2–b1, both ways round
    assert (m.count(a, c), m.count(b, c), m.count(a, a)) == (1, 2, 1)  # b2–c1, outsider–b2
    assert (m.count(b, b), m.count(c, c)) == (0, 0)
    assert sum(m.cells.values()) == report.summary.pairs


def test_a_wide_matrix_keeps_the_actors_in_the_most_pairs(session, world):
    a, b, c = (actor.id for actor in world["actors"])
    matrix = build_report(session, ReportScope(tags=(world["tag"].name,))).matrix
    narrow = matrix.top(2)  # Alpha's claims are in 4 pairs, Bravo's in 4, Charlie's in 3
    assert [name for _, name in narrow.actors] == ["Alpha", "Bravo"]
    assert narrow.cells == {(a, a): 1, (a, b): 2}
    assert c not in {actor for cell in narrow.cells for actor in cell}
    assert matrix.top(3) is matrix


def test_the_timeline_runs_by_stated_date_undated_last(session, world):
    a1, a2, b1, b2, c1 = world["claims"]
    report = build_report(session, ReportScope(tags=(world["tag"].name,)))
    timeline = [c.id for c in report.claims if c.in_scope]
    assert timeline == [b1.id, a1.id, b2.id, c1.id, a2.id]  # same day: by number
    # pairs come in the order of their leading claim on the timeline
    leading = [p.claim.id for p in report.pairs]
    assert leading == sorted(leading, key=timeline.index)


def test_claims_carry_sources_latest_assessments_notes_and_links(session, world):
    a1, *_, c1 = world["claims"]
    analyst = make_user(session, display_name="Dana")
    make_assessment(session, claim=c1, analyst=analyst, credibility=2, rationale="old")
    make_assessment(session, claim=c1, analyst=analyst, credibility=5, rationale="new")
    make_appearance(session, claim=c1, source=make_source(session, reliability="B"),
                    excerpt="said so", stance="skeptical")  # fmt: skip
    make_note(session, claim=c1, author=analyst, body="Check **this**.")
    report = build_report(session, ReportScope(tags=(world["tag"].name,)))
    claim = next(c for c in report.claims if c.id == c1.id)
    assert [(j.analyst, j.credibility, j.rationale) for j in claim.assessments] == [
        ("Dana", 5, "new")
    ]
    assert claim.consensus.median == 5 and claim.consensus.analysts == 1
    assert [(s.reliability, s.stance, s.excerpt) for s in claim.sources] == [
        ("B", "skeptical", "said so")
    ]
    assert [n.body for n in claim.notes] == ["Check **this**."]
    assert [(r.relation, r.outgoing, r.other_id) for r in claim.related] == [
        ("supports", True, a1.id)
    ]
    supported = next(c for c in report.claims if c.id == a1.id)
    assert [(r.relation, r.outgoing, r.other_id) for r in supported.related] == [
        ("supports", False, c1.id)
    ]


def test_a_streaming_report_yields_the_same_claims_and_pairs(session, world):
    scope = ReportScope(tags=(world["tag"].name,))
    in_memory = build_report(session, scope)
    streamed = build_report(session, scope, stream=True)
    assert streamed.streaming and not isinstance(streamed.pairs, list)
    assert list(streamed.pairs) == in_memory.pairs
    assert list(streamed.claims) == in_memory.claims


# --- a fixed number of statements, whatever the scope ---------------------------------


def _grow(session, tag, claims: int):
    """File `claims` claims under `tag`, each with a source, an assessment, a note and
    links to the one before: every kind of row the report reads grows with them."""
    actors = [make_actor(session) for _ in range(3)]
    source, analyst = make_source(session), make_user(session)
    previous = None
    for n in range(claims):
        claim = make_claim(session, claimant=actors[n % 3], tags=[tag])
        make_appearance(session, claim=claim, source=source)
        make_assessment(session, claim=claim, analyst=analyst, credibility=1 + n % 5)
        make_note(session, claim=claim, author=analyst)
        if previous is not None:
            make_link(session, previous, claim, relation="contradicts" if n % 2 else "supports")
        previous = claim


def _statements(session, count_queries, scope, stream: bool) -> tuple[int, int]:
    """Count the statements to build the report, and to build and render it in each
    format that takes a report of this kind (the PDF is the HTML's document)."""
    names = ["csv", "json"] if stream else ["html", "md", "csv", "json"]
    with count_queries() as building:
        build_report(session, scope, stream=stream)
    with count_queries() as rendering:
        for name in names:
            for _ in report_formats.render(build_report(session, scope, stream=stream), name):
                pass
    if not stream:  # the renderers add no statement of their own
        assert rendering.count == building.count * len(names)
    return building.count, rendering.count


@pytest.mark.parametrize("stream", [False, True], ids=["in-memory", "streaming"])
def test_the_statement_count_does_not_grow_with_the_scope(session, count_queries, stream):
    small, large = make_tag(session), make_tag(session)
    _grow(session, small, 2)
    _grow(session, large, 40)
    session.flush()
    counts = {}
    for tag in (small, large):
        counts[tag.name] = _statements(
            session, count_queries, ReportScope(tags=(tag.name,)), stream
        )
    assert counts[small.name] == counts[large.name]
    building, _ = counts[large.name]
    assert building <= 12
