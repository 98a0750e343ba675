"""Textual verdicts → Admiralty credibility: defaults in many languages, the team's table."""

import pytest
from sqlalchemy import select

from counterclaim.models import VerdictMapping
from counterclaim.services.errors import DomainError
from counterclaim.services.exchange.verdicts import (
    DEFAULTS,
    VerdictMap,
    normalise,
    set_mapping,
    unset_mapping,
)


@pytest.mark.parametrize(
    ("verdict", "credibility"),
    [
        ("True", 1), ("TRUE", 1), ("Mostly True", 2), ("Half True", 3), ("half-true", 3),
        ("Mostly False", 4), ("FALSE", 5), ("False.", 5), ("Pants on Fire!", 5),
        ("pants-fire", 5), ("Misleading", 4), ("Missing context", 3), ("Unproven", 6),
        ("Satire", 6), ("Labeled Satire", 6), ("Four Pinocchios", 5), ("Rating: False", 5),
        ("Faux", 5), ("Plutôt vrai", 2), ("PLUTOT VRAI", 2), ("Trompeur", 4),
        ("Bulo", 5), ("Engañoso", 4), ("ENGANOSO", 4), ("Verdad a medias", 3),
        ("Verdadeiro, mas...", 2), ("Falso", 5), ("Falsch", 5), ("GRÖSSTENTEILS RICHTIG", 2),
        ("Irreführend", 4), ("Pimenta na língua", 5), ("Yanlış", 5),
        ("زائف", 5), ("زائفٌ", 5), ("مُضلِّل", 4), ("صحيح جزئيا", 3), ("صحيح جزئياً", 3),
        ("ساخر", 6), ("Фейк", 5), ("錯誤", 5), ("भ्रामक", 4),
        ("Probably true", 2), ("Improbable", 5),  # Counterclaim's own exports read back
    ],
)  # fmt: skip
def test_published_verdicts_map_case_and_accent_insensitively(verdict, credibility):
    mapping = VerdictMap().map(verdict)
    assert (mapping.credibility, mapping.origin) == (credibility, "default")
    assert mapping.verdict == verdict  # kept verbatim


@pytest.mark.parametrize(
    "verdict",
    [
        "",
        "   ",
        "Mostly accurate, with some exaggeration",
        "Falsish",
        "True-ish?",
        "Mostly true, but misleading in its conclusion",  # verdicts that disagree
    ],  # fmt: skip
)
def test_an_unknown_verdict_is_6_never_an_error_never_a_guess(verdict):
    mapping = VerdictMap().map(verdict)
    assert (mapping.credibility, mapping.origin, mapping.is_mapped) == (6, "unmapped", False)


def test_no_two_defaults_share_a_key_and_every_default_is_on_the_scale():
    keys = [normalise(label) for label, _c, _who in DEFAULTS]
    assert len(keys) == len(set(keys))
    assert all(key for key in keys)
    assert {c for _l, c, _w in DEFAULTS} <= {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pants on Fire!", "pants on fire"),
        ("Größtenteils  richtig", "grosstenteils richtig"),
        ("إشاعة", "اشاعه"),
        ("Ложь", "ложь"),
    ],  # fmt: skip
)
def test_normalising_folds_case_accents_letters_and_punctuation(a, b):
    assert normalise(a) == normalise(b)


def test_the_teams_mapping_overrides_a_default_and_unset_restores_it(session):
    set_mapping(session, "MISLEADING!", 5, note="Desk rule 4")
    mapping = VerdictMap.load(session).map("Misleading")
    assert (mapping.credibility, mapping.origin, mapping.note) == (5, "team", "Desk rule 4")
    row = session.scalars(select(VerdictMapping)).one()
    assert (row.verdict, row.label) == ("misleading", "MISLEADING!")

    set_mapping(session, "misleading", 3)  # the same key: the row is updated
    assert session.scalars(select(VerdictMapping.credibility)).all() == [3]

    assert unset_mapping(session, "Misleading")
    assert VerdictMap.load(session).map("Misleading").credibility == 4
    assert not unset_mapping(session, "Misleading")


def test_the_team_can_map_a_verdict_the_defaults_do_not_know(session):
    set_mapping(session, "Mostly accurate, with some exaggeration", 2)
    entries = VerdictMap.load(session).entries()
    assert entries[0].origin == "team" and entries[0].credibility == 2
    assert len(entries) == len(DEFAULTS) + 1


@pytest.mark.parametrize(
    ("verdict", "credibility", "message"),
    [("!!!", 3, "at least one letter"), ("x", 7, "1 to 6"), ("x" * 201, 3, "200 characters")],
)
def test_a_bad_mapping_is_refused(session, verdict, credibility, message):
    with pytest.raises(DomainError, match=message):
        set_mapping(session, verdict, credibility)
