"""Requests per second of the claims list over HTTP, beside Datasette's equivalent page.

The workbench runs under gunicorn with one sync worker, Datasette as one process
(immutable, facet suggestions off), both on the same SQLite file, both asked for pages
of the same size by the same load generator (`wrk` if installed, else Python threads)
with the same number of connections, on loopback, for `--http-seconds` each.
On PostgreSQL only the workbench is measured (Datasette serves SQLite).
"""

import json

from .harness import (
    Client,
    Context,
    Measurement,
    datasette_server,
    http_load,
    sign_in,
    workbench_server,
)
from .pages import list_pages

CONNECTIONS = 4
DATASETTE_TABLE = 'class="rows-and-columns"'  # Datasette's table of rows


def run(ctx: Context):
    log_dir = ctx.options.out
    with ctx.driver() as connection:
        pages = list_pages(ctx, connection)
    ours: dict[str, dict] = {}
    with workbench_server(ctx, workers=1, log_dir=log_dir) as base:
        cookies = sign_in(base, ctx)
        for page in pages:
            ours[page.name] = http_load(base, page.path, contains=page.contains,
                                        seconds=ctx.options.http_seconds,
                                        connections=CONNECTIONS, cookies=cookies)  # fmt: skip
    theirs: dict[str, dict] = {}
    if ctx.engine == "sqlite":
        with datasette_server(ctx, page_size=50, log_dir=log_dir) as base:
            for page in pages:
                _check_same_rows(base, page)
                theirs[page.name] = http_load(base, page.datasette, contains=DATASETTE_TABLE,
                                              seconds=ctx.options.http_seconds,
                                              connections=CONNECTIONS)  # fmt: skip
    for page in pages:
        m = Measurement(name=page.name, rps=ours[page.name]["rps"])
        m.extra["p50"] = ours[page.name]["p50"]
        m.extra["p99"] = ours[page.name]["p99"]
        errors = ours[page.name]["non_2xx"] + ours[page.name]["timeouts"]
        if errors:
            m.extra["errors"] = errors
        if page.name in theirs:
            m.datasette_rps = theirs[page.name]["rps"]
            m.extra["Datasette p50"] = theirs[page.name]["p50"]
            m.checks["req/s ≥ Datasette"] = m.rps >= m.datasette_rps
        m.checks["no errors"] = not errors
        yield m


def _check_same_rows(base: str, page) -> None:
    """Make sure Datasette's page starts where ours starts in the sort order.

    Datasette breaks ties of `stated_on` by ascending id, the workbench by descending id,
    so the same position may hold another claim of the same day: the dates must agree.
    """
    path = page.datasette.replace("/claims?", "/claims.json?", 1) + "&_shape=objects"
    response = Client(base).request("GET", path)
    rows = json.loads(response.body).get("rows") if response.status == 200 else None
    if not rows or str(rows[0]["stated_on"]) != page.first_date:
        raise AssertionError(f"Datasette's {page.name} is not ours: {response.body[:300]}")
