"""Reading CSV and TSV files of claims or of sources, through a column mapping.

A mapping says which column holds which field (`text=Claim`, `claimant=Said by`). It
comes from the command line (`--column field=Header`), from a small YAML or JSON file
(`--map FILE`), or both (the command line wins); a header named like a field
(`stated_on`, `Stated on`) needs no mapping. Dates are ISO unless the user names the
order of day and month (`dmy`, `mdy`).

A mapping file:

    entity: claims          # or sources
    dates: dmy              # iso (default), dmy or mdy
    delimiter: ";"          # default: "," for CSV (";" when the header has no comma), tab for TSV
    tag_separator: ";"
    columns:
      text: Claim
      claimant: Said by
      stated_on: Date
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .reading import DATE_ORDERS, decode, parse_date
from .records import (
    ActorRecord,
    AppearanceRecord,
    ClaimRecord,
    ImportFileError,
    Plan,
    Problem,
    ReviewRecord,
    SourceRecord,
    check_claim,
    check_source,
    short_title,
)

CLAIM_FIELDS = {
    "text": "the claim, as stated (required)",
    "claimant": "who made the claim (an actor's name)",
    "stated_on": "when the claim was made (a date)",
    "status": "open, under_review, settled or retracted",
    "is_verbatim": "yes when the text quotes the claimant exactly",
    "external_id": "the claim's id in the system it comes from",
    "tags": "tags, separated by the tag separator (;)",
    "source_title": "the title of a source carrying the claim",
    "source_url": "the source's web address",
    "source_kind": "article, statement, video, report, post, interview, document, other",
    "source_publisher": "who published the source (an actor's name)",
    "source_published_on": "when the source was published",
    "source_reliability": "the source's reliability, A to F",
    "source_external_id": "the source's id in the system it comes from",
    "excerpt": "the passage of the source carrying the claim (default: the claim's text)",
    "locator": "where in the source (page, paragraph, timestamp)",
    "stance": "origin, endorses, neutral, skeptical or refutes",
    "verdict": "a fact-checker's verdict, verbatim",
    "reviewer": "the fact-checker who gave the verdict",
    "review_url": "the fact-check article's address",
    "review_title": "the fact-check article's title",
    "review_date": "when the fact-check was published",
}
SOURCE_FIELDS = {
    "title": "the source's title (required)",
    "url": "its web address",
    "kind": "article, statement, video, report, post, interview, document, other",
    "publisher": "who published it (an actor's name)",
    "author": "the named author, as printed",
    "archived_url": "an archived copy",
    "published_on": "when it was published",
    "reliability": "A to F",
    "notes": "why it has its reliability letter",
    "external_id": "its id in the system it comes from",
}
FIELDS = {"claims": CLAIM_FIELDS, "sources": SOURCE_FIELDS}
REQUIRED = {"claims": "text", "sources": "title"}
_TRUE, _FALSE = {"yes", "y", "true", "t", "1", "x"}, {"no", "n", "false", "f", "0", ""}


@dataclass
class Mapping:
    """How to read a table: which column is which field, the date order, the separators."""

    columns: dict[str, str] = field(default_factory=dict)
    entity: str = "claims"
    dates: str = "iso"
    delimiter: str | None = None
    tag_separator: str = ";"

    def merged(self, columns: dict[str, str], dates: str | None, entity: str | None) -> Mapping:
        """Return this mapping with the command line's choices over the file's."""
        return Mapping(
            columns={**self.columns, **columns},
            entity=entity or self.entity,
            dates=dates or self.dates,
            delimiter=self.delimiter,
            tag_separator=self.tag_separator,
        )


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file (YAML or JSON), refusing unknown settings with their name."""
    path = Path(path)
    try:
        data = yaml.safe_load(decode(path.read_bytes(), path.name))
    except OSError as error:
        raise ImportFileError(f"cannot read the mapping {path}: {error.strerror}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        place = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ImportFileError(f"{path.name}: broken YAML{place}") from None
    if not isinstance(data, dict):
        raise ImportFileError(f"{path.name}: a mapping file is a set of `name: value` lines")
    if "columns" not in data:  # a flat file: every line is field: Header
        data = {"columns": data}
    unknown = set(data) - {"columns", "entity", "dates", "delimiter", "tag_separator"}
    if unknown:
        raise ImportFileError(f"{path.name}: unknown setting {sorted(unknown)[0]!r}")
    columns = data.get("columns") or {}
    if not isinstance(columns, dict):
        raise ImportFileError(f"{path.name}: `columns` must list field: Header lines")
    return Mapping(
        columns={str(k): str(v) for k, v in columns.items()},
        entity=str(data.get("entity", "claims")),
        dates=str(data.get("dates", "iso")),
        delimiter=data.get("delimiter"),
        tag_separator=str(data.get("tag_separator", ";")),
    )


def parse_column_options(options: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Turn `field=Header` options into a mapping, refusing a malformed one."""
    columns = {}
    for option in options:
        name, equals, header = option.partition("=")
        if not equals or not name.strip() or not header.strip():
            raise ImportFileError(f"--column {option!r}: write it as field=Header")
        columns[name.strip()] = header.strip()
    return columns


def _simple(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).casefold()


def parse(text: str, name: str, mapping: Mapping, *, tabs: bool = False) -> Plan:
    """Return the records and problems of a CSV or TSV file read through `mapping`."""
    if mapping.entity not in FIELDS:
        raise ImportFileError(f"unknown entity {mapping.entity!r}: claims or sources")
    if mapping.dates not in DATE_ORDERS:
        raise ImportFileError(f"unknown date order {mapping.dates!r}: {', '.join(DATE_ORDERS)}")
    fields = FIELDS[mapping.entity]
    for field_name in mapping.columns:
        if field_name not in fields:
            raise ImportFileError(
                f"unknown field {field_name!r} for {mapping.entity}: {', '.join(fields)}"
            )
    text = text.removeprefix("\ufeff")
    delimiter = "\t" if tabs else mapping.delimiter or _sniff(text)
    rows = csv.reader(text.splitlines(keepends=True), delimiter=delimiter, strict=True)
    try:
        header = next(rows)
    except (StopIteration, csv.Error) as error:
        raise ImportFileError(f"{name}: cannot read the header (line 1): {error}") from None
    positions = _positions(header, fields, mapping, name)
    if REQUIRED[mapping.entity] not in positions:
        required = REQUIRED[mapping.entity]
        raise ImportFileError(
            f"{name}: no column holds the {mapping.entity} field {required!r}: "
            f"map one with --column {required}=HEADER (the header has: {', '.join(header)})"
        )
    plan = Plan("tsv" if tabs else "csv")
    reader = _RowReader(mapping)
    line = 1
    while True:
        start = line + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            raise ImportFileError(f"{name}: line {start}: {error}") from None
        line = rows.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {start}"
        problems = []
        if len(row) > len(header):
            problems.append(
                Problem(where, "", f"has {len(row)} values; the header has {len(header)}")
            )
        values = {f: row[i].strip() if i < len(row) else "" for f, i in positions.items()}
        record, more = reader.read(values, where)
        plan.add(record, problems + more, where)
    return plan


def _sniff(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if ";" in first and "," not in first else ","


def _positions(header: list[str], fields: dict, mapping: Mapping, name: str) -> dict[str, int]:
    by_simple = {}
    for i, column in enumerate(header):
        by_simple.setdefault(_simple(column), i)
    positions = {}
    for field_name, column in mapping.columns.items():
        if _simple(column) not in by_simple:
            raise ImportFileError(
                f"{name}: the column {column!r} (mapped to {field_name}) is not in the header "
                f"(line 1), which has: {', '.join(header)}"
            )
        positions[field_name] = by_simple[_simple(column)]
    for field_name in fields:
        if field_name not in positions and _simple(field_name) in by_simple:
            positions[field_name] = by_simple[_simple(field_name)]
    return positions


class _RowReader:
    """Turns one row's values into a record, collecting the problems of its fields."""

    def __init__(self, mapping: Mapping):
        self.mapping = mapping

    def read(self, v: dict[str, str], where: str):
        self.problems: list[Problem] = []
        self.where = where
        if self.mapping.entity == "sources":
            source = self._source(v, "")
            return source, self.problems + check_source(source, where)
        claim = ClaimRecord(
            where=where,
            text=v.get("text", ""),
            claimant=ActorRecord(v["claimant"]) if v.get("claimant") else None,
            stated_on=self._date(v, "stated_on"),
            external_id=v.get("external_id") or None,
            is_verbatim=self._flag(v, "is_verbatim"),
            status=_code(v.get("status")) or "open",
            tags=[
                t.strip() for t in v.get("tags", "").split(self.mapping.tag_separator) if t.strip()
            ],  # fmt: skip
        )
        if v.get("source_title") or v.get("source_url"):
            claim.appearances.append(
                AppearanceRecord(
                    source=self._source(v, "source_"),
                    excerpt=v.get("excerpt") or claim.text,
                    locator=v.get("locator", ""),
                    stance=_code(v.get("stance")) or "neutral",
                )
            )
        if v.get("verdict") or v.get("reviewer"):
            claim.reviews += self._review(v, claim.text)
        return claim, self.problems + check_claim(claim)

    def _source(self, v: dict[str, str], prefix: str) -> SourceRecord:
        def get(name: str) -> str:
            return v.get(prefix + name, "")

        url = get("url")
        return SourceRecord(
            title=short_title(get("title") or url),
            url=url,
            kind=_code(get("kind")) or "article",
            publisher=ActorRecord(get("publisher")) if get("publisher") else None,
            author=v.get("author", "") if not prefix else "",
            archived_url=v.get("archived_url", "") if not prefix else "",
            published_on=self._date(v, prefix + "published_on"),
            reliability=get("reliability").upper() or "F",
            notes=v.get("notes", "") if not prefix else "",
            external_id=get("external_id") or None,
            where=self.where,
        )

    def _review(self, v: dict[str, str], text: str) -> list[ReviewRecord]:
        if not v.get("reviewer"):
            self.problems.append(Problem(self.where, "reviewer", "a verdict needs its reviewer"))
            return []
        reviewer = ActorRecord(v["reviewer"], kind="media")
        article = SourceRecord(
            title=short_title(v.get("review_title") or f"{reviewer.name}: review of “{text}”"),
            url=v.get("review_url", ""),
            publisher=reviewer,
            published_on=self._date(v, "review_date"),
            where=self.where,
        )
        return [ReviewRecord(reviewer=reviewer, article=article, verdict=v.get("verdict", ""))]

    def _date(self, v: dict[str, str], name: str):
        if not v.get(name):
            return None
        try:
            return parse_date(v[name], self.mapping.dates)
        except ValueError as error:
            self.problems.append(Problem(self.where, name, str(error)))
            return None

    def _flag(self, v: dict[str, str], name: str) -> bool:
        value = v.get(name, "").casefold()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.problems.append(Problem(self.where, name, f"{v[name]!r} is not yes or no"))
        return False


def _code(value: str | None) -> str:
    """Read a vocabulary code leniently: `Under review` is `under_review`."""
    return "_".join((value or "").split()).casefold()
