"""Contradiction reports: one data structure, built in a fixed number of queries.

`count(session, scope)` resolves the scope and counts it (claims, pairs…) in one
statement, before anything is built, so that a caller can refuse or page a large scope.
`build_report(session, scope)` returns a `Report` that every format renders without a
query of its own. With `window` it holds one page of pairs and the start of the timeline
(a page costs the same whatever the scope). With `stream=True` its `claims` and `pairs`
are single-use iterators, so that CSV and JSON output stay flat in memory however large
the scope; otherwise they are lists. A stream keeps one statement open at a time: the
claims come as narrow rows in timeline order, and their text, sources, assessments,
notes and links are read for each batch of `CLAIM_BATCH` claims by id.

Over 400 lines for a reason: most of it is the report's data structure (a dataclass per
part), which every format reads, beside the one builder that fills it; the SQL is apart
(report_queries.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property
from itertools import islice

from sqlalchemy import Select
from sqlalchemy.orm import Session

from .report_queries import DISAGREEMENT, ReportSql, Window
from .report_scope import MAX_DEPTH, PARAMETERS, ReportScope, ResolvedScope, ScopeError, resolve

__all__ = [
    "DISAGREEMENT", "MAX_DEPTH", "PARAMETERS", "MatrixCell", "Report", "ReportScope", "ScopeError",
    "Window", "build_report", "count",
]  # fmt: skip

STREAM_BATCH = 1_000
CLAIM_BATCH = 500  # claims whose details one round of statements reads, when streaming
DETAIL_WINDOW = 200  # pairs read with both sides' details at once (`detailed` streams)


@dataclass(frozen=True, slots=True)
class Consensus:
    """The median of the analysts' latest credibility ratings 1–5, and how they spread."""

    median: float | None
    analysts: int
    cannot_judge: int
    spread: int

    @property
    def disputed(self) -> bool:
        return self.spread >= DISAGREEMENT


@dataclass(frozen=True, slots=True)
class Appearance:
    source_id: int
    title: str
    reliability: str
    stance: str
    excerpt: str
    locator: str


@dataclass(frozen=True, slots=True)
class Judgment:
    analyst: str
    credibility: int
    confidence: str
    rationale: str
    at: datetime


@dataclass(frozen=True, slots=True)
class FactCheck:
    """A fact-checker's published verdict on the claim (a review, not an assessment)."""

    reviewer: str
    verdict: str
    credibility: int
    url: str
    review_date: date | None


@dataclass(frozen=True, slots=True)
class Note:
    author: str
    body: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Related:
    """A link other than a contradiction; `outgoing` when the claim is its `from` end."""

    link_id: int
    relation: str
    outgoing: bool
    other_id: int
    other_text: str
    other_claimant: str
    strength: str
    rationale: str


@dataclass(frozen=True, slots=True)
class ReportClaim:
    """A claim the report mentions: in scope, or a counterclaim of one that is."""

    id: int
    text: str
    is_verbatim: bool
    claimant_id: int
    claimant: str
    stated_on: date | None
    status: str
    in_scope: bool
    consensus: Consensus | None
    sources: list[Appearance]
    assessments: list[Judgment]
    notes: list[Note]
    related: list[Related]
    reviews: list[FactCheck] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Side:
    """One side of a pair, in brief (the full claim is in `Report.claims`)."""

    id: int
    text: str
    claimant_id: int
    claimant: str
    stated_on: date | None
    status: str
    credibility: float | None
    sources: str


@dataclass(frozen=True, slots=True)
class Pair:
    """A claim in scope and one claim that contradicts it, through one link."""

    link_id: int
    strength: str
    rationale: str
    claim: Side
    counterclaim: Side


@dataclass(frozen=True)
class Summary:
    claims: int
    contested: int
    pairs: int
    unassessed: int
    disputed: int


@dataclass(frozen=True)
class ActorCount:
    actor_id: int
    name: str
    claims: int
    contested: int


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """How many pairs set the claims of one actor against another's (a_id <= b_id)."""

    a_id: int
    a_name: str
    b_id: int
    b_name: str
    pairs: int


@dataclass
class ActorMatrix:
    """Whose claims contradict whose: pair counts per unordered pair of actors."""

    actors: list[tuple[int, str]] = field(default_factory=list)
    cells: dict[tuple[int, int], int] = field(default_factory=dict)

    @classmethod
    def of(cls, cells: Iterable[MatrixCell]) -> ActorMatrix:
        matrix, names = cls(), {}
        for cell in cells:
            names[cell.a_id], names[cell.b_id] = cell.a_name, cell.b_name
            matrix.cells[(cell.a_id, cell.b_id)] = cell.pairs
        matrix.actors = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0]))
        return matrix

    def count(self, a: int, b: int) -> int:
        return self.cells.get((min(a, b), max(a, b)), 0)

    def top(self, n: int) -> ActorMatrix:
        """Return the matrix of the `n` actors in the most pairs (a table stays readable)."""
        if len(self.actors) <= n:
            return self
        weight: dict[int, int] = {}
        for (a, b), pairs in self.cells.items():
            for actor in {a, b}:
                weight[actor] = weight.get(actor, 0) + pairs
        keep = set(sorted(weight, key=lambda actor: (-weight[actor], actor))[:n])
        return ActorMatrix(
            actors=[item for item in self.actors if item[0] in keep],
            cells={k: v for k, v in self.cells.items() if k[0] in keep and k[1] in keep},
        )


@dataclass
class Report:
    """Everything a contradiction report shows, whatever its format."""

    scope: ResolvedScope
    generated_at: datetime
    summary: Summary
    by_actor: list[ActorCount]
    cells: Iterable[MatrixCell]
    claims: Iterable[ReportClaim]
    pairs: Iterable[Pair]
    streaming: bool = False
    window: Window | None = None  # a page of the pairs, or None for all of them
    matrix_actors: int | None = None  # actors in the whole matrix, when cells has the top
    # each pair with both claims in full, read window by window (a `detailed` stream)
    detailed_pairs: Iterable[tuple[Pair, ReportClaim, ReportClaim]] | None = None
    # further top-level JSON sections other services add (name → JSON-ready value)
    extras: dict = field(default_factory=dict)

    @cached_property
    def matrix(self) -> ActorMatrix:
        """The actor × actor matrix (of a report built in memory, or of its top actors)."""
        if self.streaming and not isinstance(self.cells, list):
            raise ValueError("the matrix of a streaming report comes cell by cell: use cells")
        return ActorMatrix.of(self.cells)

    @property
    def is_empty(self) -> bool:
        """True when nothing in scope is contested."""
        return self.summary.pairs == 0


def count(session: Session, scope: ReportScope) -> tuple[ResolvedScope, Summary]:
    """Resolve `scope` and count what a report of it holds, building nothing."""
    resolved = resolve(session, scope)
    return resolved, _summary(session, ReportSql.of(resolved))


def _summary(session: Session, sql: ReportSql) -> Summary:
    return Summary(**session.execute(sql.summary()).one()._asdict())


def build_report(
    session: Session,
    scope: ReportScope,
    *,
    stream: bool = False,
    window: Window | None = None,
    counted: tuple[ResolvedScope, Summary] | None = None,
    detailed: bool = False,
) -> Report:
    """Build the report of `scope`; with `stream`, claims and pairs come as they are read.

    `window` keeps one page of pairs and the start of the timeline; `counted` is what
    `count` returned for this scope (then it is not counted again). A `detailed` stream
    also carries `detailed_pairs` (each pair with both claims in full, for documents that
    lay pairs out side by side) and the matrix of the top actors as a list.
    """
    resolved, summary = counted if counted is not None else (resolve(session, scope), None)
    sql = ReportSql.of(resolved)
    summary = summary or _summary(session, sql)
    by_actor = [ActorCount(*row) for row in session.execute(sql.by_actor())]
    # sections that grow with the scope: lists, or single-use iterators when streaming
    cells: Iterable[MatrixCell] = (MatrixCell(*row) for row in _rows(session, sql.matrix(), stream))
    claims: Iterable[ReportClaim]
    pairs: Iterable[Pair]
    matrix_actors = detailed_pairs = None
    if window is not None or detailed:
        rows = session.execute(sql.matrix(top=window.actors if window else Window.actors)).all()
        cells = [MatrixCell(*row[:5]) for row in rows]
        # no cell among the top actors (each contradicts only others): count apart
        matrix_actors = rows[0].actors if rows else session.scalar(sql.matrix_actors())
    if detailed:
        detailed_pairs = _detailed_pairs(session, sql)
    if window is not None:
        claims, pairs = _window(session, sql, window)
    else:
        claims, pairs = _claims(session, sql, stream), _pairs(session, sql, stream)
    if not stream:
        cells, claims, pairs = list(cells), list(claims), list(pairs)
    return Report(
        scope=resolved, generated_at=datetime.now(UTC), summary=summary, by_actor=by_actor,
        cells=cells, claims=claims, pairs=pairs, streaming=stream, window=window,
        matrix_actors=matrix_actors, detailed_pairs=detailed_pairs,
    )  # fmt: skip


def _rows(session: Session, stmt: Select, stream: bool) -> Iterator:
    if not stream:
        yield from session.execute(stmt)
        return
    result = session.execute(stmt, execution_options={"yield_per": STREAM_BATCH})
    try:
        yield from result
    finally:
        result.close()


def _claims(session: Session, sql: ReportSql, stream: bool) -> Iterator[ReportClaim]:
    """Join the claims, in timeline order, with their sources, assessments, notes, links."""
    order = _rows(session, sql.claim_order(), stream)
    if not stream:
        rows = list(order)
        yield from _with_details(session, sql, rows, None)
        return
    while batch := list(islice(order, CLAIM_BATCH)):
        yield from _with_details(session, sql, batch, [row.id for row in batch])


def _window(session: Session, sql: ReportSql, window: Window):
    """Read a page's pairs and claims: their ids first, then everything by id."""
    link_ids = list(session.scalars(sql.shown_links(window)))
    rows = session.execute(sql.pair_rows(link_ids)).all() if link_ids else []
    ids = list(session.scalars(sql.timeline_ids(window))) if window.timeline else []
    ids = list(dict.fromkeys(ids + [r.claim_id for r in rows] + [r.counterclaim_id for r in rows]))
    order = session.execute(sql.claims_in_order(ids)).all() if ids else []
    claims = list(_with_details(session, sql, order, ids))
    by_id = {c.id: c for c in claims}
    rank = {link_id: n for n, link_id in enumerate(link_ids)}

    def rated(side: Side) -> Side:
        consensus = by_id[side.id].consensus
        return replace(side, credibility=consensus.median if consensus else None)

    pairs = [
        replace(pair, claim=rated(pair.claim), counterclaim=rated(pair.counterclaim))
        for pair in (_pair(row) for row in sorted(rows, key=lambda r: rank[r.link_id]))
    ]
    return claims, pairs


def _detailed_pairs(session: Session, sql: ReportSql) -> Iterator[tuple]:
    """Yield (pair, claim, counterclaim) in report order, DETAIL_WINDOW pairs at a time."""
    offset = 0
    while True:
        claims, pairs = _window(session, sql, Window(offset, DETAIL_WINDOW, timeline=0))
        by_id = {c.id: c for c in claims}
        for pair in pairs:
            yield pair, by_id[pair.claim.id], by_id[pair.counterclaim.id]
        if len(pairs) < DETAIL_WINDOW:
            return
        offset += DETAIL_WINDOW


def _with_details(session: Session, sql: ReportSql, order, ids) -> Iterator[ReportClaim]:
    """Yield the claims of `order` with their details, read for `ids` (None: the report's).

    The consensus comes from `order`'s columns: the `claim_consensus` view.
    """
    claims = {row.id: row for row in session.execute(sql.claim_rows(ids))}
    details = {
        "sources": _grouped(session, sql.appearance_rows(ids), _appearance),
        "assessments": _grouped(session, sql.assessment_rows(ids), _judgment),
        "notes": _grouped(session, sql.note_rows(ids), _note),
        "reviews": _grouped(session, sql.review_rows(ids), _fact_check),
        "related": _grouped(session, sql.related_rows(ids), _related),
    }
    for head in order:
        row = claims[head.id]
        consensus = None
        if head.analysts:
            consensus = Consensus(
                head.credibility_median, head.analysts, head.cannot_judge, head.credibility_spread
            )
        yield ReportClaim(
            id=row.id, text=row.text, is_verbatim=bool(row.is_verbatim),
            claimant_id=row.claimant_id, claimant=row.claimant, stated_on=row.stated_on,
            status=row.status, in_scope=bool(head.in_scope), consensus=consensus,
            **{name: found.get(row.id, []) for name, found in details.items()},
        )  # fmt: skip


def _grouped(session: Session, stmt: Select, convert) -> dict[int, list]:
    """Run `stmt` (rows with a claim_id, in order) and group its converted rows by claim."""
    found: dict[int, list] = {}
    for row in session.execute(stmt):
        found.setdefault(row.claim_id, []).append(convert(row))
    return found


def _appearance(row) -> Appearance:
    return Appearance(
        row.source_id, row.title, row.reliability, row.stance, row.excerpt, row.locator
    )


def _judgment(row) -> Judgment:
    analyst = row.display_name or row.username
    return Judgment(analyst, row.credibility, row.confidence, row.rationale, row.created_at)


def _fact_check(row) -> FactCheck:
    return FactCheck(row.name, row.verdict, row.credibility, row.url, row.review_date)


def _note(row) -> Note:
    return Note(row.display_name or row.username, row.body, row.created_at)


def _related(row) -> Related:
    return Related(
        row.link_id, row.relation, str(row.outgoing) == "1", row.other_id, row.other_text,
        row.other_claimant, row.strength, row.rationale,
    )  # fmt: skip


_SIDE_COLUMNS = ("id", "text", "claimant_id", "claimant", "stated_on", "status", "credibility")


def _pairs(session: Session, sql: ReportSql, stream: bool) -> Iterator[Pair]:
    for row in _rows(session, sql.pair_rows(), stream):
        yield _pair(row)


def _pair(row) -> Pair:
    values = row._mapping
    sides = [
        Side(
            *(values[f"{prefix}_{name}"] for name in _SIDE_COLUMNS),
            sources=values[f"{prefix}_sources"] or "",
        )
        for prefix in ("claim", "counterclaim")
    ]
    return Pair(row.link_id, row.strength, row.rationale, *sides)
