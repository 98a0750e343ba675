"""Claims: create, edit, delete, list with filters, and the dossier of one claim.

Over 400 lines, knowingly: create, edit and delete (CLAIM_FIELDS), the filtered list with
the counts it shows, and the dossier of one claim. The list (list_claims, narrow,
beside) is the part to move out if the file grows.
"""

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased, joinedload, selectinload

from counterclaim.models import (
    Actor,
    Annotation,
    Assessment,
    Claim,
    ClaimLink,
    ClaimSource,
    ClaimTag,
    Source,
    Tag,
    claim_consensus,
)
from counterclaim.models.base import utcnow
from counterclaim.models.vocabulary import RELIABILITY

from ..catalogue.tags import tagged_with
from ..errors import NotAllowed
from ..pagination import Page, Sort, paginate
from ..rigour.track_records import claimants_with_false_claims
from ..search.search import claims_matching
from ..search.search_query import every_word_a_prefix, parse
from .consensus import claims_with_band, standing
from .editing import Merged, apply_changes, merge_edit

CLAIM_FIELDS = ("text", "is_verbatim", "claimant_id", "stated_on", "status")

SORTS = {
    s.key: s
    for s in (
        Sort("stated-desc", "Stated, newest first", Claim.stated_on, descending=True),
        Sort("stated-asc", "Stated, oldest first", Claim.stated_on),
        Sort("updated-desc", "Recently changed", Claim.updated_at, descending=True),
        Sort("added-desc", "Recently added", Claim.id, descending=True),
    )
}
DEFAULT_SORT = "stated-desc"


@dataclass
class ClaimFilters:
    """What the claims list is narrowed to; None means no narrowing."""

    text: str | None = None
    claimant_id: int | None = None
    claimant_name: str | None = None
    tag_id: int | None = None
    status: str | None = None
    stated_from: date | None = None
    stated_to: date | None = None
    source_id: int | None = None
    min_reliability: str | None = None
    disagreement: bool | None = None
    year: str | None = None  # "2016", or "none" for undated claims
    credibility: str | None = None  # consensus band "1"-"5", "6" cannot judge, "none"
    claimant_false_min: int | None = None  # claimants with at least N false (settled) claims

    def is_empty(self) -> bool:
        return all(value in (None, "") for value in vars(self).values())


def create_claim(session: Session, *, tags: list[Tag] = (), **values) -> Claim:
    """Add a claim with its tags."""
    claim = Claim(**{name: values[name] for name in CLAIM_FIELDS if name in values})
    claim.tags = list(tags)
    session.add(claim)
    session.flush()
    return claim


def update_claim(
    session: Session,
    claim: Claim,
    loaded_version: int,
    *,
    tags=None,
    base: dict | None = None,
    keep=(),
    **values,
) -> Merged:
    """Save an edit of a claim made at `loaded_version`, merged with any save since.

    `base` holds the values the editor started from (`tag_ids` for the tags); a field
    both changed differently raises EditConflict (services/claims/editing.py).
    """
    mine = {name: values[name] for name in CLAIM_FIELDS if name in values}
    stored = {name: getattr(claim, name) for name in mine}
    if tags is not None:
        mine["tag_ids"] = sorted(t.id for t in tags)
        stored["tag_ids"] = sorted(t.id for t in claim.tags)
    changes, merged = merge_edit(
        session, claim, loaded_version, mine, stored=stored, base=base, keep=keep, entity="claim"
    )
    tag_ids = changes.pop("tag_ids", None)
    changed = apply_changes(claim, changes)
    if tag_ids is not None:
        chosen = (session.get(Tag, tag_id) for tag_id in tag_ids)
        claim.tags = [tag for tag in chosen if tag is not None]  # a tag deleted meanwhile
        if not changed:
            claim.updated_at = utcnow()  # a tag change is an edit: raise the version too
    session.flush()
    return merged


def claim_values(claim: Claim) -> dict:
    """Return the claim's editable values, the form's base."""
    return {**{name: getattr(claim, name) for name in CLAIM_FIELDS}, "tag_ids": _tag_ids(claim)}


def _tag_ids(claim: Claim) -> list[int]:
    return sorted(tag.id for tag in claim.tags)


def delete_claim(session: Session, claim: Claim) -> None:
    """Delete a claim entered by mistake; a claim others' judgments hang on is refused."""
    reasons = _judgments_on(session, claim.id)
    if reasons:
        raise NotAllowed(
            f"This claim has {', '.join(reasons)}: retract it instead of deleting it, "
            "so that nothing an analyst judged is lost."
        )
    session.delete(claim)
    session.flush()


def _judgments_on(session: Session, claim_id: int) -> list[str]:
    counts = {
        "links": select(func.count()).where(
            or_(ClaimLink.from_claim_id == claim_id, ClaimLink.to_claim_id == claim_id)
        ),
        "assessments": select(func.count()).where(Assessment.claim_id == claim_id),
        "notes": select(func.count()).where(Annotation.claim_id == claim_id),
    }
    found = []
    for name, stmt in counts.items():
        n = session.scalar(stmt)
        if n:
            found.append(f"{n} {name if n > 1 else name.rstrip('s')}")
    return found


def list_claims(
    session: Session,
    filters: ClaimFilters,
    *,
    sort: str = DEFAULT_SORT,
    after: str | None = None,
    size: int = 50,
    before: str | None = None,
) -> Page:
    """Return one page of claims matching `filters`, with claimants and tags loaded."""
    stmt = select(Claim).options(joinedload(Claim.claimant), selectinload(Claim.tags))
    stmt = narrow(session, stmt, filters)
    return paginate(session, stmt, SORTS[sort], Claim.id, after=after, size=size, before=before)


def narrow(session: Session, stmt, f: ClaimFilters):
    """Add the conditions of `f` to a statement selecting from claims."""
    terms = every_word_a_prefix(parse(f.text or ""))
    if terms:
        stmt = stmt.where(claims_matching(session, terms))
    if f.claimant_id is not None:
        stmt = stmt.where(Claim.claimant_id == f.claimant_id)
    if f.claimant_name:
        named = select(Actor.id).where(Actor.name.icontains(f.claimant_name, autoescape=True))
        stmt = stmt.where(Claim.claimant_id.in_(named))
    if f.status:
        stmt = stmt.where(Claim.status == f.status)
    if f.stated_from:
        stmt = stmt.where(Claim.stated_on >= f.stated_from)
    if f.stated_to:
        stmt = stmt.where(Claim.stated_on <= f.stated_to)
    if f.tag_id is not None:
        stmt = stmt.where(_tagged(session, f.tag_id))
    if f.disagreement:
        stmt = stmt.where(_analysts_disagree())
    if f.source_id is not None:
        # The source's few claims, found through claim_sources' index on source_id: an
        # EXISTS per claim walked every claim in the sort order to find them.
        carried = select(ClaimSource.claim_id).where(ClaimSource.source_id == f.source_id)
        if f.min_reliability:
            letters = [r for r in RELIABILITY if r <= f.min_reliability]
            carried = carried.join(Source, Source.id == ClaimSource.source_id).where(
                Source.reliability.in_(letters)
            )
        stmt = stmt.where(Claim.id.in_(carried))
    elif f.min_reliability:
        letters = [r for r in RELIABILITY if r <= f.min_reliability]
        stmt = stmt.where(
            exists().where(
                ClaimSource.claim_id == Claim.id,
                ClaimSource.source_id == Source.id,
                Source.reliability.in_(letters),
            )
        )
    if f.year == "none":
        stmt = stmt.where(Claim.stated_on.is_(None))
    elif f.year:
        year = int(f.year)
        stmt = stmt.where(Claim.stated_on.between(date(year, 1, 1), date(year, 12, 31)))
    if f.credibility:
        stmt = stmt.where(claims_with_band(f.credibility))
    if f.claimant_false_min:
        stmt = stmt.where(Claim.claimant_id.in_(claimants_with_false_claims(f.claimant_false_min)))
    return stmt


# Up to this many claims, a tag's page starts from the tag's claims (sorting them);
# above it, from the sort order (checking each claim's tags until the page is full).
TAG_DRIVES_BELOW = 20_000


def _tagged(session: Session, tag_id: int):
    """Return the condition "carries tag `tag_id`" in the form that finds a page fastest.

    A rare tag is found by walking the date index only after reading most of it (a tag on
    1 claim in 250 read ~12,500 claims per page at a million claims), a common one fastest
    that way; the planners cannot tell which without statistics, so count first (an index
    range, below a millisecond for a typical tag).
    """
    limited = select(ClaimTag.id).where(ClaimTag.tag_id == tag_id).limit(TAG_DRIVES_BELOW)
    carried = session.scalar(select(func.count()).select_from(limited.subquery()))
    if carried >= TAG_DRIVES_BELOW:
        return exists().where(ClaimTag.claim_id == Claim.id, ClaimTag.tag_id == tag_id)
    return tagged_with(tag_id, session.get_bind().dialect.name)


@dataclass
class Beside:
    """What the claims list shows beside each of its claims, by claim id."""

    contradictions: dict[int, int] = field(default_factory=dict)
    best_reliability: dict[int, str] = field(default_factory=dict)  # A first
    consensus: dict[int, dict] = field(default_factory=dict)  # claim_consensus rows
    disputed: set[int] = field(default_factory=set)  # analysts 2 or more apart


def beside(session: Session, claim_ids: list[int]) -> Beside:
    """Return how many claims contradict each of `claim_ids`, its best source's reliability
    and its consensus, in two statements.

    The counts come from correlated subqueries through the links' and appearances'
    indexes; the consensus from the `claim_consensus` view, which answers a filter on
    claim_id through the assessments' index (migration 0013). Each statement saved counts:
    a statement costs the page more than its SQL, and PostgreSQL a round trip besides.
    """
    found = Beside()
    if not claim_ids:
        return found

    def contradicted(end):
        return (
            select(func.count())
            .where(ClaimLink.relation == "contradicts", end == Claim.id)
            .scalar_subquery()
        )

    best = (
        select(func.min(Source.reliability))
        .join(ClaimSource, ClaimSource.source_id == Source.id)
        .where(ClaimSource.claim_id == Claim.id)
        .scalar_subquery()
    )
    counted = select(
        Claim.id, contradicted(ClaimLink.from_claim_id) + contradicted(ClaimLink.to_claim_id), best
    ).where(Claim.id.in_(claim_ids))
    for claim_id, contradictions, letter in session.execute(counted):
        if contradictions:
            found.contradictions[claim_id] = contradictions
        if letter is not None:
            found.best_reliability[claim_id] = letter
    view = claim_consensus
    for row in session.execute(select(view).where(view.c.claim_id.in_(claim_ids))).mappings():
        found.consensus[row["claim_id"]] = dict(row)
        if row["credibility_spread"] >= 2:
            found.disputed.add(row["claim_id"])
    return found


def _analysts_disagree():
    """A condition on claims: two analysts' latest ratings (1-5) lie 2 or more apart.

    A correlated EXISTS over the claim's own assessments (index on claim, analyst, id), so
    walking the list in keyset order never ranks the whole table as the view would.
    """
    low, high, newer = aliased(Assessment), aliased(Assessment), aliased(Assessment)

    def is_latest(rating):
        return ~exists().where(
            newer.claim_id == rating.claim_id,
            newer.analyst_id == rating.analyst_id,
            newer.id > rating.id,
            standing(newer),
        )

    return exists().where(
        low.claim_id == Claim.id,
        high.claim_id == Claim.id,
        low.credibility < 6,
        high.credibility < 6,
        high.credibility - low.credibility >= 2,
        standing(low),
        standing(high),
        is_latest(low),
        is_latest(high),
    )


@dataclass
class Related:
    """A claim linked to the dossier's claim, with the link between them."""

    link: ClaimLink
    claim: Claim


@dataclass
class ClaimDossier:
    """Everything the claim page shows, loaded in a fixed number of queries."""

    claim: Claim
    related: dict[str, list[Related]] = field(default_factory=dict)
    current_assessments: list[Assessment] = field(default_factory=list)
    earlier_assessments: list[Assessment] = field(default_factory=list)
    notes: list[Annotation] = field(default_factory=list)
    consensus: dict | None = None
    # The consensus of each related claim, by id (absent when not assessed).
    consensus_of: dict[int, dict] = field(default_factory=dict)

    @property
    def counterclaims(self) -> list[Related]:
        return self.related.get("contradicts", [])


# How each link reads from the dossier claim's side: (relation, claim is `from`) → section.
SECTIONS = {
    ("contradicts", True): "contradicts",
    ("contradicts", False): "contradicts",
    ("duplicates", True): "duplicates",
    ("duplicates", False): "duplicates",
    ("supports", False): "supported_by",
    ("supports", True): "supports",
    ("qualifies", False): "qualified_by",
    ("qualifies", True): "qualifies",
    ("responds_to", False): "responses",
    ("responds_to", True): "responds_to",
}


def claim_dossier(session: Session, claim_id: int) -> ClaimDossier | None:
    """Load a claim with its sources, related claims, assessments, notes and consensus.

    The claim and the claims it is linked to are read by one statement (with one more for
    their tags and one for their appearances, whose sources and publishers come joined):
    each statement costs the page more in the ORM than in the database.
    """
    links = list(
        session.scalars(
            select(ClaimLink)
            .where(or_(ClaimLink.from_claim_id == claim_id, ClaimLink.to_claim_id == claim_id))
            .order_by(ClaimLink.id)
        )
    )
    others = [_other_end(link, claim_id) for link in links]
    loaded = {
        claim.id: claim
        for claim in session.scalars(
            select(Claim)
            .where(Claim.id.in_([claim_id, *others]))
            .options(
                joinedload(Claim.claimant),
                selectinload(Claim.tags),
                selectinload(Claim.appearances)
                .joinedload(ClaimSource.source)
                .joinedload(Source.publisher),
            )
        )
    }
    claim = loaded.get(claim_id)
    if claim is None:
        return None
    dossier = ClaimDossier(claim=claim)
    for link, other in zip(links, others, strict=True):
        section = SECTIONS[(link.relation, link.from_claim_id == claim_id)]
        dossier.related.setdefault(section, []).append(Related(link=link, claim=loaded[other]))
    assessments = session.scalars(
        select(Assessment)
        .where(Assessment.claim_id == claim_id)
        .options(joinedload(Assessment.analyst))
        .order_by(Assessment.id.desc())
    )
    seen: set[int] = set()
    for assessment in assessments:  # newest first: each analyst's first standing one is current
        if assessment.withdrawn_at is None and assessment.analyst_id not in seen:
            dossier.current_assessments.append(assessment)
            seen.add(assessment.analyst_id)
        else:
            dossier.earlier_assessments.append(assessment)
    dossier.notes = list(
        session.scalars(
            select(Annotation)
            .where(Annotation.claim_id == claim_id)
            .options(joinedload(Annotation.author))
            .order_by(Annotation.id)
        )
    )
    standing_earlier = [a for a in dossier.earlier_assessments if a.withdrawn_at is None]
    dossier.consensus = consensus(claim_id, dossier.current_assessments, len(standing_earlier))
    dossier.consensus_of = related_consensus(
        session, [r.claim.id for rows in dossier.related.values() for r in rows]
    )
    return dossier


def related_consensus(session: Session, claim_ids: list[int]) -> dict[int, dict]:
    """Return the consensus of each of `claim_ids`, in one statement (its ratings only)."""
    if not claim_ids:
        return {}
    rows = session.execute(
        select(Assessment.claim_id, Assessment.analyst_id, Assessment.credibility)
        .where(Assessment.claim_id.in_(set(claim_ids)), standing(Assessment))
        .order_by(Assessment.id.desc())
    )
    latest: dict[int, dict[int, SimpleNamespace]] = {}
    total: dict[int, int] = {}
    for claim_id, analyst_id, credibility in rows:
        total[claim_id] = total.get(claim_id, 0) + 1
        latest.setdefault(claim_id, {}).setdefault(
            analyst_id, SimpleNamespace(credibility=credibility)
        )
    return {
        claim_id: consensus(claim_id, list(by.values()), total[claim_id] - len(by))
        for claim_id, by in latest.items()
    }


def _other_end(link: ClaimLink, claim_id: int) -> int:
    return link.to_claim_id if link.from_claim_id == claim_id else link.from_claim_id


def consensus(claim_id: int, current: list[Assessment], earlier: int) -> dict | None:
    """Combine each analyst's latest assessment exactly as the `claim_consensus` view does.

    Computed from the rows the dossier already holds: the view's window functions run over
    every assessment before a WHERE can narrow them (SQLite cannot push the claim's id
    into them), which cost seconds per claim page at a million claims.
    """
    if not current:
        return None
    rated = sorted(a.credibility for a in current if a.credibility < 6)
    median = None
    if rated:
        middle = len(rated) // 2
        median = float(rated[middle] if len(rated) % 2 else (rated[middle - 1] + rated[middle]) / 2)
    return {
        "claim_id": claim_id,
        "assessments": len(current) + earlier,
        "analysts": len(current),
        "cannot_judge": len(current) - len(rated),
        "credibility_median": median,
        "credibility_min": rated[0] if rated else None,
        "credibility_max": rated[-1] if rated else None,
        "credibility_spread": rated[-1] - rated[0] if rated else 0,
        "disagreement": bool(rated) and rated[-1] - rated[0] >= 2,
    }
