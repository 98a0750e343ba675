"""create the claim database

Revision ID: 0001
Revises:
Create Date: 2026-11-25 06:35:50.318896
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "actors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "name",
            sa.String(length=200),
            nullable=False,
            comment="The actor's name as analysts refer to it; unique.",
        ),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="What sort of actor: person, government, military, armed_group, media, organisation, other.",
        ),
        sa.Column(
            "description",
            sa.Text(),
            nullable=False,
            comment="Who the actor is, in the analysts' words.",
        ),
        sa.Column(
            "affiliation_id",
            sa.Integer(),
            nullable=True,
            comment="The actor this one belongs to or speaks for (a spokesman's government).",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "kind IN ('person', 'government', 'military', 'armed_group', 'media', 'organisation', 'other')",
            name=op.f("ck_actors_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["affiliation_id"],
            ["actors.id"],
            name=op.f("fk_actors_affiliation_id_actors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actors")),
        sa.UniqueConstraint("name", name=op.f("uq_actors_name")),
    )
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_actors_affiliation_id"), ["affiliation_id"], unique=False
        )

    op.create_table(
        "saved_queries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "name", sa.String(length=200), nullable=False, comment="The query's name; unique."
        ),
        sa.Column(
            "sql",
            sa.Text(),
            nullable=False,
            comment="The SELECT statement, with :named parameters.",
        ),
        sa.Column("description", sa.Text(), nullable=False, comment="What the query answers."),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_queries")),
        sa.UniqueConstraint("name", name=op.f("uq_saved_queries_name")),
    )
    op.create_table(
        "tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False, comment="The tag; unique."),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="What the tag names: topic, place, event, operation.",
        ),
        sa.Column("description", sa.Text(), nullable=False, comment="What the tag covers."),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "kind IN ('topic', 'place', 'event', 'operation')", name=op.f("ck_tags_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tags")),
        sa.UniqueConstraint("name", name=op.f("uq_tags_name")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False, comment="Login name; unique."),
        sa.Column(
            "display_name",
            sa.String(length=200),
            nullable=False,
            comment="The name shown beside the user's work.",
        ),
        sa.Column(
            "password_hash",
            sa.String(length=300),
            nullable=True,
            comment="Password hash (never the password); secret, hidden from SQL.",
        ),
        sa.Column(
            "role",
            sa.String(length=10),
            nullable=False,
            comment="What the user may do: viewer, analyst, editor, admin.",
        ),
        sa.Column(
            "is_active", sa.Boolean(), nullable=False, comment="False when the account is disabled."
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "role IN ('viewer', 'analyst', 'editor', 'admin')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "text",
            sa.Text(),
            nullable=False,
            comment="The assertion, verbatim or as a faithful paraphrase.",
        ),
        sa.Column(
            "is_verbatim",
            sa.Boolean(),
            nullable=False,
            comment="True when `text` quotes the claimant's exact words.",
        ),
        sa.Column(
            "claimant_id", sa.Integer(), nullable=False, comment="The actor who made the claim."
        ),
        sa.Column(
            "stated_on",
            sa.Date(),
            nullable=True,
            comment="When the claimant made the claim, if known.",
        ),
        sa.Column(
            "status",
            sa.String(length=20),
            nullable=False,
            comment="Workflow state: open, under_review, settled, retracted.",
        ),
        sa.Column(
            "version",
            sa.Integer(),
            nullable=False,
            comment="Optimistic-locking counter, raised on every save.",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "status IN ('open', 'under_review', 'settled', 'retracted')",
            name=op.f("ck_claims_status"),
        ),
        sa.CheckConstraint("length(text) > 0", name=op.f("ck_claims_text_not_empty")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_claims_version_positive")),
        sa.ForeignKeyConstraint(
            ["claimant_id"],
            ["actors.id"],
            name=op.f("fk_claims_claimant_id_actors"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index("ix_claims_claimant_id_id", ["claimant_id", "id"], unique=False)
        batch_op.create_index("ix_claims_stated_on_id", ["stated_on", "id"], unique=False)
        batch_op.create_index("ix_claims_status_id", ["status", "id"], unique=False)
        batch_op.create_index("ix_claims_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "entity", sa.String(length=50), nullable=False, comment="The changed row's table name."
        ),
        sa.Column("entity_id", sa.Integer(), nullable=False, comment="The changed row's id."),
        sa.Column(
            "action",
            sa.String(length=10),
            nullable=False,
            comment="What happened: create, update, delete, restore, merge.",
        ),
        sa.Column(
            "changes",
            sa.JSON(),
            nullable=False,
            comment="The changed fields as {field: [old, new]}.",
        ),
        sa.Column("user_id", sa.Integer(), nullable=True, comment="Who made the change."),
        sa.Column(
            "at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the change was made (UTC).",
        ),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete', 'restore', 'merge')",
            name=op.f("ck_revisions_action"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_revisions_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_revisions")),
    )
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_revisions_entity_entity_id", ["entity", "entity_id", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_revisions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "title",
            sa.String(length=300),
            nullable=False,
            comment="The source's title or a short label.",
        ),
        sa.Column(
            "kind",
            sa.String(length=20),
            nullable=False,
            comment="What sort of source: article, statement, video, report, post, interview, document, other.",
        ),
        sa.Column(
            "publisher_id",
            sa.Integer(),
            nullable=True,
            comment="The actor that published or issued the source.",
        ),
        sa.Column(
            "author",
            sa.String(length=200),
            nullable=False,
            comment="The named author, if any, as printed.",
        ),
        sa.Column(
            "url", sa.String(length=2000), nullable=False, comment="Where the source is online."
        ),
        sa.Column(
            "archived_url",
            sa.String(length=2000),
            nullable=False,
            comment="An archived copy (Wayback Machine, archive.today).",
        ),
        sa.Column(
            "published_on",
            sa.Date(),
            nullable=True,
            comment="The date the source was published, if known.",
        ),
        sa.Column(
            "reliability",
            sa.String(length=1),
            nullable=False,
            comment="NATO Admiralty source reliability, A (completely reliable) to F (cannot be judged).",
        ),
        sa.Column(
            "notes", sa.Text(), nullable=False, comment="Why the source has its reliability letter."
        ),
        sa.Column(
            "version",
            sa.Integer(),
            nullable=False,
            comment="Optimistic-locking counter, raised on every save.",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "kind IN ('article', 'statement', 'video', 'report', 'post', 'interview', 'document', 'other')",
            name=op.f("ck_sources_kind"),
        ),
        sa.CheckConstraint(
            "reliability IN ('A', 'B', 'C', 'D', 'E', 'F')", name=op.f("ck_sources_reliability")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_sources_version_positive")),
        sa.ForeignKeyConstraint(
            ["publisher_id"],
            ["actors.id"],
            name=op.f("fk_sources_publisher_id_actors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
    )
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.create_index("ix_sources_published_on_id", ["published_on", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sources_publisher_id"), ["publisher_id"], unique=False)
        batch_op.create_index("ix_sources_reliability_id", ["reliability", "id"], unique=False)

    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "claim_id",
            sa.Integer(),
            nullable=True,
            comment="The annotated claim (set when the note is on a claim).",
        ),
        sa.Column(
            "source_id",
            sa.Integer(),
            nullable=True,
            comment="The annotated source (set when the note is on a source).",
        ),
        sa.Column("author_id", sa.Integer(), nullable=False, comment="Who wrote the note."),
        sa.Column(
            "body", sa.Text(), nullable=False, comment="The note, in Markdown; rendered sanitised."
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "(claim_id IS NULL) <> (source_id IS NULL)",
            name=op.f("ck_annotations_exactly_one_subject"),
        ),
        sa.CheckConstraint("length(body) > 0", name=op.f("ck_annotations_body_not_empty")),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_annotations_author_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_annotations_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_annotations_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annotations_author_id"), ["author_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_annotations_claim_id"), ["claim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_annotations_source_id"), ["source_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False, comment="The assessed claim."),
        sa.Column(
            "analyst_id", sa.Integer(), nullable=False, comment="The analyst who made the judgment."
        ),
        sa.Column(
            "credibility",
            sa.Integer(),
            nullable=False,
            comment="Admiralty information credibility, 1 (confirmed) to 6 (cannot be judged).",
        ),
        sa.Column(
            "confidence",
            sa.String(length=10),
            nullable=False,
            comment="The analyst's confidence in the judgment: low, moderate, high.",
        ),
        sa.Column(
            "rationale",
            sa.Text(),
            nullable=False,
            comment="Why the analyst judged so: the evidence and reasoning.",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "confidence IN ('low', 'moderate', 'high')", name=op.f("ck_assessments_confidence")
        ),
        sa.CheckConstraint(
            "credibility IN (1, 2, 3, 4, 5, 6)", name=op.f("ck_assessments_credibility")
        ),
        sa.CheckConstraint(
            "length(rationale) > 0", name=op.f("ck_assessments_rationale_not_empty")
        ),
        sa.ForeignKeyConstraint(
            ["analyst_id"],
            ["users.id"],
            name=op.f("fk_assessments_analyst_id_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_assessments_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessments_analyst_id"), ["analyst_id"], unique=False)
        batch_op.create_index(
            "ix_assessments_claim_id_analyst_id", ["claim_id", "analyst_id", "id"], unique=False
        )

    op.create_table(
        "claim_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "from_claim_id",
            sa.Integer(),
            nullable=False,
            comment="The claim the relation starts from (the lower id for symmetric relations).",
        ),
        sa.Column(
            "to_claim_id", sa.Integer(), nullable=False, comment="The claim the relation points to."
        ),
        sa.Column(
            "relation",
            sa.String(length=20),
            nullable=False,
            comment="How the claims relate: contradicts, duplicates, supports, qualifies, responds_to.",
        ),
        sa.Column(
            "strength",
            sa.String(length=10),
            nullable=False,
            comment="How strong the relation is: weak, moderate, strong.",
        ),
        sa.Column(
            "rationale", sa.Text(), nullable=False, comment="Why the analyst linked the claims."
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "NOT (relation IN ('contradicts', 'duplicates')) OR from_claim_id < to_claim_id",
            name=op.f("ck_claim_links_symmetric_ordered"),
        ),
        sa.CheckConstraint(
            "relation IN ('contradicts', 'duplicates', 'supports', 'qualifies', 'responds_to')",
            name=op.f("ck_claim_links_relation"),
        ),
        sa.CheckConstraint(
            "strength IN ('weak', 'moderate', 'strong')", name=op.f("ck_claim_links_strength")
        ),
        sa.CheckConstraint("from_claim_id <> to_claim_id", name=op.f("ck_claim_links_not_self")),
        sa.ForeignKeyConstraint(
            ["from_claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_links_from_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["to_claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_links_to_claim_id_claims"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_links")),
        sa.UniqueConstraint(
            "from_claim_id",
            "to_claim_id",
            "relation",
            name=op.f("uq_claim_links_from_claim_id_to_claim_id_relation"),
        ),
    )
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_claim_links_to_claim_id"), ["to_claim_id"], unique=False
        )

    op.create_table(
        "claim_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False, comment="The claim that appears."),
        sa.Column("source_id", sa.Integer(), nullable=False, comment="The source it appears in."),
        sa.Column(
            "excerpt",
            sa.Text(),
            nullable=False,
            comment="The passage of the source that carries the claim, quoted exactly.",
        ),
        sa.Column(
            "locator",
            sa.String(length=100),
            nullable=False,
            comment="Where in the source: page, paragraph or timestamp.",
        ),
        sa.Column(
            "stance",
            sa.String(length=20),
            nullable=False,
            comment="The source's stance toward the claim: origin, endorses, neutral, skeptical, refutes.",
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was created (UTC).",
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When the row was last changed (UTC).",
        ),
        sa.CheckConstraint(
            "stance IN ('origin', 'endorses', 'neutral', 'skeptical', 'refutes')",
            name=op.f("ck_claim_sources_stance"),
        ),
        sa.CheckConstraint("length(excerpt) > 0", name=op.f("ck_claim_sources_excerpt_not_empty")),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_sources_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["sources.id"],
            name=op.f("fk_claim_sources_source_id_sources"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_sources")),
        sa.UniqueConstraint(
            "claim_id",
            "source_id",
            "locator",
            name=op.f("uq_claim_sources_claim_id_source_id_locator"),
        ),
    )
    with op.batch_alter_table("claim_sources", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_sources_source_id"), ["source_id"], unique=False)

    op.create_table(
        "claim_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False, comment="The tagged claim."),
        sa.Column("tag_id", sa.Integer(), nullable=False, comment="The tag."),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_tags_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_claim_tags_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_tags")),
        sa.UniqueConstraint("claim_id", "tag_id", name=op.f("uq_claim_tags_claim_id_tag_id")),
    )
    with op.batch_alter_table("claim_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claim_tags_tag_id"), ["tag_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claim_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_tags_tag_id"))

    op.drop_table("claim_tags")
    with op.batch_alter_table("claim_sources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_sources_source_id"))

    op.drop_table("claim_sources")
    with op.batch_alter_table("claim_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claim_links_to_claim_id"))

    op.drop_table("claim_links")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_assessments_claim_id_analyst_id")
        batch_op.drop_index(batch_op.f("ix_assessments_analyst_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annotations_source_id"))
        batch_op.drop_index(batch_op.f("ix_annotations_claim_id"))
        batch_op.drop_index(batch_op.f("ix_annotations_author_id"))

    op.drop_table("annotations")
    with op.batch_alter_table("sources", schema=None) as batch_op:
        batch_op.drop_index("ix_sources_reliability_id")
        batch_op.drop_index(batch_op.f("ix_sources_publisher_id"))
        batch_op.drop_index("ix_sources_published_on_id")

    op.drop_table("sources")
    with op.batch_alter_table("revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_revisions_user_id"))
        batch_op.drop_index("ix_revisions_entity_entity_id")

    op.drop_table("revisions")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_updated_at_id")
        batch_op.drop_index("ix_claims_status_id")
        batch_op.drop_index("ix_claims_stated_on_id")
        batch_op.drop_index("ix_claims_claimant_id_id")

    op.drop_table("claims")
    op.drop_table("users")
    op.drop_table("tags")
    op.drop_table("saved_queries")
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actors_affiliation_id"))

    op.drop_table("actors")
