"""Saved queries: named, described research SQL that anyone may run again by link."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from counterclaim.models import SavedQuery

from ..errors import Duplicate, NotAllowed
from .sql_common import ConsoleSettings

MAX_NAME = 200


def list_saved_queries(session: Session) -> list[SavedQuery]:
    """Return every saved query, by name."""
    return list(session.scalars(select(SavedQuery).order_by(SavedQuery.name, SavedQuery.id)))


def find_by_name(session: Session, name: str) -> SavedQuery | None:
    """Return the saved query called `name`, if there is one."""
    return session.scalars(select(SavedQuery).where(SavedQuery.name == name)).first()


def create_saved_query(
    session: Session, *, name: str, sql: str, description: str = ""
) -> SavedQuery:
    """Save a new named query."""
    name, sql = _checked(session, name, sql)
    query = SavedQuery(name=name, sql=sql, description=description.strip())
    session.add(query)
    session.flush()
    return query


def update_saved_query(
    session: Session, query: SavedQuery, *, name: str, sql: str, description: str = ""
) -> SavedQuery:
    """Change a saved query's name, SQL or description."""
    query.name, query.sql = _checked(session, name, sql, query)
    query.description = description.strip()
    session.flush()
    return query


def delete_saved_query(session: Session, query: SavedQuery) -> None:
    """Delete a saved query (nothing else refers to one)."""
    session.delete(query)
    session.flush()


def _checked(
    session: Session, name: str, sql: str, query: SavedQuery | None = None
) -> tuple[str, str]:
    name, sql = name.strip(), sql.strip()
    if not name or len(name) > MAX_NAME:
        raise NotAllowed(f"A saved query needs a name of 1 to {MAX_NAME} characters.")
    limit = ConsoleSettings().max_sql_length
    if not sql or len(sql) > limit:
        raise NotAllowed(f"A saved query needs SQL of 1 to {limit:,} characters.")
    other = find_by_name(session, name)
    if other is not None and other is not query:
        raise Duplicate(f"A saved query called {name!r} exists already.")
    return name, sql
