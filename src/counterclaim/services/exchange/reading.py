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
#: The encodings a file may be read in: real text encodings only. Python's codec registry
#: also holds transformations (punycode: quadratic to decode; unicode_escape and
#: raw_unicode_escape: they make lone surrogates; rot13, base64, zlib...), never used here.
TEXT_ENCODINGS = frozenset(
    codecs.lookup(name).name
    for name in (
        "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
        "utf-32-be", "ascii", "latin-1", *(f"iso8859-{n}" for n in (*range(2, 12), 13, 14, 15, 16)),
        *(f"cp{n}" for n in (437, 850, 852, 855, 857, 858, 862, 866, 874, 932, 949, 950)),
        *(f"cp{n}" for n in range(1250, 1259)), "koi8-r", "koi8-u", "mac-roman",
        "mac-cyrillic", "mac-greek", "mac-turkish", "shift_jis", "euc-jp", "iso2022-jp",
        "euc-kr", "gb2312", "gbk", "gb18030", "big5", "big5hkscs", "tis-620",
    )
)  # fmt: skip
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
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
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ImportFileError(f"unknown encoding {encoding!r}") from None
        if codec not in TEXT_ENCODINGS:
            raise ImportFileError(
                f"{encoding!r} is not a text encoding this import reads: use UTF-8, UTF-16, "
                "Latin-1, a Windows or ISO 8859 code page, or another real text encoding"
            )
        return _decode(data, name, codec)
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
        text = data.decode(codec)
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
    nul = text.find("\x00")
    if nul >= 0:  # no database keeps it in text: a binary file, or a wrong encoding
        line = text.count("\n", 0, nul) + 1
        raise ImportFileError(
            f"{name} holds a NUL character at line {line}: it is not a text file in {codec}"
        )
    return text


def parse_json(text: str, name: str, *, first_line: int = 1) -> Any:
    """Parse JSON, or say where it breaks (line and column in the file)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{name}: broken JSON at line {error.lineno + first_line - 1}, column {error.colno}: "
            f"{error.msg}"
        ) from None
    except RecursionError:
        raise ImportFileError(f"{name}: the JSON is nested too deeply to read") from None
    except ValueError as error:  # an integer over sys.get_int_max_str_digits() digits
        raise ImportFileError(f"{name}: a value cannot be read: {str(error)[:200]}") from None
    if _SURROGATE_ESCAPE.search(text):  # \ud800 alone: a string no page can encode
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ImportFileError(
                f"{name}: a string holds a lone surrogate (\\uD800–\\uDFFF escape not in a pair)"
            ) from None
    return document


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
