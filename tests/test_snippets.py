"""Snippets: the matched words marked in the found text, cut around the first match."""

import pytest

from counterclaim.services.search.search_query import parse
from counterclaim.services.search.snippets import ELLIPSIS, snippet

M, _ = True, False


@pytest.mark.parametrize(
    ("text", "query", "pieces"),
    [
        ("ISIS is collapsing", "collapsing", [("ISIS is ", _), ("collapsing", M)]),
        ("ISIS IS COLLAPSING.", "collapsing", [("ISIS IS ", _), ("COLLAPSING", M), (".", _)]),
        ("lost the guts, the guts now", '"the guts"',
         [("lost ", _), ("the guts", M), (", ", _), ("the guts", M), (" now", _)]),
        ("guts, the fighters", "the guts", [("guts", M), (", ", _), ("the", M), (" fighters", _)]),
        ("collapsed, collapse", "collaps*", [("collapsed", M), (", ", _), ("collapse", M)]),
        ("the gutter, then guts", '"the gu"*', [("the gutter", M), (", then guts", _)]),
        ("Café Ābādī", "cafe abadi", [("Café", M), (" ", _), ("Ābādī", M)]),
        ("cafe\u0301 noir", "café", [("cafe\u0301", M), (" noir", _)]),
        ("قَالَ الْعَبَادِي", "العبادي", [("قَالَ ", _), ("الْعَبَادِي", M)]),
        ("أعلنت الحكومة", "اعلنت", [("أعلنت", M), (" الحكومة", _)]),
        ("al-Abadi's claim", "al-Abadi's", [("al-Abadi's", M), (" claim", _)]),
        ("<b>x</b> collapsing & more", "collapsing", [("<b>x</b> ", _), ("collapsing", M),
                                                       (" & more", _)]),
        ("Nothing marked here", "elsewhere", [("Nothing marked here", _)]),
        ("", "x", []),
    ],
)  # fmt: skip
def test_the_matched_words_are_marked(text, query, pieces):
    assert snippet(text, parse(query)) == pieces


def words(n: int, start: int = 0) -> str:
    return " ".join(f"w{k}" for k in range(start, start + n))


@pytest.mark.parametrize(
    ("text", "leading", "trailing"),
    [
        (f"{words(50)} target {words(50, 50)}", True, True),
        (f"target {words(100)}", False, True),
        (f"{words(100)} target", True, False),
        (f"{words(10)} target {words(10, 10)}", False, False),
    ],
    ids=["middle", "start", "end", "short"],
)
def test_a_long_text_is_cut_around_the_first_match(text, leading, trailing):
    pieces = snippet(text, parse("target"), words=30)
    shown = "".join(piece for piece, _ in pieces)
    assert ("target", True) in pieces
    assert shown.startswith(ELLIPSIS) == leading and shown.endswith(ELLIPSIS) == trailing
    assert len(shown.split()) <= 32
