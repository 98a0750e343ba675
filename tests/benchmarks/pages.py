"""The pages the benchmarks ask for, each with its raw-SQL and Datasette equivalents.

A `ListPage` is one claims-list request (a filter, first or deep page); `raw` fetches the
same rows through the driver: the claims with their claimants, their tags and their
contradiction counts (what the list shows). Deep pages start 90% of the way through the
sort order, by the same keyset cursor a "Next page" link carries.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from counterclaim.services.demo import synthetic
from counterclaim.services.pagination import encode_cursor

from .harness import Context

PAGE_SIZE = 50
DEEP = 0.9


@dataclass
class ListPage:
    name: str
    path: str  # the workbench's URL
    datasette: str | None  # the same page on Datasette, relative to the database's table
    raw: Callable  # raw(ctx, connection) -> rows
    first_date: str | None = None  # stated_on of the page's first row (checked on Datasette)
    contains: str = ""  # a piece of the workbench's answer: the first row's link


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class ClaimsList:
    """The claims list's SQL, as a person writing it by hand would."""

    def __init__(self, where: str = "", params: tuple = ()):
        self.where, self.params = where, params

    def position(self, ctx: Context, connection, fraction: float) -> tuple | None:
        """Return (stated_on, id) of the row `fraction` of the way through the sort order."""
        total = ctx.query(connection, f"SELECT count(*) FROM claims c WHERE c.stated_on IS NOT NULL{self.where}", self.params)[0][0]  # noqa: E501, S608  # fmt: skip
        if total < 2 * PAGE_SIZE:
            return None
        offset = int(total * fraction)
        rows = ctx.query(
            connection,
            f"SELECT c.stated_on, c.id FROM claims c WHERE c.stated_on IS NOT NULL{self.where}"  # noqa: S608
            " ORDER BY c.stated_on DESC, c.id DESC LIMIT 1 OFFSET ?",
            (*self.params, offset),
        )
        return _as_date(rows[0][0]), rows[0][1]

    def fetch(self, ctx: Context, connection, after: tuple | None) -> list:
        keyset, params = "", self.params
        if after is not None:
            keyset = " AND (c.stated_on, c.id) < (?, ?)"
            stated = after[0].isoformat() if ctx.engine == "sqlite" else after[0]
            params = (*params, stated, after[1])
        rows = ctx.query(
            connection,
            "SELECT c.id, c.text, c.is_verbatim, c.stated_on, c.status, c.claimant_id, a.name"
            " FROM claims c JOIN actors a ON a.id = c.claimant_id"
            f" WHERE c.stated_on IS NOT NULL{self.where}{keyset}"  # noqa: S608
            " ORDER BY c.stated_on DESC, c.id DESC LIMIT ?",
            (*params, PAGE_SIZE + 1),
        )
        ids = [row[0] for row in rows[:PAGE_SIZE]]
        if not ids:
            return rows
        marks = ", ".join("?" * len(ids))
        ctx.query(
            connection,
            "SELECT ct.claim_id, t.id, t.name FROM claim_tags ct JOIN tags t ON t.id = ct.tag_id"
            f" WHERE ct.claim_id IN ({marks}) ORDER BY t.name",  # noqa: S608
            ids,
        )
        ctx.query(
            connection,
            "SELECT claim_id, count(*) FROM (SELECT from_claim_id AS claim_id FROM claim_links"
            f" WHERE relation = 'contradicts' AND from_claim_id IN ({marks}) UNION ALL"  # noqa: S608
            " SELECT to_claim_id FROM claim_links"
            f" WHERE relation = 'contradicts' AND to_claim_id IN ({marks})) AS x GROUP BY claim_id",
            ids + ids,
        )
        return rows


def rare_word() -> str:
    """Return a word that about one claim in two thousand contains (the generator's Zipf)."""
    return synthetic._rare_words(random.Random(1), 20_000)[50]  # noqa: S311


def list_pages(ctx: Context, connection) -> list[ListPage]:
    """Return the claims-list requests to measure on this data set."""
    low, high = ctx.query(connection, "SELECT min(id), max(id) FROM tags")[0]
    tag_id = (low + high) // 2  # a topic tag (the first twenty are places)
    claimant = ctx.query(connection, "SELECT claimant_id FROM claims WHERE id = ?",
                         (ctx.claims // 2,))[0][0]  # fmt: skip
    word = rare_word()
    lists = [
        ("unfiltered", ClaimsList(), {}, {}),
        ("status = under review", ClaimsList(" AND c.status = ?", ("under_review",)),
         {"status": "under_review"}, {"status": "under_review"}),
        ("one tag", ClaimsList(" AND EXISTS (SELECT 1 FROM claim_tags ct WHERE ct.claim_id = c.id AND ct.tag_id = ?)", (tag_id,)),  # noqa: E501
         {"tag": tag_id}, {"_where": f"id in (select claim_id from claim_tags where tag_id = {tag_id})"}),  # noqa: E501
        ("one claimant", ClaimsList(" AND c.claimant_id = ?", (claimant,)),
         {"claimant": claimant}, {"claimant_id": claimant}),
        (f"text contains “{word}”", ClaimsList(" AND lower(c.text) LIKE ?", (f"%{word}%",)),
         {"q": word}, {"text__contains": word}),
    ]  # fmt: skip
    pages = []
    for label, sql, ours, theirs in lists:
        deep_too = label in ("unfiltered", "status = under review")
        for depth in ("first page", "deep page") if deep_too else ("first page",):
            after = sql.position(ctx, connection, DEEP) if depth == "deep page" else None
            if depth == "deep page" and after is None:
                continue
            query = dict(ours, per_page=PAGE_SIZE)
            theirs_query = dict(theirs, _sort_desc="stated_on", _size=PAGE_SIZE)
            if after is not None:
                query["after"] = encode_cursor(after[0], after[1])
                theirs_query["_next"] = f"{after[0].isoformat()},{after[1]}"
            rows = sql.fetch(ctx, connection, after)
            pages.append(ListPage(
                name=f"claims list, {label}, {depth}", path="/claims/?" + urlencode(query),
                datasette="/claims?" + urlencode(theirs_query),
                raw=lambda ctx, conn, sql=sql, after=after: sql.fetch(ctx, conn, after),
                first_date=str(rows[0][3]) if rows else None,
                contains=f'href="/claims/{rows[0][0]}"' if rows else "No claims",
            ))  # fmt: skip
    return pages
