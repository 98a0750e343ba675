"""Full-text search over claims, source titles, excerpts, actor names and notes.

SQLite searches its FTS5 tables and ranks by bm25; PostgreSQL searches the generated
`search_vector` columns through their GIN indexes and ranks by ts_rank (migration 0004
builds both). For a query of several words, the rows holding them as one exact phrase
come first. Only the WINDOW most recently added matches of a kind are ranked, so that a
query matching half the database costs what one matching ten thousand rows costs; the
count then reads "more than WINDOW" and the page says so.

Each hit carries a snippet of its text with the matched words marked (snippets.py).
"""

from dataclasses import dataclass, field

from sqlalchemy import func, literal, literal_column, select, table, text
from sqlalchemy.orm import Session, joinedload

from counterclaim.models import Actor, Annotation, Claim, ClaimSource, Source
from counterclaim.models.search import INDEXED, PG_COLUMN, PG_CONFIG, Indexed

from .search_query import Term, exact_phrase, fts5_match, parse, tsquery, words_of
from .snippets import snippet

WINDOW = 10_000
TYPING_WINDOW = 1_000  # the picker and the suggestions answer each keystroke: rank fewer
DRIVE_LIMIT = 2_000

_LOADERS = {
    "claims": (joinedload(Claim.claimant),),
    "sources": (joinedload(Source.publisher),),
    "excerpts": (
        joinedload(ClaimSource.claim).joinedload(Claim.claimant),
        joinedload(ClaimSource.source),
    ),
    "actors": (),
    "notes": (
        joinedload(Annotation.author),
        joinedload(Annotation.claim),
        joinedload(Annotation.source),
    ),
}


@dataclass
class Hit:
    """One matching row, with the snippet of its text around the matched words."""

    item: Claim | Source | ClaimSource | Actor | Annotation
    snippet: list[tuple[str, bool]]
    exact: bool = False


@dataclass
class Group:
    """One kind's page of results; `total` stops counting past WINDOW."""

    indexed: Indexed
    hits: list[Hit]
    total: int
    page: int = 1
    per_page: int = 20
    window: int = WINDOW

    @property
    def kind(self) -> str:
        return self.indexed.kind

    @property
    def more_than_window(self) -> bool:
        return self.total > self.window

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < min(self.total, self.window)


@dataclass
class Results:
    """What a search found, grouped by kind in the order of INDEXED."""

    query: str
    terms: list[Term]
    groups: list[Group] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return any(g.total for g in self.groups)


def search(
    session: Session,
    query: str,
    *,
    kinds: list[str] | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Results:
    """Find `query` in each kind of text (all kinds unless `kinds`), best matches first."""
    terms = parse(query)
    results = Results(query=query, terms=terms)
    if not terms:
        return results
    for kind in kinds or list(INDEXED):
        indexed = INDEXED[kind]
        hits, total = _ranked(session, indexed, terms, page=page, per_page=per_page)
        results.groups.append(
            Group(indexed, hits, total, page=page, per_page=per_page, window=WINDOW)
        )
    return results


def find_claims(
    session: Session, query: str, *, exclude_id: int | None = None, limit: int = 10
) -> list[Hit]:
    """Return the claims best matching `query` as it is being typed (the last word a prefix)."""
    terms = parse(query, typing=True)
    if not terms:
        return []
    hits, _total = _ranked(
        session, INDEXED["claims"], terms, page=1, per_page=limit, exclude_id=exclude_id,
        window=TYPING_WINDOW, rank_exact=False,
    )  # fmt: skip
    return hits


def similar_claims(
    session: Session, text_: str, *, exclude_id: int | None = None, limit: int = 5
) -> list[Hit]:
    """Return claims sharing the rarest words of `text_`: possible duplicates or counters."""
    words = words_of(text_)
    if words and text_[-1:].isalnum():
        words = words[:-1]  # the word still being typed
    distinct = list(dict.fromkeys(w for w in words if len(w) > 2))[:24]
    rare = _rarest(session, distinct, keep=5)
    if not rare:
        return []
    terms = [Term((word,)) for word in rare]
    hits, _total = _ranked(
        session, INDEXED["claims"], terms, page=1, per_page=limit, exclude_id=exclude_id,
        any_term=True, window=TYPING_WINDOW,
    )  # fmt: skip
    return hits


def claims_matching(session: Session, terms: list[Term]):
    """Return a condition on Claim true for the claims holding every term (list filters)."""
    if _dialect(session) == "postgresql":
        return _vector_matches("claims", terms)
    found = _fts_rowids("search_claims", terms)
    # SQLite reads `claims.id IN (matches)` from the matches' side: right for a few, slow
    # for 100,000 (each looked up, then all sorted). Past DRIVE_LIMIT matches, `id + 0`
    # makes it walk the list's own index instead and test each row against the matches.
    bounded = found.limit(DRIVE_LIMIT + 1).subquery()
    if session.scalar(select(func.count()).select_from(bounded)) > DRIVE_LIMIT:
        return (Claim.id + 0).in_(found)
    return Claim.id.in_(found)


def _vector_matches(table_name: str, terms: list[Term]):
    config = literal_column(f"'{PG_CONFIG}'::regconfig")
    query = func.to_tsquery(config, literal(tsquery(terms)))
    return literal_column(f"{table_name}.{PG_COLUMN}").op("@@")(query)


def _fts_rowids(fts_name: str, terms: list[Term]):
    return (
        select(literal_column("rowid"))
        .select_from(table(fts_name))
        .where(literal_column(fts_name).op("MATCH")(literal(fts5_match(terms))))
    )


# --- the engines ---------------------------------------------------------------------------


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _ranked(
    session: Session,
    indexed: Indexed,
    terms: list[Term],
    *,
    page: int,
    per_page: int,
    exclude_id: int | None = None,
    any_term: bool = False,
    window: int | None = None,
    rank_exact: bool = True,
) -> tuple[list[Hit], int]:
    """Return one page of ranked hits of a kind and how many matched (up to window + 1).

    `rank_exact` puts the query's words found as one phrase first, at the price of
    seeking the phrase too (the picker, answering each keystroke, does without).
    """
    page = max(1, page)
    exact = exact_phrase(terms) if rank_exact and not any_term else None
    params = {
        "window": (window or WINDOW) + 1,
        "limit": per_page,
        "offset": (page - 1) * per_page,
        "exclude": exclude_id if exclude_id is not None else -1,
    }
    if _dialect(session) == "postgresql":
        joiner = " | " if any_term else " & "
        params |= {
            "q": joiner.join(tsquery([t]) for t in terms),
            "exact": tsquery([exact]) if exact else "",
        }
        phrase = any(len(t.words) > 1 for t in terms)
        statement = _postgresql_statement(indexed, with_exact=exact is not None, phrase=phrase)
    else:
        joiner = " OR " if any_term else " AND "
        params |= {
            "q": joiner.join(fts5_match([t]) for t in terms),
            "exact": fts5_match([exact]) if exact else "",
        }
        statement = _sqlite_statement(indexed, with_exact=exact is not None)
    rows = session.execute(statement, params).all()
    if not rows:
        total = 0 if page == 1 else _count(session, statement, params)
        return [], total
    items = _load(session, indexed, [row.id for row in rows])
    column = indexed.column
    hits = [
        Hit(item, snippet(getattr(item, column), terms), bool(row.exact))
        for row in rows
        if (item := items.get(row.id)) is not None
    ]
    return hits, rows[0].total


def _sqlite_statement(indexed: Indexed, *, with_exact: bool):
    fts = indexed.fts_table  # an identifier from INDEXED, never from the user
    exact = "0"
    if with_exact:
        exact = f"id IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :exact)"  # noqa: S608
    return text(f"""
        WITH hits AS (
            SELECT rowid AS id, rank AS score FROM {fts}
             WHERE {fts} MATCH :q AND rowid <> :exclude
             ORDER BY rowid DESC LIMIT :window
        )
        SELECT id, {exact} AS exact, (SELECT count(*) FROM hits) AS total FROM hits
         ORDER BY exact DESC, score, id DESC LIMIT :limit OFFSET :offset
    """)  # noqa: S608 - identifiers come from INDEXED; values are bound


def _postgresql_statement(indexed: Indexed, *, with_exact: bool, phrase: bool = False):
    table_ = indexed.table  # an identifier from INDEXED
    # PostgreSQL estimates a phrase as if its words could be anywhere: it then walks the
    # primary key backwards hoping for ten thousand matches soon, and reads the whole table
    # for a phrase found 2,000 times. `id + 0` keeps it on the GIN index for phrases.
    newest = "id + 0 DESC" if phrase else "id DESC"
    query = f"to_tsquery('{PG_CONFIG}'::regconfig, :q)"
    exact = (
        f"{PG_COLUMN} @@ to_tsquery('{PG_CONFIG}'::regconfig, :exact)" if with_exact else "false"
    )
    return text(f"""
        WITH hits AS (
            SELECT id, {PG_COLUMN} FROM {table_}
             WHERE {PG_COLUMN} @@ {query} AND id <> :exclude
             ORDER BY {newest} LIMIT :window
        )
        SELECT id, {exact} AS exact, (SELECT count(*) FROM hits) AS total,
               ts_rank({PG_COLUMN}, {query}) AS score
          FROM hits ORDER BY exact DESC, score DESC, id DESC LIMIT :limit OFFSET :offset
    """)  # noqa: S608 - identifiers come from INDEXED; values are bound


def _count(session: Session, statement, params: dict) -> int:
    """Count the matches when the page asked for is past the last one."""
    first = session.execute(statement, params | {"offset": 0, "limit": 1}).first()
    return first.total if first else 0


def _load(session: Session, indexed: Indexed, ids: list[int]) -> dict[int, object]:
    model = indexed.model
    rows = session.scalars(
        select(model).where(model.id.in_(ids)).options(*_LOADERS[indexed.kind])
    ).unique()
    return {row.id: row for row in rows}


def _rarest(session: Session, words: list[str], *, keep: int) -> list[str]:
    """Return up to `keep` of `words` found in the fewest claims (counting stops at 1,000)."""
    if not words:
        return []
    postgres = _dialect(session) == "postgresql"

    def found(word: str):
        term = [Term((word,))]
        if postgres:
            return select(Claim.id).where(_vector_matches("claims", term))
        return _fts_rowids("search_claims", term)

    counts = [
        select(func.count()).select_from(found(word).limit(1_000).subquery()).scalar_subquery()
        for word in words
    ]
    row = session.execute(select(*counts)).one()
    ranked = sorted((hits, n) for n, hits in enumerate(row) if hits)
    return [words[n] for _hits, n in ranked[:keep]]
