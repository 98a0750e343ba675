"""Contradiction reports: one data structure, built in a fixed number of queries.

`build_report(session, scope)` returns a `Report` that every format renders without a
query of its own. With `stream=True` its `claims` and `pairs` are single-use iterators fed
by server-side cursors (still the same fixed statements), so that CSV and JSON output stay
flat in memory however large the scope; otherwise they are lists.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property

from sqlalchemy import Select
from sqlalchemy.orm import Session

from .report_queries import DISAGREEMENT, ReportSql
from .report_scope import MAX_DEPTH, PARAMETERS, ReportScope, ResolvedScope, ScopeError, resolve

__all__ = [
    "DISAGREEMENT", "MAX_DEPTH", "PARAMETERS", "MatrixCell", "Report", "ReportScope", "ScopeError",
    "build_report",
]  # fmt: skip

STREAM_BATCH = 1_000


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

    @cached_property
    def matrix(self) -> ActorMatrix:
        """The actor × actor matrix (of a report built in memory)."""
        if self.streaming:
            raise ValueError("the matrix of a streaming report comes cell by cell: use cells")
        return ActorMatrix.of(self.cells)

    @property
    def is_empty(self) -> bool:
        """True when nothing in scope is contested."""
        return self.summary.pairs == 0


def build_report(session: Session, scope: ReportScope, *, stream: bool = False) -> Report:
    """Build the report of `scope`; with `stream`, claims and pairs come as they are read."""
    resolved = resolve(session, scope)
    sql = ReportSql.of(resolved)
    summary = Summary(**session.execute(sql.summary()).one()._asdict())
    by_actor = [ActorCount(*row) for row in session.execute(sql.by_actor())]
    # sections that grow with the scope: lists, or single-use iterators when streaming
    cells: Iterable[MatrixCell] = (MatrixCell(*row) for row in _rows(session, sql.matrix(), stream))
    claims: Iterable[ReportClaim] = _claims(session, sql, stream)
    pairs: Iterable[Pair] = _pairs(session, sql, stream)
    if not stream:
        cells, claims, pairs = list(cells), list(claims), list(pairs)
    return Report(
        scope=resolved, generated_at=datetime.now(UTC), summary=summary, by_actor=by_actor,
        cells=cells, claims=claims, pairs=pairs, streaming=stream,
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
    """Merge the claims with their sources, assessments, notes and links, all in order."""
    children = {
        "sources": (sql.appearance_rows(), _appearance),
        "assessments": (sql.assessment_rows(), _judgment),
        "notes": (sql.note_rows(), _note),
        "reviews": (sql.review_rows(), _fact_check),
        "related": (sql.related_rows(), _related),
    }
    claims = _rows(session, sql.claim_rows(), stream)
    streams = {name: _rows(session, stmt, stream) for name, (stmt, _) in children.items()}
    heads = {name: next(rows, None) for name, rows in streams.items()}
    for row in claims:
        found: dict[str, list] = {}
        for name, rows in streams.items():
            convert, items, head = children[name][1], [], heads[name]
            while head is not None and head.claim_id == row.id:
                items.append(convert(head))
                head = next(rows, None)
            heads[name], found[name] = head, items
        consensus = None
        if row.analysts:
            consensus = Consensus(
                row.credibility_median, row.analysts, row.cannot_judge, row.credibility_spread
            )
        yield ReportClaim(
            id=row.id, text=row.text, is_verbatim=bool(row.is_verbatim),
            claimant_id=row.claimant_id, claimant=row.claimant, stated_on=row.stated_on,
            status=row.status, in_scope=bool(row.in_scope), consensus=consensus, **found,
        )  # fmt: skip


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
        values = row._mapping
        sides = [
            Side(
                *(values[f"{prefix}_{name}"] for name in _SIDE_COLUMNS),
                sources=values[f"{prefix}_sources"] or "",
            )
            for prefix in ("claim", "counterclaim")
        ]
        yield Pair(row.link_id, row.strength, row.rationale, *sides)
