"""Search benchmark: how long the first page of search results takes on a large database.

Not a test (pytest collects test_*.py only). Make the data once, outside the repository,
then point the benchmark at it (both engines hold the same rows for the same seed):

    counterclaim --database sqlite:////tmp/cc-1m.db db upgrade
    counterclaim --database sqlite:////tmp/cc-1m.db generate --claims 1000000 --seed 1
    python tests/benchmarks/bench_search.py --database sqlite:////tmp/cc-1m.db \
        --database postgresql+psycopg://postgres@127.0.0.1:5432/cc1m

For each query (rare, medium, large and common words, phrases, prefixes; chosen from the
data so that their hit counts span 1 to 150,000), it times, `--runs` times after warming:
the claims page of results as the service returns it (`search`, kind claims, 20 hits),
the same through the web page (`page`), the all-kinds overview (`overview`), and the
same query as plain SQL through the driver (`raw`: FTS5 MATCH ORDER BY rank, or @@ ORDER
BY ts_rank, LIMIT 20, with snippets). Then the claims list's facets, the link picker and
the similar-claim suggestions. p50 and p95 are printed and saved as JSON under
benchmark-results/. Target: p95 under 50 ms on SQLite for queries of up to 10,000 hits.
"""

import argparse
import json
import platform
import re
import sqlite3
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from counterclaim.db import make_engine, make_sessionmaker, reader
from counterclaim.services import facets, migrations, search, synthetic
from counterclaim.services.claims import ClaimFilters
from counterclaim.services.search_query import fts5_match, parse, tsquery

ROOT = Path(__file__).resolve().parent.parent.parent
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


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, runs: int, warm: int = 3) -> dict:
    for _ in range(warm):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return {"p50": round(statistics.median(times), 2), "p95": round(percentile(times, 95), 2)}


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


def measure_query(session, client, raw: Raw, query: str, runs: int) -> dict:
    """Time one query four ways: service, web page, all-kinds overview, plain SQL."""
    page = {"q": query, "kind": "claims"}
    return {
        "search": timed(lambda: search.search(session, query, kinds=["claims"]), runs),
        "page": timed(lambda: client.get("/search/", query_string=page), runs),
        "overview": timed(lambda: search.search(session, query, per_page=5), runs),
        "raw": timed(lambda: raw.first_page(query), runs),
    }


# --- one database ----------------------------------------------------------------------------


def bench_database(url: str, runs: int, queries: list[dict] | None) -> dict:
    engine = make_engine(url)
    if not migrations.is_up_to_date(engine):
        raise SystemExit(f"{url}: not migrated to head; run `counterclaim db upgrade`")
    from counterclaim.web import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark", "TESTING": True})
    client = app.test_client()
    raw = Raw(url)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:  # `generate` leaves the planner's statistics stale
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    session = make_sessionmaker(reader(engine))()
    claims = session.scalar(text("SELECT count(*) FROM claims"))
    queries = queries or choose_queries(session, raw)
    print(f"\n{engine.dialect.name}: {claims:,} claims  ({url})")
    print(f"{'kind':8} {'query':28} {'hits':>8}  {'search p50/p95':>15}  {'page p50/p95':>15}"
          f"  {'overview p50/p95':>17}  {'raw p50/p95':>15}  target")  # fmt: skip
    results = []
    for q in queries:
        query = q["query"]
        row = dict(q) | measure_query(session, client, raw, query, runs)
        if engine.dialect.name == "sqlite" and q["hits"] <= TARGET_HITS:
            row["target_met"] = row["search"]["p95"] < TARGET_MS
        results.append(row)
        mark = {True: "met", False: "MISSED"}.get(row.get("target_met"), "")
        print(f"{q['kind']:8} {query[:28]:28} {q['hits']:>8,}  "
              + "  ".join(f"{row[k]['p50']:>7.1f}/{row[k]['p95']:<7.1f}" for k in
                          ("search", "page", "overview", "raw"))
              + f"  {mark}")  # fmt: skip

    others = {}
    claimant = session.scalar(text("SELECT claimant_id FROM claims WHERE id = 1"))
    for name, filters in [
        ("facets, no filter (sampled)", ClaimFilters()),
        ("facets, claimant", ClaimFilters(claimant_id=claimant)),
        ("facets, year 2016", ClaimFilters(year="2016")),
        ("facets, words 'forces'", ClaimFilters(text="forces")),
        ("facets, rare word", ClaimFilters(text=queries[0]["query"])),
    ]:
        others[name] = timed(lambda f=filters: facets.claim_facets(session, f), runs)
    others["facets, no filter, exact (no sample)"] = timed(
        lambda: facets.claim_facets(session, ClaimFilters(), sample=10 * claims), 1, warm=0
    )
    others["claims list page with facets"] = timed(lambda: client.get("/claims/"), runs)
    others["claims list page, words 'forces'"] = timed(
        lambda: client.get("/claims/?q=forces"), runs
    )
    others["picker 'forces att'"] = timed(lambda: search.find_claims(session, "forces att"), runs)
    sample_text = session.scalar(text("SELECT text FROM claims WHERE id = 4242"))
    others["similar claims (a claim's text)"] = timed(
        lambda: search.similar_claims(session, sample_text + " "), runs
    )
    for name, figures in others.items():
        print(f"  {name:40} p50 {figures['p50']:8.1f} ms   p95 {figures['p95']:8.1f} ms")
    session.close()
    raw.close()
    engine.dispose()
    app.extensions["counterclaim.db"].dispose()
    return {"engine": engine.dialect.name, "claims": claims, "queries": results, "other": others}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", action="append", required=True, metavar="URL")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    started = datetime.now(UTC)
    report = {"benchmark": "search", "at": started.isoformat(timespec="seconds"),
              "machine": platform.platform(), "runs": args.runs, "databases": []}  # fmt: skip
    queries = None
    for url in args.database:
        result = bench_database(url, args.runs, queries)
        queries = [{k: q[k] for k in ("kind", "query", "hits")} for q in result["queries"]]
        report["databases"].append(result)
    out = args.out or ROOT / "benchmark-results" / f"search-{started:%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"\nSaved {out}")


if __name__ == "__main__":
    main()
