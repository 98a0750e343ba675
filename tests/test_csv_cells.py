"""One guard for every CSV the project writes (the SQL console's downloads and the
contradiction report): a cell a spreadsheet would run as a formula starts with a quote."""

import csv
import io

import pytest

from counterclaim import report_formats
from counterclaim.services.reports.reports import ReportScope, build_report
from counterclaim.services.research.result_formats import FORMULA_STARTS, csv_cell
from factories import make_actor, make_claim, make_link

DANGEROUS = ["=", "+", "-", "@", "\t", "\r"]


def test_the_guard_covers_exactly_what_owasp_names():
    assert set(FORMULA_STARTS) == set(DANGEROUS)


@pytest.mark.parametrize("start", DANGEROUS)
def test_a_cell_starting_a_formula_is_quoted(start):
    assert csv_cell(f"{start}HYPERLINK(1)") == f"'{start}HYPERLINK(1)"


@pytest.mark.parametrize("text", ["SUM(A1)", "a=b", " =1", "'=1", "", "١٢", "\n=1"])
def test_other_text_is_left_alone(text):
    assert csv_cell(text) == text


@pytest.mark.parametrize("value", [-1, 3.5, 0])
def test_numbers_are_left_alone_even_when_negative(value):
    assert csv_cell(value) == value


@pytest.mark.parametrize("start", DANGEROUS)
def test_the_report_csv_quotes_every_text_cell_that_starts_a_formula(session, start):
    claimant = make_actor(session, name=f"{start}cmd|' /C calc'!A0")
    one = make_claim(session, text=f"{start}1+1 claim", claimant=claimant)
    other = make_claim(session, text=f"{start}2+2 counterclaim")
    make_link(session, one, other, relation="contradicts", rationale=f"{start}because")
    session.flush()
    text = "".join(report_formats.render(build_report(session, ReportScope()), "csv"))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    for column, value in rows[0].items():
        if isinstance(value, str) and value:
            assert not value.startswith(tuple(DANGEROUS)), (column, value)
    assert rows[0]["rationale"] == f"'{start}because"
