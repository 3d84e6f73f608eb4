"""Power of Attorney (Form M-2848): POAs recorded by DOR with their tax types, the forms
representatives prepare for taxpayers to sign, and information requests made under a POA."""

from peewee import (
    AutoField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Taxpayer(Model):
        class Meta:
            database = db
            table_name = "taxpayer"

    class Logon(Model):
        class Meta:
            database = db
            table_name = "logon"

    class PowerOfAttorney(Model):
        id = AutoField()
        number = CharField(max_length=32, unique=True)
        taxpayer = ForeignKeyField(Taxpayer, on_delete="RESTRICT")
        representative = ForeignKeyField(Logon, null=True, on_delete="RESTRICT")
        rep_name = CharField(max_length=200)
        rep_address = TextField(default="")
        rep_id_type = CharField(max_length=4)
        rep_id_number = CharField(max_length=9)
        first_year = IntegerField()
        last_year = IntegerField()
        acts = CharField(max_length=200)
        signed_on = DateField()
        expires_on = DateField(null=True)
        status = CharField(max_length=16, default="active")
        form_number = CharField(max_length=32, null=True)
        recorded_by = ForeignKeyField(Logon, backref="+", on_delete="RESTRICT")
        recorded_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        ended_by = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
        superseded_by = ForeignKeyField("self", null=True, backref="+", on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "power_of_attorney"

    PowerOfAttorney.add_index(PowerOfAttorney.taxpayer, PowerOfAttorney.status)
    PowerOfAttorney.add_index(PowerOfAttorney.representative, PowerOfAttorney.status)

    class PoaTaxType(Model):
        id = AutoField()
        poa = ForeignKeyField(PowerOfAttorney, on_delete="CASCADE")
        account_type = CharField(max_length=32)

        class Meta:
            database = db
            table_name = "poa_tax_type"
            indexes = ((("poa", "account_type"), True),)

    class PoaForm(Model):
        id = AutoField()
        number = CharField(max_length=32, unique=True)
        code = CharField(max_length=16)
        taxpayer = ForeignKeyField(Taxpayer, on_delete="RESTRICT")
        representative = ForeignKeyField(Logon, on_delete="RESTRICT")
        prepared_at = DateTimeField()
        poa = ForeignKeyField(PowerOfAttorney, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "poa_form"

    class InformationRequest(Model):
        id = AutoField()
        number = CharField(max_length=32, unique=True)
        representative = ForeignKeyField(Logon, on_delete="RESTRICT")
        taxpayer = ForeignKeyField(Taxpayer, on_delete="RESTRICT")
        poa = ForeignKeyField(PowerOfAttorney, on_delete="RESTRICT")
        account_type = CharField(max_length=32)
        tax_year = IntegerField()
        kind = CharField(max_length=24)
        details = TextField(default="")
        status = CharField(max_length=16, default="pending")
        created_at = DateTimeField()
        decided_at = DateTimeField(null=True)
        decided_by = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
        staff_note = TextField(default="")

        class Meta:
            database = db
            table_name = "information_request"

    InformationRequest.add_index(InformationRequest.status, InformationRequest.created_at)
    InformationRequest.add_index(InformationRequest.representative, InformationRequest.taxpayer)

    db.create_tables([PowerOfAttorney, PoaTaxType, PoaForm, InformationRequest])


def down(migrator, db):
    for table in ("information_request", "poa_form", "poa_tax_type", "power_of_attorney"):
        db.execute_sql(f"DROP TABLE {table}")
