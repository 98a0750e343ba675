"""The research views, mapped as read-only tables.

The views themselves are created by the Alembic migrations (their SQL lives there, frozen
with the schema version); these definitions let code query them. They sit in their own
MetaData so that `create_all` and autogenerate never mistake them for tables.
"""

from sqlalchemy import Boolean, Column, Float, Integer, MetaData, String, Table, Text

view_metadata = MetaData()

claim_contradictions = Table(
    "claim_contradictions",
    view_metadata,
    Column("claim_id", Integer, comment="A claim with a contradicts link."),
    Column("counterclaim_id", Integer, comment="The claim that contradicts it."),
    Column("link_id", Integer, comment="The claim_links row (each link appears twice)."),
    Column("strength", String, comment="The link's strength: weak, moderate, strong."),
    Column("rationale", Text, comment="Why the analyst linked the two claims."),
    comment="Both directions of every contradicts link: one row per claim and counterclaim.",
)

claim_consensus = Table(
    "claim_consensus",
    view_metadata,
    Column("claim_id", Integer, comment="The assessed claim."),
    Column(
        "assessments",
        Integer,
        comment="The claim's standing assessments, earlier ones included (withdrawn ones not).",
    ),
    Column("analysts", Integer, comment="Analysts with a current (latest) assessment."),
    Column("cannot_judge", Integer, comment="Analysts whose latest credibility is 6."),
    Column(
        "credibility_median",
        Float,
        comment="Median of the analysts' latest credibility ratings 1–5 (6 is left out).",
    ),
    Column("credibility_min", Integer, comment="Most credible latest rating (1–5)."),
    Column("credibility_max", Integer, comment="Least credible latest rating (1–5)."),
    Column("credibility_spread", Integer, comment="credibility_max − credibility_min; 0 if none."),
    Column(
        "disagreement", Boolean, comment="True when the spread is 2 or more: analysts disagree."
    ),
    comment="Each assessed claim's consensus from each analyst's latest assessment.",
)

contested_claims = Table(
    "contested_claims",
    view_metadata,
    Column("claim_id", Integer, comment="A claim with at least one contradiction."),
    Column("text", Text, comment="The claim's text."),
    Column("claimant_id", Integer, comment="The claim's claimant (actors.id)."),
    Column("status", String, comment="The claim's workflow status."),
    Column("stated_on", String, comment="When the claim was made."),
    Column("contradictions", Integer, comment="How many claims contradict it."),
    Column("contradicting_actors", Integer, comment="How many distinct actors contradict it."),
    comment="Claims with at least one contradiction, with counts.",
)

claim_corroboration = Table(
    "claim_corroboration",
    view_metadata,
    Column("claim_id", Integer, comment="The claim (every claim has a row)."),
    Column("appearances", Integer, comment="Its appearances in sources (claim_sources rows)."),
    Column(
        "supporting_sources",
        Integer,
        comment="Distinct sources carrying it with a stance other than refutes or skeptical.",
    ),
    Column(
        "independent_origins",
        Integer,
        comment="Groups of its sources joined by derivation (any chain, either way) or by "
        "publisher that hold a supporting source and neither the claimant's own words "
        "(an origin appearance) nor a source the claimant published.",
    ),
    Column(
        "circular",
        Boolean,
        comment="True when two or more supporting sources share one origin (one group).",
    ),
    comment="Independent corroboration of each claim: sources that derive from one another "
    "or share a publisher are one origin, and repeating the claimant confirms nothing.",
)

actor_track_record = Table(
    "actor_track_record",
    view_metadata,
    Column("actor_id", Integer, comment="The actor (every actor has a row)."),
    Column("claims", Integer, comment="Claims the actor made."),
    Column("settled", Integer, comment="Of those, claims whose status is settled."),
    Column(
        "confirmed_claims",
        Integer,
        comment="Settled claims whose latest outcome is confirmed.",
    ),
    Column("false_claims", Integer, comment="Settled claims whose latest outcome is false."),
    Column("contradicted_claims", Integer, comment="Claims with at least one contradicts link."),
    Column(
        "median_credibility",
        Float,
        comment="Median of the actor's claims' consensus credibility (claim_consensus's "
        "median; claims rated only 6, or not rated, are left out).",
    ),
    Column("first_claim_on", String, comment="The earliest date one of the claims was made."),
    Column("last_claim_on", String, comment="The latest date one of the claims was made."),
    comment="Each actor's track record as a claimant: how many claims, settled, confirmed, "
    "false and contradicted, and their median credibility.",
)
