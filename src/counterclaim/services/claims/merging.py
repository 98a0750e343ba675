"""Merging duplicate claims: B's links, sources, assessments, notes and tags move to A.

All in the caller's transaction and recorded in revisions as a merge. Nothing is lost:
a link or appearance that would duplicate one A has already, or that would link A to
itself, is deleted (its content stays readable in its deletion revision). B is kept,
retracted, with a `duplicates` link to A, so that whoever cites B finds A.
"""

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from counterclaim.models import Annotation, Assessment, Claim, ClaimLink
from counterclaim.models.audit import recorded_as
from counterclaim.models.vocabulary import SYMMETRIC_RELATIONS

from ..errors import NotAllowed


@dataclass
class MergeReport:
    """What a merge moved to the kept claim and what it dropped as duplicate."""

    moved: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict, name: str) -> None:
        bucket[name] = bucket.get(name, 0) + 1

    def __str__(self) -> str:
        def say(counts):
            return ", ".join(f"{n} {name}" for name, n in counts.items()) or "nothing"

        return f"Moved {say(self.moved)}; dropped as duplicate {say(self.dropped)}."


def merge_claims(session: Session, keep: Claim, duplicate: Claim) -> MergeReport:
    """Merge `duplicate` into `keep`; `duplicate` stays, retracted, as a duplicates record."""
    if keep.id == duplicate.id:
        raise NotAllowed("A claim cannot be merged into itself.")
    if keep.status == "retracted" and _duplicates_link(session, keep, duplicate) is not None:
        raise NotAllowed(f"Claim #{keep.id} was itself merged into #{duplicate.id}.")
    report = MergeReport()
    with recorded_as(session, "merge"):
        _move_links(session, keep, duplicate, report)
        _move_appearances(session, keep, duplicate, report)
        for assessment in session.scalars(
            select(Assessment).where(Assessment.claim_id == duplicate.id)
        ):
            assessment.claim_id = keep.id
            report.count(report.moved, "assessments")
        for note in session.scalars(select(Annotation).where(Annotation.claim_id == duplicate.id)):
            note.claim_id = keep.id
            report.count(report.moved, "notes")
        had = {tag.id for tag in keep.tags}
        for tag in duplicate.tags:
            if tag.id not in had:
                keep.tags.append(tag)
                report.count(report.moved, "tags")
        duplicate.tags = []
        duplicate.status = "retracted"
        session.flush()
        if _duplicates_link(session, keep, duplicate) is None:
            first, second = sorted((keep.id, duplicate.id))
            session.add(
                ClaimLink(
                    from_claim_id=first, to_claim_id=second, relation="duplicates",
                    strength="strong", rationale=f"Claim #{duplicate.id} merged into #{keep.id}.",
                )
            )  # fmt: skip
        session.flush()
    return report


def _duplicates_link(session: Session, a: Claim, b: Claim) -> ClaimLink | None:
    first, second = sorted((a.id, b.id))
    return session.scalar(
        select(ClaimLink).where(
            ClaimLink.from_claim_id == first,
            ClaimLink.to_claim_id == second,
            ClaimLink.relation == "duplicates",
        )
    )


def _move_links(session: Session, keep: Claim, duplicate: Claim, report: MergeReport) -> None:
    existing = {
        (link.from_claim_id, link.to_claim_id, link.relation)
        for link in session.scalars(
            select(ClaimLink).where(
                or_(ClaimLink.from_claim_id == keep.id, ClaimLink.to_claim_id == keep.id)
            )
        )
    }
    links = session.scalars(
        select(ClaimLink)
        .where(or_(ClaimLink.from_claim_id == duplicate.id, ClaimLink.to_claim_id == duplicate.id))
        .order_by(ClaimLink.id)
    )
    for link in links:
        outgoing = link.from_claim_id == duplicate.id
        other = link.to_claim_id if outgoing else link.from_claim_id
        if other == keep.id:
            if link.relation != "duplicates":  # it would link the kept claim to itself
                session.delete(link)
                report.count(report.dropped, "links")
            continue
        new_from, new_to = (keep.id, other) if outgoing else (other, keep.id)
        if link.relation in SYMMETRIC_RELATIONS and new_from > new_to:
            new_from, new_to = new_to, new_from
        if (new_from, new_to, link.relation) in existing:
            session.delete(link)
            report.count(report.dropped, "links")
        else:
            link.from_claim_id, link.to_claim_id = new_from, new_to
            existing.add((new_from, new_to, link.relation))
            report.count(report.moved, "links")


def _move_appearances(session: Session, keep: Claim, duplicate: Claim, report: MergeReport) -> None:
    kept = {(a.source_id, a.locator) for a in keep.appearances}
    for appearance in list(duplicate.appearances):
        if (appearance.source_id, appearance.locator) in kept:
            session.delete(appearance)
            report.count(report.dropped, "appearances")
        else:
            appearance.claim = keep
            kept.add((appearance.source_id, appearance.locator))
            report.count(report.moved, "appearances")
