"""Every route, every parameter it reads, hostile values, every role: never a 5xx.

The routes come from `app.url_map`; the parameters from the app itself: a first request
to each route, with the request's query and form dictionaries recording every name the
view, its forms (WTForms reads each field by name) and the report scope look up, so a
new parameter is fuzzed without a change here (a module fixture checks that the names
read in the source are among those of the forms and views). Then, per route:

- a sweep: each parameter alone, with one value of each hostile kind (NUL, control
  characters, 40-digit and negative numbers, 1e309, year 0000, impossible dates, 70,000
  characters, 3,000 words, 5,000-deep JSON, FTS syntax; forged cursors for `after`);
- Hypothesis, derandomised (a failure reproduces): a role, a method, several of the
  parameters at once with hostile or real values, invalid UTF-8 in the query string,
  hostile files for the import (COUNTERCLAIM_FUZZ_EXAMPLES per route, default 10).

A 503 is a deliberate refusal (the PostgreSQL console without its read-only role),
counted apart; any other 5xx fails, and so does any value that reaches the database
unchecked (the 400 safety net in web/errors.py logs it as an error).
"""

import base64
import io
import json
import logging
import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage, ImmutableMultiDict, MultiDict
from wtforms.fields.core import UnboundField

from counterclaim.web import create_app
from test_pages import fill, make_world

SOURCE = Path(__file__).parents[1] / "src" / "counterclaim"
EXAMPLES = int(os.environ.get("COUNTERCLAIM_FUZZ_EXAMPLES", "10"))
ROLES = ("anonymous", "viewer", "analyst", "editor", "admin")
TRIED = {"requests": 0, "5xx": 0, "503": 0}
SWEPT: set[tuple[str, str, str, str]] = set()


def _cursor(value) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x00" * 3, "\x01\x02\x0b\x0c\x1b\x7f", "\t\r\n", "\u202e\u200b",
    "9" * 40, str(2**63), str(2**63 - 1), str(2**64), "-1", "0", "-0", "00", "1e309", "NaN",
    "inf", "1.5", "0x10", "1_000", "true", "null", "[]", "{}", "[" * 5_000 + "]" * 5_000,
    "x" * 70_000, " ".join(["word"] * 3_000), "a%_" * 20_000, "0000", "0000-00-00",
    "2016-02-30", "9999-12-31", "-2016-01-01", "2016-01-01T99:00", "none",
    "<script>alert(1)</script>", "' OR 1=1 --", '"', "\\", "%", "_", "*", "NEAR(a b)",
    "AND OR NOT", '"unclosed', "((", "javascript:alert(1)", "//evil.example", "../../etc/passwd",
    "é" * 300, "😀" * 100, "admin", "contradicts", "A", "6",
    _cursor([[1, 2], 5]), _cursor([10**30, 5]), _cursor(["2016-01-01", 10**30]),
    _cursor(b"[" * 5_000 + b"]" * 5_000), _cursor([{"t": "date", "v": "0000"}, 1]),
    _cursor(["a\x00", 1]), _cursor([1.5, -1]), "!!!", "A" * 5_000,
]  # fmt: skip
#: One value of each kind, sent alone in each parameter of each route.
SWEEP = [
    "a\x00b", "\x01\x0b\x1f\x7f", "9" * 40, "-1", "0", "1e309", "0000", "2016-02-30",
    "x" * 70_000, " ".join(["word"] * 3_000), "[" * 5_000 + "]" * 5_000, '"unclosed NEAR(',
]  # fmt: skip
CURSORS = [
    _cursor([[1, 2], 5]), _cursor([10**30, 5]), _cursor(["2016-01-01", 10**30]),
    _cursor(b"[" * 5_000 + b"]" * 5_000), _cursor(["a\x00", 1]), _cursor(["x", 1]),
]  # fmt: skip
INVALID_UTF8 = ["%FF%FE", "%ff", "%ED%A0%80", "%C0%80", "a%00b"]  # bytes no UTF-8 decoder reads
FILES = [
    b"", b"\x00" * 10, b"text,claimant\nx\x00,y\n", b"[" * 50_000, b'{"a": ' + b"7" * 5_000 + b"}",
    b'{"format": "counterclaim-dump", "version": 1, "tables": {"users": {"columns": ["id",'
    b' "username", "role"], "rows": [[9001, "evil", "admin"]]}}}',
    b'{"format": "counterclaim-dump", "version": 1, "tables": {"users": {"columns": '
    b'["username"], "rows": [["x"]]}}}',
    b'{"claimReviewed": "\\ud800"}', "text,claimant\nÉté,AFP\n".encode("utf-16"),
]  # fmt: skip


def _form_fields() -> set[str]:
    from flask_wtf import FlaskForm

    names, classes = set(), [FlaskForm]
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        names |= {n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField)}
    return names


def _read_parameters() -> set[str]:
    """Every query parameter the source reads by name (views, the report scope)."""
    pattern = re.compile(
        r"""(?:request\.args(?:\.get|\.getlist)?\s*[(\[]|id_arg\(|\(params,\s*)["']([\w-]+)["']"""
    )
    found = set()
    for path in SOURCE.rglob("*.py"):
        found |= set(pattern.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.fixture(scope="module")
def parameters() -> list[str]:
    create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})  # forms
    names = _form_fields() | _read_parameters() | {"p-tag", "file"}
    assert {"after", "duplicate_id", "exclude", "claimant_name", "year", "tag"} <= names
    return sorted(names)


READ: set[str] = set()


class _Recording(ImmutableMultiDict):
    """The request's args and form, noting every name looked up."""

    def __getitem__(self, key):
        READ.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        READ.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        READ.add(key)
        return super().getlist(key, type)

    def __contains__(self, key):
        READ.add(key)
        return super().__contains__(key)


class _RecordingRequest(Request):
    parameter_storage_class = _Recording


def _names_read(app, client, url: str, methods: list[str]) -> set[str]:
    """Return the query and form parameters the route looks up, by asking it once."""
    app.request_class = _RecordingRequest
    READ.clear()
    for method in methods:  # a form with something in it: an empty one is not read
        client.open(url, method=method, data={"_probe": "1"} if method == "POST" else None)
    app.request_class = Request
    return set(READ)


def _rules():
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    return sorted(
        (r for r in app.url_map.iter_rules() if r.endpoint != "static"),
        key=lambda r: (r.rule, sorted(r.methods)),
    )


RULES = _rules()


class _Gaps(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record.getMessage())


@pytest.fixture
def gaps():
    handler = _Gaps()
    logger = logging.getLogger("counterclaim")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


@pytest.fixture(scope="module", autouse=True)
def report_totals():
    SWEPT.clear()
    yield
    print(f"\nfuzz: {TRIED['requests']} requests, {TRIED['5xx']} answered 5xx "
          f"({TRIED['503']} a deliberate 503)")  # fmt: skip


@pytest.mark.parametrize(
    "rule",
    RULES,
    ids=[f"{'+'.join(sorted(r.methods - {'HEAD', 'OPTIONS'}))} {r.rule}" for r in RULES],
)
def test_no_route_answers_5xx_to_hostile_input(app, session, login_as, parameters, gaps, rule):
    world = make_world(session)
    url = fill(rule, world)
    clients = {role: login_as(role) for role in ROLES[1:]} | {"anonymous": app.test_client()}
    methods = sorted(rule.methods & {"GET", "POST"})
    names = sorted(_names_read(app, clients["admin"], url, methods))
    names = names + [n for n in ("after", "q", "id", "next") if n not in names]
    for name in names:  # each parameter alone, with each kind of hostile value
        for method in methods:
            key = (session.get_bind().dialect.name, rule.endpoint, method, name)
            if key in SWEPT:  # the report downloads share one view
                continue
            SWEPT.add(key)
            for value in SWEEP + (CURSORS if name == "after" else []):
                _check(app, clients["admin"], rule, url, method, MultiDict([(name, value)]),
                       "", b"", gaps)  # fmt: skip
    values = st.one_of(
        st.sampled_from(HOSTILE),
        st.sampled_from([str(v) for v in world.values()]),
        st.text(max_size=20),
        st.integers().map(str),
    )

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(
        role=st.sampled_from(ROLES),
        method=st.sampled_from(methods),
        chosen=st.lists(st.tuples(st.sampled_from(names), values), max_size=len(names)),
        raw=st.lists(st.tuples(st.sampled_from(parameters), st.sampled_from(INVALID_UTF8)),
                     max_size=1),
        upload=st.sampled_from(FILES),
    )  # fmt: skip
    def hostile_request(role, method, chosen, raw, upload):
        query = "&".join(f"{n}={v}" for n, v in raw)
        _check(app, clients[role], rule, url, method, MultiDict(chosen), query, upload, gaps)

    hostile_request()


def _check(app, client, rule, url, method, fields, query: str, upload: bytes, gaps) -> None:
    """Send one request; fail on a 5xx or on a value that reached the database unchecked."""
    if method == "GET":
        response = client.get(url, query_string=_encoded(fields) + query)
    else:
        data = fields.to_dict(flat=False)
        data.pop("file", None)
        if rule.endpoint == "exchange.upload":
            data["file"] = FileStorage(io.BytesIO(upload), filename="f.json")
        response = client.post(url, data=data, query_string=query)
    TRIED["requests"] += 1
    status = response.status_code
    if status == 503:  # a deliberate refusal: the SQL console without its read-only role
        TRIED["503"] += 1
    elif status >= 500:
        TRIED["5xx"] += 1
    shown = [(n, v[:60]) for n, v in fields.items(multi=True)]
    assert status < 500 or status == 503, (method, url, shown, query)
    assert not gaps, (method, url, shown, query, gaps)


def _encoded(fields: MultiDict) -> str:
    return urlencode(list(fields.items(multi=True))) + ("&" if fields else "")
