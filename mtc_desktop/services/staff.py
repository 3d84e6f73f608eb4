"""DOR staff logons: setting up an empty database, administrators adding, disabling and
enabling staff, and one-time codes.

Nobody sets another person's password (DESIGN.md rule 8): a new or locked-out staff member
gets a one-time code from an administrator (shown once, valid 24 hours; only its hash is
kept) and chooses their own password with it at the login window. The command line
(``actor`` None) is the operator at the machine that holds the database.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from peewee import IntegrityError

from mtc_desktop.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    NotAllowed,
    NotFound,
    StateConflict,
)
from mtc_desktop.domain.model import Role
from mtc_desktop.domain.passwords import check_new_password
from mtc_desktop.domain.text import clean_name, clean_username, username_key
from mtc_desktop.services import audit, logons
from mtc_desktop.services.base import (
    LOGON_DISABLED,
    Actor,
    actor_for,
    now,
    reading,
    require_role,
    transaction,
    unlock_session,
    writing,
)
from mtc_desktop.services.taxpayers import next_number
from mtc_desktop.store.models import LoginFailure, Logon

CODE_VALID = dt.timedelta(hours=24)
# Letters and digits that cannot be mistaken for one another when read aloud or copied.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_LENGTH = 12
CODE_FAILED = (
    "The username or one-time code is not correct, or the code has expired. Check both; "
    "a DOR administrator can issue a new code."
)
ADMINISTRATORS_ONLY = "Only a DOR administrator can manage staff logons."
ALREADY_SET_UP = (
    "This database is set up already: log in, or ask its DOR administrator for a logon."
)


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    email: str
    administrator: bool
    active: bool
    code_pending: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class OneTimeCode:
    logon_id: int
    username: str
    code: str
    expires_at: dt.datetime


def _view(logon: Logon) -> StaffView:
    return StaffView(
        id=logon.id,
        username=logon.username,
        display_name=logon.display_name,
        email=logon.email,
        administrator=bool(logon.administrator),
        active=logon.disabled_at is None,
        code_pending=_code_pending(logon),
        created_at=logon.created_at,
    )


def _code_pending(logon: Logon) -> bool:
    return (
        bool(logon.code_hash)
        and logon.code_expires_at is not None
        and (logon.code_expires_at > now())
    )


def _normalize_code(code: str) -> str:
    """A code as compared: upper case, without the dashes and spaces it is shown with."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _new_code(logon: Logon) -> OneTimeCode:
    """Give ``logon`` a fresh code (replacing any earlier one); return it in clear, once."""
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_LENGTH))
    shown = "-".join(raw[i : i + 4] for i in range(0, _CODE_LENGTH, 4))
    expires = now() + CODE_VALID
    logon.code_hash = logons.password_hasher().hash(raw)
    logon.code_expires_at = expires
    logon.save(only=[Logon.code_hash, Logon.code_expires_at])
    return OneTimeCode(logon_id=logon.id, username=logon.username, code=shown, expires_at=expires)


def _require_administrator(actor: Actor | None) -> None:
    """An active DOR administrator, as the database has it now; None is the command line."""
    if actor is None:
        return
    logon = require_role(actor, Role.DOR_STAFF)
    if not logon.administrator:
        raise NotAllowed(ADMINISTRATORS_ONLY)


def _staff_logon(logon_id: int) -> Logon:
    logon = Logon.get_or_none((Logon.id == logon_id) & (Logon.role == Role.DOR_STAFF.value))
    if logon is None:
        raise NotFound("There is no such DOR staff logon.")
    return logon


def _serialize_staff_changes() -> None:
    """Take the staff counter's row: two workstations changing staff at once go one after
    the other (PostgreSQL holds the row lock until commit; SQLite writes one at a time)."""
    next_number("staff-change")


@dataclass(frozen=True)
class _NewStaff:
    username: str
    display_name: str
    email: str
    email_key: str
    password: str


def check_new_staff(
    username: str, display_name: str, email: str, password: str | None = None
) -> None:
    """Refuse a new staff logon's fields as :func:`add_staff` would, without a database:
    the command line checks them before it makes a new database file."""
    _checked(username, display_name, email, password)


def _checked(username: str, display_name: str, email: str, password: str | None) -> _NewStaff:
    errors: dict[str, str] = {}
    name = address = key = shown_name = text = ""
    try:
        name = clean_username(username)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        shown_name = clean_name(display_name, "full name", "display_name")
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        address, key = logons.clean_email(email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if password is not None:
        try:
            text = check_new_password(password, username=username, email=email)
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return _NewStaff(name, shown_name, address, key, text)


def _create(
    username: str,
    display_name: str,
    email: str,
    *,
    password: str | None,
    administrator: bool,
) -> Logon:
    """A new DOR staff logon; with ``password`` None it waits for a one-time code."""
    new = _checked(username, display_name, email, password)
    name, shown_name, address, key, text = (
        new.username,
        new.display_name,
        new.email,
        new.email_key,
        new.password,
    )
    if Logon.select().where(Logon.username_key == username_key(name)).exists():
        raise InvalidInput("This username is taken; choose another.", "username")
    if Logon.select().where(Logon.email_key == key).exists():
        raise InvalidInput(
            "This email address is already used by another logon; use the staff member's "
            "own address.",
            "email",
        )
    try:
        with_password = logons.password_hasher().hash(text) if password is not None else ""
        return Logon.create(
            username=name,
            username_key=username_key(name),
            email=address,
            email_key=key,
            password_hash=with_password,
            role=Role.DOR_STAFF.value,
            taxpayer=None,
            display_name=shown_name,
            administrator=administrator,
            created_at=now(),
        )
    except IntegrityError as exc:  # another workstation took the name a moment ago
        raise InvalidInput(
            "This username or email address was just taken; choose another."
        ) from exc


@reading
def needs_setup() -> bool:
    """True when the database has no logons at all (a new office database)."""
    return not Logon.select().exists()


@writing
def set_up_database(username: str, display_name: str, email: str, password: str) -> Actor:
    """Create the first DOR administrator of an empty database and return it, logged in."""
    _serialize_staff_changes()
    if Logon.select().exists():
        raise NotAllowed(ALREADY_SET_UP)
    logon = _create(username, display_name, email, password=password, administrator=True)
    actor = actor_for(logon)
    audit.record(actor, "database_set_up", username=logon.username)
    return actor


@writing
def add_staff_with_password(
    username: str, display_name: str, email: str, password: str, *, administrator: bool
) -> Actor:
    """For the command line only (``staff add … --password-stdin``): the operator at the
    machine types their own password. The first logon of a database is always an
    administrator, so that someone can manage staff."""
    _serialize_staff_changes()
    first = not Logon.select().exists()
    logon = _create(
        username, display_name, email, password=password, administrator=administrator or first
    )
    actor = actor_for(logon)
    if first:
        audit.record(actor, "database_set_up", username=logon.username)
    else:
        audit.record(
            None,
            "staff_added",
            username=logon.username,
            administrator=bool(logon.administrator),
            by="command line",
        )
    return actor


@reading
def list_staff(actor: Actor | None) -> list[StaffView]:
    """Every DOR staff logon, by username (administrators only)."""
    _require_administrator(actor)
    query = Logon.select().where(Logon.role == Role.DOR_STAFF.value).order_by(Logon.username_key)
    return [_view(logon) for logon in query]


@writing
def add_staff(
    actor: Actor | None,
    username: str,
    display_name: str,
    email: str,
    *,
    administrator: bool = False,
) -> OneTimeCode:
    """A new staff logon with no usable password until its one-time code is redeemed."""
    _require_administrator(actor)
    _serialize_staff_changes()
    first = not Logon.select().exists()
    logon = _create(
        username, display_name, email, password=None, administrator=administrator or first
    )
    code = _new_code(logon)
    audit.record(
        actor,
        "staff_added",
        username=logon.username,
        administrator=bool(logon.administrator),
        by="workstation" if actor else "command line",
    )
    return code


@writing
def issue_code(actor: Actor | None, logon_id: int) -> OneTimeCode:
    """A new one-time code for a staff member (locked out, forgotten password, or a code
    that expired); any earlier code stops working. Their password, if any, still works
    until they choose a new one with the code."""
    _require_administrator(actor)
    logon = _staff_logon(logon_id)
    if logon.disabled_at is not None:
        raise StateConflict(
            f"{logon.username} is disabled; enable the logon before issuing a code."
        )
    code = _new_code(logon)
    audit.record(actor, "staff_code_issued", username=logon.username)
    return code


@writing
def disable_staff(actor: Actor | None, logon_id: int) -> StaffView:
    """The logon can no longer log in or act; the last active administrator stays."""
    _require_administrator(actor)
    _serialize_staff_changes()
    logon = _staff_logon(logon_id)
    if logon.disabled_at is not None:
        raise StateConflict(f"{logon.username} is disabled already.")
    if logon.administrator:
        others = (
            Logon.select()
            .where(
                (Logon.role == Role.DOR_STAFF.value)
                & Logon.administrator
                & Logon.disabled_at.is_null()
                & (Logon.id != logon.id)
            )
            .exists()
        )
        if not others:
            raise NotAllowed(
                f"{logon.username} is the last active DOR administrator and cannot be "
                "disabled; add another administrator first."
            )
    logon.disabled_at = now()
    logon.save(only=[Logon.disabled_at])
    audit.record(actor, "staff_disabled", username=logon.username)
    return _view(logon)


@writing
def enable_staff(actor: Actor | None, logon_id: int) -> StaffView:
    _require_administrator(actor)
    logon = _staff_logon(logon_id)
    if logon.disabled_at is None:
        raise StateConflict(f"{logon.username} is enabled already.")
    logon.disabled_at = None
    logon.save(only=[Logon.disabled_at])
    audit.record(actor, "staff_enabled", username=logon.username)
    return _view(logon)


def redeem_code(username: str, code: str, new_password: str) -> Actor:
    """At the login window: check the one-time code, set the holder's own password, and
    return them logged in. A wrong or expired code counts as a failed login."""
    key = username_key(username)[:64]
    with transaction():
        logons.wait_before_login(key)
        logon = Logon.get_or_none(Logon.username_key == username_key(username))
        holder = logon if logon is not None and logon.code_hash else None
        live = holder is not None and _code_pending(holder)
        try:
            logons.password_hasher().verify(
                str(holder.code_hash) if holder is not None else logons.dummy_hash(),
                _normalize_code(code),
            )
            correct = live
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            correct = False
        if not correct:
            logons.count_failed_login(key)
    if not correct:
        raise AuthenticationFailed(CODE_FAILED)
    assert logon is not None
    if logon.disabled_at is not None:
        raise AuthenticationFailed(LOGON_DISABLED)
    return _set_own_password(logon.id, new_password)


@writing
def _set_own_password(logon_id: int, new_password: str) -> Actor:
    logon = Logon.get_by_id(logon_id)
    text = check_new_password(new_password, username=logon.username, email=logon.email)
    logon.password_hash = logons.password_hasher().hash(text)
    logon.code_hash = None
    logon.code_expires_at = None
    logon.save(only=[Logon.password_hash, Logon.code_hash, Logon.code_expires_at])
    LoginFailure.delete().where(LoginFailure.username_key == logon.username_key[:64]).execute()
    actor = actor_for(logon)
    audit.record(actor, "staff_code_redeemed", username=logon.username)
    unlock_session(actor)
    return actor
