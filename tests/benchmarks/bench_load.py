"""Load: 8 clients editing claims and 8 reading pages, against gunicorn with 4 workers.

Runs on the largest data set of each engine, for `--load-seconds` (default 60), on
loopback only; every loop stops at the deadline. An editor GETs a claim's edit form and
POSTs it back with its CSRF token and the version it loaded (four times in five one of
its own claims, else one of twenty claims every editor shares, so stale edits happen
and must be refused with 409). A reader asks for the home page, claims lists, claims and
sources. Afterwards:

- requests per second and p50/p95 per route;
- the server log must not contain one "database is locked";
- every acknowledged edit (302) is in the database: each claim's version rose by exactly
  its number of acknowledged edits, and its text is that of its last acknowledged edit.

Where the workbench has sign-in (`services.users.create_user`), the run makes a
"bench-editor" account and signs in once through the form; every client shares that
session. Without it the workbench acts as one local analyst and nobody signs in.
"""

import random
import threading
import time
from collections import defaultdict

from .harness import (
    Client,
    Context,
    Measurement,
    percentile,
    read_form,
    sign_in,
    workbench_server,
)

LARGEST_ONLY = True
EDITORS = 8
READERS = 8
WORKERS = 4
OWN_CLAIMS = 200  # per editor
SHARED_CLAIMS = 20


def prepare_client(client: Client, cookies: dict[str, str]) -> None:
    """Get a client ready to work: give it the signed-in session."""
    client.cookies.update(cookies)


class Tally:
    """Latencies and statuses per route, shared by the client threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        self.acks: list[tuple[int, int, str]] = []  # (claim id, version saved, text)
        self.refused: list[str] = []  # unexpected answers, for the report

    def record(self, route: str, response) -> None:
        with self.lock:
            self.times[route].append(response.seconds)
            self.statuses[route][response.status] += 1


def run(ctx: Context):
    seconds = ctx.options.load_seconds
    rng = random.Random(8)  # noqa: S311
    with ctx.driver() as connection:
        pool = rng.sample(range(1, ctx.claims + 1), EDITORS * OWN_CLAIMS + SHARED_CLAIMS)
        own = [pool[i * OWN_CLAIMS : (i + 1) * OWN_CLAIMS] for i in range(EDITORS)]
        shared = pool[-SHARED_CLAIMS:]
        before = _versions(ctx, connection, pool)
        sources = ctx.query(connection, "SELECT max(id) FROM sources")[0][0]
    tally = Tally()
    with workbench_server(ctx, workers=WORKERS, log_dir=ctx.options.out) as base:
        cookies = sign_in(base, ctx)
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=_editor,
                                    args=(base, cookies, n, own[n], shared, tally, deadline))
                   for n in range(EDITORS)]  # fmt: skip
        threads += [threading.Thread(target=_reader,
                                     args=(base, cookies, n, ctx.claims, sources, tally, deadline))
                    for n in range(READERS)]  # fmt: skip
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    log = ctx.options.out / f"gunicorn-{ctx.engine}-{ctx.claims}-{WORKERS}w.log"
    log_text = log.read_text(errors="replace")
    with ctx.driver() as connection:
        after = _versions(ctx, connection, pool)
    yield from _report(tally, elapsed, before, after, log_text)


def _versions(ctx: Context, connection, ids: list[int]) -> dict[int, tuple[int, str]]:
    marks = ", ".join("?" * len(ids))
    rows = ctx.query(connection, f"SELECT id, version, text FROM claims WHERE id IN ({marks})", ids)  # noqa: S608  # fmt: skip
    return {row[0]: (row[1], row[2]) for row in rows}


def _editor(base, cookies, n, own, shared, tally: Tally, deadline) -> None:
    rng = random.Random(1000 + n)  # noqa: S311
    run = time.strftime("%H%M%S")
    client = Client(base)
    prepare_client(client, cookies)
    edits = 0
    while time.monotonic() < deadline:
        claim_id = rng.choice(own) if rng.random() < 0.8 else rng.choice(shared)
        form_page = client.request("GET", f"/claims/{claim_id}/edit")
        tally.record("GET /claims/<id>/edit", form_page)
        if form_page.status != 200:
            tally.refused.append(f"GET edit {claim_id}: {form_page.status}")
            continue
        fields = read_form(form_page.body)
        values = dict(fields)
        edits += 1
        # A mark no earlier run wrote: saving unchanged values raises no version.
        text = values["text"].strip().split(" [edit ", 1)[0] + f" [edit {run}-{n}-{edits}]"
        form = [(k, v) for k, v in fields if k != "text"] + [("text", text)]
        saved = client.request("POST", f"/claims/{claim_id}/edit", form)
        tally.record("POST /claims/<id>/edit", saved)
        if saved.status == 302:
            with tally.lock:
                tally.acks.append((claim_id, int(values["version"]) + 1, text))
        elif saved.status != 409:  # 409: someone saved first; refused, nothing lost
            tally.refused.append(f"POST edit {claim_id}: {saved.status} {saved.body[:200]}")


def _reader(base, cookies, n, claims, sources, tally: Tally, deadline) -> None:
    rng = random.Random(2000 + n)  # noqa: S311
    client = Client(base)
    prepare_client(client, cookies)
    routes = [
        ("GET /", lambda: "/"),
        ("GET /claims/", lambda: "/claims/"),
        ("GET /claims/?status=", lambda: "/claims/?status=under_review"),
        ("GET /claims/<id>", lambda: f"/claims/{rng.randint(1, claims)}"),
        ("GET /sources/<id>", lambda: f"/sources/{rng.randint(1, sources)}"),
    ]
    while time.monotonic() < deadline:
        route, path = rng.choice(routes)
        response = client.request("GET", path())
        tally.record(route, response)
        if response.status != 200:
            tally.refused.append(f"{path()}: {response.status}")


def _report(tally: Tally, elapsed: float, before: dict, after: dict, log_text: str):
    locked = log_text.lower().count("database is locked")
    server_errors = sum(n for s in tally.statuses.values() for code, n in s.items() if code >= 500)
    for route, times in sorted(tally.times.items()):
        m = Measurement(name=f"load: {route}", rps=len(times) / elapsed)
        m.extra = {"requests": len(times), "p50": f"{percentile(times, 50) * 1000:.0f}ms",
                   "p95": f"{percentile(times, 95) * 1000:.0f}ms",
                   "statuses": dict(tally.statuses[route])}  # fmt: skip
        yield m
    acked: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for claim_id, version, text in tally.acks:
        acked[claim_id].append((version, text))
    lost = []
    for claim_id, saves in acked.items():
        version_after, text_after = after[claim_id]
        last_version, last_text = max(saves)
        rose = version_after - before[claim_id][0]
        if rose != len(saves) or version_after != last_version or text_after != last_text:
            lost.append(claim_id)
    conflicts = sum(s.get(409, 0) for s in tally.statuses.values())
    m = Measurement(name="load: edits", rps=len(tally.acks) / elapsed)
    m.extra = {"acknowledged": len(tally.acks), "found in database": len(tally.acks) - sum(
        len(acked[c]) for c in lost), "stale refused (409)": conflicts,
        "database is locked": locked, "5xx": server_errors,
        "unexpected": len(tally.refused)}  # fmt: skip
    notes = tally.refused[:5] + [
        f"claim {c}: version {before[c][0]}→{after[c][0]}, acknowledged {sorted(acked[c])[-3:]},"
        f" text now {after[c][1][-30:]!r}" for c in lost[:3]
    ]  # fmt: skip
    m.note = "; ".join(notes)
    m.checks = {"no 'database is locked'": locked == 0, "every acknowledged edit saved": not lost,
                "no server error": server_errors == 0}  # fmt: skip
    yield m
