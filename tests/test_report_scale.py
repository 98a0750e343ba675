"""Reports at scale (issue 11 finding 6, issue 15 section 4): counted before they are
built, a page that costs the same whatever the scope, streams read by batches."""

import pytest

from counterclaim.services.demo.seed import default_seed_path, load_seed
from counterclaim.services.reports import reports
from counterclaim.services.reports.reports import (
    ReportScope,
    Window,
    build_report,
)
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


@pytest.fixture
def seeded(session):
    load_seed(session, default_seed_path())
    session.flush()
    return session


def _grow(session, tag, claims: int):
    """File `claims` linked claims under `tag`, rated by three analysts who disagree."""
    actors = [make_actor(session) for _ in range(3)]
    analysts = [make_user(session) for _ in range(3)]
    source, previous = make_source(session), None
    for n in range(claims):
        claim = make_claim(session, claimant=actors[n % 3], tags=[tag])
        make_appearance(session, claim=claim, source=source)
        for k, analyst in enumerate(analysts[: 1 + n % 3]):
            make_assessment(session, claim=claim, analyst=analyst, credibility=1 + (n + 2 * k) % 6)
        if n % 4 == 0:
            make_note(session, claim=claim, author=analysts[0])
        if previous is not None:
            make_link(session, previous, claim, relation="contradicts" if n % 3 else "supports")
        previous = claim
    session.flush()


def test_the_pages_of_a_report_together_are_the_whole_report(seeded):
    tag = make_tag(seeded)
    _grow(seeded, tag, 30)
    for scope in (ReportScope(), ReportScope(tags=(tag.name,))):
        whole = build_report(seeded, scope)
        claims = {c.id: c for c in whole.claims}
        paged, size = [], 4
        for offset in range(0, whole.summary.pairs + size, size):
            page = build_report(seeded, scope, window=Window(offset, size, timeline=7))
            assert page.summary == whole.summary
            paged += page.pairs
            for claim in page.claims:  # the page's consensus is the view's
                assert claim == claims[claim.id]
            timeline = [c for c in page.claims if c.in_scope][:7]
            assert timeline == [c for c in whole.claims if c.in_scope][:7]
        assert paged == whole.pairs  # same order, same credibility on each side
        for top in (1, 2, 3, 30):  # the matrix of a page: the actors in the most pairs
            page = build_report(seeded, scope, window=Window(0, size, timeline=7, actors=top))
            assert page.matrix.cells == whole.matrix.top(top).cells
            assert page.matrix_actors == len(whole.matrix.actors)


def test_a_page_reads_the_same_number_of_statements_whatever_the_scope(session, count_queries):
    small, large = make_tag(session), make_tag(session)
    _grow(session, small, 3)
    _grow(session, large, 60)
    counts = {}
    for tag in (small, large):
        with count_queries() as counted:
            report = build_report(
                session, ReportScope(tags=(tag.name,)), window=Window(0, 5, timeline=10)
            )
        counts[tag.name] = counted.count
        assert len(report.pairs) <= 5 and len(report.claims) <= 10 + 2 * 5
    assert counts[small.name] == counts[large.name] <= 14


def test_a_stream_reads_claim_details_batch_by_batch_and_loses_nothing(
    session, count_queries, monkeypatch
):
    tag = make_tag(session)
    _grow(session, tag, 23)
    scope = ReportScope(tags=(tag.name,))
    whole = build_report(session, scope)
    monkeypatch.setattr(reports, "CLAIM_BATCH", 5)
    with count_queries() as counted:
        streamed = list(build_report(session, scope, stream=True).claims)
    assert streamed == whole.claims
    batches = -(-len(whole.claims) // 5)
    # the claims in order, then per batch: text, sources, assessments, notes, reviews, links
    claim_statements = [s for s in counted.statements if "claims.stated_on" in s]
    assert len(claim_statements) == 1 + 6 * batches


def test_counting_a_scope_builds_nothing(seeded, count_queries):
    with count_queries() as counted:
        resolved, summary = reports.count(seeded, ReportScope(tags=("Mosul",)))
    assert summary.pairs > 0 and summary.claims > 0
    # the tag's id and name, then one statement of counts
    assert counted.count == 2


def test_the_disputed_count_is_the_views(seeded):
    from sqlalchemy import func, select

    from counterclaim.models import claim_consensus
    from counterclaim.services.reports.report_queries import DISAGREEMENT

    tag = make_tag(seeded)
    _grow(seeded, tag, 30)
    for scope in (ReportScope(), ReportScope(tags=(tag.name,)), ReportScope(tags=("Mosul",))):
        resolved, summary = reports.count(seeded, scope)
        ids = resolved.statement()
        expected = seeded.scalar(
            select(func.count())
            .select_from(claim_consensus)
            .where(claim_consensus.c.claim_id.in_(ids))
            .where(claim_consensus.c.credibility_spread >= DISAGREEMENT)
        )
        assert summary.disputed == expected
    assert expected > 0 or scope.tags == ("Mosul",)


def test_a_streamed_markdown_is_the_document_built_in_memory(seeded, monkeypatch):
    from counterclaim import report_formats

    tag = make_tag(seeded)
    _grow(seeded, tag, 30)
    monkeypatch.setattr(reports, "DETAIL_WINDOW", 4)  # many windows, one a partial one
    for scope in (ReportScope(), ReportScope(tags=(tag.name,)), ReportScope(tags=("Irbil",))):
        whole = build_report(seeded, scope)
        streamed = build_report(seeded, scope, stream=True, detailed=True)
        text = "".join(report_formats.render(streamed, "md"))
        expected = report_formats.markdown.render(whole)
        # the same document but for the minute it was generated in
        assert text.split("\n", 4)[4] == expected.split("\n", 4)[4]
        assert text.count("### Link #") == whole.summary.pairs
