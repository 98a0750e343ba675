# ruff: noqa: E501 - the catalogue keeps one statement per line
"""The console's limits hold whatever a statement does with its time and memory.

CPU per step: statements that spend seconds inside one function call (SQLite's printf
with a huge width, instr on long strings; PostgreSQL's regex, repeat, string_agg) finish
or are stopped within the time limit plus a second: the worker running them is killed. Memory: a value over the cap is refused, a page is cut at its byte budget
cell by cell, a download at its own, blobs come back as their size and first bytes, and
the test process's own memory does not grow with any of it.
"""

import csv
import io
import resource
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from counterclaim.services.research.result_formats import csv_cell, csv_chunks
from counterclaim.services.research.sql_common import ConsoleError, QueryTimedOut, QueryTooLarge
from counterclaim.services.research.sql_pool import Blob
from research import TIME_LIMIT

#: How far past the time limit a statement may still be running (the issue's bound: 1 s).
MARGIN = 1.0
#: Bytes the test process may grow by across the whole catalogue.
PROCESS_GROWTH = 64 * 1024 * 1024

RECURSIVE_200 = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r LIMIT 200)"

# (name, engine or None for both, sql)
CPU_PER_STEP = [
    ("printf-width", "sqlite", "SELECT length(printf('%.*c', 2147483647, 'x'))"),
    ("printf-three", "sqlite", "SELECT printf('%.*c', 2147483647, 'x'), printf('%.*c', 2147483647, 'y'), printf('%.*c', 2147483647, 'z')"),
    ("instr-quadratic", "sqlite", "SELECT instr(printf('%.*c', 1600000, 'a'), printf('%.*c', 800000, 'a') || 'b')"),
    ("instr-at-the-cap", "sqlite", "SELECT instr(printf('%.*c', 3999000, 'a'), printf('%.*c', 1999000, 'a') || 'b')"),
    ("instr-many", "sqlite", "SELECT " + " + ".join(["instr(printf('%.*c', 200000, 'a'), printf('%.*c', 100000, 'a') || 'b')"] * 20)),
    ("like-wildcards", "sqlite", "SELECT printf('%.*c', 3000000, 'a') LIKE '%a%a%a%a%a%a%a%a%a%a%b'"),
    ("glob-wildcards", "sqlite", "SELECT printf('%.*c', 3000000, 'a') GLOB '*a*a*a*a*a*a*a*a*a*b'"),
    ("replace-growth", "sqlite", "SELECT length(replace(printf('%.*c', 3000000, 'a'), 'a', 'bbbbbbbbbb'))"),
    ("zeroblob-concat", "sqlite", "SELECT length(zeroblob(3999999) || zeroblob(3999999))"),
    ("hex-randomblob", "sqlite", "SELECT length(hex(randomblob(3000000)))"),
    ("group-concat-huge", "sqlite", f"{RECURSIVE_200} SELECT length(group_concat(zeroblob(1000000))) FROM r"),
    ("sort-big-values", "sqlite", f"{RECURSIVE_200} SELECT printf('%.*c', 3000000, n) AS v FROM r ORDER BY v DESC"),
    ("json-huge", "sqlite", f"{RECURSIVE_200} SELECT length(json_group_array(printf('%.*c', 1000000, 'x'))) FROM r"),
    ("pg-regex-backtrack", "postgresql", "SELECT repeat('a', 40) ~ '(a*)*b' FROM generate_series(1, 100000)"),
    ("pg-repeat-huge", "postgresql", "SELECT length(repeat('x', 500000000))"),
    ("pg-string-agg", "postgresql", "SELECT length(string_agg(repeat('x', 100000000), '')) FROM generate_series(1, 3)"),
    ("pg-array-agg", "postgresql", "SELECT cardinality(array_agg(g)) FROM generate_series(1, 200000000) AS g"),
    ("pg-md5-chain", "postgresql", "WITH RECURSIVE r(n, h) AS (SELECT 1, md5('x') UNION ALL SELECT n + 1, md5(h) FROM r) SELECT count(*) FROM r"),
    ("pg-sort-huge", "postgresql", "SELECT g FROM generate_series(1, 100000000) AS g ORDER BY md5(CAST(g AS TEXT)) LIMIT 1"),
]  # fmt: skip

MEMORY = [
    ("zeroblob-rows", "sqlite", f"{RECURSIVE_200} SELECT zeroblob(3999999) FROM r"),
    ("text-rows", "sqlite", f"{RECURSIVE_200} SELECT printf('%.*c', 3999999, 'x') FROM r"),
    ("text-over-the-cap", "sqlite", "SELECT printf('%.*c', 4000001, 'x')"),
    ("wide-rows", "sqlite", f"{RECURSIVE_200} SELECT " + ", ".join(["printf('%.*c', 1000000, 'x')"] * 30) + " FROM r"),
    ("pg-text-rows", "postgresql", "SELECT repeat('x', 3999999) FROM generate_series(1, 200)"),
    ("pg-bytea-rows", "postgresql", "SELECT CAST(repeat('x', 3999999) AS bytea) FROM generate_series(1, 200)"),
    ("pg-text-over-the-cap", "postgresql", "SELECT repeat('x', 100000000)"),
    ("pg-wide-rows", "postgresql", "SELECT " + ", ".join(["repeat('x', 1000000)"] * 30) + " FROM generate_series(1, 200)"),
]  # fmt: skip


def _for(kind, catalogue):
    return [(name, sql) for name, engine, sql in catalogue if engine in (None, kind)]


def _ids(catalogue):
    return [name for name, _engine, _sql in catalogue]


@pytest.fixture(scope="module")
def console(research):
    console = research.console(download_max_bytes=20_000_000)
    yield console
    console.dispose()


def _peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _size(rows) -> int:
    return sum(len(v) if isinstance(v, str | bytes) else 8 for row in rows for v in row)


@pytest.mark.parametrize(("name", "only", "sql"), CPU_PER_STEP, ids=_ids(CPU_PER_STEP))
def test_one_expensive_step_is_stopped_within_the_limit(research, console, name, only, sql):
    if only not in (None, research.kind):
        pytest.skip(f"{only} only")
    console.run("SELECT 1")  # a warm worker: starting one is not the statement's time
    peak = _peak()
    started = time.monotonic()
    try:
        console.run(sql)  # finishes (SQLite's LIKE and GLOB are linear enough) ...
    except ConsoleError as stopped:  # ... or is stopped
        assert isinstance(stopped, QueryTimedOut | QueryTooLarge), stopped
    elapsed = time.monotonic() - started
    assert elapsed < TIME_LIMIT + MARGIN, f"{name} ran {elapsed:.2f} s"
    assert _peak() - peak < PROCESS_GROWTH


@pytest.mark.parametrize(("name", "only", "sql"), MEMORY, ids=_ids(MEMORY))
def test_a_page_and_a_download_stay_within_their_bytes(research, console, name, only, sql):
    if only not in (None, research.kind):
        pytest.skip(f"{only} only")
    console.run("SELECT 1")
    peak = _peak()
    started = time.monotonic()
    try:
        result = console.run(sql)
    except ConsoleError as error:
        assert isinstance(error, QueryTooLarge | QueryTimedOut), error
    else:
        assert _size(result.rows) <= console.settings.page_max_bytes
        assert result.rows or result.cut_by == "bytes"  # a row larger than a page
    assert time.monotonic() - started < TIME_LIMIT + MARGIN
    received = 0
    try:
        with console.stream(sql) as stream:
            for row in stream:
                received += _size([row])
    except ConsoleError as error:
        assert isinstance(error, QueryTooLarge | QueryTimedOut), error
    assert received <= console.settings.download_max_bytes
    assert _peak() - peak < PROCESS_GROWTH


def text_of(kind: str, size: int) -> str:
    """Return SQL for a text of `size` x's on `kind`'s engine."""
    return f"printf('%.*c', {size}, 'x')" if kind == "sqlite" else f"repeat('x', {size})"


def over_200_rows(kind: str, select: str) -> str:
    """Return SQL selecting `select` (which may use n) over n = 1..200."""
    if kind == "sqlite":
        return f"{RECURSIVE_200} SELECT {select} FROM r"
    return f"SELECT {select} FROM generate_series(1, 200) AS r(n)"


def test_blobs_on_a_page_are_their_size_and_first_bytes(research):
    blob = (
        "zeroblob(999999)" if research.kind == "sqlite" else "decode(repeat('00', 999999), 'hex')"
    )
    console = research.console(time_limit=5)
    try:
        rows = console.run(over_200_rows(research.kind, f"{blob} AS b, n")).rows
    finally:
        console.dispose()
    assert len(rows) == 200  # 200 MB of blobs, a few kilobytes on the page
    assert rows[0][0] == Blob(999999, bytes(16))
    assert str(rows[0][0]) == "blob, 999,999 bytes: " + "00" * 16 + "…"


def test_a_page_is_cut_at_its_byte_budget_row_by_row(research):
    console = research.console(page_max_bytes=2_500_000, time_limit=2)
    try:
        result = console.run(over_200_rows(research.kind, text_of(research.kind, 1_000_000)))
    finally:
        console.dispose()
    assert result.row_count == 2 and result.truncated and result.cut_by == "bytes"


def test_a_download_over_its_maximum_is_broken_off_not_cut_silently(research):
    console = research.console(download_max_bytes=3_000_000, time_limit=2)
    received = []
    try:
        sql = over_200_rows(research.kind, text_of(research.kind, 1_000_000))
        with (
            pytest.raises(QueryTooLarge, match="COUNTERCLAIM_SQL_DOWNLOAD_MAX_BYTES"),
            console.stream(sql) as rows,
        ):
            received.extend(rows)
    finally:
        console.dispose()
    assert len(received) == 3


def test_a_value_over_the_cap_is_refused_with_the_setting_named(research):
    console = research.console(value_max_bytes=1000, time_limit=2)
    try:
        # SQLite counts printf's terminating NUL against the cap.
        assert console.run(f"SELECT {text_of(research.kind, 999)} AS v").rows[0][0] == "x" * 999
        with pytest.raises(QueryTooLarge, match="COUNTERCLAIM_SQL_VALUE_MAX_BYTES"):
            # (SQLite's printf gives NULL past the cap; zeroblob, || and the rest an error.)
            over = "zeroblob(1001)" if research.kind == "sqlite" else text_of(research.kind, 1001)
            console.run(f"SELECT {over} AS v")
    finally:
        console.dispose()


def test_a_worker_is_reused_after_a_clean_answer_and_replaced_after_a_kill(research):
    console = research.console()
    try:
        console.run("SELECT 1")
        pool = console._backend._pool
        worker = pool._idle[0]
        console.run("SELECT 2")
        assert pool._idle == [worker]
        with pytest.raises(QueryTimedOut):
            console.run(
                "SELECT count(*) FROM claims a, claims b, claims c, claims d, claims e, claims f"
            )
        assert worker.process.poll() is not None or pool._idle == [worker]
        assert console.run("SELECT 3").rows == [(3,)]
    finally:
        console.dispose()
    assert all(w.process.poll() is not None for w in [worker])


CELLS = st.one_of(
    st.none(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.binary(max_size=8),
    st.text(alphabet=st.sampled_from('ab ,"\r\n=+-@\t\'é'), max_size=12),
)  # fmt: skip


@settings(derandomize=True, max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(CELLS, min_size=1, max_size=4), max_size=5))
def test_our_csv_is_the_csv_modules(rows):
    width = max(map(len, rows), default=1)
    rows = [tuple(row) + (None,) * (width - len(row)) for row in rows]
    expected = io.StringIO()
    writer = csv.writer(expected)
    for row in [tuple(f"c{i}" for i in range(width)), *rows]:
        writer.writerow([csv_cell(value) for value in row])
    columns = [f"c{i}" for i in range(width)]
    assert "".join(csv_chunks(columns, rows)) == expected.getvalue()


def test_a_huge_cell_is_handed_on_alone():
    chunks = list(csv_chunks(["a", "b"], [("x" * 1_000_000, 1), ("y", 2)]))
    assert chunks[1] == "x" * 1_000_000 and max(len(c) for c in chunks) == 1_000_000


def test_a_download_row_wider_than_four_values_is_refused(research):
    console = research.console(value_max_bytes=1000, time_limit=2)
    cells = ", ".join([text_of(research.kind, 999)] * 5)
    try:
        with console.stream(f"SELECT {text_of(research.kind, 999)} AS v") as rows:
            assert len(list(rows)) == 1
        with (
            pytest.raises(QueryTooLarge, match="a row may hold"),
            console.stream(f"SELECT {cells}") as rows,
        ):
            list(rows)
    finally:
        console.dispose()
