"""Relation mappings: how a dataset's link label becomes a Counterclaim relation."""

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import NEVER_REUSE_IDS, Base, Timestamped, intpk
from .vocabulary import RELATIONS, check_in

#: What a label may map to: a relation, or "none" (no link: the evidence is kept as a
#: neutral appearance of the claim).
RELATION_TARGETS = {**RELATIONS, "none": "No link: keep the evidence as a neutral appearance"}


class RelationMapping(Timestamped, Base):
    """The team's own mapping of one link label, over the built-in defaults."""

    __tablename__ = "relation_mappings"

    id: Mapped[intpk]
    label: Mapped[str] = mapped_column(
        String(200),
        unique=True,
        comment="The label, normalised: case-folded, without accents or punctuation; unique.",
    )
    written: Mapped[str] = mapped_column(
        String(200), comment="The label as the editor typed it, for display."
    )
    relation: Mapped[str] = mapped_column(
        String(20),
        comment="The relation it maps to: contradicts, duplicates, supports, qualifies, "
        "responds_to, or none (no link).",
    )
    note: Mapped[str] = mapped_column(
        Text, default="", comment="Why the label maps so (which dataset, who decided)."
    )

    __table_args__ = (
        CheckConstraint(check_in("relation", RELATION_TARGETS), name="relation"),
        CheckConstraint("length(label) > 0", name="label_not_empty"),
        NEVER_REUSE_IDS,
    )
