"""Audit events: one per change of state, written in the change's own transaction."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from mtc_desktop.domain.errors import NotAllowed
from mtc_desktop.domain.model import AccountType, Role
from mtc_desktop.services.base import Actor, now, reading, require_taxpayer_side
from mtc_desktop.store.models import AuditEvent, Logon, TaxAccount

# What each action is called on screen.
ACTION_LABELS = {
    "logon_created": "Logon created",
    "password_changed": "Password changed",
    "request_created": "Access requested",
    "request_withdrawn": "Request withdrawn",
    "request_approved": "Request approved",
    "request_denied": "Request denied",
    "request_expired": "Request expired",
    "printed_form_recorded": "Printed form recorded by DOR",
    "grant_created": "Access granted",
    "grant_level_changed": "Access level changed",
    "grant_cancelled": "Access cancelled",
    "general_access_cancelled": "General Access cancelled",
    "favorite_added": "Marked as favorite",
    "favorite_removed": "Favorite removed",
    "client_view_changed": "Client view changed",
    "return_filed": "Return filed",
    "payment_made": "Payment made",
    "correspondence_mailed": "Correspondence mailed",
    "setting_changed": "Setting changed",
    "email_retried": "Email queued to send again",
}


def record(
    actor: Actor | None,
    action: str,
    *,
    third_party: int | None = None,
    taxpayer: int | None = None,
    request: int | None = None,
    account: int | None = None,
    **details: Any,
) -> AuditEvent:
    """Write one audit event. Call inside the transaction of the change it describes."""
    assert action in ACTION_LABELS, action
    return AuditEvent.create(
        at=now(),
        actor=actor.logon_id if actor else None,
        action=action,
        third_party=third_party,
        taxpayer=taxpayer,
        request=request,
        account=account,
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
    )


@dataclass(frozen=True)
class HistoryEntry:
    at: dt.datetime
    action: str
    label: str
    who: str
    details: dict[str, Any]
    account: str = ""


def _who(logon_id: int | None, names: dict[int, str]) -> str:
    if logon_id is None:
        return "MassTaxConnect (automatic)"
    return names.get(logon_id, "?")


@reading
def history_with_third_party(actor: Actor, third_party_id: int) -> list[HistoryEntry]:
    """A taxpayer's history with one third party: requests, decisions, changes, cancellations."""
    taxpayer_id = require_taxpayer_side(actor)
    events = list(
        AuditEvent.select()
        .where((AuditEvent.third_party == third_party_id) & (AuditEvent.taxpayer == taxpayer_id))
        .order_by(AuditEvent.id)
    )
    return _entries(events)


@reading
def history_for_third_party(actor: Actor, taxpayer_id: int) -> list[HistoryEntry]:
    """A third party's own history with one client."""
    if actor.role is not Role.THIRD_PARTY:
        raise NotAllowed("Only a third party has a history with clients.")
    events = list(
        AuditEvent.select()
        .where((AuditEvent.third_party == actor.logon_id) & (AuditEvent.taxpayer == taxpayer_id))
        .order_by(AuditEvent.id)
    )
    return _entries(events)


def _entries(events: list[AuditEvent]) -> list[HistoryEntry]:
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names = {
        row.id: (row.username if row.role != "dor_staff" else f"DOR staff ({row.username})")
        for row in Logon.select(Logon.id, Logon.username, Logon.role).where(Logon.id.in_(ids))
    }
    account_ids = {e.account_id for e in events if e.account_id is not None}
    accounts = {
        a.id: f"{AccountType(a.account_type).label} {a.account_number}"
        for a in TaxAccount.select().where(TaxAccount.id.in_(account_ids))
    }
    return [
        HistoryEntry(
            at=e.at,
            action=e.action,
            label=ACTION_LABELS.get(e.action, e.action),
            who=_who(e.actor_id, names),
            details=json.loads(e.details),
            account=accounts.get(e.account_id, "") if e.account_id else "",
        )
        for e in events
    ]
