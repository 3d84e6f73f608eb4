"""The client list at a million clients: triggers on grants, favorites, taxpayers' names
and IDs and accounts' types count each change in ``counter`` (store/changes.py), and
``client_list_cache`` keeps a big firm's sorted client list between logins."""

from peewee import BlobField, CharField, ForeignKeyField, Model

from mtc_desktop.store.changes import PG_FUNCTION, POSTGRESQL, statements

TABLES = ("access_grant", "favorite", "taxpayer", "tax_account")


def up(migrator, db):
    class Logon(Model):
        class Meta:
            database = db
            table_name = "logon"

    class ClientListCache(Model):
        third_party = ForeignKeyField(Logon, on_delete="CASCADE")
        part = CharField(max_length=16)
        version = CharField(max_length=64)
        data = BlobField()

        class Meta:
            database = db
            table_name = "client_list_cache"
            indexes = ((("third_party", "part"), True),)

    db.create_tables([ClientListCache])
    for table in TABLES:
        for sql in statements(db, table):
            db.execute_sql(sql)


def down(migrator, db):
    from peewee import PostgresqlDatabase

    db.execute_sql("DROP TABLE client_list_cache")
    if isinstance(db, PostgresqlDatabase):
        for table, made in POSTGRESQL.items():
            for sql in made:
                name = sql.split(" TRIGGER ", 1)[1].split()[0]
                db.execute_sql(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        db.execute_sql(PG_FUNCTION.split("(", 1)[0].replace("CREATE OR REPLACE", "DROP") + "()")
        return
    for (name,) in db.execute_sql(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%\\_counts\\_%' "
        "ESCAPE '\\'"
    ).fetchall():
        db.execute_sql(f"DROP TRIGGER {name}")
