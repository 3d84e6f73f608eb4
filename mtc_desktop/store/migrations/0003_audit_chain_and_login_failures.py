"""A hash chain through the audit trail (existing events are chained oldest first), and
failed login attempts counted per username so their delays survive a restart."""

import hashlib
import json

from peewee import CharField, DateTimeField, IntegerField, Model, TextField

GENESIS = "0" * 64


def _hash(prev, row):
    # The same canonical form as mtc_desktop.domain.chain.event_hash, frozen here.
    canonical = json.dumps(
        [
            row.id,
            row.at.isoformat(),
            row.actor_id,
            row.action,
            row.third_party_id,
            row.taxpayer_id,
            row.request_id,
            row.account_id,
            row.details,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev}\n{canonical}".encode()).hexdigest()


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("audit_event", "prev_hash", CharField(max_length=64, default="")),
        migrator.add_column("audit_event", "hash", CharField(max_length=64, default="")),
    )

    class AuditEvent(Model):
        at = DateTimeField()
        actor_id = IntegerField(null=True)
        action = CharField(max_length=48)
        third_party_id = IntegerField(null=True)
        taxpayer_id = IntegerField(null=True)
        request_id = IntegerField(null=True)
        account_id = IntegerField(null=True)
        details = TextField()
        prev_hash = CharField(max_length=64)
        hash = CharField(max_length=64)

        class Meta:
            database = db
            table_name = "audit_event"

    prev = GENESIS
    last = 0
    while True:
        rows = list(
            AuditEvent.select().where(AuditEvent.id > last).order_by(AuditEvent.id).limit(5000)
        )
        if not rows:
            break
        for row in rows:
            digest = _hash(prev, row)
            AuditEvent.update(prev_hash=prev, hash=digest).where(AuditEvent.id == row.id).execute()
            prev = digest
            last = row.id

    class Counter(Model):
        name = CharField(primary_key=True, max_length=32)
        value = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "counter"

    Counter.insert(name="audit-chain", value=last).on_conflict_ignore().execute()

    class LoginFailure(Model):
        username_key = CharField(primary_key=True, max_length=64)
        failures = IntegerField(default=0)
        last_failed_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "login_failure"

    db.create_tables([LoginFailure])


def down(migrator, db):
    db.execute_sql("DROP TABLE login_failure")
    db.execute_sql("DELETE FROM counter WHERE name = 'audit-chain'")
    migrator.migrate(
        migrator.drop_column("audit_event", "hash"),
        migrator.drop_column("audit_event", "prev_hash"),
    )
