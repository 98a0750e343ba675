"""One database session per request: read-only requests read, the others may write.

A request's session is made on first use and closed at the end of the request. The view
(the request) owns the transaction: services flush, the view commits.
"""

from dataclasses import dataclass

from flask import Flask, abort, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from counterclaim.db import make_engine, make_sessionmaker, reader

_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


@dataclass
class Database:
    """The session factories of the app: one for writing, one for reading."""

    writer: sessionmaker
    reader: sessionmaker
    engine: Engine | None = None

    @classmethod
    def for_url(cls, url: str) -> "Database":
        engine = make_engine(url)
        return cls(
            writer=make_sessionmaker(engine),
            reader=make_sessionmaker(reader(engine)),
            engine=engine,
        )

    def dispose(self) -> None:
        """Close the pooled connections (the app's own engine only)."""
        if self.engine is not None:
            self.engine.dispose()

    @classmethod
    def bound_to(cls, connection: Connection) -> "Database":
        """Bind both factories to one connection, each session in a savepoint (tests)."""
        factory = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        return cls(writer=factory, reader=factory)


def init_app(app: Flask) -> None:
    """Give the app its database and close each request's session afterwards."""
    app.extensions["counterclaim.db"] = Database.for_url(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def get_session() -> Session:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        database: Database = current_app.extensions["counterclaim.db"]
        reading = has_request_context() and request.method in _READ_METHODS
        factory = database.reader if reading else database.writer
        g.db_session = factory()
    return g.db_session


def get_or_404(model, record_id: int):
    """Return the record of `model` with `record_id`, or answer 404."""
    record = get_session().get(model, record_id)
    if record is None:
        abort(404, description=f"There is no {model.__name__.lower()} #{record_id}.")
    return record


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
