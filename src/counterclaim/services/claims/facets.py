"""Facets of the claims list: how the listed claims split by claimant, tag, status,
source reliability, consensus credibility and year, each value a filter that narrows it.

All facets come from one statement over the claims the filters match. Past SAMPLE
matches the counts cover the SAMPLE most recently added of them, and say so: counting a
million claims six ways on every page load would cost a minute (48 s measured), 10,000
of them about half a second, 2,000 about a tenth (tests/benchmarks/bench_search.py).
"""

from dataclasses import dataclass, field

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    any_,
    cast,
    extract,
    func,
    literal_column,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from counterclaim.models import Actor, Assessment, Claim, ClaimSource, ClaimTag, Source, Tag
from counterclaim.models.vocabulary import CLAIM_STATUS, CREDIBILITY, RELIABILITY

from .claims import ClaimFilters, narrow
from .consensus import consensus_medians, credibility_band

SAMPLE = 2_000
TOP = 8  # claimants and tags shown, the most frequent first


@dataclass
class FacetValue:
    """One value of a facet: what goes in the URL, what is shown, how many claims."""

    value: str
    label: str
    count: int


@dataclass
class Facet:
    """One way of splitting the list; `name` is the filter's query-string parameter."""

    name: str
    label: str
    values: list[FacetValue] = field(default_factory=list)


@dataclass
class Facets:
    """Every facet, and how many claims were counted out of how many match."""

    facets: list[Facet]
    counted: int
    sampled: bool

    def __iter__(self):
        return iter(self.facets)


def claim_facets(session: Session, filters: ClaimFilters, *, sample: int | None = None) -> Facets:
    """Count the claims matching `filters` by each facet, in one statement."""
    sample = sample or SAMPLE
    # Ids only, so that an index on a filtered column covers the search; the columns the
    # facets count come after, for the sampled claims alone.
    matching = (
        narrow(session, select(Claim.id), filters)
        .order_by(Claim.id.desc())
        .limit(sample + 1)
        .cte("matching")
    )
    newest = select(matching.c.id).order_by(matching.c.id.desc()).limit(sample).subquery()
    counted = (
        select(Claim.id, Claim.claimant_id, Claim.status, Claim.stated_on)
        .join(newest, newest.c.id == Claim.id)
        .cte("counted")
    )
    in_counted = _membership(session, counted)

    def facet(name, value, label, source, *joins, where=None, top=None):
        n = func.count().label("n")
        stmt = select(
            literal_column(f"'{name}'").label("facet"),  # names are the fixed ones below
            cast(value, String).label("value"),
            cast(label, String).label("label"),
            n,
        ).select_from(source)
        for target, on in joins:
            stmt = stmt.join(target, on)
        if where is not None:
            stmt = stmt.where(where)
        stmt = stmt.group_by(value, label)
        if top:
            stmt = stmt.order_by(n.desc(), label).limit(top)
        return select(stmt.subquery())

    best = (
        select(ClaimSource.claim_id, func.min(Source.reliability).label("letter"))
        .join(Source, Source.id == ClaimSource.source_id)
        .where(in_counted(ClaimSource.claim_id))
        .group_by(ClaimSource.claim_id)
        .subquery()
    )
    medians = consensus_medians(in_counted(Assessment.claim_id))
    band = credibility_band(medians.c.median)
    year = extract("year", counted.c.stated_on)
    total = select(
        literal_column("'total'"), cast(null(), String), cast(null(), String),
        select(func.count()).select_from(matching).scalar_subquery(),
    )  # fmt: skip
    statement = union_all(
        total,
        facet("claimant", Actor.id, Actor.name, counted, (Actor, Actor.id == counted.c.claimant_id),
              top=TOP),
        facet("tag", Tag.id, Tag.name, ClaimTag, (Tag, Tag.id == ClaimTag.tag_id),
              where=in_counted(ClaimTag.claim_id), top=TOP),
        facet("status", counted.c.status, counted.c.status, counted),
        facet("reliability", best.c.letter, best.c.letter, best),
        facet("credibility", band, band, medians),
        facet("year", year, year, counted),
    )  # fmt: skip
    rows = session.execute(statement).all()
    matched = next(r[3] for r in rows if r[0] == "total")
    counts: dict[str, list[tuple[str | None, str | None, int]]] = {}
    for name, value, label, n in rows:
        counts.setdefault(name, []).append((value, label, n))
    n_counted = min(matched, sample)
    return Facets(
        facets=[
            Facet("claimant", "Claimant", _named(counts.get("claimant", []))),
            Facet("tag", "Tag", _named(counts.get("tag", []))),
            Facet("status", "Status", _statuses(counts.get("status", []))),
            Facet("reliability", "Carried by a source rated", _reliability(counts)),
            Facet("credibility", "Consensus credibility", _credibility(counts, n_counted)),
            Facet("year", "Stated in", _years(counts.get("year", []))),
        ],
        counted=n_counted,
        sampled=matched > sample,
    )


def _membership(session: Session, counted):
    """Return `column IN counted` in the form each engine runs as index lookups.

    Given `IN (SELECT ...)`, PostgreSQL's planner hashes the whole child table (two
    million claim_tags rows, 1 s) to meet ten thousand ids; `= ANY(array)` makes it look
    each one up in the index instead (tens of ms). SQLite looks them up either way.
    """
    if session.get_bind().dialect.name == "postgresql":
        ids = cast(select(func.array_agg(counted.c.id)).scalar_subquery(), ARRAY(Integer))
        return lambda column: column == any_(ids)
    ids = select(counted.c.id)
    return lambda column: column.in_(ids)


def _named(rows) -> list[FacetValue]:
    return [FacetValue(value, label, n) for value, label, n in rows]


def _statuses(rows) -> list[FacetValue]:
    found = {value: n for value, _label, n in rows}
    return [FacetValue(s, s.replace("_", " "), found[s]) for s in CLAIM_STATUS if s in found]


def _reliability(counts) -> list[FacetValue]:
    """Count "X or better", as the list's reliability filter reads: a running total."""
    found = {value: n for value, _label, n in counts.get("reliability", [])}
    values, running = [], 0
    for letter in RELIABILITY:
        running += found.get(letter, 0)
        if letter in found:
            values.append(FacetValue(letter, f"{letter} or better", running))
    return values


def _credibility(counts, n_counted: int) -> list[FacetValue]:
    found = {int(value): n for value, _label, n in counts.get("credibility", [])}
    values = [
        FacetValue(str(code), f"{code} {meaning.lower()}", found[code])
        for code, meaning in CREDIBILITY.items()
        if code in found
    ]
    unassessed = n_counted - sum(found.values())
    if unassessed:
        values.append(FacetValue("none", "not assessed", unassessed))
    return values


def _years(rows) -> list[FacetValue]:
    known = sorted(
        ((int(float(value)), n) for value, _label, n in rows if value is not None), reverse=True
    )
    values = [FacetValue(str(y), str(y), n) for y, n in known]
    undated = sum(n for value, _label, n in rows if value is None)
    if undated:
        values.append(FacetValue("none", "undated", undated))
    return values
