"""Full-text search: ranking, snippets, folding, the index kept in sync, the page, the CLI."""

import json

import pytest
from click.testing import CliRunner

from conftest import ENGINES
from counterclaim.cli import main
from counterclaim.db import make_engine, make_sessionmaker
from counterclaim.models import Actor, Annotation, Claim, ClaimSource, Source
from counterclaim.services import migrations
from counterclaim.services.claims.claims import ClaimFilters, list_claims
from counterclaim.services.claims.links import find_claims
from counterclaim.services.search import search as service
from factories import make_actor, make_appearance, make_claim, make_note, make_source, make_user


def found(session, query: str, kind: str = "claims") -> list[int]:
    """The ids of the rows of `kind` matching `query`, best first."""
    group = service.search(session, query, kinds=[kind], per_page=50).groups
    return [hit.item.id for hit in group[0].hits] if group else []


def plain(hit) -> str:
    return "".join(piece for piece, _ in hit.snippet)


# --- ranking ---------------------------------------------------------------------------------


def test_the_exact_phrase_ranks_first(session):
    # The scattered claims repeat both words in shorter texts: bm25 alone would rank them
    # above the exact phrase.
    scattered = make_claim(session, text="Guts, more guts: the fighters lost them.")
    scattered_short = make_claim(session, text="The fight needs guts, guts.")
    exact = make_claim(session, text="ISIS does not have the guts now or the motivation to fight.")
    make_claim(session, text="No such words here.")

    ids = found(session, "the guts")

    assert ids[0] == exact.id
    assert set(ids) == {exact.id, scattered.id, scattered_short.id}
    assert service.search(session, "the guts").groups[0].hits[0].exact


def test_phrase_and_prefix_queries(session):
    guts = make_claim(session, text="ISIS has lost the guts to fight.")
    apart = make_claim(session, text="The fighters have guts, the army has none.")
    collapsing = make_claim(session, text="ISIS is collapsing in Mosul.")
    collapse = make_claim(session, text="A collapse is near.")
    collapsed = make_claim(session, text="Nothing collapsed.")

    assert found(session, '"the guts"') == [guts.id]
    assert set(found(session, "the guts")) == {guts.id, apart.id}
    assert set(found(session, "collapsing")) == {collapsing.id}
    assert set(found(session, "collaps*")) == {collapsing.id, collapse.id, collapsed.id}
    assert collapse.id not in found(session, "collapsing")


def test_results_are_paged_per_kind(session):
    actor = make_actor(session)
    made = [
        make_claim(session, claimant=actor, text=f"Convoy sighted, report {n}") for n in range(7)
    ]
    first = service.search(session, "convoy", kinds=["claims"], per_page=3).groups[0]
    third = service.search(session, "convoy", kinds=["claims"], page=3, per_page=3).groups[0]
    beyond = service.search(session, "convoy", kinds=["claims"], page=9, per_page=3).groups[0]

    assert first.total == 7 and len(first.hits) == 3 and first.has_next
    assert len(third.hits) == 1 and not third.has_next
    assert beyond.hits == [] and beyond.total == 7
    seen = {h.item.id for p in (1, 2, 3) for h in service.search(
        session, "convoy", kinds=["claims"], page=p, per_page=3).groups[0].hits}  # fmt: skip
    assert seen == {c.id for c in made}


def test_past_the_window_only_the_newest_matches_are_ranked_and_the_count_says_so(
    session, monkeypatch
):
    monkeypatch.setattr(service, "WINDOW", 3)
    made = [make_claim(session, text=f"Airstrike number {n}") for n in range(6)]
    group = service.search(session, "airstrike", kinds=["claims"], per_page=10).groups[0]
    assert group.more_than_window and group.total == 4  # counting stops past the window
    assert {h.item.id for h in group.hits} == {c.id for c in made[-4:]}


# --- folding: case, accents, scripts ---------------------------------------------------------

FOLDING = [
    ("café au lait", "cafe"),
    ("cafe\u0301 décomposé", "cafe"),  # a combining accent
    ("Haider al-Ābādī spoke", "abadi"),
    ("Haider al-Abadi spoke", "ĀBĀDĪ"),
    ("ISIS IS COLLAPSING", "collapsing"),
    ("Straße nach Mosul", "straße"),
    ("الموصل مدينة عراقية", "الموصل"),
    ("قَالَ الْعَبَادِي إِنَّ دَاعِشَ يَنْهَار", "العبادي"),  # vocalised text, bare query
    ("قال العبادي إن داعش ينهار", "الْعَبَادِي"),  # bare text, vocalised query
    ("أعلنت الحكومة", "اعلنت"),  # hamza on alef
    ("قالـــوا", "قالوا"),  # tatweel
    ("Мосул взят", "мосул"),
    ("मोसुल शहर", "मोसुल"),
]


@pytest.mark.parametrize(("text", "query"), FOLDING, ids=[q for _, q in FOLDING])
def test_case_accents_and_arabic_marks_are_folded(session, text, query):
    claim = make_claim(session, text=text)
    make_claim(session, text="Unrelated words only.")
    assert found(session, query) == [claim.id]


def test_snippets_mark_the_matched_words_and_cut_long_text(session):
    words = " ".join(f"filler{n}" for n in range(80))
    make_claim(session, text=f"{words} the Peshmerga turned back {words}")
    hit = service.search(session, "peshmerga", kinds=["claims"]).groups[0].hits[0]
    assert [piece for piece, marked in hit.snippet if marked] == ["Peshmerga"]
    assert hit.snippet[0] == ("… ", False) and hit.snippet[-1] == (" …", False)
    assert len(plain(hit)) < 400


def test_a_short_text_is_shown_whole(session):
    make_claim(session, text="Al-Abadi's description of ISIS collapsing is baseless.")
    hit = service.search(session, "collapsing", kinds=["claims"]).groups[0].hits[0]
    assert plain(hit) == "Al-Abadi's description of ISIS collapsing is baseless."


# --- the index follows every insert, update and delete, for each kind ------------------------


def _make(session, kind: str, words: str):
    if kind == "claims":
        return make_claim(session, text=words)
    if kind == "sources":
        return make_source(session, title=words)
    if kind == "excerpts":
        return make_appearance(session, excerpt=words)
    if kind == "actors":
        return make_actor(session, name=words)
    return make_note(session, body=words)


COLUMNS = {"claims": "text", "sources": "title", "excerpts": "excerpt", "actors": "name",
           "notes": "body"}  # fmt: skip


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_the_index_follows_insert_update_and_delete(session, kind):
    row = _make(session, kind, "Qayyarah airbase retaken")
    assert found(session, "qayyarah", kind) == [row.id]

    setattr(row, COLUMNS[kind], "Bartella village retaken")
    session.flush()
    assert found(session, "qayyarah", kind) == []
    assert found(session, "bartella", kind) == [row.id]
    assert found(session, "retaken", kind) == [row.id]

    session.delete(row)
    session.flush()
    assert found(session, "bartella", kind) == []
    assert found(session, "retaken", kind) == []


@pytest.mark.parametrize("kind", list(COLUMNS))
def test_changing_other_columns_leaves_the_index_right(session, kind):
    row = _make(session, kind, "Hamdaniya front")
    other = {"claims": ("status", "settled"), "sources": ("reliability", "A"),
             "excerpts": ("locator", "p. 3"), "actors": ("kind", "media"),
             "notes": ("body", "Hamdaniya front")}[kind]  # fmt: skip
    setattr(row, *other)
    session.flush()
    assert found(session, "hamdaniya front", kind) == [row.id]


def test_a_claim_deleted_with_its_excerpts_leaves_no_excerpt_behind(session):
    appearance = make_appearance(session, excerpt="Tal Afar corridor cut")
    session.delete(appearance.claim)  # claim_sources rows go by ON DELETE CASCADE
    session.flush()
    session.expunge_all()
    assert found(session, "corridor", "excerpts") == []


# --- grouped results -------------------------------------------------------------------------


def test_one_query_finds_every_kind_grouped(session):
    abadi = make_actor(session, name="Haider al-Abadi")
    claim = make_claim(session, claimant=abadi, text="Abadi says ISIS is collapsing")
    source = make_source(session, title="Abadi statement, 27 November")
    appearance = make_appearance(session, claim, source, excerpt="Abadi told reporters")
    note = make_note(session, claim, make_user(session), body="Abadi's date is off by one.")

    results = service.search(session, "abadi")

    by_kind = {g.kind: [h.item for h in g.hits] for g in results.groups}
    assert by_kind == {"claims": [claim], "sources": [source], "excerpts": [appearance],
                       "actors": [abadi], "notes": [note]}  # fmt: skip
    assert [type(items[0]) for items in by_kind.values()] == [
        Claim, Source, ClaimSource, Actor, Annotation,
    ]  # fmt: skip


# --- the page --------------------------------------------------------------------------------


def test_the_search_page_groups_highlights_and_escapes(client, session):
    make_claim(session, text="<script>alert(1)</script> ISIS is collapsing")
    make_source(session, title="Collapsing <b>front</b> report")
    session.commit()

    page = client.get("/search/?q=collapsing").get_data(as_text=True)

    assert "<mark>collapsing</mark>" in page and "<mark>Collapsing</mark>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "&lt;b&gt;front&lt;/b&gt;" in page
    assert 'id="claims"' in page and 'id="sources"' in page and 'id="actors"' not in page


NO_WORD = None
MALFORMED = [  # (query, does it find "ISIS is collapsing near Mosul"?); NO_WORD: nothing to seek
    ('"unbalanced', False), ('"collapsing near', True), ("-", NO_WORD), (" - ", NO_WORD),
    ("NEAR(", True), ("NEAR(isis", False), ("text:collapsing", False), ("*", NO_WORD),
    ('"""', NO_WORD), ("isis OR", False), ("AND", False), ("(", NO_WORD), (")", NO_WORD),
    ("^", NO_WORD), ("'", NO_WORD), ("\\", NO_WORD), ("%", NO_WORD), ("_", NO_WORD),
    ("collapsing -", True), ("-mosul isis", True), ("{x}", False), ("\x00", NO_WORD),
    ("a" * 600, False), ("😀", NO_WORD), ("isis & !x", False), ("x <-> y", False),
    ("isis mosul)", True), ("isis:*", True), ("mosul^2", False),
]  # fmt: skip


@pytest.mark.parametrize(("query", "finds"), MALFORMED, ids=[repr(q)[:20] for q, _ in MALFORMED])
def test_a_malformed_query_is_plain_words_never_an_error(session, query, finds):
    claim = make_claim(session, text="ISIS is collapsing near Mosul")
    expected = [claim.id] if finds else []
    assert found(session, query) == expected
    assert [c.id for c in find_claims(session, query)] == expected
    listed = [c.id for c in list_claims(session, ClaimFilters(text=query)).items]
    assert listed == ([claim.id] if finds is NO_WORD else expected)  # no word: no narrowing


def test_malformed_queries_get_pages_not_errors(client, session):
    make_claim(session, text="ISIS is collapsing near Mosul")
    session.commit()
    for query, _finds in MALFORMED:
        response = client.get("/search/", query_string={"q": query})
        if "\x00" in query:  # refused for every parameter of every page (web/params.py)
            assert response.status_code == 400 and b"NUL character" in response.data
            continue
        if len(query) > 500:  # the one refusal: too long, said next to the field
            assert response.status_code == 400 and b'class="error"' in response.data
        else:
            assert response.status_code == 200, query
        assert client.get("/claims/", query_string={"q": query[:500]}).status_code == 200
        assert client.get("/claims/picker", query_string={"q": query}).status_code == 200


@pytest.mark.parametrize(
    ("args", "status"),
    [("kind=rumours", 400), ("page=0", 400), ("page=abc", 400), ("page=51", 400),
     ("kind=claims&page=2", 200), ("", 200)],
)  # fmt: skip
def test_bad_page_or_kind_is_a_400_naming_the_problem(client, args, status):
    response = client.get(f"/search/?q=isis&{args}")
    assert response.status_code == status
    assert (b'class="error"' in response.data) == (status == 400)


def test_a_kind_page_links_to_the_next_page(client, session):
    for n in range(25):
        make_claim(session, text=f"Checkpoint {n} overrun")
    session.commit()
    first = client.get("/search/?q=checkpoint&kind=claims").get_data(as_text=True)
    assert first.count('class="hit hit-claims"') == 20 and 'rel="next"' in first
    second = client.get("/search/?q=checkpoint&kind=claims&page=2").get_data(as_text=True)
    assert second.count('class="hit hit-claims"') == 5 and 'rel="prev"' in second


def test_the_global_search_box_is_on_every_page_and_points_at_search(client):
    for url in ("/", "/claims/", "/sources/", "/vocabulary"):
        page = client.get(url).get_data(as_text=True)
        assert 'class="quick-search" action="/search/"' in page


# --- the picker and the new-claim suggestions ------------------------------------------------


def test_the_picker_ranks_with_the_same_search_and_completes_the_last_word(client, session):
    claim = make_claim(session, text="The Iraqi army has stalled")
    target = make_claim(session, text="ISIS is collapsing")
    session.commit()
    page = client.get(f"/claims/picker?q=ISIS+collap&exclude={claim.id}")
    assert f'value="{target.id}"'.encode() in page.data


def test_similar_claims_are_suggested_while_typing(client, session):
    source = make_source(session)
    twin = make_claim(
        session, text="The PMU's operation has cut ISIS supplies between Iraq and Syria"
    )
    make_claim(session, text="Peshmerga turned back from Mosul")
    session.commit()

    response = client.get(
        "/search/similar",
        query_string={"text": "PMU says it cut the ISIS supplies from Syria ", "source": source.id},
    )

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/claims/{twin.id}" in page and "Peshmerga" not in page
    assert f"/claims/{twin.id}/sources/new?source={source.id}" in page
    assert client.get("/search/similar?text=").get_data(as_text=True).strip() == ""


def test_the_new_claim_form_asks_for_suggestions_from_a_static_script(client):
    page = client.get("/claims/new").get_data(as_text=True)
    assert 'data-similar-url="/search/similar"' in page
    assert '<script src="/static/similar.js" defer></script>' in page
    assert "<script>" not in page


def test_similar_claims_leave_out_the_claim_itself(session):
    claim = make_claim(session, text="Convoy of fuel trucks ambushed near Raqqa")
    hits = service.similar_claims(session, claim.text + " ", exclude_id=claim.id)
    assert hits == []
    assert [h.item for h in service.similar_claims(session, claim.text + " ")] == [claim]


# --- the CLI ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=ENGINES)
def cli_database(request, database_url_factory):
    """A migrated database of each engine kind holding a claim and a source."""
    url = database_url_factory(request.param)
    fresh = make_engine(url)
    migrations.upgrade(fresh)
    with make_sessionmaker(fresh).begin() as session:
        make_claim(session, text="ISIS is collapsing, says Abadi")
        make_source(session, title="Abadi statement")
    fresh.dispose()
    return url


def test_cli_search_prints_grouped_results(cli_database):
    result = CliRunner().invoke(main, ["--database", cli_database, "search", "abadi"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "Claims (1)" and "ISIS is collapsing, says Abadi" in lines[1]
    assert "Sources (1)" in lines and "Actors" not in result.output


def test_cli_search_json(cli_database):
    result = CliRunner().invoke(
        main, ["--database", cli_database, "search", "collaps*", "--kind", "claims", "--json"]
    )
    data = json.loads(result.output)
    assert [g["kind"] for g in data["groups"]] == ["claims"]
    assert data["groups"][0]["hits"][0]["matched"] == ["collapsing"]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["search", " - "], "Error: there is no word to search for"),
     (["search", "x", "--kind", "rumours"], "Invalid value for '--kind'"),
     (["search", "x", "--limit", "0"], "Invalid value for '--limit'")],
)  # fmt: skip
def test_cli_search_bad_input_is_one_line(cli_database, args, message):
    result = CliRunner().invoke(main, ["--database", cli_database, *args])
    assert result.exit_code != 0 and message in result.output
    assert "Traceback" not in result.output


def test_cli_search_finding_nothing_says_so(cli_database):
    result = CliRunner().invoke(main, ["--database", cli_database, "search", '"no such" words'])
    assert result.exit_code == 0 and result.output == "Nothing matches '\"no such\" words'.\n"


@pytest.mark.parametrize("drive_limit", [0, 2_000], ids=["many matches", "few matches"])
def test_the_list_filter_lists_the_same_claims_for_few_or_many_matches(
    session, monkeypatch, drive_limit
):
    monkeypatch.setattr(service, "DRIVE_LIMIT", drive_limit)
    convoys = [make_claim(session, text=f"Convoy {n} ambushed") for n in range(3)]
    make_claim(session, text="Nothing to see")
    listed = list_claims(session, ClaimFilters(text="convoy amb"), sort="added-desc").items
    assert [c.id for c in listed] == [c.id for c in reversed(convoys)]


def test_the_page_says_when_only_the_newest_matches_are_ranked(client, session, monkeypatch):
    monkeypatch.setattr(service, "WINDOW", 2)
    for n in range(4):
        make_claim(session, text=f"Sniper position {n}")
    session.commit()
    page = client.get("/search/?q=sniper").get_data(as_text=True)
    assert "Claims (2+)" in page and "more than 2" in page
    assert "ranked among the 2 most recently added" in page
