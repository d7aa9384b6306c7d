"""Consistent copies of the database, and restoring one into an empty database.

SQLite is copied with its online backup API, which yields one consistent snapshot even
while workers keep writing; PostgreSQL with `pg_dump -Fc` (one transaction, so one
snapshot too), restored with `pg_restore`.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, inspect, select, table
from sqlalchemy.engine import Engine, make_url

from .accounts.operations import InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


def _libpq_url(engine: Engine) -> str:
    """The URL without SQLAlchemy's driver suffix, as pg_dump and pg_restore take it."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InvalidInput(_("%(tool)s is not installed on this machine.", tool=name))
    return found


def _run(command: list[str]) -> None:
    # The command is a tool found on PATH with our own database URL and the operator's path.
    done = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        # The tool's own words say what went wrong (never the URL: it is not echoed).
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise InvalidInput(_("%(tool)s failed: %(detail)s", tool=Path(command[0]).name,
                             detail=detail[-1] if detail else done.returncode))


def _sqlite_path(engine: Engine) -> str:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise InvalidInput(_("An in-memory database cannot be backed up."))
    return database


def backup(engine: Engine, target: Path) -> Path:
    """Write a consistent copy of the database to `target` (never over an existing file)."""
    if target.exists():
        raise InvalidInput(_("%(path)s exists already. Choose a new file name.",
                             path=str(target)))
    if not target.parent.is_dir():
        raise InvalidInput(_("The folder %(path)s does not exist.", path=str(target.parent)))
    partial = target.with_name(target.name + ".partial")
    try:
        if engine.dialect.name == "sqlite":
            source = sqlite3.connect(_sqlite_path(engine))
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)  # all pages in one step: one snapshot
            finally:
                copy.close()
                source.close()
        elif engine.dialect.name == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(partial),
                  "--dbname", _libpq_url(engine)])
        else:
            raise InvalidInput(_("Backups are made of SQLite and PostgreSQL databases only."))
        partial.replace(target)  # a half-written file never carries the final name
    finally:
        partial.unlink(missing_ok=True)
    return target


def _is_empty(engine: Engine) -> bool:
    tables = inspect(engine).get_table_names()
    with engine.connect() as connection:
        return all(
            connection.execute(select(func.count()).select_from(table(name))).scalar() == 0
            for name in tables if name != "alembic_version"
        )


def restore(engine: Engine, source: Path) -> None:
    """Restore a backup into this database, which must hold no data yet."""
    if not source.is_file():
        raise InvalidInput(_("There is no file %(path)s.", path=str(source)))
    with source.open("rb") as file:
        head = file.read(16)
    if not _is_empty(engine):
        raise InvalidInput(_("The database already holds data. Restore only into a new, "
                             "empty database."))
    if engine.dialect.name == "sqlite":
        if head != SQLITE_MAGIC:
            raise InvalidInput(_("%(path)s is not a backup of an SQLite database.",
                                 path=str(source)))
        engine.dispose()
        copy = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(engine))
        try:
            check = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise InvalidInput(_("%(path)s is damaged: %(detail)s", path=str(source),
                                     detail=check))
            copy.backup(target)
        finally:
            target.close()
            copy.close()
    elif engine.dialect.name == "postgresql":
        if not head.startswith(PG_DUMP_MAGIC):
            raise InvalidInput(_("%(path)s is not a backup of a PostgreSQL database.",
                                 path=str(source)))
        engine.dispose()
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
              "--single-transaction", "--exit-on-error", "--dbname", _libpq_url(engine),
              str(source)])
    else:
        raise InvalidInput(_("Backups are made of SQLite and PostgreSQL databases only."))
