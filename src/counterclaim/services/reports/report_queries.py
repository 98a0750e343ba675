"""The SQL of a contradiction report: a fixed set of statements over the scope.

Every statement starts from the same common table expressions, so the scope is never
shipped to Python as a list of ids (a scope of 100,000 claims stays one subquery):
- `scope`: the ids of the claims in scope;
- `pair_links`: every contradicts link with at least one end in scope, oriented so that
  `claim_id` is an end in scope (the lower id when both are);
- `report_claims`: the claims in scope and the counterclaims that pairs bring in.

Rows that list claims or hang under claims come in timeline order (stated date, undated
last, then id), so that the report can merge them as they stream.

Over 400 lines for a reason: every statement of a report is built on the same common
table expressions of one ReportSql; apart, they would have to pass the scope around.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    CTE,
    Select,
    and_,
    case,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import aliased

from counterclaim.models import (
    Actor,
    Annotation,
    Assessment,
    Claim,
    ClaimLink,
    ClaimSource,
    Review,
    Source,
    User,
    claim_consensus,
)

from ..claims.consensus import standing
from .report_scope import ResolvedScope

DISAGREEMENT = 2  # a spread of latest credibility ratings at least this wide is a dispute


@dataclass(frozen=True)
class Window:
    """What a page of a report shows: `size` pairs from `offset`, the first `timeline` claims."""

    offset: int
    size: int
    timeline: int
    actors: int = 30  # the matrix keeps the actors in the most pairs


@dataclass(frozen=True)
class ReportSql:
    """The common table expressions of one report's statements.

    A page (a `Window`) reads the ids it shows first (`shown_links`, `timeline_ids`),
    then everything else by those ids, so that it costs about the same whatever the
    scope's size; only the aggregates (summary, by actor, matrix) cover the whole scope.
    """

    scope: CTE
    pairs: CTE
    claims: CTE
    every_claim: bool = False  # the scope narrows nothing
    dialect: str = "sqlite"

    @classmethod
    def of(cls, resolved: ResolvedScope) -> ReportSql:
        statement = resolved.statement()
        scope = statement.cte("scope")
        in_scope = select(scope.c.id)
        if statement.whereclause is None:  # every claim: both ends of every link are in scope
            left, right, ends = ClaimLink.from_claim_id, ClaimLink.to_claim_id, true()
        else:
            first = ClaimLink.from_claim_id.in_(in_scope)
            left = case((first, ClaimLink.from_claim_id), else_=ClaimLink.to_claim_id)
            right = case((first, ClaimLink.to_claim_id), else_=ClaimLink.from_claim_id)
            ends = or_(first, ClaimLink.to_claim_id.in_(in_scope))
        pairs = (
            select(
                ClaimLink.id.label("link_id"),
                left.label("claim_id"),
                right.label("counterclaim_id"),
                ClaimLink.strength,
                ClaimLink.rationale,
            )  # fmt: skip
            .where(ClaimLink.relation == "contradicts", ends)
            .cte("pair_links")
        )
        claims = union(
            select(scope.c.id), select(pairs.c.claim_id), select(pairs.c.counterclaim_id)
        ).cte("report_claims")
        every = statement.whereclause is None
        return cls(scope=scope, pairs=pairs, claims=claims, every_claim=every,
                   dialect=resolved.dialect)  # fmt: skip

    # --- a window: the ids a page shows ------------------------------------------------

    def shown_links(self, window: Window) -> Select:
        """The link ids of the window's pairs, in report order."""
        first = aliased(Claim)
        p = self.pairs
        return (
            select(p.c.link_id)
            .join(first, first.id == p.c.claim_id)
            .order_by(*_timeline(first), p.c.counterclaim_id, p.c.link_id)
            .offset(window.offset)
            .limit(window.size)
        )

    def timeline_ids(self, window: Window) -> Select:
        """The ids of the first claims in scope, in timeline order."""
        return (
            select(Claim.id)
            .where(Claim.id.in_(select(self.scope.c.id)))
            .order_by(*_timeline(Claim))
            .limit(window.timeline)
        )

    def claims_in_order(self, ids: list[int]) -> Select:
        """The claims of `ids` in timeline order: whether each is in scope, its consensus.

        The `claim_consensus` view is joined on the listed ids as well, so that both
        engines seek it by claim (joined on the claim alone it is computed for every
        assessed claim).
        """
        c = claim_consensus.c
        listed = select(self.scope.c.id).where(self.scope.c.id.in_(ids))
        return (
            self._heads(Claim.id.in_(listed))
            .outerjoin(claim_consensus, and_(c.claim_id == Claim.id, c.claim_id.in_(ids)))
            .where(Claim.id.in_(ids))
            .order_by(*_timeline(Claim))
        )

    def _heads(self, in_scope) -> Select:
        """The columns that lead each claim of a report: id, whether `in_scope`, consensus.

        Whether a claim is in scope is never `id IN (the whole scope)` for many claims:
        PostgreSQL hashes such a subquery only while it fits in work_mem, and otherwise
        scans it for every claim (8 s for a page of a million claims' report).
        """
        c = claim_consensus.c
        in_scope = (true() if self.every_claim else in_scope).label("in_scope")
        return select(Claim.id, in_scope, c.credibility_median, c.analysts, c.cannot_judge,
                      c.credibility_spread)  # fmt: skip

    # --- aggregates -------------------------------------------------------------------

    def summary(self) -> Select:
        """One row: claims in scope, contested, pairs, unassessed pairs, disputed claims."""
        scope, pairs = self.scope, self.pairs

        def count(stmt):
            return stmt.with_only_columns(
                func.count(), maintain_column_froms=True
            ).scalar_subquery()

        contested = self._contested().subquery("contested")
        assessed = [
            exists().where(Assessment.claim_id == pairs.c.claim_id),
            exists().where(Assessment.claim_id == pairs.c.counterclaim_id),
        ]
        disputed = self._disputed()
        return select(
            count(select(scope.c.id)).label("claims"),
            select(func.count()).select_from(contested).scalar_subquery().label("contested"),
            count(select(pairs.c.link_id)).label("pairs"),
            count(select(pairs.c.link_id).where(~assessed[0], ~assessed[1])).label("unassessed"),
            select(func.count())
            .select_from(disputed.subquery())
            .scalar_subquery()
            .label("disputed"),
        )

    def _disputed(self) -> Select:
        """Claims in scope whose analysts' latest ratings 1–5 are DISAGREEMENT apart.

        The rule of `claim_consensus.credibility_spread`, with "latest" as an indexed
        lookup per (claim, analyst): the view ranks every assessment first, seconds at
        100,000 claims (issue 15). tests/test_report_scale.py holds them equal.
        """
        later = aliased(Assessment)
        superseded = exists().where(
            later.claim_id == Assessment.claim_id,
            later.analyst_id == Assessment.analyst_id,
            later.id > Assessment.id,
            standing(later),
        )
        stmt = select(Assessment.claim_id).where(
            Assessment.credibility < 6, standing(Assessment), ~superseded
        )
        if not self.every_claim:
            stmt = stmt.where(Assessment.claim_id.in_(select(self.scope.c.id)))
        return stmt.group_by(Assessment.claim_id).having(
            func.max(Assessment.credibility) - func.min(Assessment.credibility) >= DISAGREEMENT
        )

    def _contested(self) -> Select:
        """The distinct claims in scope that are an end of a pair.

        A join, not `id IN (pairs' ends) OR id IN (…)`: PostgreSQL hashes such a subquery
        only while it fits in work_mem, and otherwise scans it for every claim (the summary
        of a million claims' 700,000 pairs ran for minutes).
        """
        p = self.pairs
        ends = union(select(p.c.claim_id.label("id")), select(p.c.counterclaim_id)).subquery()
        stmt = select(ends.c.id)
        if not self.every_claim:  # a pair's claim is in scope; its counterclaim may not be
            stmt = stmt.join(self.scope, self.scope.c.id == ends.c.id)
        return stmt

    def by_actor(self) -> Select:
        """Per claimant in scope: claims in scope, and how many of them are contested.

        Whether a claim is contested: on PostgreSQL a join (see `_contested`); on SQLite
        `IN` the contested claims, which it reads once into an index (joined, it scanned
        them for every claim: three minutes for a scope of 100,000 pairs at a million).
        """
        contested = self._contested().subquery("contested")
        stmt = (
            select(Actor.id, Actor.name, func.count().label("claims"))
            .select_from(self.scope)
            .join(Claim, Claim.id == self.scope.c.id)
            .join(Actor, Actor.id == Claim.claimant_id)
        )
        if self.dialect == "postgresql":
            stmt = stmt.outerjoin(contested, contested.c.id == Claim.id)
            counted = func.count(contested.c.id)
        else:
            counted = func.sum(case((Claim.id.in_(select(contested.c.id)), 1), else_=0))
        stmt = stmt.add_columns(counted.label("contested"))
        return stmt.group_by(Actor.id, Actor.name).order_by(func.count().desc(), Actor.name)

    def matrix(self, top: int | None = None) -> Select:
        """Per unordered pair of actors (lower id first): how many pairs set them apart.

        With `top`, only the cells between the `top` actors in the most pairs (as
        `ActorMatrix.top` chooses them), and a last column `actors`: how many actors the
        whole matrix has (counted from the same cells, so they are grouped once).
        """
        cells = self._cells()
        actor_a, actor_b = aliased(Actor), aliased(Actor)
        stmt = (
            select(
                cells.c.a_id,
                actor_a.name.label("a_name"),
                cells.c.b_id,
                actor_b.name.label("b_name"),
                cells.c.n,
            )  # fmt: skip
            .join(actor_a, actor_a.id == cells.c.a_id)
            .join(actor_b, actor_b.id == cells.c.b_id)
            .order_by(cells.c.a_id, cells.c.b_id)
        )
        if top is None:
            return stmt
        ends = self._ends(cells)
        kept = (
            select(ends.c.actor)
            .group_by(ends.c.actor)
            .order_by(func.sum(ends.c.n).desc(), ends.c.actor)
            .limit(top)
        )
        everyone = select(func.count(func.distinct(ends.c.actor))).scalar_subquery()
        return stmt.add_columns(everyone.label("actors")).where(
            cells.c.a_id.in_(kept), cells.c.b_id.in_(kept)
        )

    def matrix_actors(self) -> Select:
        """How many actors the whole matrix has."""
        ends = self._ends(self._cells())
        return select(func.count(func.distinct(ends.c.actor)))

    @staticmethod
    def _ends(cells):
        """Each actor of each cell, with the cell's pairs (once for a cell with itself)."""
        return union_all(
            select(cells.c.a_id.label("actor"), cells.c.n),
            select(cells.c.b_id, cells.c.n).where(cells.c.b_id != cells.c.a_id),
        ).subquery("ends")

    def _cells(self):
        a, b = aliased(Claim), aliased(Claim)
        first = a.claimant_id <= b.claimant_id
        low = case((first, a.claimant_id), else_=b.claimant_id)
        high = case((first, b.claimant_id), else_=a.claimant_id)
        cells = (
            select(low.label("a_id"), high.label("b_id"), func.count().label("n"))
            .select_from(self.pairs)
            .join(a, a.id == self.pairs.c.claim_id)
            .join(b, b.id == self.pairs.c.counterclaim_id)
            .group_by(low, high)
            .cte("cells")
        )
        return cells

    # --- streams in timeline order ----------------------------------------------------

    def claim_order(self) -> Select:
        """Every claim of the report in timeline order: id, whether in scope, consensus.

        Narrow rows, so that a stream of a large report sorts little; the wide columns
        come batch by batch (`claim_rows(ids)` and the other `*_rows(ids)`).
        """
        c = claim_consensus.c
        stmt = (
            self._heads(self.scope.c.id.is_not(None))
            .select_from(self.claims)
            .join(Claim, Claim.id == self.claims.c.id)
        )
        if not self.every_claim:
            stmt = stmt.outerjoin(self.scope, self.scope.c.id == Claim.id)
        return stmt.outerjoin(claim_consensus, c.claim_id == Claim.id).order_by(*_timeline(Claim))

    def claim_rows(self, ids: list[int] | None = None) -> Select:
        """The claims of the report (or those of `ids`): text, claimant, date, status."""
        stmt = select(
            Claim.id, Claim.text, Claim.is_verbatim, Claim.claimant_id,
            Actor.name.label("claimant"), Claim.stated_on, Claim.status,
        ).join(Actor, Actor.id == Claim.claimant_id)  # fmt: skip
        return self._of_claims(stmt.select_from(Claim), ids).order_by(*_timeline(Claim))

    def _of_claims(self, stmt: Select, ids: list[int] | None) -> Select:
        """Narrow `stmt` (which has `Claim` in its FROM) to the report's claims or `ids`."""
        if ids is not None:
            return stmt.where(Claim.id.in_(ids))
        return stmt.where(Claim.id.in_(select(self.claims.c.id)))

    def appearance_rows(self, ids: list[int] | None = None) -> Select:
        """The sources carrying each claim of the report, with excerpt and stance."""
        return self._of_claims(
            select(
                ClaimSource.claim_id,
                Source.id.label("source_id"),
                Source.title,
                Source.reliability,
                ClaimSource.stance,
                ClaimSource.excerpt,
                ClaimSource.locator,
            )  # fmt: skip
            .select_from(Claim)
            .join(ClaimSource, ClaimSource.claim_id == Claim.id)
            .join(Source, Source.id == ClaimSource.source_id)
            .order_by(*_timeline(Claim), ClaimSource.id),
            ids,
        )

    def assessment_rows(self, ids: list[int] | None = None) -> Select:
        """Each analyst's latest assessment of each claim of the report."""
        recency = func.row_number().over(
            partition_by=(Assessment.claim_id, Assessment.analyst_id),
            order_by=Assessment.id.desc(),
        )
        ranked = (
            select(
                Assessment.id,
                Assessment.claim_id,
                Assessment.analyst_id,
                Assessment.credibility,
                Assessment.confidence,
                Assessment.rationale,
                Assessment.created_at,
                recency.label("recency"),
            )  # fmt: skip
            .where(
                Assessment.claim_id.in_(select(self.claims.c.id) if ids is None else ids),
                standing(Assessment),
            )
            .subquery("ranked")
        )
        return (
            select(
                ranked.c.claim_id,
                User.display_name,
                User.username,
                ranked.c.credibility,
                ranked.c.confidence,
                ranked.c.rationale,
                ranked.c.created_at,
            )  # fmt: skip
            .join(Claim, Claim.id == ranked.c.claim_id)
            .join(User, User.id == ranked.c.analyst_id)
            .where(ranked.c.recency == 1)
            .order_by(*_timeline(Claim), ranked.c.id)
        )

    def note_rows(self, ids: list[int] | None = None) -> Select:
        """The analysts' notes on each claim of the report."""
        return self._of_claims(
            select(
                Annotation.claim_id,
                User.display_name,
                User.username,
                Annotation.body,
                Annotation.created_at,
            )  # fmt: skip
            .select_from(Claim)
            .join(Annotation, Annotation.claim_id == Claim.id)
            .join(User, User.id == Annotation.author_id)
            .order_by(*_timeline(Claim), Annotation.id),
            ids,
        )

    def review_rows(self, ids: list[int] | None = None) -> Select:
        """The fact-checkers' reviews of each claim of the report."""
        return self._of_claims(
            select(
                Review.claim_id,
                Actor.name,
                Review.verdict,
                Review.credibility,
                Review.url,
                Review.review_date,
            )  # fmt: skip
            .select_from(Claim)
            .join(Review, Review.claim_id == Claim.id)
            .join(Actor, Actor.id == Review.reviewer_id)
            .order_by(*_timeline(Claim), Review.id),
            ids,
        )

    def related_rows(self, ids: list[int] | None = None) -> Select:
        """Links other than contradictions from or to each claim of the report."""
        mine = select(self.claims.c.id) if ids is None else ids

        def side(here, there, outgoing: str):
            return select(
                here.label("claim_id"), ClaimLink.id.label("link_id"), ClaimLink.relation,
                literal_column(outgoing).label("outgoing"), there.label("other_id"),
                ClaimLink.strength, ClaimLink.rationale,
            ).where(ClaimLink.relation != "contradicts", here.in_(mine))  # fmt: skip

        both = union_all(
            side(ClaimLink.from_claim_id, ClaimLink.to_claim_id, "1"),
            side(ClaimLink.to_claim_id, ClaimLink.from_claim_id, "0"),
        ).subquery("related")
        other, other_actor = aliased(Claim), aliased(Actor)
        return (
            select(
                both.c.claim_id,
                both.c.link_id,
                both.c.relation,
                both.c.outgoing,
                both.c.other_id,
                other.text.label("other_text"),
                other_actor.name.label("other_claimant"),
                both.c.strength,
                both.c.rationale,
            )  # fmt: skip
            .join(Claim, Claim.id == both.c.claim_id)
            .join(other, other.id == both.c.other_id)
            .join(other_actor, other_actor.id == other.claimant_id)
            .order_by(*_timeline(Claim), both.c.link_id)
        )

    def pair_rows(self, link_ids: list[int] | None = None) -> Select:
        """One row per pair: both sides' essentials and their sources in one line each.

        With `link_ids`, only those pairs, and no credibility (the caller has the claims).
        """
        a, b = aliased(Claim), aliased(Claim)
        actor_a, actor_b = aliased(Actor), aliased(Actor)
        cons_a, cons_b = claim_consensus.alias("consensus_a"), claim_consensus.alias("consensus_b")

        def side(claim, actor, consensus, prefix):
            return [
                claim.id.label(f"{prefix}_id"), claim.text.label(f"{prefix}_text"),
                claim.claimant_id.label(f"{prefix}_claimant_id"),
                actor.name.label(f"{prefix}_claimant"),
                claim.stated_on.label(f"{prefix}_stated_on"),
                claim.status.label(f"{prefix}_status"),
                (null() if consensus is None else consensus.c.credibility_median).label(
                    f"{prefix}_credibility"
                ),
                _sources_line(claim).label(f"{prefix}_sources"),
            ]  # fmt: skip

        p = self.pairs
        listed = link_ids is not None
        stmt = (
            select(
                p.c.link_id,
                p.c.strength,
                p.c.rationale,
                *side(a, actor_a, None if listed else cons_a, "claim"),
                *side(b, actor_b, None if listed else cons_b, "counterclaim"),
            )  # fmt: skip
            .select_from(p)
            .join(a, a.id == p.c.claim_id)
            .join(b, b.id == p.c.counterclaim_id)
            .join(actor_a, actor_a.id == a.claimant_id)
            .join(actor_b, actor_b.id == b.claimant_id)
        )
        if listed:
            return stmt.where(p.c.link_id.in_(link_ids))
        return (
            stmt.outerjoin(cons_a, cons_a.c.claim_id == a.id)
            .outerjoin(cons_b, cons_b.c.claim_id == b.id)
            .order_by(*_timeline(a), b.id, p.c.link_id)
        )


def _timeline(claim) -> list:
    return [claim.stated_on.asc().nulls_last(), claim.id]


def _sources_line(claim):
    """Return `D: title (stance); …` for a claim's sources, as a correlated subquery."""
    label = Source.reliability + ": " + Source.title + " (" + ClaimSource.stance + ")"
    return (
        select(func.aggregate_strings(label, "; "))
        .select_from(ClaimSource)
        .join(Source, Source.id == ClaimSource.source_id)
        .where(ClaimSource.claim_id == claim.id)
        .scalar_subquery()
    )
