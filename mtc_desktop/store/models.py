"""The peewee models. Bound at start-up through :data:`db` to SQLite or PostgreSQL.

Enumerations are stored as their string values (see ``mtc_desktop.domain.model``). Times
are naive UTC. The unique partial indexes carry two rules of DESIGN.md §3 into the
database itself, so that two workstations racing each other cannot break them: at most
one pending request per (third party, taxpayer) and one active grant per (third party,
account).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from peewee import (
    SQL,
    AutoField,
    BlobField,
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

from mtc_desktop.store.proxy import db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class BaseModel(Model):
    class Meta:
        database = db
        legacy_table_names = False

    @classmethod
    def create_table(cls, safe: bool = True, **options: Any) -> None:
        super().create_table(safe, **options)
        # The triggers that count what the client list depends on (store/changes.py).
        from mtc_desktop.store.changes import create_triggers

        create_triggers(cls._meta.database, cls._meta.table_name)


class Taxpayer(BaseModel):
    id = AutoField()
    id_type = CharField(max_length=4)
    id_number = CharField(max_length=9)
    legal_name = CharField(max_length=200)
    name_key = CharField(max_length=800)
    # Lower-case name and ID digits, searched with LIKE by the client list filter.
    search_text = CharField(max_length=1000, index=True)
    kind = CharField(max_length=16)
    address = TextField(default="")
    email = CharField(max_length=320, null=True)

    class Meta:
        indexes = ((("id_type", "id_number"), True),)


class Logon(BaseModel):
    id = AutoField()
    taxpayer_id: int | None
    username = CharField(max_length=64)
    username_key = CharField(max_length=64, unique=True)
    email = CharField(max_length=320)
    email_key = CharField(max_length=320, unique=True)
    password_hash = CharField(max_length=255)
    role = CharField(max_length=16)
    taxpayer = ForeignKeyField(Taxpayer, null=True, backref="logons", on_delete="RESTRICT")
    display_name = CharField(max_length=200)
    client_view = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow)
    # DOR staff (services/staff.py): an administrator manages staff logons; a disabled
    # logon cannot log in; a one-time code (its hash) lets its holder choose a password.
    # A logon waiting for its first password has an empty ``password_hash``.
    administrator = BooleanField(default=False)
    disabled_at = DateTimeField(null=True)
    code_hash = CharField(max_length=255, null=True)
    code_expires_at = DateTimeField(null=True)


class TaxAccount(BaseModel):
    id = AutoField()
    taxpayer_id: int
    taxpayer = ForeignKeyField(Taxpayer, backref="accounts", on_delete="RESTRICT")
    account_type = CharField(max_length=32)
    account_number = CharField(max_length=32, unique=True)
    # A closed account keeps its history but is no longer offered in new requests.
    closed_at = DateTimeField(null=True)


class AccessRequest(BaseModel):
    id = AutoField()
    third_party_id: int
    taxpayer_id: int
    decided_by_id: int | None
    lines: Any  # back-reference from RequestLine
    number = CharField(max_length=32, unique=True)
    third_party = ForeignKeyField(Logon, backref="requests_made", on_delete="RESTRICT")
    taxpayer = ForeignKeyField(Taxpayer, backref="access_requests", on_delete="RESTRICT")
    method = CharField(max_length=16)
    authorization_code = CharField(max_length=16)
    status = CharField(max_length=16, default="pending")
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")


AccessRequest.add_index(
    AccessRequest.index(AccessRequest.third_party, AccessRequest.taxpayer, unique=True).where(
        SQL("status = 'pending'")
    )
)
AccessRequest.add_index(AccessRequest.taxpayer, AccessRequest.status)
AccessRequest.add_index(AccessRequest.third_party, AccessRequest.status)


class RequestLine(BaseModel):
    id = AutoField()
    request_id: int
    account_id: int
    request = ForeignKeyField(AccessRequest, backref="lines", on_delete="CASCADE")
    account = ForeignKeyField(TaxAccount, backref="+", on_delete="RESTRICT")
    requested_level = CharField(max_length=16)
    give_rights = BooleanField(null=True)
    granted_level = CharField(max_length=16, null=True)

    class Meta:
        indexes = ((("request", "account"), True),)


class AccessGrant(BaseModel):
    id = AutoField()
    third_party_id: int
    account_id: int
    taxpayer_id: int
    request_id: int | None
    third_party = ForeignKeyField(Logon, backref="grants", on_delete="RESTRICT")
    account = ForeignKeyField(TaxAccount, backref="grants", on_delete="RESTRICT")
    # The taxpayer the account belongs to, kept beside it so client lists need no join.
    taxpayer = ForeignKeyField(Taxpayer, backref="+", on_delete="RESTRICT")
    level = CharField(max_length=16)
    status = CharField(max_length=16, default="active")
    request = ForeignKeyField(AccessRequest, null=True, backref="grants", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    changed_at = DateTimeField(default=utcnow)
    cancelled_at = DateTimeField(null=True)
    cancelled_by = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")


AccessGrant.add_index(
    AccessGrant.index(AccessGrant.third_party, AccessGrant.account, unique=True).where(
        SQL("status = 'active'")
    )
)
AccessGrant.add_index(AccessGrant.third_party, AccessGrant.status, AccessGrant.taxpayer)
AccessGrant.add_index(AccessGrant.taxpayer, AccessGrant.status)


class Favorite(BaseModel):
    id = AutoField()
    third_party_id: int
    taxpayer_id: int
    third_party = ForeignKeyField(Logon, backref="favorites", on_delete="CASCADE")
    taxpayer = ForeignKeyField(Taxpayer, backref="+", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("third_party", "taxpayer"), True),)


class Message(BaseModel):
    id = AutoField()
    recipient_id: int | None
    request_id: int | None
    recipient = ForeignKeyField(Logon, null=True, backref="messages", on_delete="RESTRICT")
    to_address = CharField(max_length=320, default="")
    kind = CharField(max_length=16)
    subject = CharField(max_length=400)
    body = TextField()
    # The whole RFC 5322 message, for an email; empty for an e-message.
    eml = TextField(default="")
    request = ForeignKeyField(AccessRequest, null=True, backref="messages", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)
    read_at = DateTimeField(null=True)
    sent_at = DateTimeField(null=True)
    # Delivery of an email (services/outbox.py): tries so far, the last failure as the
    # server put it, when to try again; a claim names the one sender working on it now;
    # ``failed_at`` ends the tries (refused for good, or interrupted mid-send).
    attempts = IntegerField(default=0)
    last_error = TextField(default="")
    next_attempt_at = DateTimeField(null=True)
    claim_token = CharField(max_length=32, null=True)
    claimed_until = DateTimeField(null=True)
    failed_at = DateTimeField(null=True)

    class Meta:
        indexes = ((("recipient", "created_at"), False),)


# The outbox: emails neither sent nor failed, by when they are due.
Message.add_index(
    Message.index(Message.next_attempt_at).where(SQL("sent_at IS NULL AND failed_at IS NULL"))
)


class Correspondence(BaseModel):
    id = AutoField()
    account = ForeignKeyField(TaxAccount, backref="correspondence", on_delete="RESTRICT")
    kind = CharField(max_length=16)
    title = CharField(max_length=400)
    mailed_on = DateField()
    created_by = ForeignKeyField(Logon, backref="+", on_delete="RESTRICT")
    created_at = DateTimeField(default=utcnow)


class AccountActivity(BaseModel):
    id = AutoField()
    account_id: int
    actor_id: int
    account = ForeignKeyField(TaxAccount, backref="activity", on_delete="RESTRICT")
    actor = ForeignKeyField(Logon, backref="+", on_delete="RESTRICT")
    kind = CharField(max_length=16)
    period = CharField(max_length=32, default="")
    amount = DecimalField(max_digits=14, decimal_places=2, null=True)
    created_at = DateTimeField(default=utcnow)


class AuditEvent(BaseModel):
    id = AutoField()
    actor_id: int | None
    third_party_id: int | None
    taxpayer_id: int | None
    request_id: int | None
    account_id: int | None
    at = DateTimeField(default=utcnow)
    actor = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
    action = CharField(max_length=48)
    third_party = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
    taxpayer = ForeignKeyField(Taxpayer, null=True, backref="+", on_delete="RESTRICT")
    request = ForeignKeyField(AccessRequest, null=True, backref="+", on_delete="RESTRICT")
    account = ForeignKeyField(TaxAccount, null=True, backref="+", on_delete="RESTRICT")
    details = TextField(default="{}")
    # The hash chain (domain/chain.py): the previous event's hash and this event's.
    prev_hash = CharField(max_length=64, default="")
    hash = CharField(max_length=64, default="")

    class Meta:
        indexes = ((("third_party", "taxpayer"), False),)


class Setting(BaseModel):
    key = CharField(max_length=64, primary_key=True)
    value = TextField()


class LoginFailure(BaseModel):
    """Failed logins per username (known or not), so that growing delays survive a restart."""

    username_key = CharField(max_length=64, primary_key=True)
    failures = IntegerField(default=0)
    last_failed_at = DateTimeField(null=True)


class Counter(BaseModel):
    """Named sequences, e.g. for request numbers per year."""

    name = CharField(max_length=32, primary_key=True)
    value = IntegerField(default=0)


class ClientListCache(BaseModel):
    """What the client list keeps for a big firm (services/clients.py), saved so that a
    million clients are not read and sorted again at every login: a part ("clients", or
    the order of a sort key) is used while the change counters it was read at
    (store/changes.py) still hold."""

    id = AutoField()
    third_party_id: int
    third_party = ForeignKeyField(Logon, backref="+", on_delete="CASCADE")
    part = CharField(max_length=16)
    version = CharField(max_length=64)
    data = BlobField()

    class Meta:
        indexes = ((("third_party", "part"), True),)


# --- Power of Attorney (Form M-2848): services/poa.py ------------------------------------


class PowerOfAttorney(BaseModel):
    """A POA recorded by DOR from a signed Form M-2848. The representative is a third
    party's logon, or a person known by name, address and ID who has no logon (then
    ``representative`` is null). Tax types are in :class:`PoaTaxType`; ``acts`` holds the
    authorised acts' values, comma-separated (domain/poa.py ``PoaAct``)."""

    id = AutoField()
    taxpayer_id: int
    representative_id: int | None
    recorded_by_id: int
    ended_by_id: int | None
    superseded_by_id: int | None
    tax_types: Any  # back-reference from PoaTaxType
    number = CharField(max_length=32, unique=True)
    taxpayer = ForeignKeyField(Taxpayer, backref="+", on_delete="RESTRICT")
    representative = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
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
    recorded_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)
    ended_by = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
    superseded_by = ForeignKeyField("self", null=True, backref="+", on_delete="RESTRICT")


PowerOfAttorney.add_index(PowerOfAttorney.taxpayer, PowerOfAttorney.status)
PowerOfAttorney.add_index(PowerOfAttorney.representative, PowerOfAttorney.status)


class PoaTaxType(BaseModel):
    id = AutoField()
    poa_id: int
    poa = ForeignKeyField(PowerOfAttorney, backref="tax_types", on_delete="CASCADE")
    account_type = CharField(max_length=32)

    class Meta:
        indexes = ((("poa", "account_type"), True),)


class PoaForm(BaseModel):
    """A Form M-2848 a representative prepared in the program for a taxpayer to sign: its
    number and code let DOR find it again when the signed form comes back."""

    id = AutoField()
    taxpayer_id: int
    representative_id: int
    poa_id: int | None
    number = CharField(max_length=32, unique=True)
    code = CharField(max_length=16)
    taxpayer = ForeignKeyField(Taxpayer, backref="+", on_delete="RESTRICT")
    representative = ForeignKeyField(Logon, backref="+", on_delete="RESTRICT")
    prepared_at = DateTimeField(default=utcnow)
    # The POA recorded from it: a form is recorded once.
    poa = ForeignKeyField(PowerOfAttorney, null=True, backref="+", on_delete="RESTRICT")


class InformationRequest(BaseModel):
    """A representative's request to DOR for copies of returns or other documentation of
    one taxpayer, tax type and tax year, allowed only under an active POA covering them."""

    id = AutoField()
    representative_id: int
    taxpayer_id: int
    poa_id: int
    decided_by_id: int | None
    number = CharField(max_length=32, unique=True)
    representative = ForeignKeyField(Logon, backref="+", on_delete="RESTRICT")
    taxpayer = ForeignKeyField(Taxpayer, backref="+", on_delete="RESTRICT")
    poa = ForeignKeyField(PowerOfAttorney, backref="+", on_delete="RESTRICT")
    account_type = CharField(max_length=32)
    tax_year = IntegerField()
    kind = CharField(max_length=24)
    details = TextField(default="")
    status = CharField(max_length=16, default="pending")
    created_at = DateTimeField(default=utcnow)
    decided_at = DateTimeField(null=True)
    decided_by = ForeignKeyField(Logon, null=True, backref="+", on_delete="RESTRICT")
    staff_note = TextField(default="")


InformationRequest.add_index(InformationRequest.status, InformationRequest.created_at)
InformationRequest.add_index(InformationRequest.representative, InformationRequest.taxpayer)


ALL_MODELS: tuple[type[BaseModel], ...] = (
    Taxpayer,
    Logon,
    TaxAccount,
    AccessRequest,
    RequestLine,
    AccessGrant,
    Favorite,
    Message,
    Correspondence,
    AccountActivity,
    AuditEvent,
    Setting,
    Counter,
    LoginFailure,
    ClientListCache,
    PowerOfAttorney,
    PoaTaxType,
    PoaForm,
    InformationRequest,
)
