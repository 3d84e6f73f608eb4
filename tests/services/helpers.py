"""Small helpers for the service tests: making requests and grants the way the FAQ does,
reading what landed in the database, and snapshotting every table to prove a refused call
changed nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from mtc_desktop.domain.ids import IdType, format_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, GrantStatus, MessageKind, Role
from mtc_desktop.services import logons, requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import LineDecision, RequestDraft, RequestView
from mtc_desktop.store.models import (
    ALL_MODELS,
    AccessGrant,
    AuditEvent,
    Message,
    TaxAccount,
    Taxpayer,
)
from tests.conftest import PASSWORD

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot() -> Snapshot:
    """Every row of every table, in primary-key order."""
    return {
        model._meta.table_name: list(model.select().order_by(model._meta.primary_key).tuples())
        for model in ALL_MODELS
    }


def changed_tables(before: Snapshot, after: Snapshot) -> set[str]:
    return {name for name in before if before[name] != after[name]}


def draft(
    taxpayer: Taxpayer,
    lines: Iterable[tuple[TaxAccount | int, AccessLevel]],
    method: ApprovalMethod = ApprovalMethod.MASSTAXCONNECT,
    *,
    name: str | None = None,
) -> RequestDraft:
    """The request form filled in as a preparer would: the ID typed with its dashes."""
    id_type = IdType(taxpayer.id_type)
    return RequestDraft(
        id_type=id_type,
        id_number=format_id(id_type, taxpayer.id_number),
        legal_name=taxpayer.legal_name if name is None else name,
        lines=tuple(
            (account if isinstance(account, int) else account.id, level) for account, level in lines
        ),
        method=method,
    )


def ask(
    third_party: Actor,
    taxpayer: Taxpayer,
    lines: Iterable[tuple[TaxAccount | int, AccessLevel]],
    method: ApprovalMethod = ApprovalMethod.MASSTAXCONNECT,
) -> RequestView:
    return requests.request_access(third_party, draft(taxpayer, lines, method))


def as_requested(view: RequestView) -> list[LineDecision]:
    """Give Rights on every line, at the level asked for."""
    return [LineDecision(line.account.id, True, line.requested_level) for line in view.lines]


def grant_access(
    third_party: Actor,
    taxpayer: Taxpayer,
    decider: Actor,
    lines: Sequence[tuple[TaxAccount | int, AccessLevel]],
) -> RequestView:
    """Request and approve: online when ``decider`` is a taxpayer's logon, on a printed
    form recorded by DOR when ``decider`` is DOR staff."""
    if decider.role is Role.DOR_STAFF:
        view = ask(third_party, taxpayer, lines, ApprovalMethod.PRINTED_FORM)
        return requests.record_printed_form(
            decider, view.number, view.authorization_code, as_requested(view)
        )
    view = ask(third_party, taxpayer, lines)
    return requests.decide_request(decider, view.id, as_requested(view))


def active_grant_row(third_party: Actor, account: TaxAccount | int) -> AccessGrant | None:
    return AccessGrant.get_or_none(
        (AccessGrant.third_party == third_party.logon_id)
        & (AccessGrant.account == (account if isinstance(account, int) else account.id))
        & (AccessGrant.status == GrantStatus.ACTIVE.value)
    )


def active_levels(third_party: Actor) -> dict[int, AccessLevel]:
    """account id -> level of the third party's active grants, read from the table."""
    return {
        g.account_id: AccessLevel(g.level)
        for g in AccessGrant.select().where(
            (AccessGrant.third_party == third_party.logon_id)
            & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
    }


def messages_for(actor: Actor, kind: MessageKind | None = None) -> list[Message]:
    query = Message.select().where(Message.recipient == actor.logon_id)
    if kind is not None:
        query = query.where(Message.kind == kind.value)
    return list(query.order_by(Message.id))


def recipients_since(message_id: int) -> list[tuple[int | None, str, str]]:
    """(recipient logon, kind, address) of every message written after ``message_id``."""
    return [
        (m.recipient_id, m.kind, m.to_address)
        for m in Message.select().where(Message.id > message_id).order_by(Message.id)
    ]


def last_message_id() -> int:
    last = Message.select(Message.id).order_by(Message.id.desc()).first()
    return last.id if last else 0


def audit_actions(since: int = 0) -> list[str]:
    return [
        e.action for e in AuditEvent.select().where(AuditEvent.id > since).order_by(AuditEvent.id)
    ]


def last_audit_id() -> int:
    last = AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id.desc()).first()
    return last.id if last else 0


def register_third_party_for(username: str, business: Taxpayer) -> Actor:
    """A firm's logon for a business DOR already knows, so its own accounts come along."""
    return logons.register(
        logons.Registration(
            username=username,
            password=PASSWORD,
            email=f"{username}@firm.example",
            role=Role.THIRD_PARTY,
            id_type=IdType(business.id_type),
            id_number=business.id_number,
            legal_name=business.legal_name,
        )
    )
