"""The data dictionary: every table, view and column of the live database, explained.

What is there comes from the live database (SQLAlchemy's inspector): names, types,
nullability, keys. What it means comes from the models: each column's `comment=`, each
table's docstring, the research views' comments (models/views.py) and the vocabularies
(models/vocabulary.py), matched to the columns whose CHECK constraint they build. The
entity-relationship diagram is drawn from the same dictionary (services/research/er_diagram.py).
"""

from __future__ import annotations

import inspect as pyinspect
from dataclasses import dataclass, field

from sqlalchemy import CheckConstraint, Column, Connection, Table, inspect
from sqlalchemy.types import NullType

from counterclaim.models import Base
from counterclaim.models import vocabulary as vocab
from counterclaim.models.search import is_search_object
from counterclaim.models.views import view_metadata

#: What each vocabulary is called where it is shown.
VOCABULARY_TITLES = {
    "RELIABILITY": "Source reliability (NATO Admiralty code)",
    "CREDIBILITY": "Information credibility (Admiralty code)",
    "CONFIDENCE": "Confidence (ICD 203)",
    "RELATIONS": "Link relations",
    "STRENGTH": "Link strength",
    "CLAIM_STATUS": "Claim status",
    "STANCE": "Stance of a source toward a claim it carries",
    "ACTOR_KIND": "Kinds of actor",
    "SOURCE_KIND": "Kinds of source",
    "TAG_KIND": "Kinds of tag",
    "ROLES": "User roles",
    "REVISION_ACTIONS": "Audit-trail actions",
}

#: What an `id` primary key without a comment of its own means (the models' shared `intpk`
#: carries none, and adding one would be a migration of every table's comment).
ID_DESCRIPTION = "The row's identifier: unique in the table, never reused (primary key)."

#: Objects that no model maps, described here.
OTHER_DESCRIPTIONS = {
    "alembic_version": (
        "The schema's migration revision, kept by Alembic (`counterclaim db current`).",
        {"version_num": "The revision the schema is at (see migrations/versions/)."},
    ),
}


@dataclass
class ColumnDoc:
    """One column: what it holds and what it means."""

    name: str
    type: str
    nullable: bool
    description: str
    primary_key: bool = False
    references: str | None = None  # "table.column"
    vocabulary: str | None = None  # a key of VOCABULARY_TITLES
    secret: bool = False


@dataclass
class RelationDoc:
    """One table or view."""

    name: str
    kind: str  # "table" or "view"
    description: str
    columns: list[ColumnDoc]
    present: bool = True  # False: the models have it, the live database does not (yet)

    def column(self, name: str) -> ColumnDoc:
        return next(column for column in self.columns if column.name == name)


@dataclass
class VocabularyDoc:
    """A controlled vocabulary, its codes' meanings, and the columns that use it."""

    key: str
    title: str
    codes: dict
    columns: list[str] = field(default_factory=list)


@dataclass
class DataDictionary:
    tables: list[RelationDoc]
    views: list[RelationDoc]
    vocabularies: list[VocabularyDoc]

    @property
    def relations(self) -> list[RelationDoc]:
        return [*self.tables, *self.views]

    def undescribed(self) -> list[str]:
        """Return "table" and "table.column" for everything that has no description."""
        missing = [relation.name for relation in self.relations if not relation.description]
        for relation in self.relations:
            missing += [
                f"{relation.name}.{column.name}"
                for column in relation.columns
                if not column.description.strip()
            ]
        return missing


def data_dictionary(connection: Connection) -> DataDictionary:
    """Describe the live database on `connection` with the models' words."""
    inspector = inspect(connection)
    vocabularies = _vocabularies()
    by_column = {column: v.key for v in vocabularies for column in v.columns}
    # The full-text index's own tables are machinery, not part of the research interface.
    live_tables = [
        name
        for name in inspector.get_table_names()
        if not name.startswith("sqlite_") and not is_search_object(name, "table")
    ]
    tables = [
        _describe(inspector, name, "table", Base.metadata.tables.get(name), by_column)
        for name in live_tables
    ]
    tables += [
        _from_model(table, "table", by_column)
        for name, table in Base.metadata.tables.items()
        if name not in live_tables
    ]
    live_views = inspector.get_view_names()
    views = [
        _describe(inspector, name, "view", view_metadata.tables.get(name), by_column)
        for name in live_views
    ]
    views += [
        _from_model(table, "view", by_column)
        for name, table in view_metadata.tables.items()
        if name not in live_views
    ]
    return DataDictionary(
        tables=sorted(tables, key=lambda r: r.name),
        views=sorted(views, key=lambda r: r.name),
        vocabularies=vocabularies,
    )


def _describe(inspector, name: str, kind: str, model: Table | None, by_column) -> RelationDoc:
    other_description, other_columns = OTHER_DESCRIPTIONS.get(name, ("", {}))
    live_comment = ""
    if inspector.dialect.supports_comments:
        live_comment = (inspector.get_table_comment(name) or {}).get("text") or ""
    primary_key = set(inspector.get_pk_constraint(name).get("constrained_columns") or ())
    references = {}
    for key in inspector.get_foreign_keys(name):
        for local, remote in zip(key["constrained_columns"], key["referred_columns"], strict=False):
            references[local] = f"{key['referred_table']}.{remote}"
    columns = []
    for live in inspector.get_columns(name):
        if is_search_object(live["name"], "column"):
            continue
        modelled = model.columns.get(live["name"]) if model is not None else None
        description = (
            (modelled.comment if modelled is not None else None)
            or live.get("comment")
            or other_columns.get(live["name"], "")
            or (ID_DESCRIPTION if live["name"] == "id" and primary_key == {"id"} else "")
        )
        live_type = live["type"]
        if isinstance(live_type, NullType) and modelled is not None:
            live_type = modelled.type
        columns.append(
            ColumnDoc(
                name=live["name"],
                type=_type_name(live_type),
                nullable=bool(live.get("nullable", True)),
                description=description or "",
                primary_key=live["name"] in primary_key,
                references=references.get(live["name"]),
                vocabulary=by_column.get(f"{name}.{live['name']}"),
                secret=bool(modelled is not None and modelled.info.get("secret")),
            )
        )
    return RelationDoc(
        name=name,
        kind=kind,
        description=_relation_description(name, model) or live_comment or other_description,
        columns=columns,
    )


def _from_model(table: Table, kind: str, by_column) -> RelationDoc:
    columns = [
        ColumnDoc(
            name=column.name,
            type=_type_name(column.type),
            nullable=bool(column.nullable),
            description=column.comment or (ID_DESCRIPTION if column.name == "id" else ""),
            primary_key=column.primary_key,
            references=_reference(column),
            vocabulary=by_column.get(f"{table.name}.{column.name}"),
            secret=bool(column.info.get("secret")),
        )
        for column in table.columns
    ]
    return RelationDoc(
        name=table.name,
        kind=kind,
        description=_relation_description(table.name, table),
        columns=columns,
        present=False,
    )


def _relation_description(name: str, table: Table | None) -> str:
    if table is None:
        return ""
    if table.comment:
        return table.comment
    for mapper in Base.registry.mappers:
        if mapper.local_table is table and mapper.class_.__doc__:
            return pyinspect.cleandoc(mapper.class_.__doc__)
    return ""


def _reference(column: Column) -> str | None:
    for key in column.foreign_keys:
        return f"{key.column.table.name}.{key.column.name}"
    return None


def _type_name(sql_type) -> str:
    try:
        return str(sql_type)
    except Exception:  # a type that cannot compile without a dialect  # noqa: BLE001
        return type(sql_type).__name__.upper()


def _vocabularies() -> list[VocabularyDoc]:
    """Each vocabulary, with the columns whose CHECK constraint is built from it."""
    found = [
        VocabularyDoc(key=key, title=title, codes=getattr(vocab, key))
        for key, title in VOCABULARY_TITLES.items()
    ]
    for table in Base.metadata.sorted_tables:
        checks = {str(c.sqltext) for c in table.constraints if isinstance(c, CheckConstraint)}
        for column in table.columns:
            for entry in found:
                if vocab.check_in(column.name, entry.codes) in checks:
                    entry.columns.append(f"{table.name}.{column.name}")
    return found
