"""Any file as a table: CSV/TSV rows, JSON Lines and JSON arrays of records.

A table is a list of `Row`s, each able to answer `get(path)` with one cell's text. What a
path means depends on the file:

- CSV/TSV with a header: a header name (compared without case, spaces, `_` or `-`);
- CSV/TSV without a header (`header: false`): a 1-based column number;
- JSON records: a key of the record, else a dotted path into nested objects and lists
  (`claimReview.0.publisher.name`); a key that reads like a dotted path wins.

A record holding a list expands into one row per element with `each` paths (repeatable
for nested lists, each one relative to the record or, with `@.`, to the previous level's
element). In column paths `@.` addresses the innermost element, `@1.`, `@2.` each level
from the outside, and a plain path the record. A record whose list is empty still gives
one row, with nothing at `@.` (a claim with no evidence is still a claim).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .records import ImportFileError

_LEVEL = re.compile(r"^@(\d*)\.(.*)$")
MAX_SHOWN = 40  # characters of a header cell shown in an error


def simple(name: str) -> str:
    """Return a header name as columns are matched: no case, spaces, `_` or `-`."""
    return re.sub(r"[\s_\-]+", "", name).casefold()


@dataclass
class Row:
    """One row of a table: where it is in the file, and its cells or its record."""

    where: str
    cells: list[str] | None = None  # CSV/TSV
    record: Any = None  # JSON
    elements: tuple[Any, ...] = ()  # the `each` elements, outermost first


class Table:
    """Rows and how their paths resolve; `resolve(path)` checks a path once, up front."""

    kind = "table"

    def __init__(self, name: str, rows: list[Row]):
        self.name, self.rows = name, rows

    def columns(self) -> list[str]:
        return []

    def resolve(self, path: str, field: str):
        raise NotImplementedError


class DelimitedTable(Table):
    """CSV or TSV: cells by header name, or by number when there is no header."""

    def __init__(self, name: str, rows: list[Row], header: list[str] | None):
        super().__init__(name, rows)
        self.header = header
        self.by_simple: dict[str, int] = {}
        for i, column in enumerate(header or []):
            self.by_simple.setdefault(simple(column), i)

    def columns(self) -> list[str]:
        return list(self.header or [])

    def width(self) -> int | None:
        return len(self.header) if self.header is not None else None

    def resolve(self, path: str, field: str):
        if self.header is None:
            if not path.isdigit() or int(path) < 1:
                raise ImportFileError(
                    f"{self.name}: --column {field}={path}: a file without a header names "
                    "its columns by number, from 1"
                )
            index = int(path) - 1
        elif simple(path) in self.by_simple:
            index = self.by_simple[simple(path)]
        else:
            raise ImportFileError(
                f"{self.name}: the column {path!r} (mapped to {field}) is not in the header "
                f"(line 1), which has: {shown_header(self.header)}"
            )
        return lambda row: row.cells[index].strip() if index < len(row.cells) else ""

    def guess(self, field: str):
        """Return a getter for a column named like `field`, or None."""
        if self.header is None or simple(field) not in self.by_simple:
            return None
        return self.resolve(field, field)


class RecordTable(Table):
    """JSON records: cells by key, dotted path, or `@` path into the `each` elements."""

    def __init__(self, name: str, rows: list[Row], depth: int):
        super().__init__(name, rows)
        self.depth = depth

    def columns(self) -> list[str]:
        keys: dict[str, None] = {}
        for row in self.rows[:50]:
            if isinstance(row.record, dict):
                keys.update(dict.fromkeys(row.record))
        return list(keys)

    def resolve(self, path: str, field: str):
        match = _LEVEL.match(path)
        if match is None:
            return lambda row: cell(lookup(row.record, path))
        level, rest = match.groups()
        if not self.depth:
            raise ImportFileError(
                f"{self.name}: --column {field}={path}: `@` names an element of an --each "
                "list, and no --each was given"
            )
        index = int(level) - 1 if level else self.depth - 1
        if not 0 <= index < self.depth:
            raise ImportFileError(
                f"{self.name}: --column {field}={path}: there are {self.depth} --each "
                f"level(s), @1 to @{self.depth}"
            )
        return lambda row: cell(lookup(row.elements[index], rest) if rest else
                                row.elements[index])  # fmt: skip

    def guess(self, field: str):
        """Return a getter for a key named like `field` in the records, or None."""
        wanted = simple(field)
        for key in self.columns():
            if simple(key) == wanted:
                return lambda row, key=key: cell(
                    row.record.get(key) if isinstance(row.record, dict) else None
                )
        return None


def shown_header(header: list[str], limit: int = 12) -> str:
    """Return a header for an error message: each cell cut short, at most `limit` cells."""
    cells = [c if len(c) <= MAX_SHOWN else c[: MAX_SHOWN - 1] + "…" for c in header[:limit]]
    more = f" … ({len(header)} columns)" if len(header) > limit else ""
    return ", ".join(repr(c) for c in cells) + more


def lookup(value: Any, path: str) -> Any:
    """Return what a dotted `path` addresses in nested dicts and lists, or None."""
    if value is None:
        return None
    if isinstance(value, dict) and path in value:  # a key that reads like a path wins
        return value[path]
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.lstrip("-").isdigit():
            index = int(part)
            value = value[index] if -len(value) <= index < len(value) else None
        else:
            return None
        if value is None:
            return None
    return value


def cell(value: Any) -> str:
    """Return a JSON value as a cell's text: numbers and booleans as written, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)):
        return json.dumps(value)
    if isinstance(value, list) and all(isinstance(v, (str, int, float)) for v in value):
        return ";".join(cell(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


# --- reading ------------------------------------------------------------------------------


def read_delimited(text: str, name: str, delimiter: str, *, header: bool) -> DelimitedTable:
    """Return the rows of a CSV/TSV text (quoted cells may span lines)."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    names = None
    line = 0
    if header:
        try:
            names = next(reader)
        except (StopIteration, csv.Error) as error:
            raise ImportFileError(f"{name}: cannot read the header (line 1): {error}") from None
        line = reader.line_num
    rows = []
    while True:
        start = line + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(f"{name}: line {start}: {error}") from None
        line = reader.line_num
        if any(c.strip() for c in cells):
            rows.append(Row(f"line {start}", cells=cells))
    return DelimitedTable(name, rows, names)


def json_lines(text: str, name: str) -> list[tuple[str, Any]]:
    """Return the values of a JSON Lines text with their line, or say where one breaks."""
    values = []
    for number, line in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            values.append((f"line {number}", json.loads(line)))
        except json.JSONDecodeError as error:
            raise ImportFileError(
                f"{name}: broken JSON Lines at line {number}, column {error.colno}: {error.msg}"
            ) from None
        except RecursionError:
            raise ImportFileError(f"{name}: line {number} is nested too deeply") from None
    return values


def is_json_lines(text: str) -> bool:
    """Tell whether a text is JSON Lines: several lines, the first one a whole object."""
    lines = [line for line in text.removeprefix("\ufeff").splitlines() if line.strip()]
    if len(lines) < 2 or not lines[0].lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except json.JSONDecodeError:
        return False


def record_table(values: list[tuple[str, Any]], name: str, each: list[str]) -> RecordTable:
    """Return records as rows, one per combination of their `each` lists' elements."""
    rows = []
    for where, record in values:
        if not isinstance(record, dict):
            raise ImportFileError(
                f"{name}: {where} is a JSON {type(record).__name__}, not a record (an object)"
            )
        rows.extend(_expand(record, where, each, ()))
    return RecordTable(name, rows, len(each))


def _expand(record: dict, where: str, each: list[str], elements: tuple) -> Iterator[Row]:
    if len(elements) == len(each):
        yield Row(where, record=record, elements=elements)
        return
    path = each[len(elements)]
    match = _LEVEL.match(path)
    if match is not None:
        if not elements:
            raise ImportFileError(f"--each {path}: the first --each is a path in the record")
        level, rest = match.groups()
        base = elements[int(level) - 1 if level else -1]
        items = lookup(base, rest) if rest else base
    else:
        items = lookup(record, path)
    if items is None or items == []:
        yield from _expand(
            record, where, each, (*elements, *([None] * (len(each) - len(elements))))
        )
        return
    if not isinstance(items, list):
        items = [items]
    for n, item in enumerate(items):
        label = f"{where}, {path.removeprefix('@.')}[{n}]"
        yield from _expand(record, label, each, (*elements, item))
