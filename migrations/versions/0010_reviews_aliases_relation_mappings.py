"""reviews, actor aliases and relation mappings; fact-checkers' assessments become reviews

Imports used to store a fact-checker's verdict as an "assessment" by an inactive
`reviewer:<name>` account, with the verdict inside the rationale. That put fact-checkers
into the analysts' consensus and made research SQL parse strings. Their reviews now have a
table of their own, and the existing ones move into it: the rationale's lines ("Verdict:",
"Reviewed by NAME on DATE: URL", "Rating:", "Language:") become columns, the reviewer is
the actor of that name (created if the import never made one), the credibility is kept.
The origin is "default" for a verdict that mapped to 1-5 and "unmapped" for a 6 (Satire
maps to 6 by default: `counterclaim verdicts reapply` sets every origin exactly). The
inactive reviewer accounts stay, for the revisions that name them.

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-30 04:30:00
"""

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_REVIEWED = re.compile(r"^Reviewed by (.+?)(?: on (\d{4}-\d{2}-\d{2}))?(?:: (\S+)|\.)$")
_RATING = re.compile(r"^Rating: (\S+)(?: \(best (\S*), worst (\S*)\))?$")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  comment="When the row was created (UTC)."),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  comment="When the row was last changed (UTC)."),
    ]  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False, comment="The reviewed claim."),
        sa.Column("reviewer_id", sa.Integer(), nullable=False,
                  comment="Who published the review: the fact-checking organisation (an actor)."),
        sa.Column("url", sa.String(length=2000), nullable=False,
                  comment="The fact-check article's address ('' if none)."),
        sa.Column("title", sa.String(length=300), nullable=False,
                  comment="The fact-check article's title, as published."),
        sa.Column("review_date", sa.Date(), nullable=True,
                  comment="When the fact-checker published the review, if known."),
        sa.Column("verdict", sa.Text(), nullable=False,
                  comment="The fact-checker's verdict, verbatim (textualRating)."),
        sa.Column("rating", sa.String(length=100), nullable=False,
                  comment="The numeric rating as published: 'value/best/worst' ('' if none)."),
        sa.Column("language", sa.String(length=20), nullable=False,
                  comment="The review's language code (en, ar…), if given."),
        sa.Column("credibility", sa.Integer(), nullable=False,
                  comment="The verdict mapped to Admiralty credibility, 1 (confirmed) to 6 "
                  "(cannot be judged); re-mapped by `counterclaim verdicts reapply`."),
        sa.Column("mapping_origin", sa.String(length=10), nullable=False,
                  comment="Where the credibility came from: team (the team's mapping), default "
                  "(built in), inferred (a verdict word in a longer rating) or unmapped."),
        *_timestamps(),
        sa.CheckConstraint("credibility IN (1, 2, 3, 4, 5, 6)",
                           name=op.f("ck_reviews_credibility")),
        sa.CheckConstraint("mapping_origin IN ('team', 'default', 'inferred', 'unmapped')",
                           name=op.f("ck_reviews_mapping_origin")),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"], ondelete="RESTRICT",
                                name=op.f("fk_reviews_claim_id_claims")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["actors.id"], ondelete="RESTRICT",
                                name=op.f("fk_reviews_reviewer_id_actors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sqlite_autoincrement=True,
    )  # fmt: skip
    op.create_index(op.f("ix_reviews_reviewer_id"), "reviews", ["reviewer_id"])
    op.create_index("ix_reviews_claim_id_reviewer_id", "reviews", ["claim_id", "reviewer_id"])

    op.create_table(
        "actor_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False,
                  comment="The actor this is another name of."),
        sa.Column("alias", sa.String(length=200), nullable=False,
                  comment="The other name, as written; unique (one name names one actor)."),
        sa.Column("key", sa.String(length=200), nullable=False,
                  comment="The name as imports compare it: case-folded, spacing collapsed."),
        *_timestamps(),
        sa.CheckConstraint("length(alias) > 0", name=op.f("ck_actor_aliases_alias_not_empty")),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ondelete="CASCADE",
                                name=op.f("fk_actor_aliases_actor_id_actors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor_aliases")),
        sa.UniqueConstraint("alias", name=op.f("uq_actor_aliases_alias")),
        sqlite_autoincrement=True,
    )  # fmt: skip
    op.create_index(op.f("ix_actor_aliases_actor_id"), "actor_aliases", ["actor_id"])
    op.create_index(op.f("ix_actor_aliases_key"), "actor_aliases", ["key"])

    op.create_table(
        "relation_mappings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False,
                  comment="The label, normalised: case-folded, without accents or punctuation; "
                  "unique."),
        sa.Column("written", sa.String(length=200), nullable=False,
                  comment="The label as the editor typed it, for display."),
        sa.Column("relation", sa.String(length=20), nullable=False,
                  comment="The relation it maps to: contradicts, duplicates, supports, qualifies, "
                  "responds_to, or none (no link)."),
        sa.Column("note", sa.Text(), nullable=False,
                  comment="Why the label maps so (which dataset, who decided)."),
        *_timestamps(),
        sa.CheckConstraint(
            "relation IN ('contradicts', 'duplicates', 'supports', 'qualifies', 'responds_to', "
            "'none')", name=op.f("ck_relation_mappings_relation")),
        sa.CheckConstraint("length(label) > 0", name=op.f("ck_relation_mappings_label_not_empty")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relation_mappings")),
        sa.UniqueConstraint("label", name=op.f("uq_relation_mappings_label")),
        sqlite_autoincrement=True,
    )  # fmt: skip
    _move_reviewer_assessments()


def _move_reviewer_assessments() -> None:
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT a.id, a.claim_id, a.credibility, a.rationale, a.created_at, u.display_name "
            "FROM assessments a JOIN users u ON u.id = a.analyst_id "
            "WHERE u.username LIKE 'reviewer:%' ORDER BY a.id"
        )
    ).all()
    now = datetime.now(UTC)
    actors: dict[str, int] = {}
    for assessment_id, claim_id, credibility, rationale, created_at, display_name in rows:
        review = _parse(rationale, display_name)
        name = review.pop("reviewer")
        if name not in actors:
            actor_id = connection.scalar(
                sa.text("SELECT id FROM actors WHERE name = :name"), {"name": name}
            )
            if actor_id is None:
                connection.execute(
                    sa.text("INSERT INTO actors (name, kind, description, created_at, updated_at)"
                            " VALUES (:name, 'media', '', :now, :now)"),
                    {"name": name, "now": now},
                )  # fmt: skip
                actor_id = connection.scalar(
                    sa.text("SELECT id FROM actors WHERE name = :name"), {"name": name}
                )
            actors[name] = actor_id
        title = ""
        if review["url"]:
            title = connection.scalar(
                sa.text("SELECT title FROM sources WHERE url = :url ORDER BY id LIMIT 1"),
                {"url": review["url"]},
            ) or ""  # fmt: skip
        connection.execute(
            sa.text(
                "INSERT INTO reviews (claim_id, reviewer_id, url, title, review_date, verdict, "
                "rating, language, credibility, mapping_origin, created_at, updated_at) VALUES "
                "(:claim_id, :reviewer_id, :url, :title, :review_date, :verdict, :rating, "
                ":language, :credibility, :origin, :created_at, :now)"
            ),
            {**review, "claim_id": claim_id, "reviewer_id": actors[name], "title": title[:300],
             "credibility": credibility, "origin": "unmapped" if credibility == 6 else "default",
             "created_at": created_at or now, "now": now},
        )  # fmt: skip
        connection.execute(sa.text("DELETE FROM assessments WHERE id = :id"), {"id": assessment_id})


def _parse(rationale: str, display_name: str) -> dict:
    """Read back the lines an imported assessment's rationale was written with."""
    review = {"reviewer": display_name, "url": "", "review_date": None, "verdict": "",
              "rating": "", "language": ""}  # fmt: skip
    for line in rationale.splitlines():
        if line.startswith("Verdict: "):
            review["verdict"] = line.removeprefix("Verdict: ")
        elif (match := _REVIEWED.match(line)) is not None:
            name, day, url = match.groups()
            review["reviewer"] = name
            review["review_date"] = date.fromisoformat(day) if day else None
            review["url"] = url or ""
        elif (match := _RATING.match(line)) is not None:
            review["rating"] = "/".join(part or "" for part in match.groups())
        elif line.startswith("Language: "):
            review["language"] = line.removeprefix("Language: ")[:20]
    return review


def downgrade() -> None:
    op.drop_table("relation_mappings")
    op.drop_index(op.f("ix_actor_aliases_key"), table_name="actor_aliases")
    op.drop_index(op.f("ix_actor_aliases_actor_id"), table_name="actor_aliases")
    op.drop_table("actor_aliases")
    op.drop_index("ix_reviews_claim_id_reviewer_id", table_name="reviews")
    op.drop_index(op.f("ix_reviews_reviewer_id"), table_name="reviews")
    op.drop_table("reviews")
