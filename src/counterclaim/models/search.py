"""The full-text index: what migration 0004 builds beside the mapped tables.

SQLite holds one FTS5 table per kind of text (`search_claims`, ...; FTS5 adds shadow
tables named after it); PostgreSQL holds a generated `search_vector` column with a GIN
index on each searchable table. The models do not map them, so Alembic's autogenerate
is told to look away (`include_name`), here, once, for migrations/env.py and the tests.
"""

from dataclasses import dataclass

from .actor import Actor
from .annotation import Annotation
from .claim import Claim, ClaimSource
from .source import Source

SEARCH_PREFIX = "search_"
PG_COLUMN = "search_vector"
PG_CONFIG = "counterclaim_search"


@dataclass(frozen=True)
class Indexed:
    """One kind of searchable text: the model, its text column and its index's name."""

    kind: str
    label: str
    model: type
    column: str

    @property
    def fts_table(self) -> str:
        return SEARCH_PREFIX + self.kind

    @property
    def table(self) -> str:
        return self.model.__tablename__


INDEXED = {
    i.kind: i
    for i in (
        Indexed("claims", "Claims", Claim, "text"),
        Indexed("sources", "Sources", Source, "title"),
        Indexed("excerpts", "Excerpts", ClaimSource, "excerpt"),
        Indexed("actors", "Actors", Actor, "name"),
        Indexed("notes", "Notes", Annotation, "body"),
    )
}


# FTS5 keeps each index in shadow tables named after it: internal, never queried directly.
SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config", "_content")


def is_shadow_table(name: str) -> bool:
    """Tell whether a table is FTS5's own storage behind a search table (SQLite)."""
    return name.startswith(SEARCH_PREFIX) and name.endswith(SHADOW_SUFFIXES)


def search_table_descriptions() -> dict[str, tuple[str, dict[str, str]]]:
    """Describe each SQLite search table and its column, for a data dictionary."""
    return {
        i.fts_table: (
            f"Full-text index of {i.table}.{i.column} (SQLite FTS5): rows match with"
            f" `{i.fts_table} MATCH '\"two words\"'`; the rowid is {i.table}.id.",
            {i.column: f"The indexed text of {i.table}.{i.column}, case and accents folded."},
        )
        for i in INDEXED.values()
    }


def is_search_object(name: str | None, type_: str) -> bool:
    """Tell whether a reflected table, column or index belongs to the full-text index."""
    if name is None:
        return False
    if type_ == "table":
        return name.startswith(SEARCH_PREFIX)
    if type_ == "column":
        return name == PG_COLUMN
    if type_ == "index":
        return name.endswith("_" + PG_COLUMN)
    return False


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic's include_name hook: leave the full-text index out of autogenerate."""
    return not is_search_object(name, type_)
