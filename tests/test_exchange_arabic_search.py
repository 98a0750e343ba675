"""Imported Arabic is findable: a word is found with or without its attached prefixes.

The same hits on both engines (the fixtures run every test on each): search, the
picker's find-as-you-type and the duplicate suggestions.
"""

import pytest

from counterclaim.services.search import search
from counterclaim.services.search.search_query import arabic_variants, fts5_match, parse, tsquery
from factories import make_actor, make_claim

TEXTS = {
    "bare": "انقطاع كهرباء في الموصل",
    "article": "الكهرباء تعود إلى الموصل",
    "and_the": "والكهرباء مقطوعة منذ يومين",
    "with_the": "مشكلة بالكهرباء في الجانب الأيمن",
    "trump": "ترامب يتحدث عن العراق",
    "and_trump": "وترامب قال إن العراق آمن",
    "country": "بلد بلا ماء",
    "boy": "ولد في الموصل",
}


@pytest.fixture
def claims(session):
    actor = make_actor(session, name="قناة محلية")
    return {key: make_claim(session, claimant=actor, text=text).id for key, text in TEXTS.items()}


def found(session, query):
    group = search.search(session, query, kinds=["claims"], per_page=50).groups[0]
    return {hit.item.id for hit in group.hits}


def ids(claims, *keys):
    return {claims[k] for k in keys}


@pytest.mark.parametrize("query", ["كهرباء", "الكهرباء", "والكهرباء", "بالكهرباء"])
def test_electricity_is_found_under_every_prefix(session, claims, query):
    assert found(session, query) == ids(claims, "bare", "article", "and_the", "with_the")


@pytest.mark.parametrize("query", ["ترامب", "وترامب"])
def test_a_name_is_found_with_an_attached_and(session, claims, query):
    assert found(session, query) == ids(claims, "trump", "and_trump")


def test_a_short_stem_is_never_cut(session, claims):
    assert found(session, "بلد") == ids(claims, "country")  # not ولد, "boy"


def test_the_picker_and_the_suggestions_find_prefixed_words(session, claims):
    typed = {hit.item.id for hit in search.find_claims(session, "الكهرباء ")}
    assert typed == ids(claims, "bare", "article", "and_the", "with_the")
    similar = {hit.item.id for hit in search.similar_claims(session, "عودة كهرباء ")}
    assert ids(claims, "article", "and_the") <= similar


def test_variants_keep_the_word_and_add_each_prefix():
    variants = arabic_variants("الكهرباء")
    assert {"الكهرباء", "كهرباء", "والكهرباء", "بالكهرباء", "للكهرباء"} <= set(variants)


def test_only_arabic_words_are_expanded():
    assert fts5_match(parse("Mosul ترامب")).startswith('"Mosul" AND ("ترامب" OR "وبالترامب"')
    assert tsquery(parse('"الكهرباء تعود"')) == "('الكهرباء' <-> 'تعود')"  # a phrase as typed
