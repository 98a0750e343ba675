"""Link labels of datasets (SUPPORTS, REFUTES, entailment…) and the relation each becomes.

Like verdicts, a label is compared normalised (case, accents, punctuation and `_` do not
matter), the team's rows in `relation_mappings` (`counterclaim relations set/unset/list`)
over the built-in defaults below. A label that maps to "none" makes no link: the evidence
is kept as a neutral appearance of the claim (NOT_ENOUGH_INFO says nothing either way). A
label nobody knows is a problem of its record, never a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import RelationMapping
from counterclaim.models.relation_mapping import RELATION_TARGETS

from ..errors import DomainError
from .verdicts import normalise

NO_LINK = "none"

#: The built-in mapping: (label as datasets write it, relation, which datasets use it).
DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("supports", "supports", "Counterclaim"),
    ("SUPPORTS", "supports", "FEVER"),
    ("Supported", "supports", "AVeriTeC"),
    ("support", "supports", "SciFact"),
    ("entails", "supports", "natural language inference"),
    ("entailment", "supports", "natural language inference"),
    ("contradicts", "contradicts", "Counterclaim"),
    ("refutes", "contradicts", "Counterclaim"),
    ("REFUTES", "contradicts", "FEVER"),
    ("Refuted", "contradicts", "AVeriTeC"),
    ("contradict", "contradicts", "SciFact"),
    ("contradiction", "contradicts", "natural language inference"),
    ("qualifies", "qualifies", "Counterclaim"),
    ("Conflicting Evidence/Cherrypicking", "qualifies", "AVeriTeC"),
    ("duplicates", "duplicates", "Counterclaim"),
    ("responds_to", "responds_to", "Counterclaim"),
    ("NOT_ENOUGH_INFO", NO_LINK, "FEVER"),
    ("NOT ENOUGH INFO", NO_LINK, "FEVER"),
    ("Not Enough Evidence", NO_LINK, "AVeriTeC"),
    ("neutral", NO_LINK, "natural language inference"),
    ("NEI", NO_LINK, "FEVER family"),
)


@dataclass(frozen=True)
class RelationEntry:
    label: str
    key: str
    relation: str
    origin: str  # "team" or "default"
    note: str = ""


def _key(label: str) -> str:
    return normalise(label.replace("_", " "))


class RelationMap:
    """The effective mapping: the team's rows over the built-in defaults."""

    def __init__(self, team: dict[str, tuple[str, str, str]] | None = None):
        self.defaults = {_key(label): (label, rel, who) for label, rel, who in DEFAULTS}
        self.team = team or {}

    @classmethod
    def load(cls, session: Session) -> RelationMap:
        """Return the mapping in force in the database behind `session`."""
        rows = session.scalars(select(RelationMapping)).all()
        return cls({row.label: (row.written, row.relation, row.note) for row in rows})

    def map(self, label: str) -> RelationEntry | None:
        """Return what `label` maps to, or None when nobody knows it."""
        key = _key(label)
        if key in self.team:
            written, relation, note = self.team[key]
            return RelationEntry(written, key, relation, "team", note)
        if key in self.defaults:
            written, relation, who = self.defaults[key]
            return RelationEntry(written, key, relation, "default", who)
        return None

    def entries(self) -> list[RelationEntry]:
        """Every mapping in force, the team's first, then the defaults they do not replace."""
        team = [RelationEntry(w, k, r, "team", n) for k, (w, r, n) in sorted(self.team.items())]
        return team + [
            RelationEntry(w, k, r, "default", who)
            for k, (w, r, who) in self.defaults.items()
            if k not in self.team
        ]


def set_relation(session: Session, label: str, relation: str, note: str = "") -> RelationMapping:
    """Map `label` to `relation` (or "none") for this team, replacing its earlier mapping."""
    key = _key(label)
    if not key:
        raise DomainError("a label needs at least one letter or digit")
    if relation not in RELATION_TARGETS:
        raise DomainError(f"{relation!r} is not one of {', '.join(RELATION_TARGETS)}")
    if len(label) > 200:
        raise DomainError("a label is at most 200 characters")
    row = session.scalar(select(RelationMapping).where(RelationMapping.label == key))
    if row is None:
        row = RelationMapping(label=key, written=label.strip(), relation=relation, note=note)
        session.add(row)
    else:
        row.written, row.relation, row.note = label.strip(), relation, note
    session.flush()
    return row


def unset_relation(session: Session, label: str) -> bool:
    """Remove the team's mapping of `label` (the default, if any, applies again)."""
    row = session.scalar(select(RelationMapping).where(RelationMapping.label == _key(label)))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
