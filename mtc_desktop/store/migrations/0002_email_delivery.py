"""Email delivery: what the outbox needs to send each email once, retry, and say why not."""

from peewee import SQL, CharField, DateTimeField, IntegerField, TextField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("message", "attempts", IntegerField(default=0)),
        migrator.add_column("message", "last_error", TextField(default="")),
        migrator.add_column("message", "next_attempt_at", DateTimeField(null=True)),
        migrator.add_column("message", "claim_token", CharField(max_length=32, null=True)),
        migrator.add_column("message", "claimed_until", DateTimeField(null=True)),
        migrator.add_column("message", "failed_at", DateTimeField(null=True)),
        migrator.add_index(
            "message",
            ("next_attempt_at",),
            False,
            where=SQL("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("message", "message_next_attempt_at"),
        migrator.drop_column("message", "failed_at"),
        migrator.drop_column("message", "claimed_until"),
        migrator.drop_column("message", "claim_token"),
        migrator.drop_column("message", "next_attempt_at"),
        migrator.drop_column("message", "last_error"),
        migrator.drop_column("message", "attempts"),
    )
