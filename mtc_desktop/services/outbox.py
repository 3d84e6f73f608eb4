"""The outbox: delivering over SMTP the emails the services wrote, and the email server.

Every email is written whole (RFC 5322) in the transaction of the change that caused it
(notifications.py). Delivery comes later, outside any transaction, from whichever
workstation gets to it first: :func:`deliver_due` runs in each open program's background
sender, and the database decides who sends what.

**At most once.** Before an email is handed to the server, one conditional UPDATE claims
it — sets a claim token and a claim time limit where no one holds it, it is neither sent
nor failed, and it is due — and only the sender whose UPDATE changed the row sends it.
The outcome is recorded after the server answers. A sender that dies in between leaves
its claim to run out; the email is then marked failed ("may or may not have been
delivered"), never sent again on its own, and DOR staff decide with *Retry Now*. We chose
at-most-once over at-least-once because a notice about someone's tax accounts arriving
twice looks like two events, and because the only emails it can leave undelivered are
those few caught mid-send, which the Outbox lists as failed so none is lost unseen.

With no server set up nothing is sent and nothing is lost: emails wait, and go out once a
server is saved. The password is kept in the database with the other settings (a file
only its owner can read, or the office's PostgreSQL), so that every workstation can send;
``MTC_SMTP_PASSWORD`` in the environment takes precedence, for an office that keeps
secrets out of the database.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
import secrets
from dataclasses import dataclass
from typing import Any

from peewee import Expression

from mtc_desktop.domain.errors import InvalidInput, MtcError, NotFound, StateConflict
from mtc_desktop.domain.model import MessageKind, Role
from mtc_desktop.notify.smtp import (
    DeliveryFailure,
    PermanentFailure,
    Security,
    ServerConfig,
    SmtpSession,
    TemporaryFailure,
    UncertainFailure,
    send_one,
)
from mtc_desktop.services import audit
from mtc_desktop.services.base import (
    Actor,
    now,
    reading,
    require_role,
    transaction,
    writing,
)
from mtc_desktop.services.notifications import email_queued
from mtc_desktop.store.database import environment_errors
from mtc_desktop.store.models import Message, Setting

__all__ = [
    "PASSWORD_ENV",
    "DeliveryReport",
    "DeliveryState",
    "DeliverySummary",
    "EmailNotSent",
    "EmailServer",
    "OutboxRow",
    "Security",
    "ServerSettings",
    "deliver_due",
    "delivery_summary",
    "email_server",
    "outbox",
    "retry_delay",
    "retry_now",
    "save_email_server",
    "send_test_email",
    "server_configured",
]

PASSWORD_ENV = "MTC_SMTP_PASSWORD"
BATCH = 50
# Long enough for one message's whole SMTP exchange at the client's time-outs.
CLAIM = dt.timedelta(minutes=10)
FIRST_RETRY = dt.timedelta(minutes=1)
LAST_RETRY = dt.timedelta(hours=1)
INTERRUPTED = (
    "Sending was interrupted before the server's answer was recorded, so the email may or "
    "may not have been delivered. Retry Now sends it again."
)

_HOST = "smtp_host"
_PORT = "smtp_port"
_SECURITY = "smtp_security"
_USERNAME = "smtp_username"
_PASSWORD = "smtp_password"
_FROM = "smtp_from_address"
_KEYS = (_HOST, _PORT, _SECURITY, _USERNAME, _PASSWORD, _FROM)


class EmailNotSent(MtcError):
    """The test email did not go out; the message gives the server's reason."""


# --- the email server -----------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSettings:
    """The email server as typed in the Email Server dialog."""

    host: str
    port: int
    security: Security = Security.STARTTLS
    username: str = ""
    # None keeps the saved password; "" removes it.
    password: str | None = None
    from_address: str = ""


@dataclass(frozen=True)
class EmailServer:
    """The saved email server, as DOR staff see it: never the password itself."""

    host: str = ""
    port: int = Security.STARTTLS.default_port
    security: Security = Security.STARTTLS
    username: str = ""
    from_address: str = ""
    password_saved: bool = False
    password_from_environment: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security.label})" if self.host else ""


def _stored() -> dict[str, str]:
    return {row.key: row.value for row in Setting.select().where(Setting.key.in_(_KEYS))}


def _saved_server(values: dict[str, str]) -> EmailServer:
    try:
        security = Security(values.get(_SECURITY, Security.STARTTLS.value))
    except ValueError:
        security = Security.STARTTLS
    port = values.get(_PORT, "")
    return EmailServer(
        host=values.get(_HOST, ""),
        port=int(port) if port.isdigit() else security.default_port,
        security=security,
        username=values.get(_USERNAME, ""),
        from_address=values.get(_FROM, ""),
        password_saved=bool(values.get(_PASSWORD)),
        password_from_environment=bool(os.environ.get(PASSWORD_ENV)),
    )


def _password(values: dict[str, str]) -> str:
    return os.environ.get(PASSWORD_ENV) or values.get(_PASSWORD, "")


def _server_config() -> ServerConfig | None:
    """What the sender connects with; None while no server is set up."""
    values = _stored()
    server = _saved_server(values)
    if not server.configured:
        return None
    return ServerConfig(
        host=server.host,
        port=server.port,
        security=server.security,
        username=server.username,
        password=_password(values) if server.username else "",
        from_address=server.from_address,
    )


@reading
def server_configured() -> bool:
    """Whether an email server is set up (the background sender asks before each round)."""
    return bool(_stored().get(_HOST))


@reading
def email_server(actor: Actor) -> EmailServer:
    require_role(actor, Role.DOR_STAFF)
    return _saved_server(_stored())


_HOST_PATTERN = re.compile(r"[A-Za-z0-9._:\[\]-]{1,253}")


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 or ord(c) == 127 for c in text)


def _clean_address(raw: str, field: str, errors: dict[str, str]) -> str:
    from mtc_desktop.services.logons import clean_email

    try:
        address, _ = clean_email(raw)
    except InvalidInput as exc:
        errors[field] = exc.message
        return ""
    if not address.isascii():
        errors[field] = "Use an address in plain ASCII letters; email servers expect one."
        return ""
    return address


def _checked(settings: ServerSettings, *, need_host: bool) -> ServerSettings:
    """The settings trimmed, or InvalidInput naming each wrong field."""
    errors: dict[str, str] = {}
    host = settings.host.strip()
    if not host:
        if need_host:
            errors["host"] = "Type the email server's name, e.g. smtp.example.org."
    elif not _HOST_PATTERN.fullmatch(host):
        errors["host"] = (
            "A server name holds only letters, digits, dots and dashes "
            "(or is an IP address), e.g. smtp.example.org."
        )
    if not 1 <= settings.port <= 65535:
        errors["port"] = "The port is a number from 1 to 65535 (587 for STARTTLS, 465 for SSL)."
    username = settings.username.strip()
    if _has_control(username) or len(username) > 254:
        errors["username"] = "The username is one line of at most 254 characters."
    if settings.password is not None and (
        _has_control(settings.password) or len(settings.password) > 1000
    ):
        errors["password"] = "The password is one line, without line breaks."
    from_address = settings.from_address.strip()
    if from_address:
        from_address = _clean_address(from_address, "from_address", errors)
    if errors:
        raise InvalidInput(errors)
    return ServerSettings(
        host=host,
        port=settings.port,
        security=settings.security,
        username=username,
        password=settings.password,
        from_address=from_address,
    )


def _public(server: EmailServer) -> dict[str, Any]:
    return {
        "host": server.host,
        "port": server.port,
        "security": server.security.value,
        "username": server.username,
        "from_address": server.from_address,
    }


@writing
def save_email_server(actor: Actor, settings: ServerSettings) -> EmailServer:
    """DOR staff set the email server; an empty server name turns delivery off."""
    require_role(actor, Role.DOR_STAFF)
    settings = _checked(settings, need_host=False)
    values = _stored()
    old = _saved_server(values)
    new_values = {
        _HOST: settings.host,
        _PORT: str(settings.port),
        _SECURITY: settings.security.value,
        _USERNAME: settings.username,
        _FROM: settings.from_address,
    }
    password_change = "kept"
    if not settings.username:
        if values.get(_PASSWORD):
            password_change = "removed"
        new_values[_PASSWORD] = ""
    elif settings.password is not None and settings.password != values.get(_PASSWORD, ""):
        password_change = "changed" if settings.password else "removed"
        new_values[_PASSWORD] = settings.password
    for key, value in new_values.items():
        if value:
            Setting.insert(key=key, value=value).on_conflict(
                conflict_target=[Setting.key], update={Setting.value: value}
            ).execute()
        else:
            Setting.delete().where(Setting.key == key).execute()
    new = _saved_server(_stored())
    if _public(old) != _public(new) or password_change != "kept":
        audit.record(
            actor,
            "setting_changed",
            key="email_server",
            old=_public(old),
            new=_public(new),
            password=password_change,
        )
    if new.configured:
        email_queued()  # emails that waited for a server can go now
    return new


TEST_SUBJECT = "MTC Desktop test email"
TEST_BODY = (
    "This is a test email from MTC Desktop.\n\n"
    "It was sent to check the email server settings. No action is needed.\n"
)


@reading
def send_test_email(actor: Actor, settings: ServerSettings, to_address: str) -> str:
    """Send one test email through ``settings`` (saved or not) to ``to_address`` and say
    so; EmailNotSent with the server's reason if it did not go. The password, when None,
    is the saved one. Talks to the network: call it off the GUI thread."""
    require_role(actor, Role.DOR_STAFF)
    errors: dict[str, str] = {}
    try:
        settings = _checked(settings, need_host=True)
    except InvalidInput as exc:
        errors.update(exc.errors)
    to = _clean_address(to_address, "to_address", errors) if to_address.strip() else ""
    if not to and "to_address" not in errors:
        errors["to_address"] = "Type the address to send the test email to."
    if errors:
        raise InvalidInput(errors)
    password = settings.password
    if password is None:
        password = _password(_stored())
    config = ServerConfig(
        host=settings.host,
        port=settings.port,
        security=settings.security,
        username=settings.username,
        password=password if settings.username else "",
        from_address=settings.from_address,
    )
    from mtc_desktop.notify.compose import DOR_SENDER_ADDRESS, compose_email

    raw = compose_email(
        to_name="",
        to_address=to,
        subject=TEST_SUBJECT,
        body=TEST_BODY,
        when=now(),
        sender_address=settings.from_address or DOR_SENDER_ADDRESS,
    ).as_string()
    try:
        send_one(config, raw, to)
    except DeliveryFailure as exc:
        raise EmailNotSent(f"The test email was not sent. {exc.reply}") from exc
    return f"A test email was sent to {to} through {config.describe()}."


# --- delivery -------------------------------------------------------------------------------


def retry_delay(attempts: int) -> dt.timedelta:
    """How long after the ``attempts``-th failed try the next one comes: 1 minute after
    the first, then 2, 4, 8 … and never more than an hour."""
    return min(FIRST_RETRY * 2 ** min(max(attempts - 1, 0), 12), LAST_RETRY)


def _emails() -> Expression:
    return (Message.kind == MessageKind.EMAIL.value) & (Message.eml != "")


def _unsettled() -> Expression:
    return Message.sent_at.is_null() & Message.failed_at.is_null()


def _due(at: dt.datetime) -> Expression:
    return (
        _emails()
        & _unsettled()
        & Message.claim_token.is_null()
        & (Message.next_attempt_at.is_null() | (Message.next_attempt_at <= at))
    )


@dataclass(frozen=True)
class DeliveryReport:
    """What one round of :func:`deliver_due` did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Why the round stopped early (the server could not be reached...), else "".
    error: str = ""


def _give_up_interrupted(at: dt.datetime) -> int:
    """Claims that ran out without an outcome: the sender died mid-send. At most once:
    mark them failed, never send them again on our own."""
    with transaction():
        return int(
            Message.update(
                failed_at=at, last_error=INTERRUPTED, claim_token=None, claimed_until=None
            )
            .where(
                _unsettled() & Message.claim_token.is_null(False) & (Message.claimed_until <= at)
            )
            .execute()
        )


def _claim(message_id: int) -> tuple[str, int] | None:
    """Claim one due email for this sender: (token, attempts so far), or None if another
    sender has it or it is no longer due."""
    token = secrets.token_hex(16)
    at = now()
    with transaction():
        won = (
            Message.update(
                claim_token=token,
                claimed_until=at + CLAIM,
                attempts=Message.attempts + 1,
            )
            .where((Message.id == message_id) & _due(at))
            .execute()
        )
        if not won:
            return None
        attempts = Message.select(Message.attempts).where(Message.id == message_id).scalar()
    return token, int(attempts)


def _sent(message_id: int) -> None:
    with transaction():
        Message.update(
            sent_at=now(),
            failed_at=None,
            last_error="",
            next_attempt_at=None,
            claim_token=None,
            claimed_until=None,
        ).where((Message.id == message_id) & Message.sent_at.is_null()).execute()


def _retry_later(message_id: int, token: str, attempts: int, reply: str) -> None:
    with transaction():
        Message.update(
            next_attempt_at=now() + retry_delay(attempts),
            last_error=reply,
            claim_token=None,
            claimed_until=None,
        ).where((Message.id == message_id) & (Message.claim_token == token)).execute()


def _failed(message_id: int, token: str, reply: str) -> None:
    with transaction():
        Message.update(
            failed_at=now(), last_error=reply, claim_token=None, claimed_until=None
        ).where((Message.id == message_id) & (Message.claim_token == token)).execute()


def _server_unreachable(due: list[Message], reply: str) -> int:
    """The server could not be reached: each due email counts a try and waits its turn."""
    at = now()
    count = 0
    with transaction():
        for message in due:
            count += (
                Message.update(
                    attempts=Message.attempts + 1,
                    last_error=reply,
                    next_attempt_at=at + retry_delay(message.attempts + 1),
                )
                .where((Message.id == message.id) & _due(at))
                .execute()
            )
    return count


def deliver_due(limit: int = BATCH) -> DeliveryReport:
    """Send up to ``limit`` due emails, oldest first, over one SMTP connection.

    Sent emails get ``sent_at``; a temporary failure (no connection, a time-out, a 4xx
    reply) waits :func:`retry_delay` and records the error; a recipient refused for good
    (5xx) is failed with the server's reply and not tried again. Safe to call from several
    threads and workstations at once: each email is claimed before it is sent. With no
    server set up, or nothing due, it touches no network."""
    with environment_errors():
        config = _server_config()
        if config is None:
            return DeliveryReport()
        interrupted = _give_up_interrupted(now())
        due = list(
            Message.select(Message.id, Message.to_address, Message.eml, Message.attempts)
            .where(_due(now()))
            .order_by(Message.created_at, Message.id)
            .limit(limit)
        )
        if not due:
            return DeliveryReport(failed=interrupted)
        session = SmtpSession(config)
        try:
            session.open()
        except TemporaryFailure as exc:
            waiting = _server_unreachable(due, exc.reply)
            return DeliveryReport(retrying=waiting, failed=interrupted, error=exc.reply)
        sent = retrying = failed = 0
        error = ""
        try:
            for message in due:
                claim = _claim(message.id)
                if claim is None:
                    continue  # another sender has it
                token, attempts = claim
                try:
                    session.send(message.eml, message.to_address)
                except (PermanentFailure, UncertainFailure) as exc:
                    _failed(message.id, token, exc.reply)
                    failed += 1
                    lost = exc.connection_lost
                    reply = exc.reply
                except TemporaryFailure as exc:
                    _retry_later(message.id, token, attempts, exc.reply)
                    retrying += 1
                    lost = exc.connection_lost
                    reply = exc.reply
                else:
                    _sent(message.id)
                    sent += 1
                    continue
                if lost:
                    error = reply
                    break  # the rest stay due for the next round
        finally:
            session.close()
        return DeliveryReport(
            sent=sent, retrying=retrying, failed=failed + interrupted, error=error
        )


# --- the Outbox, for DOR staff ----------------------------------------------------------------


class DeliveryState(enum.Enum):
    WAITING = "waiting"
    SENT = "sent"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True)
class OutboxRow:
    id: int
    to_address: str
    subject: str
    created_at: dt.datetime
    attempts: int
    last_error: str
    next_attempt_at: dt.datetime | None
    sent_at: dt.datetime | None
    failed_at: dt.datetime | None
    # A sender holds it right now.
    sending: bool = False

    @property
    def state(self) -> DeliveryState:
        if self.sent_at is not None:
            return DeliveryState.SENT
        if self.failed_at is not None:
            return DeliveryState.FAILED
        return DeliveryState.WAITING

    @property
    def retrying(self) -> bool:
        """Waiting after a failed try, until ``next_attempt_at``."""
        return self.state is DeliveryState.WAITING and self.next_attempt_at is not None


_ROW_FIELDS = (
    Message.id,
    Message.to_address,
    Message.subject,
    Message.created_at,
    Message.attempts,
    Message.last_error,
    Message.next_attempt_at,
    Message.sent_at,
    Message.failed_at,
    Message.claim_token,
    Message.claimed_until,
)


def _row(m: Message, at: dt.datetime) -> OutboxRow:
    held = m.claim_token is not None and m.sent_at is None and m.failed_at is None
    interrupted = held and m.claimed_until is not None and m.claimed_until <= at
    return OutboxRow(
        id=m.id,
        to_address=m.to_address,
        subject=m.subject,
        created_at=m.created_at,
        attempts=m.attempts,
        last_error=INTERRUPTED if interrupted else m.last_error,
        next_attempt_at=m.next_attempt_at,
        sent_at=m.sent_at,
        # A claim that ran out is a failure the next round records; show it as one now.
        failed_at=m.claimed_until if interrupted else m.failed_at,
        sending=held and not interrupted,
    )


def _in_state(state: DeliveryState, at: dt.datetime) -> Expression:
    ran_out = Message.claim_token.is_null(False) & (Message.claimed_until <= at)
    if state is DeliveryState.SENT:
        return Message.sent_at.is_null(False)
    if state is DeliveryState.FAILED:
        return Message.sent_at.is_null() & (Message.failed_at.is_null(False) | ran_out)
    return _unsettled() & ~ran_out


@reading
def outbox(
    actor: Actor, *, state: DeliveryState | None = None, limit: int = 500
) -> list[OutboxRow]:
    """The emails, newest first; only those in ``state`` when given. DOR staff only."""
    require_role(actor, Role.DOR_STAFF)
    at = now()
    where = _emails()
    if state is not None:
        where &= _in_state(state, at)
    rows = (
        Message.select(*_ROW_FIELDS)
        .where(where)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return [_row(m, at) for m in rows]


@dataclass(frozen=True)
class DeliverySummary:
    waiting: int
    retrying: int
    failed: int
    sent: int
    # The server emails go through, e.g. "smtp.example.org:587 (STARTTLS)"; "" for none.
    server: str

    @property
    def configured(self) -> bool:
        return bool(self.server)


@reading
def delivery_summary(actor: Actor) -> DeliverySummary:
    """How many emails wait (some of them to retry), failed, and were sent."""
    require_role(actor, Role.DOR_STAFF)
    at = now()

    def count(where: Expression) -> int:
        return int(Message.select().where(_emails() & where).count())

    return DeliverySummary(
        waiting=count(_in_state(DeliveryState.WAITING, at)),
        retrying=count(
            _in_state(DeliveryState.WAITING, at) & Message.next_attempt_at.is_null(False)
        ),
        failed=count(_in_state(DeliveryState.FAILED, at)),
        sent=count(_in_state(DeliveryState.SENT, at)),
        server=_saved_server(_stored()).describe(),
    )


@writing
def retry_now(actor: Actor, message_id: int) -> OutboxRow:
    """Make a waiting or failed email due at once (the sender is nudged). A failed one is
    tried again, even one that may have been delivered: DOR staff decide that."""
    require_role(actor, Role.DOR_STAFF)
    at = now()
    message = Message.get_or_none((Message.id == message_id) & _emails())
    if message is None:
        raise NotFound("That email is not in the outbox.")
    row = _row(message, at)
    if row.state is DeliveryState.SENT:
        raise StateConflict("That email has already been sent; it is not sent again.")
    if row.sending:
        raise StateConflict("That email is being sent right now. Wait a moment.")
    Message.update(
        next_attempt_at=None, failed_at=None, claim_token=None, claimed_until=None
    ).where(
        (Message.id == message_id)
        & Message.sent_at.is_null()
        & (Message.claim_token.is_null() | (Message.claimed_until <= at))
    ).execute()
    audit.record(
        actor,
        "email_retried",
        message=message_id,
        to=message.to_address,
        was=row.state.value,
        last_error=row.last_error,
    )
    email_queued()
    return _row(Message.get_by_id(message_id), at)
