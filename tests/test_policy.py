"""Who may change what: the ownership rule behind every edit and delete, role by role."""

import pytest

from counterclaim.models import Annotation, Assessment, Claim, User
from counterclaim.services.accounts.policy import (
    NotPermitted,
    check_may_change,
    may_change,
    owner_id,
)


def _user(role: str, user_id: int = 1, **overrides) -> User:
    user = User(username=f"{role}{user_id}", role=role, is_active=True, **overrides)
    user.id = user_id
    return user


def _records_owned_by(user_id: int):
    return [
        Claim(text="A claim", created_by=user_id),
        Annotation(body="A note", author_id=user_id),
        Assessment(credibility=3, confidence="moderate", analyst_id=user_id),
    ]


@pytest.mark.parametrize(
    ("role", "own", "others"),
    [
        ("viewer", False, False),
        ("analyst", True, False),
        ("editor", True, True),
        ("admin", True, True),
    ],
)
def test_each_role_may_change_what_the_rule_says(role, own, others):
    user = _user(role, user_id=7)
    for record in _records_owned_by(7):
        assert may_change(user, record) is own, (role, type(record).__name__, "own")
    for record in _records_owned_by(8):
        assert may_change(user, record) is others, (role, type(record).__name__, "other's")


def test_the_owner_is_the_author_of_a_note_and_the_analyst_of_an_assessment():
    note, assessment = Annotation(author_id=3), Assessment(analyst_id=4)
    assert owner_id(note) == 3
    assert owner_id(assessment) == 4
    assert owner_id(Claim(created_by=5)) == 5


def test_nobody_signed_out_or_missing_changes_anything():
    class SignedOut:
        is_authenticated = False

        def has_role(self, role):
            return True

    assert not may_change(None, Claim(created_by=1))
    assert not may_change(SignedOut(), Claim(created_by=1))


def test_an_unowned_record_is_an_editors_to_change():
    assert not may_change(_user("analyst", user_id=1), Claim(created_by=None))
    assert may_change(_user("editor", user_id=1), Claim(created_by=None))


def test_check_may_change_refuses_with_the_way_out():
    with pytest.raises(NotPermitted, match="ask an editor"):
        check_may_change(_user("analyst", user_id=1), Claim(created_by=2))
    check_may_change(_user("analyst", user_id=2), Claim(created_by=2))
