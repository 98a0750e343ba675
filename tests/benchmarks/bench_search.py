"""Search: the first page of results on a large database, beside the same query in SQL.

For each query (rare, medium, large and common words, phrases, prefixes; chosen from the
data so that their hit counts span 1 to 150,000), it times the claims page of results as
the service returns it (`search`, kind claims, 20 hits) against the same query as plain
SQL through the driver (FTS5 MATCH ORDER BY rank, or @@ ORDER BY ts_rank, LIMIT 20, with
snippets), and the same through the web page, signed in (checked first: 200 and a list of
hits, or "Nothing matches" for a query without any). Then the claims list's facets, the
claims list filtered by words, the link picker and the similar-claim suggestions.
Target: the service's median under 50 ms on SQLite for queries of up to 10,000 hits.
"""

import re
import sqlite3
from urllib.parse import urlencode

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counterclaim.db import make_sessionmaker, reader
from counterclaim.services.claims import facets
from counterclaim.services.claims.claims import ClaimFilters
from counterclaim.services.demo import synthetic
from counterclaim.services.search import search
from counterclaim.services.search.search_query import fts5_match, parse, tsquery

from .harness import Context, Measurement

TARGET_MS = 50
TARGET_HITS = 10_000
BUCKETS = [("rare", 1, 100), ("medium", 101, 2_000), ("large", 2_001, TARGET_HITS)]
FIXED = [
    ("common", "forces"),
    ("common", "Mosul"),
    ("common", "forces attack"),
    ("phrase", '"forces attack"'),
    ("phrase", '"Mosul offensive"'),
    ("prefix", "Mos*"),
]


# --- the raw baseline: the same query through the driver, no service, no ORM ---------------


class Raw:
    """The plainest query that returns the first page with snippets, through the driver."""

    def __init__(self, url: str):
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            self.connection = sqlite3.connect(f"file:{parsed.database}?mode=ro", uri=True)
        else:
            dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
            self.connection = psycopg.connect(dsn, autocommit=True)

    def first_page(self, query: str) -> list:
        terms = parse(query)
        if self.sqlite:
            return self.connection.execute(
                "SELECT c.id, c.text, snippet(search_claims, 0, '[', ']', '…', 30)"
                "  FROM search_claims JOIN claims c ON c.id = search_claims.rowid"
                " WHERE search_claims MATCH ? ORDER BY rank LIMIT 20",
                (fts5_match(terms),),
            ).fetchall()
        return self.connection.execute(
            "SELECT id, text, ts_headline('counterclaim_search', text, q) FROM ("
            "  SELECT id, text, search_vector, q FROM claims,"
            "       to_tsquery('counterclaim_search', %(q)s) AS q"
            "   WHERE search_vector @@ q ORDER BY ts_rank(search_vector, q) DESC LIMIT 20"
            ") AS page",
            {"q": tsquery(terms)},
        ).fetchall()

    def hits(self, query: str) -> int:
        terms = parse(query)
        if self.sqlite:
            sql = "SELECT count(*) FROM search_claims WHERE search_claims MATCH ?"
            return self.connection.execute(sql, (fts5_match(terms),)).fetchone()[0]
        sql = (
            "SELECT count(*) FROM claims"
            " WHERE search_vector @@ to_tsquery('counterclaim_search', %(q)s)"
        )
        return self.connection.execute(sql, {"q": tsquery(terms)}).fetchone()[0]

    def close(self) -> None:
        self.connection.close()


# --- choosing queries from the data ----------------------------------------------------------


def choose_queries(session, raw: Raw) -> list[dict]:
    """Pick pseudo-words whose hit counts fall in each bucket, plus the fixed queries."""
    known = {w.lower() for w in synthetic.COMMON + synthetic.PLACES}
    sample = "SELECT text FROM claims WHERE id % 997 = 0 ORDER BY id LIMIT 300"
    texts = session.scalars(text(sample))
    candidates = sorted(
        {w for t in texts for w in re.findall(r"[a-z]+", t.lower()) if w not in known}
    )
    chosen, counted = [], {}
    for name, low, high in BUCKETS:
        for word in candidates:
            if word not in counted:
                counted[word] = raw.hits(word)
            hits = counted[word]
            if low <= hits <= high and word not in {q["query"] for q in chosen}:
                chosen.append({"kind": name, "query": word, "hits": hits})
                if sum(q["kind"] == name for q in chosen) == 3:
                    break
    rare = next((q["query"] for q in chosen if q["kind"] == "medium"), candidates[0])
    extra = [*FIXED, ("phrase", f'"{rare} forces"'), ("prefix", rare[:4] + "*")]
    chosen += [{"kind": kind, "query": q, "hits": raw.hits(q)} for kind, q in extra]
    return chosen


# --- the measurements -------------------------------------------------------------------


def run(ctx: Context):
    engine = ctx.app().extensions["counterclaim.db"].engine
    if ctx.engine == "postgresql":  # `generate` leaves the planner's statistics stale
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    session = make_sessionmaker(reader(engine))()
    raw = Raw(ctx.url)
    try:
        yield from _queries(ctx, session, raw)
        yield from _others(ctx, session, raw)
    finally:
        session.close()
        raw.close()


def _queries(ctx: Context, session, raw: Raw):
    for q in choose_queries(session, raw):
        query = q["query"]
        page = "/search/?" + urlencode({"q": query, "kind": "claims"})
        contains = 'class="hits"' if q["hits"] else "Nothing matches"
        m = Measurement(
            name=f"search {q['kind']} {query!r} ({q['hits']:,} hits)",
            ours_ms=ctx.time_ms(lambda q=query: search.search(session, q, kinds=["claims"])),
            raw_ms=ctx.time_ms(lambda q=query: raw.first_page(q)),
        )
        m.extra["page ms"] = round(ctx.time_ms(ctx.get(page, contains=contains)), 2)
        m.extra["overview ms"] = round(
            ctx.time_ms(lambda q=query: search.search(session, q, per_page=5)), 2
        )
        if ctx.engine == "sqlite" and q["hits"] <= TARGET_HITS:
            m.checks[f"< {TARGET_MS} ms"] = m.ours_ms < TARGET_MS
        yield m


def _others(ctx: Context, session, raw: Raw):
    claimant = session.scalar(text("SELECT claimant_id FROM claims WHERE id = 1"))
    rare = choose_queries(session, raw)[0]["query"]
    for name, filters in [
        ("facets, no filter (sampled)", ClaimFilters()),
        ("facets, claimant", ClaimFilters(claimant_id=claimant)),
        ("facets, year 2016", ClaimFilters(year="2016")),
        ("facets, words 'forces'", ClaimFilters(text="forces")),
        ("facets, rare word", ClaimFilters(text=rare)),
    ]:
        yield Measurement(
            name=name, ours_ms=ctx.time_ms(lambda f=filters: facets.claim_facets(session, f))
        )
    yield Measurement(
        name="claims list, words 'forces'",
        ours_ms=ctx.time_ms(ctx.get("/claims/?q=forces", contains='href="/claims/')),
    )
    yield Measurement(
        name="picker 'forces att'",
        ours_ms=ctx.time_ms(lambda: search.find_claims(session, "forces att")),
    )
    sample_text = session.scalar(text("SELECT text FROM claims ORDER BY id LIMIT 1 OFFSET 41"))
    yield Measurement(
        name="similar claims (a claim's text)",
        ours_ms=ctx.time_ms(lambda: search.similar_claims(session, sample_text + " ")),
    )
