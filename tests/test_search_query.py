"""Reading what users type into search terms, and the engine queries built from them."""

import pytest

from counterclaim.services.search.search_query import (
    MAX_TERMS,
    Term,
    exact_phrase,
    fts5_match,
    parse,
    tsquery,
    words_of,
)


def T(*words, prefix=False):
    return Term(tuple(words), prefix)


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("collapsing", [T("collapsing")]),
        ("  ISIS   collapsing ", [T("ISIS"), T("collapsing")]),
        ('"the guts"', [T("the", "guts")]),
        ("collaps*", [T("collaps", prefix=True)]),
        ('"the gu"*', [T("the", "gu", prefix=True)]),
        ('"the gu" *', [T("the", "gu", prefix=True)]),
        ('ISIS "the guts" fight*', [T("ISIS"), T("the", "guts"), T("fight", prefix=True)]),
        ("al-Abadi's", [T("al", "Abadi", "s")]),
        ("U.S.", [T("U", "S")]),
        ("2016", [T("2016")]),
        ("café", [T("café")]),
        ("كَتَبَ", [T("كتب")]),  # Arabic short vowels folded
        ("أحمد إبراهيم آمال", [T("احمد"), T("ابراهيم"), T("امال")]),  # hamza forms of alef
        ("قالـــوا", [T("قالوا")]),  # tatweel
    ],
)
def test_words_phrases_and_prefixes(query, terms):
    assert parse(query) == terms


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ('unbalanced "quote', [T("unbalanced"), T("quote")]),
        ('"', []),
        ('"""', []),
        ("-", []),
        (" - ", []),
        ("-isis", [T("isis")]),
        ("*", []),
        ("**collapse", [T("collapse")]),
        ("NEAR(", [T("NEAR")]),
        ("NEAR(isis mosul, 3)", [T("NEAR", "isis"), T("mosul"), T("3")]),
        ("text:collapse", [T("text", "collapse")]),
        ("isis OR mosul", [T("isis"), T("OR"), T("mosul")]),
        ("isis AND NOT mosul", [T("isis"), T("AND"), T("NOT"), T("mosul")]),
        ("^isis", [T("isis")]),
        ("isis + mosul", [T("isis"), T("mosul")]),
        ("(isis", [T("isis")]),
        ("{text}: x", [T("text"), T("x")]),
        ("'; DROP TABLE claims; --", [T("DROP"), T("TABLE"), T("claims")]),
        ("a\\b", [T("a", "b")]),
        ("isis & !mosul | x <-> y", [T("isis"), T("mosul"), T("x"), T("y")]),
        ("'quoted'", [T("quoted")]),
        ("", []),
        ("\x00\x02\x03", []),
        ("\u0301 mosul", [T("mosul")]),  # a lone combining mark is no word
        ("ـَ", []),  # nor tatweel with a short vowel
    ],
    ids=lambda value: repr(value) if isinstance(value, str) else None,
)
def test_anything_that_is_not_our_syntax_becomes_plain_words(query, terms):
    assert parse(query) == terms


def test_the_word_being_typed_is_a_prefix_until_a_space_follows_it():
    assert parse("isis coll", typing=True) == [T("isis"), T("coll", prefix=True)]
    assert parse("isis coll ", typing=True) == [T("isis"), T("coll")]
    assert parse('"the gu', typing=True) == [T("the"), T("gu", prefix=True)]


def test_a_long_query_is_cut_to_a_bounded_number_of_terms():
    assert len(parse(" ".join(f"w{n}" for n in range(100)))) == MAX_TERMS


@pytest.mark.parametrize(
    ("terms", "fts5", "pg"),
    [
        ([T("isis")], '"isis"', "('isis')"),
        ([T("isis"), T("mosul")], '"isis" AND "mosul"', "('isis') & ('mosul')"),
        ([T("the", "guts")], '"the guts"', "('the' <-> 'guts')"),
        ([T("collaps", prefix=True)], '"collaps" *', "('collaps':*)"),
        ([T("the", "gu", prefix=True)], '"the gu" *', "('the' <-> 'gu':*)"),
        ([T("NEAR")], '"NEAR"', "('NEAR')"),
    ],
)
def test_every_word_is_quoted_in_the_engine_queries(terms, fts5, pg):
    assert fts5_match(terms) == fts5
    assert tsquery(terms) == pg


@pytest.mark.parametrize(
    ("query", "phrase"),
    [
        ("the guts", T("the", "guts")),
        ('isis "the guts"', T("isis", "the", "guts")),
        ("isis coll*", T("isis", "coll", prefix=True)),
        ("isis", None),
        ('"the guts"', None),
        ("coll* isis", None),
    ],
)
def test_the_exact_phrase_of_a_query_of_several_terms(query, phrase):
    assert exact_phrase(parse(query)) == phrase


def test_words_are_cut_as_the_index_cuts_them():
    assert words_of("ISIS—the “guts”; 45km, Ābādī's x2") == [
        "ISIS", "the", "guts", "45km", "Ābādī", "s", "x2",
    ]  # fmt: skip
