"""Reading tables of claims, sources or links (CSV, TSV, JSON Lines, JSON arrays) through a mapping.

A mapping says which column holds which field (`text=Claim`, `claimant=Said by`). It
comes from the command line (`--column field=PATH`), from a small YAML or JSON file
(`--map FILE`), or both (the command line wins); a column named like a field
(`stated_on`, `Stated on`) needs no mapping. What PATH means (a header, a column number,
a dotted path into JSON) is tables.py's business. Dates are ISO unless the user names the
order of day and month (`dmy`, `mdy`).

A mapping file:

    entity: claims          # claims, sources or links
    dates: dmy              # iso (default), dmy or mdy
    delimiter: ";"          # default: "," for CSV (";" when the header has no comma), tab for TSV
    header: false           # CSV/TSV without a header row: columns are numbers from 1
    tag_separator: ";"
    each: [evidence]        # JSON: one row per element of these lists
    set: {reviewer: PolitiFact}   # a value for every record
    add_tags: [import-2026-11]    # tags for every imported claim
    columns:
      text: Claim
      claimant: Said by
      stated_on: Date

Over 400 lines for a reason: a mapping, its file format and the row reader it drives
change together; PATH handling is already apart (tables.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import tables
from .reading import DATE_ORDERS, decode, parse_date
from .records import (
    ActorRecord,
    AppearanceRecord,
    ClaimRecord,
    ImportFileError,
    LinkRecord,
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
    "review_language": "the fact-check's language (en, ar…)",
    "note": "a note on the claim (any column that has no field of its own)",
    "claimant_description": "who the claimant is: job, party, place",
    "claimant_affiliation": "the actor the claimant belongs to or speaks for",
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
LINK_FIELDS = {
    "from_external_id": "the first claim's id in the file's system",
    "from_text": "the first claim's text (required unless its external id is known)",
    "from_claimant": "who made the first claim",
    "from_stated_on": "when the first claim was made",
    "to_external_id": "the second claim's (the evidence's) id",
    "to_text": "the second claim's text: the evidence sentence",
    "to_claimant": "who made the second claim",
    "to_stated_on": "when the second claim was made",
    "to_source_title": "where the evidence appears: the source's title",
    "to_source_url": "the evidence source's web address",
    "to_excerpt": "the evidence's passage in that source (default: its text)",
    "relation": "how the second claim (the evidence) bears on the first: supports, refutes, "
    "SUPPORTS, NOT_ENOUGH_INFO… (`counterclaim relations list`)",
    "strength": "weak, moderate or strong (default: moderate)",
    "rationale": "why the claims are linked",
}
FIELDS = {"claims": CLAIM_FIELDS, "sources": SOURCE_FIELDS, "links": LINK_FIELDS}
REQUIRED = {"claims": "text", "sources": "title", "links": "relation"}
#: Problems in these fields lose only the claim's review, which --skip-invalid drops.
_REVIEW_FIELDS = ("verdict", "reviewer", "review_url", "review_title", "review_date",
                  "review_language", "review")  # fmt: skip
_TRUE, _FALSE = {"yes", "y", "true", "t", "1", "x"}, {"no", "n", "false", "f", "0", ""}


@dataclass
class Mapping:
    """How to read a table: which column is which field, the date order, the separators."""

    columns: dict[str, str] = field(default_factory=dict)
    entity: str = "claims"
    dates: str = "iso"
    delimiter: str | None = None
    tag_separator: str = ";"
    header: bool = True
    each: list[str] = field(default_factory=list)
    set: dict[str, str] = field(default_factory=dict)
    add_tags: list[str] = field(default_factory=list)

    def merged(
        self,
        columns: dict[str, str],
        dates: str | None,
        entity: str | None,
        *,
        header: bool | None = None,
        each: list[str] | tuple[str, ...] = (),
        set: dict[str, str] | None = None,
        add_tags: list[str] | tuple[str, ...] = (),
    ) -> Mapping:
        """Return this mapping with the command line's choices over the file's."""
        return Mapping(
            columns={**self.columns, **columns},
            entity=entity or self.entity,
            dates=dates or self.dates,
            delimiter=self.delimiter,
            tag_separator=self.tag_separator,
            header=self.header if header is None else header,
            each=list(each) or self.each,
            set={**self.set, **(set or {})},
            add_tags=[*self.add_tags, *(t for t in add_tags if t not in self.add_tags)],
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
    known = {"columns", "entity", "dates", "delimiter", "tag_separator", "header", "each", "set",
             "add_tags"}  # fmt: skip
    unknown = data.keys() - known
    if unknown:
        raise ImportFileError(f"{path.name}: unknown setting {sorted(unknown)[0]!r}")
    columns = data.get("columns") or {}
    constants = data.get("set") or {}
    for key, value in (("columns", columns), ("set", constants)):
        if not isinstance(value, dict):
            raise ImportFileError(f"{path.name}: `{key}` must list field: value lines")
    each, tags = data.get("each") or [], data.get("add_tags") or []
    each = [each] if isinstance(each, str) else each
    tags = [tags] if isinstance(tags, str) else tags
    if not isinstance(each, list) or not isinstance(tags, list):
        raise ImportFileError(f"{path.name}: `each` and `add_tags` are lists")
    if not isinstance(data.get("header", True), bool):
        raise ImportFileError(f"{path.name}: `header` is true or false")
    return Mapping(
        columns={str(k): str(v) for k, v in columns.items()},
        entity=str(data.get("entity", "claims")),
        dates=str(data.get("dates", "iso")),
        delimiter=data.get("delimiter"),
        tag_separator=str(data.get("tag_separator", ";")),
        header=data.get("header", True),
        each=[str(e) for e in each],
        set={str(k): str(v) for k, v in constants.items()},
        add_tags=[str(t) for t in tags],
    )


def parse_column_options(
    options: tuple[str, ...] | list[str], option: str = "--column", what: str = "Header"
) -> dict[str, str]:
    """Turn `field=Header` options into a mapping, refusing a malformed one."""
    columns = {}
    for text in options:
        name, equals, header = text.partition("=")
        if not equals or not name.strip() or (what == "Header" and not header.strip()):
            raise ImportFileError(f"{option} {text!r}: write it as field={what}")
        columns[name.strip()] = header.strip()
    return columns


def parse(text: str, name: str, mapping: Mapping, *, tabs: bool = False) -> Plan:
    """Return the records and problems of a CSV or TSV file read through `mapping`."""
    _check(mapping)
    delimiter = "\t" if tabs else mapping.delimiter or _sniff(text.removeprefix("\ufeff"))
    table = tables.read_delimited(text, name, delimiter, header=mapping.header)
    return read_table(table, mapping, "tsv" if tabs else "csv")


def parse_records(values: list[tuple[str, Any]], name: str, mapping: Mapping, format: str) -> Plan:
    """Return the records and problems of JSON records (JSON Lines or an array)."""
    _check(mapping)
    return read_table(tables.record_table(values, name, mapping.each), mapping, format)


def _check(mapping: Mapping) -> None:
    if mapping.entity not in FIELDS:
        raise ImportFileError(f"unknown entity {mapping.entity!r}: {', '.join(FIELDS)}")
    if mapping.dates not in DATE_ORDERS:
        raise ImportFileError(f"unknown date order {mapping.dates!r}: {', '.join(DATE_ORDERS)}")
    fields = FIELDS[mapping.entity]
    for option, names in (("--column", mapping.columns), ("--set", mapping.set)):
        for field_name in names:
            if field_name not in fields:
                raise ImportFileError(
                    f"{option}: unknown field {field_name!r} for {mapping.entity}: "
                    f"{', '.join(fields)}"
                )
    for tag in mapping.add_tags:
        if not tag.strip() or len(tag) > 100:
            raise ImportFileError(f"--add-tag {tag[:40]!r}: a tag is 1 to 100 characters")


def read_table(table: tables.Table, mapping: Mapping, format: str) -> Plan:
    """Turn each row of `table` into a record through `mapping`."""
    fields = FIELDS[mapping.entity]
    getters = {f: table.resolve(path, f) for f, path in mapping.columns.items()}
    for field_name in fields:
        if field_name not in getters and field_name not in mapping.set:
            guessed = table.guess(field_name)
            if guessed is not None:
                getters[field_name] = guessed
    required = REQUIRED[mapping.entity]
    if mapping.entity == "links":
        required = "from_text" if "from_external_id" not in getters else "from_external_id"
    if required not in getters and required not in mapping.set:
        has = tables.shown_header(table.columns()) if table.columns() else "no names"
        how = "NUMBER" if isinstance(table, tables.DelimitedTable) and not mapping.header else (
            "PATH"
        )  # fmt: skip
        raise ImportFileError(
            f"{table.name}: no column holds the {mapping.entity} field {required!r}: map one "
            f"with --column {required}={how} (the columns are: {has})"
        )
    width = table.width() if isinstance(table, tables.DelimitedTable) else None
    plan = Plan(format)
    reader = _RowReader(mapping)
    for row in table.rows:
        problems = []
        if width is not None and len(row.cells) > width:
            problems.append(
                Problem(row.where, "", f"has {len(row.cells)} values; the header has {width}")
            )
        values = dict(mapping.set)
        for field_name, get in getters.items():
            value = get(row)
            if value or field_name not in values:
                values[field_name] = value
        record, more, salvage = reader.read(values, row.where)
        plan.add(record, problems + more, row.where, None if problems else salvage)
    return plan


def _sniff(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if ";" in first and "," not in first else ","


class _RowReader:
    """Turns one row's values into a record, collecting the problems of its fields."""

    def __init__(self, mapping: Mapping):
        self.mapping = mapping

    def read(self, v: dict[str, str], where: str):
        """Return the record a row's values make, its problems, and a salvage or None."""
        self.problems: list[Problem] = []
        self.where = where
        if self.mapping.entity == "sources":
            source = self._source(v, "")
            return source, self.problems + check_source(source, where), None
        if self.mapping.entity == "links":
            return self._link(v)
        claim = self._claim(v, "")
        own = ("verdict", "review_url", "review_title", "review_date")
        if any(v.get(f) for f in own) or (v.get("reviewer") and "reviewer" not in self.mapping.set):
            claim.reviews += self._review(v, claim.text)  # a constant reviewer alone is no review
        problems = self.problems + check_claim(claim)
        salvage = None
        if problems and all(p.field.split(".")[0].split("[")[0] in _REVIEW_FIELDS
                            for p in problems):  # fmt: skip
            salvage = ClaimRecord(**{**claim.__dict__, "reviews": []})
        return claim, problems, salvage

    def _claim(self, v: dict[str, str], side: str) -> ClaimRecord:
        """Read a claim from its fields, `side` being "" or a link's "from_"/"to_"."""
        claimant = v.get(side + "claimant")
        claim = ClaimRecord(
            where=self.where,
            text=v.get(side + "text", ""),
            claimant=ActorRecord(
                " ".join(claimant.split()),
                description=v.get("claimant_description", "") if not side else "",
                affiliation=v.get("claimant_affiliation", "") if not side else "",
            ) if claimant else None,
            stated_on=self._date(v, side + "stated_on"),
            external_id=v.get(side + "external_id") or None,
            is_verbatim=self._flag(v, "is_verbatim") if not side else False,
            status=(_code(v.get("status")) or "open") if not side else "open",
            tags=[
                t.strip() for t in v.get("tags", "").split(self.mapping.tag_separator) if t.strip()
            ] if side != "to_" else [],
        )  # fmt: skip
        claim.tags += [t for t in self.mapping.add_tags if t not in claim.tags]
        if not side and v.get("note"):
            claim.notes.append(v["note"])
        if side == "to_" and (v.get("to_source_title") or v.get("to_source_url")):
            claim.appearances.append(self._evidence_appearance(v, claim.text))
        elif not side and (v.get("source_title") or v.get("source_url")):
            claim.appearances.append(
                AppearanceRecord(
                    source=self._source(v, "source_"),
                    excerpt=v.get("excerpt") or claim.text,
                    locator=v.get("locator", ""),
                    stance=_code(v.get("stance")) or "neutral",
                )
            )
        return claim

    def _evidence_appearance(self, v: dict[str, str], text: str) -> AppearanceRecord:
        url = normal_address(v.get("to_source_url", ""))
        return AppearanceRecord(
            source=SourceRecord(title=short_title(v.get("to_source_title") or url), url=url,
                                where=self.where),
            excerpt=v.get("to_excerpt") or text,
            stance="endorses",  # the source states the evidence
        )  # fmt: skip

    def _link(self, v: dict[str, str]):
        from_claim = self._claim(v, "from_")
        to_claim = self._claim(v, "to_")
        link = LinkRecord(
            where=self.where, from_claim=from_claim, to_claim=to_claim,
            relation=v.get("relation", "").strip(),
            strength=_code(v.get("strength")) or "moderate",
            rationale=v.get("rationale", ""),
        )  # fmt: skip
        problems = self.problems
        if not link.relation:
            problems.append(Problem(self.where, "relation", "the link has no relation label"))
        if link.strength not in ("weak", "moderate", "strong"):
            problems.append(Problem(self.where, "strength", f"{link.strength!r} is not weak, "
                                    "moderate or strong"))  # fmt: skip
        for side, claim in (("from", from_claim), ("to", to_claim)):
            if not claim.text.strip() and not claim.external_id:
                message = "names no claim: give its text or external id"
                problems.append(Problem(self.where, f"{side}_text", message))
            elif claim.text.strip():
                problems += [Problem(p.where, f"{side}_{p.field}", p.message)
                             for p in check_claim(claim)]  # fmt: skip
        return link, problems, None

    def _source(self, v: dict[str, str], prefix: str) -> SourceRecord:
        def get(name: str) -> str:
            return v.get(prefix + name, "")

        url = normal_address(get("url"))
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
            url=normal_address(v.get("review_url", "")),
            publisher=reviewer,
            published_on=self._date(v, "review_date"),
            where=self.where,
        )
        return [ReviewRecord(reviewer=reviewer, article=article, verdict=v.get("verdict", ""),
                             language=v.get("review_language", ""))]  # fmt: skip

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


def normal_address(url: str) -> str:
    """Read a scheme-less web address (`example.org/page`) as https."""
    url = url.strip()
    if url and "://" not in url and re.match(r"^[\w-]+(\.[\w-]+)+(:\d+)?(/|$)", url):
        return "https://" + url
    return url


def _code(value: str | None) -> str:
    """Read a vocabulary code leniently: `Under review` is `under_review`."""
    return "_".join((value or "").split()).casefold()
