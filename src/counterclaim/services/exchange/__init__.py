"""Exchanging data with other systems: ClaimReview, the Fact Check API, CSV/TSV, dumps.

Importing is two steps. `read_plan` parses a file into records and problems without
touching the database; `run_import` then writes them (or, in a dry run, counts what it
would write) inside the caller's transaction. Modules:

- reading.py: size limit, encodings, JSON errors with their place, dates
- records.py: the records a file becomes, and their validation
- claimreview.py, factcheck_api.py, tabular.py, dump.py: one reader per format
- apply.py: find-or-create by stable keys; the all-or-nothing rule
- verdicts.py: textual verdicts → Admiralty credibility (built-in and team mappings)
- jsonld.py: a claim as ClaimReview JSON-LD; backup.py: consistent copies of the database
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from sqlalchemy.orm import Session

from counterclaim.models.audit import USER_KEY

from . import claimreview, dump, factcheck_api, tables, tabular
from .apply import ImportRefused, ImportReport, apply
from .reading import decode, parse_json
from .records import ClaimRecord, ImportFileError, LinkRecord, Plan

FORMATS = ("claimreview", "factcheck-api", "csv", "tsv", "jsonl", "json", "dump")
_BY_SUFFIX = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".html": "claimreview",
              ".htm": "claimreview", ".jsonl": "jsonl", ".ndjson": "jsonl"}  # fmt: skip

__all__ = ["FORMATS", "ImportFileError", "ImportRefused", "ImportReport", "read_plan",
           "run_import"]  # fmt: skip


def read_plan(
    data: bytes,
    name: str,
    *,
    format: str | None = None,
    mapping: tabular.Mapping | None = None,
    encoding: str | None = None,
) -> Plan | dump.DumpPlan:
    """Parse a file's bytes in `format` (guessed from its name and content if None)."""
    if format is not None and format not in FORMATS:
        raise ImportFileError(f"unknown format {format!r}: {', '.join(FORMATS)}")
    plan = _read(data, name, format, mapping or tabular.Mapping(), encoding)
    if mapping and mapping.add_tags and isinstance(plan, Plan):
        tag_every_claim(plan, mapping.add_tags)
    return plan


def tag_every_claim(plan: Plan, tags: list[str]) -> None:
    """Add `tags` to every claim of a plan, whatever its format (--add-tag)."""
    for record in [*plan.records, *plan.salvaged]:
        claims = [record] if isinstance(record, ClaimRecord) else (
            [record.from_claim, record.to_claim] if isinstance(record, LinkRecord) else []
        )  # fmt: skip
        for claim in claims:
            claim.tags += [t for t in tags if t not in claim.tags]


def _read(data: bytes, name: str, format: str | None, mapping: tabular.Mapping,
          encoding: str | None) -> Plan | dump.DumpPlan:  # fmt: skip
    text = decode(data, name, encoding)
    format = format or _BY_SUFFIX.get(PurePath(name).suffix.lower())
    if format in ("csv", "tsv"):
        return tabular.parse(text, name, mapping, tabs=format == "tsv")
    if format == "claimreview" or (format is None and text.lstrip("\ufeff \r\n\t")[:1] == "<"):
        return claimreview.parse(text, name)
    if format == "jsonl" or (format is None and tables.is_json_lines(text)):
        return tabular.parse_records(tables.json_lines(text, name), name, mapping, "jsonl")
    document = parse_json(text, name)
    if format == "json":
        if not isinstance(document, list):
            raise ImportFileError(f"{name} is not a JSON array of records")
        return _records(document, name, mapping)
    if format == "dump" or (format is None and dump.is_dump(document)):
        return dump.parse_document(document, name)
    if format == "factcheck-api" or (
        format is None and not mapping.columns and factcheck_api.is_claims(document)
    ):
        return factcheck_api.parse_document(document, name)
    if format is None and _is_records(document):
        return _records(document, name, mapping)
    return claimreview.parse_documents([(document, 1)], name)


def _is_records(document) -> bool:
    """Tell a JSON array of plain records (no JSON-LD in it) from ClaimReview markup."""
    return (
        isinstance(document, list)
        and bool(document)
        and all(isinstance(d, dict) and "@type" not in d and "@context" not in d for d in document)
    )


def _records(document: list, name: str, mapping: tabular.Mapping) -> Plan:
    return tabular.parse_records(
        [(f"record {n}", value) for n, value in enumerate(document, start=1)], name, mapping, "json"
    )


def run_import(
    session: Session,
    plan: Plan | dump.DumpPlan,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    progress: Callable[[int, int], None] = lambda done, total: None,
    organisation: str | None = None,
) -> ImportReport:
    """Write a parsed file (or count what it would write); the caller commits.

    Reviews published by `organisation` (our own export, read back) are skipped.
    """
    if isinstance(plan, dump.DumpPlan):
        return dump.apply(session.connection(), plan, dry_run=dry_run,
                          skip_invalid=skip_invalid, progress=progress,
                          user_id=session.info.get(USER_KEY))  # fmt: skip
    return apply(session, plan, dry_run=dry_run, skip_invalid=skip_invalid, progress=progress,
                 organisation=organisation)  # fmt: skip
