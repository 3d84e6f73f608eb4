"""Audit events: one per change of state, written in the change's own transaction.

The events form a hash chain (domain/chain.py). Writers take the chain's head in turn: each
event first updates the ``audit-chain`` counter row, which PostgreSQL locks until commit
(SQLite's write transactions are serial anyway), then reads the last event's hash.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from mtc_desktop.domain.chain import GENESIS, event_hash
from mtc_desktop.domain.errors import InvalidInput, NotAllowed
from mtc_desktop.domain.model import AccountType, Role
from mtc_desktop.services.base import Actor, now, reading, require_taxpayer_side
from mtc_desktop.store.models import AuditEvent, Counter, Logon, TaxAccount

CHAIN_COUNTER = "audit-chain"

# What each action is called on screen.
ACTION_LABELS = {
    "demo_reset": "Demo database put back as it was made",
    "logon_created": "Logon created",
    "password_changed": "Password changed",
    "request_created": "Access requested",
    "request_withdrawn": "Request withdrawn",
    "request_approved": "Request approved",
    "request_denied": "Request denied",
    "request_expired": "Request expired",
    "printed_form_recorded": "Printed form recorded by DOR",
    "authorization_printed": "Client Authorization printed",
    "authorization_saved": "Client Authorization saved as PDF",
    "grant_created": "Access granted",
    "grant_level_changed": "Access level changed",
    "grant_cancelled": "Access canceled",
    "general_access_cancelled": "General Access canceled",
    "favorite_added": "Marked as favorite",
    "favorite_removed": "Favorite removed",
    "client_view_changed": "Client view changed",
    "return_filed": "Return filed",
    "payment_made": "Payment made",
    "correspondence_mailed": "Correspondence mailed",
    "setting_changed": "Setting changed",
    "email_retried": "Email queued to send again",
    "database_set_up": "Database set up",
    "staff_added": "Staff logon added",
    "staff_disabled": "Staff logon disabled",
    "staff_enabled": "Staff logon enabled",
    "staff_code_issued": "One-time code issued",
    "staff_code_redeemed": "Password chosen with a one-time code",
    "taxpayer_registered": "Taxpayer registered",
    "taxpayer_address_changed": "Mailing address changed",
    "tax_account_added": "Tax account added",
    "tax_account_closed": "Tax account closed",
    "registry_imported": "Registry imported",
    "poa_form_prepared": "Form M-2848 prepared",
    "poa_recorded": "Power of Attorney recorded by DOR",
    "poa_superseded": "Power of Attorney superseded",
    "poa_revoked": "Power of Attorney revoked",
    "poa_withdrawn": "Power of Attorney withdrawn",
    "information_requested": "Information requested under a POA",
    "information_fulfilled": "Information request fulfilled",
    "information_refused": "Information request refused",
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
    _last_id, prev = take_chain(1)
    at = now()
    text = json.dumps(details, sort_keys=True, ensure_ascii=False, default=str)
    actor_id = actor.logon_id if actor else None
    event = AuditEvent.create(
        at=at,
        actor=actor_id,
        action=action,
        third_party=third_party,
        taxpayer=taxpayer,
        request=request,
        account=account,
        details=text,
        prev_hash=prev,
    )
    event.hash = event_hash(
        prev,
        event_id=event.id,
        at=at,
        actor_id=actor_id,
        action=action,
        third_party_id=third_party,
        taxpayer_id=taxpayer,
        request_id=request,
        account_id=account,
        details=text,
    )
    AuditEvent.update(hash=event.hash).where(AuditEvent.id == event.id).execute()
    return event


def take_chain(count: int) -> tuple[int, str]:
    """Take the chain's head for ``count`` new events in this transaction; return the last
    event's id and hash. The ``audit-chain`` counter counts every event ever written."""
    taken = (
        Counter.update(value=Counter.value + count).where(Counter.name == CHAIN_COUNTER).execute()
    )
    if not taken:
        Counter.insert(
            name=CHAIN_COUNTER, value=AuditEvent.select().count() + count
        ).on_conflict_ignore().execute()
    last = AuditEvent.select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
    return (int(last.id), str(last.hash)) if last is not None else (0, GENESIS)


def chain_rows(rows: list[dict[str, Any]]) -> None:
    """Give rows about to be inserted in bulk their ids and their links in the chain."""
    if not rows:
        return
    last_id, prev = take_chain(len(rows))
    for offset, row in enumerate(rows, start=1):
        row["id"] = last_id + offset
        row["prev_hash"] = prev
        row["hash"] = prev = event_hash(
            prev,
            event_id=row["id"],
            at=row["at"],
            actor_id=row["actor"],
            action=row["action"],
            third_party_id=row["third_party"],
            taxpayer_id=row["taxpayer"],
            request_id=row["request"],
            account_id=row["account"],
            details=row["details"],
        )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    latest: str
    problem: str = ""
    event_id: int | None = None


def latest_hash() -> str:
    last = AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).first()
    return str(last.hash) if last is not None else GENESIS


def verify_chain(expect: str = "") -> ChainReport:
    """Walk the chain oldest first; report the first event edited, removed or reordered.

    ``expect`` is a hash printed earlier (on a Client Authorization or an audit export):
    it must still be in the chain, or what came after it was rewritten.
    """
    wanted = expect.strip().lower()
    if wanted and (len(wanted) < 16 or any(c not in "0123456789abcdef" for c in wanted)):
        raise InvalidInput(
            "Give at least the first 16 hex digits of the hash, as printed on a form.", "expect"
        )
    expected_prev = GENESIS
    count = 0
    seen_expect = not wanted
    last_id = 0
    while True:
        rows = list(
            AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(5000)
        )
        if not rows:
            break
        for row in rows:
            count += 1
            last_id = row.id
            if row.prev_hash != expected_prev:
                return ChainReport(
                    False,
                    count,
                    expected_prev,
                    f"The chain breaks at event {row.id} ({row.action}, {row.at:%Y-%m-%d %H:%M}): "
                    "an event before it was removed, or events were reordered.",
                    row.id,
                )
            digest = event_hash(
                row.prev_hash,
                event_id=row.id,
                at=row.at,
                actor_id=row.actor_id,
                action=row.action,
                third_party_id=row.third_party_id,
                taxpayer_id=row.taxpayer_id,
                request_id=row.request_id,
                account_id=row.account_id,
                details=row.details,
            )
            if digest != row.hash:
                return ChainReport(
                    False,
                    count,
                    expected_prev,
                    f"Event {row.id} ({row.action}, {row.at:%Y-%m-%d %H:%M}) was changed after "
                    "it was written.",
                    row.id,
                )
            expected_prev = row.hash
            seen_expect = seen_expect or row.hash.startswith(wanted)
    counted = Counter.select(Counter.value).where(Counter.name == CHAIN_COUNTER).scalar()
    if counted is not None and counted > count:
        return ChainReport(
            False,
            count,
            expected_prev,
            f"{counted - count} event(s) at the end of the chain were removed ({counted} were "
            f"written, {count} are left).",
        )
    if not seen_expect:
        return ChainReport(
            False,
            count,
            expected_prev,
            f"The hash {expect.strip()[:16]}… printed earlier is not in the chain: the events "
            "up to it were rewritten.",
        )
    return ChainReport(True, count, expected_prev)


def export_events(out: Any) -> tuple[int, str]:
    """Write every event as a JSON line to the text stream ``out``, then a last line with
    the chain's latest hash; return (events, latest hash)."""
    count = 0
    last_id = 0
    latest = GENESIS
    while True:
        rows = list(
            AuditEvent.select().where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(5000)
        )
        if not rows:
            break
        for row in rows:
            out.write(
                json.dumps(
                    {
                        "id": row.id,
                        "at": row.at.isoformat(),
                        "action": row.action,
                        "actor": row.actor_id,
                        "third_party": row.third_party_id,
                        "taxpayer": row.taxpayer_id,
                        "request": row.request_id,
                        "account": row.account_id,
                        "details": json.loads(row.details),
                        "prev_hash": row.prev_hash,
                        "hash": row.hash,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
            count += 1
            last_id = row.id
            latest = row.hash
    out.write(json.dumps({"events": count, "latest_hash": latest}) + "\n")
    return count, latest


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
