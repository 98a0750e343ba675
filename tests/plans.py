"""Read query plans on both engines and find the full scans of large tables in them.

SQLite: `EXPLAIN QUERY PLAN`; a `SCAN x` step reads the whole of x (through an index or
not); `SEARCH x ... (col=?)` is a seek. Its steps name a table by its alias in the query,
so aliases are resolved from the statement's and the views' own `FROM`/`JOIN` clauses.
PostgreSQL: `EXPLAIN (FORMAT JSON)` with sequential scans, hash and merge joins priced
out; a `Seq Scan` reads the whole table, and so does an index scan without an `Index
Cond` (it walks the whole index). On a test-sized table reading everything is cheaper
than any index, so the planner rightly picks it; pricing it out asks the real question:
is there a plan that seeks? A full read that remains means there is none.
"""

import json
import re
from dataclasses import dataclass

from sqlalchemy import Connection

#: The tables that grow with the data (a million claims: millions of rows each).
LARGE = frozenset(
    {"claims", "assessments", "claim_links", "claim_sources", "claim_tags", "revisions", "reviews"}
)

_FROM = re.compile(r"\b(?:FROM|JOIN)\s+\"?(\w+)\"?(?:\s+(?:AS\s+)?\"?(\w+)\"?)?", re.I)
_NOT_ALIAS = {"on", "where", "join", "left", "inner", "outer", "cross", "group", "order", "limit",
              "union", "using", "natural", "as", "and", "window", "having"}  # fmt: skip


@dataclass(frozen=True)
class Scan:
    """A full read of a large table in a statement's plan."""

    table: str
    step: str  # the plan's own words


def _aliases(sql: str) -> dict[str, set[str]]:
    """Map each name a FROM/JOIN clause introduces (table or alias) to the tables it may be."""
    names: dict[str, set[str]] = {}
    for table, alias in _FROM.findall(sql):
        names.setdefault(table.lower(), set()).add(table.lower())
        if alias and alias.lower() not in _NOT_ALIAS:
            names.setdefault(alias.lower(), set()).add(table.lower())
    return names


def sqlite_scans(connection: Connection, statement: str, parameters) -> list[Scan]:
    """Return the full scans of large tables in SQLite's plan of `statement`."""
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
    views = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'view'"
    ).scalars()
    names = _aliases(statement + "\n".join(views))
    found = []
    for row in rows:
        step = row[-1]
        match = re.match(r"SCAN (\w+)", step)
        if match:
            tables = names.get(match.group(1).lower(), {match.group(1).lower()})
            found += [Scan(table, step) for table in sorted(tables & LARGE)]
    return found


def _price_out_whole_reads(connection: Connection) -> None:
    """Make PostgreSQL choose a seek wherever one exists, as it would on a large table."""
    for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
        connection.exec_driver_sql(f"SET {setting} = off")


def postgresql_scans(connection: Connection, statement: str, parameters) -> list[Scan]:
    """Return the full scans of large tables in PostgreSQL's plan of `statement`."""
    _price_out_whole_reads(connection)
    try:
        (plan,) = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).one()
    finally:
        connection.exec_driver_sql("RESET ALL")
    plan = json.loads(plan) if isinstance(plan, str) else plan
    found = []

    def walk(node: dict) -> None:
        kind, table = node["Node Type"], node.get("Relation Name")
        if table in LARGE:
            if kind == "Seq Scan":
                found.append(Scan(table, f"Seq Scan on {table}"))
            elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
                found.append(Scan(table, f"{kind} using {node['Index Name']} without Index Cond"))
        for child in node.get("Plans", ()):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def full_scans(connection: Connection, statement: str, parameters) -> list[Scan]:
    """Return the full scans of large tables in the plan of `statement` on its engine."""
    if connection.dialect.name == "sqlite":
        return sqlite_scans(connection, statement, parameters)
    return postgresql_scans(connection, statement, parameters)


def plan_text(connection: Connection, statement: str, parameters) -> str:
    """Return the plan as the engine prints it, for a failure message."""
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return "\n".join(row[-1] for row in rows)
    _price_out_whole_reads(connection)
    try:
        rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).all()
    finally:
        connection.exec_driver_sql("RESET ALL")
    return "\n".join(row[0] for row in rows)
