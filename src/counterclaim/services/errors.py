"""The domain's refusals, each with a message fit to show an analyst."""

from dataclasses import dataclass, field


class DomainError(Exception):
    """A request the domain refuses; `str(error)` is the message for the user."""


class NotAllowed(DomainError):
    """The operation would break a rule of the domain (a self-link, a delete with links)."""


class Duplicate(DomainError):
    """The same thing exists already."""


@dataclass
class StaleEdit(DomainError):
    """Someone saved the record since the editor loaded it; nothing was overwritten."""

    entity: str
    loaded_version: int
    current_version: int
    changed: dict[str, tuple[object, object]] = field(default_factory=dict)

    def __str__(self) -> str:
        return (
            f"This {self.entity} was saved by someone else since you opened it "
            f"(you edited version {self.loaded_version}; it is now version "
            f"{self.current_version}). Nothing was overwritten: compare, then save again."
        )
