"""Who may change what: the rules behind the roles, shared by the web and the CLI.

Roles are ordered viewer < analyst < editor < admin. Analysts add claims, sources,
actors, links, excerpts, assessments and notes, and edit or remove what they created;
editors edit and delete anything, merge duplicates and rename, merge and delete tags
(analysts add tags).
"""

from counterclaim.models import Annotation, Assessment, User

from ..errors import DomainError


class NotPermitted(DomainError):
    """The user's role does not allow the operation."""


def owner_id(record) -> int | None:
    """Return the id of the user who created `record`, if it records one."""
    if isinstance(record, Annotation):
        return record.author_id
    if isinstance(record, Assessment):
        return record.analyst_id
    return getattr(record, "created_by", None)


def may_change(user: User | None, record) -> bool:
    """Tell whether `user` may edit or remove `record`."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.has_role("editor"):
        return True
    return user.has_role("analyst") and owner_id(record) == user.id


def may_load_dump(user: User | None) -> bool:
    """Tell whether `user` may load a whole-database dump (it writes users, revisions and
    any author under the ids it names): administrators only."""
    return user is not None and getattr(user, "is_authenticated", False) and (
        user.has_role("admin")
    )  # fmt: skip


def check_may_change(user: User | None, record) -> None:
    """Refuse with NotPermitted unless `user` may edit or remove `record`."""
    if not may_change(user, record):
        raise NotPermitted("Analysts change only what they created; ask an editor.")
