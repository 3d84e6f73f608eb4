"""Writing many rows at once (demo data for scale work, a registry import): explicit ids,
one prepared INSERT on SQLite, and PostgreSQL's sequences moved past the ids written."""

from __future__ import annotations

from typing import Any

from peewee import PostgresqlDatabase, SqliteDatabase

from mtc_desktop.store.models import BaseModel, db


def insert_rows(model: type[BaseModel], rows: list[dict[str, Any]]) -> None:
    """What ``model.insert_many(rows).execute()`` does, on SQLite as one prepared INSERT run
    for each row. peewee builds a many-row INSERT value by value, which took three quarters
    of the time of 100,000 clients; the rows name every column they fill, as here. On
    PostgreSQL psycopg's ``executemany`` sends the rows in one pipeline, not one round
    trip each (100,000 registry rows: 25 s instead of 100 with ``insert_many``)."""
    if not rows:
        return
    if not isinstance(db.obj, (SqliteDatabase, PostgresqlDatabase)):
        model.insert_many(rows).execute()
        return
    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(f'"{field.column_name}"' for field in fields)
    marks = ", ".join([db.obj.param] * len(fields))
    sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'
    db.cursor().executemany(
        sql, [tuple(field.db_value(row[field.name]) for field in fields) for row in rows]
    )


def next_id(model: type[BaseModel]) -> int:
    """The first id after the table's highest (writers hold the write lock, so no other
    workstation inserts meanwhile)."""
    highest = model.select(model.id).order_by(model.id.desc()).scalar()  # type: ignore[attr-defined]
    return int(highest or 0) + 1


def resync_sequences(*models: type[BaseModel]) -> None:
    """After inserts with explicit ids, PostgreSQL's sequences must move past them."""
    if not isinstance(db.obj, PostgresqlDatabase):
        return
    for model in models:
        table = model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        )


def refresh_statistics(*models: type[BaseModel]) -> None:
    """After many rows at once, PostgreSQL's planner needs fresh statistics: without them
    it plans the next lookups (an import again, say) for the tables as they were, and
    scans where an index would do (a registry import of 100,000 rows again: 90 s instead
    of 10). SQLite has none to refresh."""
    if not isinstance(db.obj, PostgresqlDatabase):
        return
    db.execute_sql("ANALYZE " + ", ".join(f'"{m._meta.table_name}"' for m in models))
