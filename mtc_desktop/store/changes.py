"""Counting the changes a third party's client list depends on, in the database itself.

The client list keeps what it has sorted and filtered (``services/clients.py``) until the
data under it changes. Triggers count every such change in the ``counter`` table, in the
same transaction as the change, whoever makes it: a service on this workstation, another
workstation on a shared database, the command line, a bulk import. Reading three small
rows tells the list whether what it keeps is still true:

- ``clients:<third party id>``: a grant of that third party was made or ended, or moved
  to another account or taxpayer;
- ``levels:<third party id>``: only the access level of one of its grants changed (the
  list itself holds; only its *Access levels* order does not);
- ``favorites:<third party id>``: that third party marked or unmarked a favorite;
- ``client-names``: a taxpayer's name or ID, or an account's type, changed (for everyone).

Migrations 0006 and 0007 create these triggers on an existing database;
:func:`create_triggers` creates them with the tables of a new one
(``BaseModel.create_table``).
"""

from __future__ import annotations

from typing import Any

GRANTS = "clients:"
LEVELS = "levels:"
FAVORITES = "favorites:"
NAMES = "client-names"

# SQLite: one trigger per table and event (UPSERT inside a trigger needs SQLite 3.24).
_BUMP = (
    "INSERT INTO counter (name, value) VALUES ({key}, 1) "
    "ON CONFLICT (name) DO UPDATE SET value = value + 1;"
)
_BUMP_IF = (
    "INSERT INTO counter (name, value) SELECT {key}, 1 WHERE {condition} "
    "ON CONFLICT (name) DO UPDATE SET value = value + 1;"
)


def _per_third_party(table: str, prefix: str, columns: str, levels: bool = False) -> list[str]:
    new, old = f"'{prefix}' || NEW.third_party_id", f"'{prefix}' || OLD.third_party_id"
    moved = "NEW.third_party_id <> OLD.third_party_id"
    level = f"'{LEVELS}' || NEW.third_party_id"
    made = [
        f"CREATE TRIGGER IF NOT EXISTS {table}_counts_insert AFTER INSERT ON {table} "
        f"BEGIN {_BUMP.format(key=new)} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_counts_update AFTER UPDATE OF {columns} ON {table} "
        f"BEGIN {_BUMP.format(key=new)} {_BUMP_IF.format(key=old, condition=moved)} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_counts_delete AFTER DELETE ON {table} "
        f"BEGIN {_BUMP.format(key=old)} END",
    ]
    if levels:
        made.append(
            f"CREATE TRIGGER IF NOT EXISTS {table}_counts_level AFTER UPDATE OF level "
            f"ON {table} BEGIN {_BUMP.format(key=level)} END"
        )
    return made


_NAMED = f"'{NAMES}'"
SQLITE: dict[str, list[str]] = {
    "access_grant": _per_third_party(
        "access_grant", GRANTS, "third_party_id, account_id, taxpayer_id, status", levels=True
    ),
    "favorite": _per_third_party("favorite", FAVORITES, "third_party_id, taxpayer_id"),
    "taxpayer": [
        "CREATE TRIGGER IF NOT EXISTS taxpayer_counts_update AFTER UPDATE OF "
        "id_type, id_number, legal_name, name_key, search_text ON taxpayer "
        f"BEGIN {_BUMP.format(key=_NAMED)} END"
    ],
    "tax_account": [
        "CREATE TRIGGER IF NOT EXISTS tax_account_counts_update AFTER UPDATE OF "
        f"account_type, taxpayer_id ON tax_account BEGIN {_BUMP.format(key=_NAMED)} END"
    ],
}

# PostgreSQL: one function, given the counter's prefix ('' for the names counter).
PG_FUNCTION = """CREATE OR REPLACE FUNCTION count_client_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_ARGV[0] = '' THEN
        INSERT INTO counter (name, value) VALUES ('client-names', 1)
        ON CONFLICT (name) DO UPDATE SET value = counter.value + 1;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO counter (name, value) VALUES (TG_ARGV[0] || NEW.third_party_id, 1)
        ON CONFLICT (name) DO UPDATE SET value = counter.value + 1;
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.third_party_id <> NEW.third_party_id) THEN
        INSERT INTO counter (name, value) VALUES (TG_ARGV[0] || OLD.third_party_id, 1)
        ON CONFLICT (name) DO UPDATE SET value = counter.value + 1;
    END IF;
    RETURN NULL;
END $$"""

POSTGRESQL: dict[str, list[str]] = {
    "access_grant": [
        "CREATE OR REPLACE TRIGGER access_grant_counts AFTER INSERT OR DELETE OR UPDATE OF "
        "third_party_id, account_id, taxpayer_id, status ON access_grant "
        f"FOR EACH ROW EXECUTE FUNCTION count_client_change('{GRANTS}')",
        "CREATE OR REPLACE TRIGGER access_grant_counts_level AFTER UPDATE OF level "
        f"ON access_grant FOR EACH ROW EXECUTE FUNCTION count_client_change('{LEVELS}')",
    ],
    "favorite": [
        "CREATE OR REPLACE TRIGGER favorite_counts AFTER INSERT OR DELETE OR UPDATE OF "
        "third_party_id, taxpayer_id ON favorite "
        f"FOR EACH ROW EXECUTE FUNCTION count_client_change('{FAVORITES}')"
    ],
    "taxpayer": [
        "CREATE OR REPLACE TRIGGER taxpayer_counts AFTER UPDATE OF "
        "id_type, id_number, legal_name, name_key, search_text ON taxpayer "
        "FOR EACH ROW EXECUTE FUNCTION count_client_change('')"
    ],
    "tax_account": [
        "CREATE OR REPLACE TRIGGER tax_account_counts AFTER UPDATE OF account_type, taxpayer_id "
        "ON tax_account FOR EACH ROW EXECUTE FUNCTION count_client_change('')"
    ],
}


def statements(database: Any, table: str) -> list[str]:
    """The statements that make ``table``'s triggers on ``database`` (none for others)."""
    from peewee import PostgresqlDatabase

    if isinstance(database, PostgresqlDatabase):
        made = POSTGRESQL.get(table)
        return [PG_FUNCTION, *made] if made else []
    return list(SQLITE.get(table, []))


def create_triggers(database: Any, table: str) -> None:
    for sql in statements(database, table):
        database.execute_sql(sql)
