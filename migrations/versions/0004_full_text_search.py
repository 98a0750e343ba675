"""full-text search: FTS5 tables on SQLite, tsvector columns with GIN on PostgreSQL

Five kinds of text are searchable: claims.text, sources.title, claim_sources.excerpt,
actors.name and annotations.body. Case and accents are folded on both engines, and so
are Arabic short vowels, tatweel and the hamza forms of alef (here, in SQL, and in
services/search.py for the query: keep the two lists equal).

SQLite: one external-content FTS5 table per kind (`search_claims`, ...), whose rows are
the folded text of the content table's rows, kept in sync by triggers. Combining marks
are token characters, so folding never changes a word count and snippet() still marks
the right words of the original text. Because the index holds folded text, rebuild it by
re-running the INSERT below, never with the FTS5 'rebuild' command.
A later migration that rebuilds one of these tables in batch mode drops its triggers:
it must create them again (tests/test_search_index.py would catch it).

PostgreSQL: a generated `search_vector` column per searchable table (so it cannot drift),
with a GIN index, in the text search configuration `counterclaim_search`: 'simple' (no
stemming: it suits every language, Arabic included) after the `unaccent` dictionary.

Revision ID: 0004
Revises: 0005
Create Date: 2026-11-25 07:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# kind's index name -> (table, column)
INDEXED = {
    "claims": ("claims", "text"),
    "sources": ("sources", "title"),
    "excerpts": ("claim_sources", "excerpt"),
    "actors": ("actors", "name"),
    "notes": ("annotations", "body"),
}

# Arabic: fathatan..sukun and the other marks up to U+065F, superscript alef, tatweel are
# dropped; alef with madda, hamza above, hamza below and wasla become a bare alef.
ARABIC_DROPPED = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670\u0640"
ARABIC_ALEFS = "\u0622\u0623\u0625\u0671"
BARE_ALEF = "\u0627"

TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"
PG_CONFIG = "counterclaim_search"
UNACCENT_MARK = "Created by Counterclaim migration 0004 for full-text search."


def _sqlite_fold(expression: str) -> str:
    for char in ARABIC_DROPPED:
        expression = f"replace({expression}, '{char}', '')"
    for char in ARABIC_ALEFS:
        expression = f"replace({expression}, '{char}', '{BARE_ALEF}')"
    return expression


def _sqlite_upgrade() -> None:
    for name, (table, column) in INDEXED.items():
        index = f"search_{name}"
        op.execute(
            f"CREATE VIRTUAL TABLE {index} USING fts5({column}, content='{table}',"
            f" content_rowid='id', tokenize=\"{TOKENIZER}\")"
        )
        new, old = _sqlite_fold(f"new.{column}"), _sqlite_fold(f"old.{column}")
        insert = f"INSERT INTO {index}(rowid, {column}) VALUES (new.id, {new});"  # noqa: S608
        delete = f"INSERT INTO {index}({index}, rowid, {column}) VALUES ('delete', old.id, {old});"  # noqa: S608
        op.execute(f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {insert} END")
        op.execute(f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {delete} END")
        op.execute(
            f"CREATE TRIGGER {index}_update AFTER UPDATE OF {column} ON {table}"
            f" BEGIN {delete} {insert} END"
        )
        op.execute(
            f"INSERT INTO {index}(rowid, {column}) SELECT id, {_sqlite_fold(column)} FROM {table}"  # noqa: S608
        )


def _sqlite_downgrade() -> None:
    for name in INDEXED:
        index = f"search_{name}"
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER {index}_{event}")
        op.execute(f"DROP TABLE {index}")


def _postgresql_upgrade() -> None:
    exists = (
        op.get_bind()
        .exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'unaccent'")
        .first()
    )
    if exists is None:
        op.execute("CREATE EXTENSION unaccent")
        # Marks the extension as ours, so that the downgrade drops only what it made.
        op.execute(f"COMMENT ON EXTENSION unaccent IS '{UNACCENT_MARK}'")
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = pg_catalog.simple)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING FOR"
        " asciihword, asciiword, hword, hword_asciipart, hword_part, word"
        " WITH unaccent, simple"
    )
    op.execute(
        "CREATE FUNCTION search_fold(text) RETURNS text"
        " LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS"
        f" $$SELECT translate($1, '{ARABIC_ALEFS}{ARABIC_DROPPED}', '{BARE_ALEF * 4}')$$"
    )
    op.execute(
        "COMMENT ON FUNCTION search_fold(text) IS"
        " 'Fold Arabic short vowels, tatweel and hamza forms of alef for full-text search.'"
    )
    for table, column in INDEXED.values():
        # Adding a generated column computes it for every existing row: the backfill.
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN search_vector tsvector GENERATED ALWAYS AS"
            f" (to_tsvector('{PG_CONFIG}'::regconfig, search_fold({column}))) STORED"
        )
        op.execute(
            f"COMMENT ON COLUMN {table}.search_vector IS"
            f" 'Full-text index of {column}: words folded for case, accents and Arabic marks.'"
        )
        op.execute(f"CREATE INDEX ix_{table}_search_vector ON {table} USING gin (search_vector)")


def _postgresql_downgrade() -> None:
    for table, _column in INDEXED.values():
        op.execute(f"ALTER TABLE {table} DROP COLUMN search_vector")  # drops its index
    op.execute("DROP FUNCTION search_fold(text)")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION {PG_CONFIG}")
    ours = (
        op.get_bind()
        .exec_driver_sql(
            "SELECT 1 FROM pg_extension"
            " WHERE extname = 'unaccent' AND obj_description(oid, 'pg_extension') = %(mark)s",
            {"mark": UNACCENT_MARK},
        )
        .first()
    )
    if ours is not None:
        op.execute("DROP EXTENSION unaccent")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_upgrade()
    else:
        _sqlite_upgrade()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_downgrade()
    else:
        _sqlite_downgrade()
