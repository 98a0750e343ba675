"""Reading import files: the size limit, the encoding, JSON with its place, and dates.

Every failure is an ImportFileError whose message names the file, the problem and the
place (line and column, or byte), fit to show as one line.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .records import ImportFileError

DEFAULT_MAX_BYTES = 1024**3
DATE_ORDERS = ("iso", "dmy", "mdy")

_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def human_size(size: int) -> str:
    """Return a byte count as people read it (1.5 MiB)."""
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def check_size(size: int, name: str, max_bytes: int) -> None:
    """Refuse a file over the import limit, saying by how much."""
    if size > max_bytes:
        raise ImportFileError(
            f"{name} is {human_size(size)}, over the import limit of {human_size(max_bytes)}"
        )


def read_file(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return a file's bytes, refusing it before reading when it is over the limit."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path} is not a file")
    check_size(path.stat().st_size, path.name, max_bytes)
    return path.read_bytes()


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Return the text of a file: the encoding given, else by its BOM, else UTF-8.

    UTF-16 without a BOM is recognised by its zero bytes. Anything else that is not UTF-8
    is refused with the place of the first bad byte: Latin-1 and Windows-1252 look like
    any other bytes, so they are read only when the user names them.
    """
    if not data.strip():
        raise ImportFileError(f"{name} is empty")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ImportFileError(f"unknown encoding {encoding!r}") from None
        return _decode(data, name, encoding)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _decode(data, name, codec)
    if len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] and data[2]:
        return _decode(data, name, "utf-16-le")
    if len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] and data[3]:
        return _decode(data, name, "utf-16-be")
    return _decode(data, name, "utf-8")


def _decode(data: bytes, name: str, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        hint = (
            " If it is Latin-1 or Windows-1252, say so (encoding cp1252) or convert it to UTF-8."
            if codec.startswith("utf-8")
            else ""
        )
        raise ImportFileError(
            f"{name} is not {codec.upper().replace('-SIG', '')}: byte "
            f"0x{data[error.start]:02X} at line {line}, column {column} cannot be read.{hint}"
        ) from None


def parse_json(text: str, name: str, *, first_line: int = 1) -> Any:
    """Parse JSON, or say where it breaks (line and column in the file)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{name}: broken JSON at line {error.lineno + first_line - 1}, column {error.colno}: "
            f"{error.msg}"
        ) from None
    except RecursionError:
        raise ImportFileError(f"{name}: the JSON is nested too deeply to read") from None


_NUMERIC = re.compile(r"^\s*(\d{1,4})[./-](\d{1,2})[./-](\d{1,4})\s*$")


def parse_date(value: str, order: str = "iso") -> date:
    """Return the date `value` names; ISO is always understood, d/m/y only when asked.

    ISO shapes: 2016-11-27, 2016-11-27T10:00:00Z, with an offset or fraction, or a space
    for the T (the date is taken as written, in its own offset). With order "dmy" or
    "mdy", 27/11/2016, 27.11.2016 and 27-11-2016 (or 11/27/2016) are read too.
    Raises ValueError with a message for the user.
    """
    text = value.strip()
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10]) if len(text) > 10 and text[10] in "T " else (
            date.fromisoformat(text)
        )  # fmt: skip
    except ValueError:
        pass
    match = _NUMERIC.match(text)
    if match is None:
        raise ValueError(f"{value!r} is not a date")
    first, second, third = match.groups()
    if len(first) == 4:
        year, month, day = first, second, third
    elif order == "iso":
        raise ValueError(
            f"{value!r} is not an ISO date (YYYY-MM-DD): name the order of day and month "
            "(dates dmy or mdy)"
        )
    elif len(third) != 4:
        raise ValueError(f"{value!r} has no four-digit year")
    elif order == "dmy":
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    try:
        return date(int(year), int(month), int(day))
    except ValueError as error:
        raise ValueError(f"{value!r} is not a date ({error})") from None
