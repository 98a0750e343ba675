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
from .derivation import SourceDerivation
from .outcome import ClaimOutcome
from .revision import Revision
from .saved_query import SavedQuery
from .snapshot import ReportSnapshot
from .source import Source
from .tag import ClaimTag, Tag
from .user import User
from .verdict import VerdictMapping
from .views import (
    actor_track_record,
    claim_consensus,
    claim_contradictions,
    claim_corroboration,
    contested_claims,
)

__all__ = [
    "Actor",
    "ActorAlias",
    "Annotation",
    "Assessment",
    "Base",
    "Claim",
    "ClaimLink",
    "ClaimOutcome",
    "ClaimSource",
    "ClaimTag",
    "RelationMapping",
    "Review",
    "ReportSnapshot",
    "Revision",
    "SavedQuery",
    "Source",
    "SourceDerivation",
    "Tag",
    "User",
    "VerdictMapping",
    "actor_track_record",
    "claim_consensus",
    "claim_contradictions",
    "claim_corroboration",
    "contested_claims",
]
