"""The claims list: Previous as well as Next (keyset both ways), the number of matches,
consensus and best-source columns, readable statuses and sortable headers."""

from datetime import date, timedelta

import pytest

from counterclaim.services.claims import claims as service
from factories import make_actor, make_appearance, make_assessment, make_claim, make_source


@pytest.mark.parametrize("sort", list(service.SORTS))
def test_previous_pages_retrace_the_next_pages_exactly(session, sort):
    actor = make_actor(session)
    start = date(2016, 10, 1)
    for n in range(23):  # some undated, some sharing a date: both phases and ties
        stated = None if n % 4 == 0 else start + timedelta(days=n // 3)
        make_claim(session, claimant=actor, stated_on=stated)
    filters = service.ClaimFilters(claimant_id=actor.id)
    forward, after = [], None
    while True:
        page = service.list_claims(session, filters, sort=sort, after=after, size=5)
        forward.append([c.id for c in page.items])
        if not page.next_cursor:
            break
        after = page.next_cursor
    assert sum(len(p) for p in forward) == 23 and len(forward) == 5
    backward, before = [forward[-1]], page.prev_cursor
    while before:
        page = service.list_claims(session, filters, sort=sort, before=before, size=5)
        backward.insert(0, [c.id for c in page.items])
        assert page.next_cursor, "a page reached backwards has a next page"
        before = page.prev_cursor
    assert backward == forward


def test_the_list_says_how_many_match_with_previous_and_next(client, session):
    actor = make_actor(session)
    for _ in range(12):
        make_claim(session, claimant=actor)
    session.commit()
    first = client.get(f"/claims/?claimant={actor.id}&per_page=10").get_data(as_text=True)
    assert "12 claims match" in first and "Previous page" not in first
    next_url = first.split('rel="next" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    second = client.get(next_url).get_data(as_text=True)
    assert "Previous page" in second
    prev_url = second.split('rel="prev" href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    again = client.get(prev_url).get_data(as_text=True)
    rows = lambda page: page.count('<tr class="claim-row"')  # noqa: E731
    assert rows(again) == rows(first) == 10


def test_columns_show_consensus_best_reliability_and_readable_status(client, session):
    claim = make_claim(session, status="under_review", text="Column claim")
    make_appearance(session, claim=claim, source=make_source(session, reliability="D"))
    make_appearance(session, claim=claim, source=make_source(session, reliability="B"))
    make_assessment(session, claim=claim, credibility=2)
    session.commit()
    page = client.get(f"/claims/?claimant={claim.claimant_id}").get_data(as_text=True)
    row = page.split(f'data-claim-id="{claim.id}"', 1)[1].split("</tr>", 1)[0]
    assert "Under review" in row
    assert 'class="reliability reliability-B"' in row and "reliability-D" not in row
    assert 'class="credibility credibility-2"' in row


def test_sortable_headers_link_to_index_backed_orders(client, session):
    make_claim(session)
    session.commit()
    page = client.get("/claims/?sort=stated-desc").get_data(as_text=True)
    assert 'href="/claims/?sort=stated-asc"' in page
    assert 'aria-sort="descending"' in page


def test_the_tag_filter_is_a_picker_that_reaches_every_tag(client, session):
    """Not a select of every tag (500 at a million claims): the chosen tag and the first
    matches of what was typed, LIMIT of them; the list filters by any tag."""
    import re

    from counterclaim.services.catalogue.pickers import LIMIT
    from factories import make_tag

    tags = [make_tag(session, name=f"topic t{n:03d}") for n in range(LIMIT + 10)]
    last = tags[-1]
    tagged = make_claim(session, text="Filed under the last topic", tags=[last])
    make_claim(session, text="Filed under the first topic", tags=[tags[0]])
    session.commit()

    def tag_options(page: str) -> list[str]:
        select = re.search(r'<select[^>]*name="tag"[^>]*>(.*?)</select>', page, re.S).group(1)
        return re.findall(r"<option[^>]*>([^<]*)</option>", select)

    page = client.get(f"/claims/?tag={last.id}").get_data(as_text=True)
    assert tagged.text in page and "Filed under the first topic" not in page
    offered = tag_options(page)
    assert len(offered) <= LIMIT + 2 and "topic t059" in offered  # chosen, though not first
    assert re.search(rf'<option selected value="{last.id}">', page)
    assert 'name="tag_q"' in page

    found = tag_options(client.get("/claims/?tag_q=t059").get_data(as_text=True))
    assert found == ["Any tag", "topic t059"]  # typed, the last tag is offered
