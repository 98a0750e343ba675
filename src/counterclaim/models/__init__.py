"""The SQLAlchemy models: one module per aggregate, no Flask."""

from . import audit  # noqa: E402, F401, I001 - registers the audit trail on every Session
from .actor import Actor
from .actor_alias import ActorAlias
from .annotation import Annotation
from .assessment import Assessment
from .base import Base
from .claim import Claim, ClaimLink, ClaimSource
from .relation_mapping import RelationMapping
from .review import Review
from .revision import Revision
from .saved_query import SavedQuery
from .source import Source
from .tag import ClaimTag, Tag
from .user import User
from .verdict import VerdictMapping
from .views import claim_consensus, claim_contradictions, contested_claims

__all__ = [
    "Actor",
    "ActorAlias",
    "Annotation",
    "Assessment",
    "Base",
    "Claim",
    "ClaimLink",
    "ClaimSource",
    "ClaimTag",
    "RelationMapping",
    "Review",
    "Revision",
    "SavedQuery",
    "Source",
    "Tag",
    "User",
    "VerdictMapping",
    "claim_consensus",
    "claim_contradictions",
    "contested_claims",
]
