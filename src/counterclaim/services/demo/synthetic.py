"""Deterministic synthetic data shaped like real work, for benchmarks and load tests.

`generate(engine, claims=N, seed=S)` appends N claims with their actors, sources, excerpts,
links (about two per claim, a realistic share of them contradictions), assessments by
several analysts, tags and notes. The same N and seed always give the same rows.

Rows go to the driver in batches, one transaction each (`executemany` on SQLite, `COPY`
on PostgreSQL), with ids chosen here (after the current maximum), so no row needs a round
trip. Synthetic rows are
benchmark material: they are not written to the audit trail.

Just over 400 lines: the weights that make the data look real, the plan and the one
writer that fills every table in id order read one another's constants.
"""

import random
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from operator import itemgetter

from sqlalchemy import Connection, Date, DateTime, Engine
from sqlalchemy.schema import AddConstraint, DropConstraint

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
    User,
)
from counterclaim.models.user import new_session_token
from counterclaim.services import ids

BATCH = 20_000
SQLITE_CACHE_KIB = -262_144  # a negative cache_size is in KiB: 256 MiB
EPOCH = datetime(2016, 1, 1, tzinfo=UTC)

COMMON = (
    "forces",
    "attack",
    "city",
    "army",
    "fighters",
    "militia",
    "government",
    "offensive",
    "supplies",
    "control",
    "claims",
    "report",
    "video",
    "said",
    "killed",
    "captured",
    "advance",
    "retreat",
    "border",
    "town",
    "village",
    "commander",
    "spokesman",
    "ministry",
    "coalition",
    "airstrike",
    "defence",
    "sources",
    "weapons",
    "convoy",
    "front",
    "line",
    "operation",
    "civilians",
    "displaced",
    "aid",
    "ceasefire",
    "talks",
    "negotiations",
    "rebels",
    "officials",
    "statement",
    "security",
    "troops",
    "units",
    "positions",
    "district",
    "province",
    "region",
)
PLACES = (
    "Mosul",
    "Raqqa",
    "Tal-Afar",
    "Irbil",
    "Anbar",
    "Kirkuk",
    "Fallujah",
    "Ramadi",
    "Tikrit",
    "Baghdad",
    "Aleppo",
    "Deir-ez-Zor",
    "Palmyra",
    "Manbij",
    "Hawija",
    "Sinjar",
    "Qayyarah",
    "Bartella",
    "Nimrud",
    "Hamdaniya",
)
RELIABILITY_WEIGHTS = {"A": 2, "B": 10, "C": 30, "D": 30, "E": 8, "F": 20}
RELATION_WEIGHTS = {
    "contradicts": 35, "supports": 33, "qualifies": 15, "responds_to": 12, "duplicates": 5,
}  # fmt: skip
STANCES = ("origin", "endorses", "neutral", "skeptical", "refutes")
ACTOR_KINDS = ("person", "government", "military", "armed_group", "media", "organisation")


@dataclass
class Plan:
    """How many rows of each kind a run writes, derived from the number of claims."""

    claims: int
    actors: int = 0
    sources: int = 0
    tags: int = 0
    analysts: int = 8

    def __post_init__(self):
        self.actors = self.actors or max(20, self.claims // 200)
        self.sources = self.sources or max(10, self.claims // 5)
        self.tags = self.tags or min(500, max(20, self.claims // 2_000))


def _rare_words(rng: random.Random, n: int) -> list[str]:
    syllables = ("ka", "ri", "mo", "tu", "sel", "van", "dor", "eth", "ul", "bar", "qa", "zin")
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(n)]


class _Writer:
    """Buffers rows per table and writes them in batches, one transaction per batch, in order.

    Rows go straight to the driver: an `executemany` of tuples on SQLite, `COPY ... FROM
    STDIN` on PostgreSQL (psycopg 3). SQLAlchemy's ORM-free `insert()` still spends most
    of its time per row in Python, which made a million claims take most of an hour.
    """

    def __init__(self, engine: Engine, progress: Callable[[str, int], None]):
        self.engine, self.progress = engine, progress
        self.buffers: dict = {}
        self.written: dict[str, int] = {}
        # One thread writes batch k while this one makes batch k + 1: the drivers release
        # the GIL while the database works, so the two overlap on a second core.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synthetic-writer")
        self.pending: Future | None = None
        self.copy = engine.dialect.name == "postgresql"
        dialect = engine.dialect
        # How a timestamp or date is sent: SQLite stores the strings SQLAlchemy would write
        # (its driver's own date adapters are deprecated); psycopg adapts the objects.
        self._timestamp = (
            DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect) or _same
        )
        self._date = Date().dialect_impl(dialect).bind_processor(dialect) or _same
        # PostgreSQL checks a foreign key row by row, with a lock on each parent row: half
        # the cost of a COPY. There the whole run is one transaction that drops the
        # foreign keys of the tables it fills and adds them back at the end, which checks
        # every row at once (a failure rolls everything back, constraints included).
        self.held: Connection | None = None
        if self.copy:
            self.held = engine.connect()
            self.held.begin()
            for constraint in _foreign_keys():
                self.held.execute(DropConstraint(constraint))

    def timestamp(self, value: datetime) -> object:
        return self._timestamp(value)

    def day(self, value: date | None) -> object:
        return None if value is None else self._date(value)

    def add(self, model, row: dict) -> None:
        buffer = self.buffers.setdefault(model, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Hand every buffer to the writing thread, after the batch before it has landed."""
        self.wait()
        batch = {model: rows for model, rows in self.buffers.items() if rows}
        self.buffers = {model: [] for model in self.buffers}
        self.pending = self.pool.submit(self._land, batch)

    def wait(self) -> None:
        """Wait for the batch being written; its failure is raised here."""
        if self.pending is not None:
            self.pending.result()
            self.pending = None

    def __enter__(self) -> "_Writer":
        return self

    def __exit__(self, error_type, error, traceback) -> None:
        """Write what is buffered and stop the writing thread; on an error, undo the run."""
        try:
            if error is None:
                self.flush()
                self.wait()
                if self.held is not None:
                    for constraint in _foreign_keys():
                        self.held.execute(AddConstraint(constraint))
                    self.held.commit()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            if self.held is not None:
                self.held.close()  # rolls back unless committed above

    def _land(self, batch: dict) -> None:
        """Write one batch, parents first (the order rows were made in)."""
        if self.held is not None:
            driver = self.held.connection.driver_connection
            for model, rows in batch.items():
                self._write(self.held, driver, model.__tablename__, rows)
        else:
            with self.engine.begin() as connection:  # one transaction per batch
                driver = connection.connection.driver_connection
                cache = connection.exec_driver_sql("PRAGMA cache_size").scalar()
                # index pages stay in memory while a batch lands
                connection.exec_driver_sql(f"PRAGMA cache_size = {SQLITE_CACHE_KIB}")
                for model, rows in batch.items():
                    self._write(connection, driver, model.__tablename__, rows)
                connection.exec_driver_sql(f"PRAGMA cache_size = {int(cache)}")
        for model, rows in batch.items():
            name = model.__tablename__
            self.written[name] = self.written.get(name, 0) + len(rows)
            self.progress(name, len(rows))

    def _write(self, connection, driver, table: str, rows: list[dict]) -> None:
        columns = list(rows[0])
        values = map(itemgetter(*columns), rows)
        names = ", ".join(columns)  # our own column names, never user input
        if self.copy:
            statement = f"COPY {table} ({names}) FROM STDIN"
            with driver.cursor() as cursor, cursor.copy(statement) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(columns))
            statement = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
            connection.exec_driver_sql(statement, list(values))


def _same(value):
    return value


def _foreign_keys() -> list:
    """Return the foreign keys of every table the generator fills, in a fixed order."""
    models = (User, Actor, Tag, Source, Claim, ClaimSource, ClaimLink, Assessment, Annotation,
              ClaimTag)  # fmt: skip
    found = [fk for m in models for fk in m.__table__.foreign_key_constraints]
    return sorted(found, key=lambda fk: (fk.table.name, [c.name for c in fk.columns]))


def _next_ids(engine: Engine) -> dict:
    """Return each model's first id never used: past deleted rows' ids too (services/ids.py)."""
    models = (User, Actor, Tag, Source, Claim, ClaimSource, ClaimLink, Assessment, Annotation,
              ClaimTag)  # fmt: skip
    with engine.connect() as connection:
        first = ids.next_ids(connection, [m.__table__ for m in models])
    return {m: first[m.__tablename__] for m in models}


def generate(
    engine: Engine,
    *,
    claims: int,
    seed: int = 1,
    progress: Callable[[str, int], None] = lambda table, n: None,
) -> dict[str, int]:
    """Append `claims` synthetic claims and everything around them; return rows written."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    plan = Plan(claims=claims)
    first = _next_ids(engine)
    with _Writer(engine, progress) as out:
        _fill(out, rng, plan, first, seed)
    _advance_sequences(engine)
    return out.written


def _fill(out: "_Writer", rng: random.Random, plan: Plan, first: dict, seed: int) -> None:
    """Make every row of the run, parents before children, and hand them to `out`."""
    claims = plan.claims
    rare = _rare_words(rng, 20_000)

    def stamp(i: int) -> object:
        return out.timestamp(EPOCH + timedelta(minutes=i))

    users = [first[User] + n for n in range(plan.analysts)]
    for n, user_id in enumerate(users):
        out.add(User, {"id": user_id, "username": f"synthetic-{seed}-{first[User] + n}",
                       "display_name": f"Synthetic analyst {n + 1}", "password_hash": None,
                       "role": "analyst", "is_active": True, "must_change_password": False,
                       "session_token": new_session_token(),
                       "created_at": stamp(n), "updated_at": stamp(n)})  # fmt: skip
    actors = [first[Actor] + n for n in range(plan.actors)]
    for n, actor_id in enumerate(actors):
        out.add(Actor, {"id": actor_id, "name": f"{rng.choice(PLACES)} actor {seed}-{actor_id}",
                        "kind": rng.choice(ACTOR_KINDS), "description": "",
                        "affiliation_id": None, "created_at": stamp(n),
                        "updated_at": stamp(n)})  # fmt: skip
    tags = [first[Tag] + n for n in range(plan.tags)]
    for n, tag_id in enumerate(tags):
        kind = "place" if n < len(PLACES) else "topic"
        name = PLACES[n] if n < len(PLACES) else f"topic-{seed}-{tag_id}"
        if n < len(PLACES) and (first[Tag] > 1 or seed != 1):
            name = f"{PLACES[n]}-{seed}-{tag_id}"
        out.add(Tag, {"id": tag_id, "name": name, "kind": kind, "description": "",
                      "created_at": stamp(n), "updated_at": stamp(n)})  # fmt: skip
    letters = list(RELIABILITY_WEIGHTS)
    weights = list(RELIABILITY_WEIGHTS.values())
    sources = [first[Source] + n for n in range(plan.sources)]
    for n, source_id in enumerate(sources):
        out.add(Source, {
            "id": source_id, "title": f"{' '.join(rng.choices(COMMON, k=4)).title()} #{source_id}",
            "kind": rng.choice(("article", "statement", "video", "report", "post")),
            "publisher_id": rng.choice(actors), "author": "", "notes": "",
            "url": f"https://example.org/source/{source_id}", "archived_url": "",
            "published_on": out.day(date(2016, 1, 1) + timedelta(days=rng.randrange(1500))),
            "reliability": rng.choices(letters, weights)[0], "version": 1,
            "created_at": stamp(n), "updated_at": stamp(n),
        })  # fmt: skip
    out.flush()

    relations, relation_weights = list(RELATION_WEIGHTS), list(RELATION_WEIGHTS.values())
    ids = {m: first[m] for m in (ClaimSource, ClaimLink, Assessment, Annotation, ClaimTag)}
    seen_links: set[tuple[int, int, str]] = set()
    first_claim = first[Claim]
    for n in range(claims):
        claim_id = first_claim + n
        words = _sentence(rng, rare)
        stated = None if rng.random() < 0.08 else date(2016, 1, 1) + timedelta(rng.randrange(1500))
        stated = out.day(stated)
        when = stamp(n)
        out.add(Claim, {"id": claim_id, "text": words, "is_verbatim": rng.random() < 0.3,
                        "claimant_id": rng.choice(actors), "stated_on": stated,
                        "status": rng.choices(("open", "under_review", "settled", "retracted"),
                                              (70, 15, 12, 3))[0],
                        "version": 1, "created_at": when, "updated_at": when})  # fmt: skip
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            out.add(ClaimSource, {"id": ids[ClaimSource], "claim_id": claim_id,
                                  "source_id": rng.choice(sources), "excerpt": words,
                                  "locator": f"para {k + 1}", "stance": rng.choice(STANCES),
                                  "created_at": when, "updated_at": when})  # fmt: skip
            ids[ClaimSource] += 1
        for tag_id in set(rng.choices(tags, k=rng.randint(1, 3))):
            out.add(ClaimTag, {"id": ids[ClaimTag], "claim_id": claim_id, "tag_id": tag_id})
            ids[ClaimTag] += 1
        if n > 0:
            for _ in range(2 if rng.random() < 0.5 else rng.choice((1, 3))):
                other = first_claim + max(0, n - rng.randint(1, min(n, 5_000)))
                relation = rng.choices(relations, relation_weights)[0]
                low, high = (other, claim_id) if relation in ("contradicts", "duplicates") else (
                    claim_id, other)  # fmt: skip
                if low == high or (low, high, relation) in seen_links:
                    continue
                seen_links.add((low, high, relation))
                out.add(ClaimLink, {"id": ids[ClaimLink], "from_claim_id": low,
                                    "to_claim_id": high, "relation": relation,
                                    "strength": rng.choice(("weak", "moderate", "strong")),
                                    "rationale": "Synthetic link.",
                                    "created_at": when, "updated_at": when})  # fmt: skip
                ids[ClaimLink] += 1
        if rng.random() < 0.5:
            for analyst in rng.sample(users, rng.randint(1, 3)):
                out.add(Assessment, {"id": ids[Assessment], "claim_id": claim_id,
                                     "analyst_id": analyst, "credibility": rng.randint(1, 6),
                                     "confidence": rng.choice(("low", "moderate", "high")),
                                     "rationale": "Synthetic judgment.",
                                     "created_at": when, "updated_at": when})  # fmt: skip
                ids[Assessment] += 1
        if rng.random() < 0.05:
            out.add(Annotation, {"id": ids[Annotation], "claim_id": claim_id, "source_id": None,
                                 "author_id": rng.choice(users), "body": f"Note on {words[:60]}",
                                 "created_at": when, "updated_at": when})  # fmt: skip
            ids[Annotation] += 1
        if len(seen_links) > 200_000:
            seen_links.clear()  # links only reach 5,000 claims back: old keys cannot recur


def _sentence(rng: random.Random, rare: list[str]) -> str:
    """Return claim-like text: common words, a place, and Zipf-distributed rarer words."""
    words = rng.choices(COMMON, k=rng.randint(5, 10))
    words.insert(rng.randrange(len(words)), rng.choice(PLACES))
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randrange(len(words)), rare[int(rng.paretovariate(1.1)) % len(rare)])
    return " ".join(words).capitalize() + "."


def _advance_sequences(engine: Engine) -> None:
    """Move each id counter past the ids written here (never back); on PostgreSQL, ANALYZE.

    Without fresh statistics the planner took a million-row table for a small one until
    autovacuum came by: list pages took seconds (parallel scans, bitmap heap scans).
    """
    models = (User, Actor, Tag, Source, Claim, ClaimSource, ClaimLink, Assessment, Annotation,
              ClaimTag)  # fmt: skip
    with engine.begin() as connection:
        ids.advance_counters(connection, [m.__table__ for m in models])
        if engine.dialect.name != "postgresql":
            return
        for model in models:
            connection.exec_driver_sql(f"ANALYZE {model.__tablename__}")
