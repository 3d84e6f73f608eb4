"""The messages the FAQ promises (DESIGN.md, "Messages the FAQ promises"), and the inbox.

Each message is written in the transaction of the change that causes it. An email keeps
its whole RFC 5322 text, ready for an outbox; an e-message lives only in the program.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mtc_desktop.domain.errors import NotFound
from mtc_desktop.domain.model import MessageKind, Role
from mtc_desktop.services.base import (
    Actor,
    after_commit,
    current_logon,
    now,
    reading,
    writing,
)
from mtc_desktop.store.models import Logon, Message, Taxpayer

# Told, in the writing thread, after a transaction that queued an email has committed.
_queued_listeners: list[Callable[[], None]] = []


def on_email_queued(listener: Callable[[], None]) -> Callable[[], None]:
    """Call ``listener`` after each commit that leaves an email waiting in the outbox (the
    background sender's nudge); it must return at once. Returns a function that stops it."""
    _queued_listeners.append(listener)

    def stop() -> None:
        if listener in _queued_listeners:
            _queued_listeners.remove(listener)

    return stop


def _tell_listeners() -> None:
    for listener in list(_queued_listeners):
        listener()


def email_queued() -> None:
    """An email waits to be sent: tell the listeners once the transaction commits."""
    after_commit(_tell_listeners)


def _write(
    kind: MessageKind,
    *,
    recipient: Logon | None,
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    request_id: int | None,
) -> Message:
    when = now()
    raw = ""
    if kind is MessageKind.EMAIL and to_address:
        from mtc_desktop.notify.compose import compose_email  # email.* is slow to import

        raw = compose_email(
            to_name=to_name, to_address=to_address, subject=subject, body=body, when=when
        ).as_string()
    if raw:
        email_queued()
    return Message.create(
        recipient=recipient,
        to_address=to_address,
        kind=kind.value,
        subject=subject,
        body=body,
        eml=raw,
        request=request_id,
        created_at=when,
    )


def email_logon(logon: Logon, subject: str, body: str, request_id: int | None = None) -> None:
    _write(
        MessageKind.EMAIL,
        recipient=logon,
        to_name=logon.display_name,
        to_address=logon.email,
        subject=subject,
        body=body,
        request_id=request_id,
    )


def emessage_logon(logon: Logon, subject: str, body: str, request_id: int | None = None) -> None:
    _write(
        MessageKind.EMESSAGE,
        recipient=logon,
        to_name=logon.display_name,
        to_address="",
        subject=subject,
        body=body,
        request_id=request_id,
    )


def email_taxpayer(
    taxpayer: Taxpayer, subject: str, body: str, request_id: int | None = None
) -> None:
    """Email every logon of the taxpayer; with none, the address DOR has on file."""
    logons = list(Logon.select().where(Logon.taxpayer == taxpayer.id, Logon.role == "taxpayer"))
    for logon in logons:
        email_logon(logon, subject, body, request_id)
    if not logons and taxpayer.email:
        _write(
            MessageKind.EMAIL,
            recipient=None,
            to_name=taxpayer.legal_name,
            to_address=taxpayer.email,
            subject=subject,
            body=body,
            request_id=request_id,
        )


def taxpayer_logons(taxpayer_id: int) -> Iterable[Logon]:
    return Logon.select().where(Logon.taxpayer == taxpayer_id, Logon.role == "taxpayer")


@dataclass(frozen=True)
class InboxItem:
    id: int
    kind: MessageKind
    subject: str
    body: str
    received_at: dt.datetime
    read: bool

    @property
    def kind_label(self) -> str:
        return self.kind.label


@reading
def inbox(actor: Actor, limit: int = 500) -> list[InboxItem]:
    current_logon(actor)
    rows = (
        Message.select()
        .where(Message.recipient == actor.logon_id)
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
    )
    return [
        InboxItem(
            id=m.id,
            kind=MessageKind(m.kind),
            subject=m.subject,
            body=m.body,
            received_at=m.created_at,
            read=m.read_at is not None,
        )
        for m in rows
    ]


@dataclass(frozen=True)
class InboxCounts:
    """How many messages the logon's inbox holds, and how many of them are unread: the one
    count the header's *Inbox* link, the Inbox page and the home page all show."""

    total: int
    unread: int

    @property
    def text(self) -> str:
        if not self.total:
            return "No messages yet. DOR's emails and e-messages to you appear here."
        return f"{self.total} message{'s' if self.total != 1 else ''}, {self.unread} unread."


@reading
def inbox_counts(actor: Actor) -> InboxCounts:
    mine = Message.recipient == actor.logon_id
    return InboxCounts(
        total=int(Message.select().where(mine).count()),
        unread=int(Message.select().where(mine & Message.read_at.is_null()).count()),
    )


def unread_count(actor: Actor) -> int:
    return inbox_counts(actor).unread


@writing
def mark_read(actor: Actor, message_id: int) -> bool:
    updated = (
        Message.update(read_at=now())
        .where(
            (Message.id == message_id)
            & (Message.recipient == actor.logon_id)
            & Message.read_at.is_null()
        )
        .execute()
    )
    if (
        not updated
        and not Message.select()
        .where((Message.id == message_id) & (Message.recipient == actor.logon_id))
        .exists()
    ):
        raise NotFound("That message is not in your inbox.")
    return True


@reading
def raw_email(actor: Actor, message_id: int) -> str:
    """The RFC 5322 text of an email, for saving as .eml: the recipient's own, or any email
    in the outbox for DOR staff."""
    if current_logon(actor).role == Role.DOR_STAFF.value:
        message = Message.get_or_none(
            (Message.id == message_id) & (Message.kind == MessageKind.EMAIL.value)
        )
        where = "the outbox"
    else:
        message = Message.get_or_none(
            (Message.id == message_id) & (Message.recipient == actor.logon_id)
        )
        where = "your inbox"
    if message is None or not message.eml:
        raise NotFound(f"That email is not in {where}.")
    return str(message.eml)
