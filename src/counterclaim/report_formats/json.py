"""The report as JSON, written piece by piece so that a streaming report stays flat.

The document is one object: `scope`, `summary`, `by_actor`, then `actor_matrix` (one
object per pair of actors set against each other, with how many pairs), `pairs`
(one object per claim/counterclaim pair, each side in brief) and `claims` (every claim
the report mentions, in timeline order, with sources, latest assessments, notes and
other links). Dates are ISO 8601 strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime

from counterclaim.services.reports.reports import MatrixCell, Pair, Report, ReportClaim

from . import chunked

VERSION = 1


def render(report: Report) -> Iterator[str]:
    """Yield the JSON text in chunks."""
    return chunked(_pieces(report))


def _dump(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_default, separators=(",", ":"))


def _default(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _pieces(report: Report) -> Iterator[str]:
    s = report.scope
    head = {
        "format": "counterclaim-contradiction-report", "version": VERSION,
        "generated_at": report.generated_at,
        "scope": {
            "description": s.description, "parameters": s.scope.params(),
            "tags": [{"id": i, "name": n} for i, n in s.tags],
            "actor": {"id": s.actor[0], "name": s.actor[1]} if s.actor else None,
            "claim_id": s.claim[0] if s.claim else None,
        },
        "summary": _plain(report.summary), "nothing_contested": report.is_empty,
        "by_actor": [_plain(a) for a in report.by_actor],
    }  # fmt: skip
    yield _dump(head)[:-1]  # leave the object open for the streamed sections
    yield from _array("actor_matrix", (_cell(c) for c in report.cells))
    yield from _array("pairs", (_pair(p) for p in report.pairs))
    yield from _array("claims", (_claim(c) for c in report.claims))
    for name, value in report.extras.items():
        yield f",{_dump(name)}:{_dump(value)}"
    yield "}\n"


def _array(name: str, items: Iterable[dict]) -> Iterator[str]:
    yield f',"{name}":['
    first = True
    for item in items:
        yield ("" if first else ",") + "\n" + _dump(item)
        first = False
    yield "]"


def _cell(c: MatrixCell) -> dict:
    return {
        "actors": [{"id": c.a_id, "name": c.a_name}, {"id": c.b_id, "name": c.b_name}],
        "pairs": c.pairs,
    }


def _pair(p: Pair) -> dict:
    return {
        "link_id": p.link_id, "strength": p.strength, "rationale": p.rationale,
        "claim": _plain(p.claim), "counterclaim": _plain(p.counterclaim),
    }  # fmt: skip


def _claim(c: ReportClaim) -> dict:
    return _plain(c)


def _plain(value):
    """Return dataclasses as dicts, recursively (dataclasses.asdict deep-copies: slow)."""
    fields = getattr(type(value), "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
