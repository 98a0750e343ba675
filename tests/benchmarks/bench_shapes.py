"""Importing real-data shapes into a populated database: claims with evidence, nested reviews.

Each shape is made of N generated records (deterministic), read with its mapping and
written through `run_import`, exactly as `counterclaim import` does, into the data set's
database of `ctx.claims` claims (so every lookup runs against a full database); the
transaction is then rolled back, leaving the data set as it was. The figure is the time
per record in ms (read, parse, lookups, write and flush with the audit trail).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator

from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.services.exchange import read_plan, run_import
from counterclaim.services.exchange.tabular import Mapping

from .harness import Context, Measurement

RECORDS = 2_000
EVIDENCE = Mapping(
    columns={"from_external_id": "id", "from_text": "claim", "from_claimant": "claimant",
             "to_text": "@.sentence", "to_source_title": "@.source", "to_source_url": "@.url",
             "relation": "@.stance"},
    entity="links", each=["evidence"],
)  # fmt: skip
NESTED = Mapping(
    columns={"external_id": "claim_id", "text": "claim", "claimant": "speaker.name",
             "verdict": "@.rating", "reviewer": "@.publisher.name", "review_url": "@.url"},
    each=["reviews"],
)  # fmt: skip


def claims_with_evidence(n: int) -> bytes:
    """Return n FEVER-style records of two labelled evidence sentences each."""
    rnd = random.Random(1)
    labels = ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO")
    lines = []
    for i in range(n):
        evidence = [
            {"sentence": f"Bench evidence {i}-{k}: district {rnd.randrange(500)} was quiet.",
             "source": f"Bench source {i % 200}", "url": f"https://bench{i % 200}.example/{i % 50}",
             "stance": rnd.choice(labels)}
            for k in range(2)
        ]  # fmt: skip
        record = {"id": f"bench-{i}", "claim": f"Bench claim {i} was retaken.",
                  "claimant": f"Bench actor {i % 60}", "evidence": evidence}  # fmt: skip
        lines.append(json.dumps(record))
    return ("\n".join(lines) + "\n").encode()


def nested_reviews(n: int) -> bytes:
    """Return n claims with zero to two fact-checkers' reviews each."""
    rnd = random.Random(2)
    verdicts = ("False", "Mostly True", "خبر كاذب", "Half True", "Rating unclear")
    lines = []
    for i in range(n):
        reviews = [{"publisher": {"name": f"Bench checker {k}"}, "url": f"https://c{k}.example/{i}",
                    "rating": rnd.choice(verdicts)} for k in range(rnd.randrange(3))]  # fmt: skip
        lines.append(json.dumps({"claim_id": f"bench-r{i}", "claim": f"Bench statement {i}",
                                 "speaker": {"name": f"Bench speaker {i % 300}"},
                                 "reviews": reviews}))  # fmt: skip
    return ("\n".join(lines) + "\n").encode()


def run(ctx: Context) -> Iterator[Measurement]:
    engine = make_engine(ctx.url)
    try:
        for name, data, mapping in (
            ("import claims with evidence (JSON Lines, links)", claims_with_evidence(RECORDS),
             EVIDENCE),
            ("import nested reviews (JSON Lines, --each)", nested_reviews(RECORDS), NESTED),
        ):  # fmt: skip
            session = make_sessionmaker(engine)()
            try:
                start = time.perf_counter()
                plan = read_plan(data, "bench.jsonl", mapping=mapping)
                report = run_import(session, plan)
                took = time.perf_counter() - start
            finally:
                session.rollback()
                session.close()
            yield Measurement(
                name=name, ours_ms=took * 1000 / plan.total,
                extra={"records": plan.total, "created": dict(report.created)},
                note=f"ms per record over {plan.total:,} records, rolled back",
            )  # fmt: skip
    finally:
        engine.dispose()
