"""Staff logons and the registry: administrators, disabled logons, one-time codes, closed
tax accounts. Every DOR staff logon made before (by the command line) becomes an
administrator, so that an office keeps someone who can manage its staff."""

from peewee import BooleanField, CharField, DateTimeField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("logon", "administrator", BooleanField(default=False)),
        migrator.add_column("logon", "disabled_at", DateTimeField(null=True)),
        migrator.add_column("logon", "code_hash", CharField(max_length=255, null=True)),
        migrator.add_column("logon", "code_expires_at", DateTimeField(null=True)),
        migrator.add_column("tax_account", "closed_at", DateTimeField(null=True)),
    )
    db.execute_sql("UPDATE logon SET administrator = (role = 'dor_staff')")


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("tax_account", "closed_at"),
        migrator.drop_column("logon", "code_expires_at"),
        migrator.drop_column("logon", "code_hash"),
        migrator.drop_column("logon", "disabled_at"),
        migrator.drop_column("logon", "administrator"),
    )
