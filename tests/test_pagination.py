"""Keyset pagination: every row once, in order, across page boundaries in both phases (the
rows with a value, then the rows without one, e.g. undated claims under the default sort)."""

from datetime import date

import pytest

from counterclaim.models import Claim
from counterclaim.services.claims import claims as service
from counterclaim.services.pagination import BadCursor, decode_cursor, encode_cursor
from factories import make_actor, make_claim


def _walk(session, actor, sort: str, size: int) -> tuple[list[int], int]:
    seen, cursor, pages = [], None, 0
    while True:
        page = service.list_claims(
            session, service.ClaimFilters(claimant_id=actor.id), sort=sort, after=cursor, size=size
        )
        seen += [c.id for c in page.items]
        pages += 1
        if not page.next_cursor:
            return seen, pages
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["stated-desc", "stated-asc"])
@pytest.mark.parametrize("size", [3, 4, 7])
def test_pages_cross_boundaries_inside_the_undated_claims(session, sort, size):
    actor = make_actor(session)
    dated = [make_claim(session, claimant=actor, stated_on=date(2016, 10, 1 + n)) for n in range(5)]
    undated = [make_claim(session, claimant=actor, stated_on=None) for _ in range(17)]
    session.commit()
    seen, pages = _walk(session, actor, sort, size)
    assert len(seen) == len(set(seen)) == 22
    assert pages == -(-22 // size)
    descending = sort == "stated-desc"
    expected_dated = sorted(dated, key=lambda c: (c.stated_on, c.id), reverse=descending)
    expected_undated = sorted(undated, key=lambda c: c.id, reverse=descending)
    assert seen == [c.id for c in expected_dated + expected_undated]


def test_a_cursor_round_trips_dates_and_ids():
    for value in (date(2016, 11, 27), None, 42, "text"):
        assert decode_cursor(encode_cursor(value, 9)) == (value, 9)


@pytest.mark.parametrize("cursor", ["", "!!!", "W10", "WzEsInR3byJd", "eyJ0IjoiZGF0ZSJ9"])
def test_a_damaged_cursor_is_refused(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor)


def test_claims_with_the_same_date_are_ordered_by_id_across_pages(session):
    actor = make_actor(session)
    same_day = [make_claim(session, claimant=actor, stated_on=date(2016, 11, 1)) for _ in range(9)]
    session.commit()
    seen, _ = _walk(session, actor, "stated-desc", 2)
    assert seen == sorted(c.id for c in same_day)[::-1]
    assert all(session.get(Claim, i).stated_on == date(2016, 11, 1) for i in seen)
