"""Consistent copies of the live database, and putting one back.

SQLite: the online backup API copies the database in one step under a read transaction,
so the copy is one consistent state even while the workbench keeps writing (a plain file
copy of a live database, or of its WAL, is not). The copy is written beside its final
name and renamed only once `PRAGMA integrity_check` passes on it. Restoring runs the same
API the other way: the live file is overwritten page by page inside one write
transaction, never by copying files under open connections.

PostgreSQL: `pg_dump --format=custom` (one consistent snapshot by itself), and
`pg_restore --clean --single-transaction` to put it back all-or-nothing. The password
goes to the tools through PGPASSWORD, never on the command line.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump/pg_restore with fixed arguments, no shell
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from ..errors import DomainError

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
_ACROSS = "move data between engines with `counterclaim export --all` and `counterclaim import`"


class BackupError(DomainError):
    """A backup or restore that cannot be done; the message says why."""


@dataclass
class BackupResult:
    path: Path
    size: int
    check: str  # what verified the copy


def backup(engine: Engine, path: str | Path, *, overwrite: bool = False) -> BackupResult:
    """Write a consistent copy of the database behind `engine` to `path`."""
    path = Path(path)
    if path.exists() and not overwrite:
        raise BackupError(f"{path} exists: choose another name, or overwrite it")
    if path.is_dir():
        raise BackupError(f"{path} is a folder: give the backup a file name")
    if not path.parent.is_dir():
        raise BackupError(f"{path.parent} does not exist")
    if engine.dialect.name == "sqlite":
        return _sqlite_backup(_sqlite_file(engine), path)
    if engine.dialect.name == "postgresql":
        return _pg_dump(engine, path)
    raise BackupError(f"cannot back up a {engine.dialect.name} database")


def restore(engine: Engine, path: str | Path) -> str:
    """Replace the database behind `engine` with the backup at `path`; say what was done."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    with path.open("rb") as handle:
        head = handle.read(16)
    if engine.dialect.name == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            kind = "a PostgreSQL backup" if head.startswith(PGDUMP_MAGIC) else "not a backup"
            raise BackupError(f"{path} is {kind}: this database is SQLite; {_ACROSS}")
        return _sqlite_restore(path, _sqlite_file(engine))
    if engine.dialect.name == "postgresql":
        if not head.startswith(PGDUMP_MAGIC):
            kind = "a SQLite backup" if head.startswith(SQLITE_MAGIC) else "not a pg_dump backup"
            raise BackupError(f"{path} is {kind}: this database is PostgreSQL; {_ACROSS}")
        return _pg_restore(engine, path)
    raise BackupError(f"cannot restore a {engine.dialect.name} database")


# --- SQLite ----------------------------------------------------------------------------


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(database)


def _sqlite_backup(source: Path, path: Path) -> BackupResult:
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    live = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=10)
    copy = sqlite3.connect(partial)
    try:
        live.backup(copy)  # one step (pages=-1): a single consistent read
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        copy.close()
        live.close()
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(f"the copy failed its integrity check: {check}")
    os.replace(partial, path)
    return BackupResult(path, path.stat().st_size, "PRAGMA integrity_check: ok")


def _sqlite_restore(path: Path, target: Path) -> str:
    backup_db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        check = backup_db.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{path} fails its integrity check: {check}; nothing was restored")
        tables = {r[0] for r in backup_db.execute("SELECT name FROM sqlite_master")}
        if "alembic_version" not in tables:
            raise BackupError(f"{path} is not a Counterclaim database; nothing was restored")
        live = sqlite3.connect(target, timeout=30)
        try:
            backup_db.backup(live)  # pages replaced inside one write transaction
        finally:
            live.close()
    finally:
        backup_db.close()
    return f"Restored {target} from {path}."


# --- PostgreSQL ------------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return tool


def _pg_arguments(engine: Engine) -> tuple[list[str], dict[str, str]]:
    url = make_url(engine.url.render_as_string(hide_password=False))
    environment = dict(os.environ)
    if url.password:
        environment["PGPASSWORD"] = str(url.password)
    for option, name in ((url.host, "PGHOST"), (url.port, "PGPORT"), (url.username, "PGUSER")):
        if option:
            environment[name] = str(option)
    return ["--dbname", str(url.database)], environment


def _run(arguments: list[str], environment: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 - fixed tool, arguments from our own config
        arguments, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupError(f"{what} failed: {reason}")


def _pg_dump(engine: Engine, path: Path) -> BackupResult:
    database, environment = _pg_arguments(engine)
    partial = path.with_name(f".{path.name}.partial")
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial),
          *database], environment, "pg_dump")  # fmt: skip
    listing = subprocess.run(  # noqa: S603
        [_pg_tool("pg_restore"), "--list", str(partial)], capture_output=True, check=False
    )
    if listing.returncode != 0:
        partial.unlink(missing_ok=True)
        raise BackupError("the copy cannot be read back by pg_restore")
    os.replace(partial, path)
    return BackupResult(path, path.stat().st_size, "pg_restore --list: readable")


def _pg_restore(engine: Engine, path: Path) -> str:
    database, environment = _pg_arguments(engine)
    engine.dispose()  # our own pooled connections would hold locks on the dropped tables
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
          "--single-transaction", *database, str(path)], environment, "pg_restore")  # fmt: skip
    return f"Restored {engine.url.database} from {path}."
