"""A grant's level changed is counted on its own (``levels:<third party>``), so that the
client list is not read again for it: only its *Access levels* order is
(store/changes.py)."""

from peewee import PostgresqlDatabase

from mtc_desktop.store import changes

_BEFORE = "third_party_id, account_id, taxpayer_id, level, status"


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS access_grant_counts_update")
    for sql in changes.statements(db, "access_grant"):
        db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TRIGGER IF EXISTS access_grant_counts_level ON access_grant")
        db.execute_sql(
            changes.POSTGRESQL["access_grant"][0].replace(
                "third_party_id, account_id, taxpayer_id, status", _BEFORE
            )
        )
        return
    db.execute_sql("DROP TRIGGER IF EXISTS access_grant_counts_level")
    db.execute_sql("DROP TRIGGER IF EXISTS access_grant_counts_update")
    db.execute_sql(changes._per_third_party("access_grant", changes.GRANTS, _BEFORE)[1])
