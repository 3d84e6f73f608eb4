"""Logons: registering (the holder chooses username and password), logging in, passwords.

Passwords are hashed with argon2id (argon2-cffi's RFC 9106 defaults, above OWASP's
minimum) and rehashed at login when the parameters change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from peewee import IntegrityError

from mtc_desktop.domain.errors import AuthenticationFailed, InvalidInput, NotAllowed
from mtc_desktop.domain.ids import IdType, normalize_id, normalize_third_party_id
from mtc_desktop.domain.model import Role, TaxpayerKind
from mtc_desktop.domain.passwords import check_new_password, normalize_password
from mtc_desktop.domain.text import clean_name, clean_username, name_key, username_key
from mtc_desktop.services import audit
from mtc_desktop.services.base import (
    LOGON_DISABLED,
    Actor,
    actor_for,
    current_logon,
    now,
    reading,
    transaction,
    unlock_session,
    writing,
)
from mtc_desktop.services.taxpayers import NO_MATCH, create_taxpayer, grant_own_business
from mtc_desktop.store.models import LoginFailure, Logon, Taxpayer, db

LOGIN_FAILED = "The username or password is not correct."

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures take the same time. It
# is the hash of a random secret nobody kept, made with the default parameters; hashing one
# at import time would add a tenth of a second and 64 MiB to every start.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$M3/1oU9aEUCbHZ3dbd3O3g"
    "$MB/pjFFinlB0I4XhuIeIa57vTvs501b01cRdxqQah0Y"
)


def set_password_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (tests use cheaper parameters)."""
    global _hasher, _DUMMY_HASH
    _hasher = hasher
    _DUMMY_HASH = hasher.hash("not a password of anyone's, ever")


def password_hasher() -> PasswordHasher:
    return _hasher


def clean_email(raw: str) -> tuple[str, str]:
    """The address as stored and the key compared for uniqueness."""
    # Imported here: it builds large tables at import, and only registration needs it.
    from email_validator import EmailNotValidError, validate_email

    text = raw.strip()
    if not text:
        raise InvalidInput("Enter an email address; DOR sends its notices there.", "email")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(f"This email address is not valid: {exc}", "email") from exc
    address = result.normalized
    local, _, domain = address.rpartition("@")
    # Compare case-insensitively, and an internationalized domain in its ASCII form.
    key = f"{local.casefold()}@{(result.ascii_domain or domain).casefold()}"
    return address, key


@dataclass(frozen=True)
class Registration:
    username: str
    password: str
    email: str
    role: Role
    id_type: IdType
    id_number: str
    legal_name: str


def _validate(reg: Registration) -> tuple[str, str, str, str, str]:
    errors: dict[str, str] = {}
    username = email = email_key = digits = name = ""
    try:
        username = clean_username(reg.username)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        email, email_key = clean_email(reg.email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        check_new_password(reg.password, username=reg.username, email=reg.email)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        if reg.role is Role.THIRD_PARTY:
            digits = normalize_third_party_id(reg.id_type, reg.id_number)
        else:
            digits = normalize_id(reg.id_type, reg.id_number)
    except InvalidInput as exc:
        errors.update(exc.errors)
    try:
        name = clean_name(reg.legal_name)
    except InvalidInput as exc:
        errors.update(exc.errors)
    if reg.role is Role.DOR_STAFF:
        errors["role"] = "DOR staff logons are made by DOR, not registered here."
    if errors:
        raise InvalidInput(errors)
    return username, email, email_key, digits, name


def _new_identity(id_type: IdType, digits: str, name: str, email: str) -> Taxpayer:
    """A third party's own identity, new to DOR; or the one another workstation registered
    a moment ago (two partners of one firm at once), if its name matches. The insert runs
    in a savepoint: on PostgreSQL a refused statement would otherwise end the transaction."""
    kind = TaxpayerKind.BUSINESS if id_type is IdType.FEIN else TaxpayerKind.INDIVIDUAL
    try:
        with db.atomic():
            return create_taxpayer(id_type, digits, name, kind, email=email)
    except IntegrityError:
        taxpayer = Taxpayer.get(
            (Taxpayer.id_type == id_type.value) & (Taxpayer.id_number == digits)
        )
        if taxpayer.name_key != name_key(name):
            raise InvalidInput(NO_MATCH, "legal_name") from None
        return taxpayer


@writing
def register(reg: Registration) -> Actor:
    """Create a logon chosen by its holder and return it, logged in.

    A taxpayer registers for an identity DOR knows (ID and legal name must match). A third
    party registers with its own SSN or FEIN; an unknown identity is created for it.
    """
    username, email, email_key, digits, name = _validate(reg)
    if Logon.select().where(Logon.username_key == username_key(username)).exists():
        raise InvalidInput("This username is taken; choose another.", "username")
    if Logon.select().where(Logon.email_key == email_key).exists():
        raise InvalidInput(
            "This email address is already used by another logon; shared email addresses "
            "are not allowed. Use your own address.",
            "email",
        )
    taxpayer = Taxpayer.get_or_none(
        (Taxpayer.id_type == reg.id_type.value) & (Taxpayer.id_number == digits)
    )
    if taxpayer is not None and taxpayer.name_key != name_key(name):
        raise InvalidInput(NO_MATCH, "legal_name")
    if taxpayer is None:
        if reg.role is not Role.THIRD_PARTY:
            raise InvalidInput(NO_MATCH, "legal_name")
        taxpayer = _new_identity(reg.id_type, digits, name, email)
    try:
        logon = Logon.create(
            username=username,
            username_key=username_key(username),
            email=email,
            email_key=email_key,
            password_hash=_hasher.hash(normalize_password(reg.password)),
            role=reg.role.value,
            taxpayer=taxpayer,
            display_name=taxpayer.legal_name,
        )
    except IntegrityError as exc:  # another workstation took the name a moment ago
        raise InvalidInput(
            "This username or email address was just taken; choose another."
        ) from exc
    actor = actor_for(logon)
    audit.record(actor, "logon_created", taxpayer=taxpayer.id, role=reg.role.value)
    if reg.role is Role.THIRD_PARTY:
        grant_own_business(logon, taxpayer)
    return actor


# Growing delays after failed logins, per username typed (known or not, so that the answer
# never tells which usernames exist): the first few are free, then 1 s, 2 s, 4 s, ... 15 min.
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 15 * 60


def login_delay(failures: int) -> int:
    """Seconds to wait after ``failures`` failed logins in a row."""
    if failures < FREE_FAILURES:
        return 0
    return int(min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS))


def _failure_key(username: str) -> str:
    return username_key(username)[:64]


def dummy_hash() -> str:
    """A hash to verify against when there is none, so that every answer takes as long."""
    return _DUMMY_HASH


def wait_before_login(key: str) -> None:
    """Refuse a try while the delay earned by earlier failed ones runs (call in a
    transaction)."""
    failed = LoginFailure.get_or_none(LoginFailure.username_key == key)
    if failed is not None and failed.last_failed_at is not None:
        wait = login_delay(failed.failures)
        ready = failed.last_failed_at + dt.timedelta(seconds=wait)
        if now() < ready:
            seconds = max(1, int((ready - now()).total_seconds() + 0.999))
            raise AuthenticationFailed(
                f"Too many failed attempts to log in as this user. Wait {seconds} "
                f"second{'s' if seconds != 1 else ''}, then try again."
            )


def count_failed_login(key: str) -> None:
    LoginFailure.insert(username_key=key, failures=1, last_failed_at=now()).on_conflict(
        conflict_target=[LoginFailure.username_key],
        update={
            LoginFailure.failures: LoginFailure.failures + 1,
            LoginFailure.last_failed_at: now(),
        },
    ).execute()


CODE_NOT_PASSWORD = (
    "This is a one-time code, not a password: choose your password with it under "
    "Use a One-Time Code."
)


def log_in(username: str, password: str) -> Actor:
    """The logon for these credentials; the same answer for an unknown user and a wrong
    password. Failed attempts are counted in the database and slow further tries down. A
    logon still waiting for its first password (a staff member's one-time code) cannot log
    in; a disabled logon is refused once its password is right."""
    key = _failure_key(username)
    code_typed = False
    with transaction():
        wait_before_login(key)
        failed = LoginFailure.get_or_none(LoginFailure.username_key == key)
        logon = Logon.get_or_none(Logon.username_key == username_key(username))
        candidate = normalize_password(password)
        has_password = logon is not None and bool(logon.password_hash)
        try:
            stored = logon.password_hash if logon is not None and has_password else _DUMMY_HASH
            _hasher.verify(stored, candidate)
            correct = has_password
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            correct = False
        if not correct and logon is not None and not has_password and logon.code_hash:
            # Someone typing their one-time code as a password is told where it goes.
            code = "".join(ch for ch in candidate.upper() if ch.isalnum())
            try:
                code_typed = bool(_hasher.verify(logon.code_hash, code))
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                code_typed = False
        if not correct and not code_typed:
            count_failed_login(key)
        elif correct:
            assert logon is not None
            if failed is not None:
                failed.delete_instance()
            if _hasher.check_needs_rehash(logon.password_hash):
                logon.password_hash = _hasher.hash(candidate)
                logon.save(only=[Logon.password_hash])
    # Outside the transaction, so that the failure counted above stays counted.
    if code_typed:
        raise AuthenticationFailed(CODE_NOT_PASSWORD)
    if not correct:
        raise AuthenticationFailed(LOGIN_FAILED)
    assert logon is not None
    if logon.disabled_at is not None:
        raise AuthenticationFailed(LOGON_DISABLED)
    actor = actor_for(logon)
    unlock_session(actor)  # a fresh login ends any lock of an earlier window
    return actor


@reading
def verify_password(actor: Actor, password: str) -> bool:
    """For unlocking an idle window: is this the actor's password? If so, the services
    the lock refused (``lock_session``) serve the actor again."""
    logon = Logon.get_or_none((Logon.id == actor.logon_id) & (Logon.role == actor.role.value))
    if logon is None:
        raise NotAllowed("Your logon is no longer valid. Log in again.")
    try:
        correct = bool(_hasher.verify(logon.password_hash, normalize_password(password)))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    if correct:
        unlock_session(actor)
    return correct


@writing
def change_password(actor: Actor, old_password: str, new_password: str) -> None:
    """Only the holder changes a password, and only knowing the old one (rule 8)."""
    logon = current_logon(actor)
    try:
        _hasher.verify(logon.password_hash, normalize_password(old_password))
    except (VerifyMismatchError, VerificationError, InvalidHashError) as exc:
        raise InvalidInput("The current password is not correct.", "old_password") from exc
    text = check_new_password(new_password, username=logon.username, email=logon.email)
    logon.password_hash = _hasher.hash(text)
    logon.save(only=[Logon.password_hash])
    audit.record(actor, "password_changed", taxpayer=logon.taxpayer_id)


@dataclass(frozen=True)
class Profile:
    username: str
    email: str
    role: Role
    display_name: str
    id_type: IdType | None
    masked_id: str
    client_view: bool


@reading
def profile(actor: Actor) -> Profile:
    from mtc_desktop.domain.ids import mask_id

    logon = current_logon(actor)
    taxpayer = logon.taxpayer
    return Profile(
        username=logon.username,
        email=logon.email,
        role=Role(logon.role),
        display_name=logon.display_name,
        id_type=IdType(taxpayer.id_type) if taxpayer else None,
        masked_id=mask_id(IdType(taxpayer.id_type), taxpayer.id_number) if taxpayer else "",
        client_view=bool(logon.client_view),
    )


def create_staff_logon(
    username: str, password: str, email: str, display_name: str, *, administrator: bool = False
) -> Actor:
    """A DOR staff logon, made by DOR (the command line or demo data), never self-registered."""
    name = clean_username(username)
    address, key = clean_email(email)
    text = check_new_password(password, username=username, email=email)
    if (
        Logon.select()
        .where((Logon.username_key == username_key(name)) | (Logon.email_key == key))
        .exists()
    ):
        raise NotAllowed("A logon with this username or email address exists already.")
    logon = Logon.create(
        username=name,
        username_key=username_key(name),
        email=address,
        email_key=key,
        password_hash=_hasher.hash(text),
        role=Role.DOR_STAFF.value,
        taxpayer=None,
        display_name=clean_name(display_name, "name", "display_name"),
        administrator=administrator,
    )
    actor = actor_for(logon)
    audit.record(actor, "logon_created", role=Role.DOR_STAFF.value)
    return actor
