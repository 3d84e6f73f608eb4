"""The first schema: taxpayers, logons, accounts, requests, grants, messages, audit."""

from peewee import (
    SQL,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Taxpayer(Model):
        id_type = CharField(max_length=4)
        id_number = CharField(max_length=9)
        legal_name = CharField(max_length=200)
        name_key = CharField(max_length=800)
        search_text = CharField(index=True, max_length=1000)
        kind = CharField(max_length=16)
        address = TextField(default="")
        email = CharField(null=True, max_length=320)

        class Meta:
            database = db
            table_name = "taxpayer"
            indexes = ((("id_type", "id_number"), True),)

    db.create_tables([Taxpayer])

    class Logon(Model):
        username = CharField(max_length=64)
        username_key = CharField(unique=True, max_length=64)
        email = CharField(max_length=320)
        email_key = CharField(unique=True, max_length=320)
        password_hash = CharField()
        role = CharField(max_length=16)
        taxpayer = ForeignKeyField(Taxpayer, null=True, on_delete="RESTRICT")
        display_name = CharField(max_length=200)
        client_view = BooleanField(default=False)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "logon"

    db.create_tables([Logon])

    class TaxAccount(Model):
        taxpayer = ForeignKeyField(Taxpayer, on_delete="RESTRICT")
        account_type = CharField(max_length=32)
        account_number = CharField(unique=True, max_length=32)

        class Meta:
            database = db
            table_name = "tax_account"

    db.create_tables([TaxAccount])

    class AccessRequest(Model):
        number = CharField(unique=True, max_length=32)
        third_party = ForeignKeyField(Logon, on_delete="RESTRICT")
        taxpayer = ForeignKeyField(Taxpayer, on_delete="RESTRICT")
        method = CharField(max_length=16)
        authorization_code = CharField(max_length=16)
        status = CharField(max_length=16, default="pending")
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = ForeignKeyField(Logon, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "access_request"

    AccessRequest.add_index(
        AccessRequest.index(AccessRequest.third_party, AccessRequest.taxpayer, unique=True).where(
            SQL("status = 'pending'")
        )
    )
    AccessRequest.add_index(AccessRequest.taxpayer, AccessRequest.status)
    AccessRequest.add_index(AccessRequest.third_party, AccessRequest.status)
    db.create_tables([AccessRequest])

    class AccessGrant(Model):
        third_party = ForeignKeyField(Logon, on_delete="RESTRICT")
        account = ForeignKeyField(TaxAccount, on_delete="RESTRICT")
        taxpayer = ForeignKeyField(Taxpayer, on_delete="RESTRICT")
        level = CharField(max_length=16)
        status = CharField(max_length=16, default="active")
        request = ForeignKeyField(AccessRequest, null=True, on_delete="RESTRICT")
        created_at = DateTimeField()
        changed_at = DateTimeField()
        cancelled_at = DateTimeField(null=True)
        cancelled_by = ForeignKeyField(Logon, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "access_grant"

    AccessGrant.add_index(
        AccessGrant.index(AccessGrant.third_party, AccessGrant.account, unique=True).where(
            SQL("status = 'active'")
        )
    )
    AccessGrant.add_index(AccessGrant.third_party, AccessGrant.status, AccessGrant.taxpayer)
    AccessGrant.add_index(AccessGrant.taxpayer, AccessGrant.status)
    db.create_tables([AccessGrant])

    class AccountActivity(Model):
        account = ForeignKeyField(TaxAccount, on_delete="RESTRICT")
        actor = ForeignKeyField(Logon, on_delete="RESTRICT")
        kind = CharField(max_length=16)
        period = CharField(max_length=32, default="")
        amount = DecimalField(null=True, max_digits=14, decimal_places=2)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "account_activity"

    db.create_tables([AccountActivity])

    class AuditEvent(Model):
        at = DateTimeField()
        actor = ForeignKeyField(Logon, null=True, on_delete="RESTRICT")
        action = CharField(max_length=48)
        third_party = ForeignKeyField(Logon, null=True, on_delete="RESTRICT")
        taxpayer = ForeignKeyField(Taxpayer, null=True, on_delete="RESTRICT")
        request = ForeignKeyField(AccessRequest, null=True, on_delete="RESTRICT")
        account = ForeignKeyField(TaxAccount, null=True, on_delete="RESTRICT")
        details = TextField(default="{}")

        class Meta:
            database = db
            table_name = "audit_event"
            indexes = ((("third_party", "taxpayer"), False),)

    db.create_tables([AuditEvent])

    class Correspondence(Model):
        account = ForeignKeyField(TaxAccount, on_delete="RESTRICT")
        kind = CharField(max_length=16)
        title = CharField(max_length=400)
        mailed_on = DateField()
        created_by = ForeignKeyField(Logon, on_delete="RESTRICT")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "correspondence"

    db.create_tables([Correspondence])

    class Counter(Model):
        name = CharField(primary_key=True, max_length=32)
        value = IntegerField(default=0)

        class Meta:
            database = db
            table_name = "counter"

    db.create_tables([Counter])

    class Favorite(Model):
        third_party = ForeignKeyField(Logon, on_delete="CASCADE")
        taxpayer = ForeignKeyField(Taxpayer, on_delete="CASCADE")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "favorite"
            indexes = ((("third_party", "taxpayer"), True),)

    db.create_tables([Favorite])

    class Message(Model):
        recipient = ForeignKeyField(Logon, null=True, on_delete="RESTRICT")
        to_address = CharField(max_length=320, default="")
        kind = CharField(max_length=16)
        subject = CharField(max_length=400)
        body = TextField()
        eml = TextField(default="")
        request = ForeignKeyField(AccessRequest, null=True, on_delete="RESTRICT")
        created_at = DateTimeField()
        read_at = DateTimeField(null=True)
        sent_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "message"
            indexes = ((("recipient", "created_at"), False),)

    db.create_tables([Message])

    class RequestLine(Model):
        request = ForeignKeyField(AccessRequest, on_delete="CASCADE")
        account = ForeignKeyField(TaxAccount, on_delete="RESTRICT")
        requested_level = CharField(max_length=16)
        give_rights = BooleanField(null=True)
        granted_level = CharField(null=True, max_length=16)

        class Meta:
            database = db
            table_name = "request_line"
            indexes = ((("request", "account"), True),)

    db.create_tables([RequestLine])

    class Setting(Model):
        key = CharField(primary_key=True, max_length=64)
        value = TextField()

        class Meta:
            database = db
            table_name = "setting"

    db.create_tables([Setting])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("setting"))
    migrator.migrate(migrator.drop_table("request_line"))
    migrator.migrate(migrator.drop_table("message"))
    migrator.migrate(migrator.drop_table("favorite"))
    migrator.migrate(migrator.drop_table("counter"))
    migrator.migrate(migrator.drop_table("correspondence"))
    migrator.migrate(migrator.drop_table("audit_event"))
    migrator.migrate(migrator.drop_table("account_activity"))
    migrator.migrate(migrator.drop_table("access_grant"))
    migrator.migrate(migrator.drop_table("access_request"))
    migrator.migrate(migrator.drop_table("tax_account"))
    migrator.migrate(migrator.drop_table("logon"))
    migrator.migrate(migrator.drop_table("taxpayer"))
