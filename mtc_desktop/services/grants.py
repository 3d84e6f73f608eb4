"""Access grants after approval: the taxpayer raises, lowers or cancels them; the third
party may drop its own (FAQ: increase or decrease; cancel; Cancel My Access).

A cancelled grant never comes back: giving access again takes a new request, approved
again (DESIGN.md §3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peewee import fn

from mtc_desktop.domain.errors import NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel, describe_change
from mtc_desktop.domain.model import GrantStatus, Role
from mtc_desktop.services import audit, notifications
from mtc_desktop.services.base import (
    Actor,
    now,
    reading,
    require_role,
    require_taxpayer_side,
    transaction,
)
from mtc_desktop.services.taxpayers import AccountView, account_view, masked
from mtc_desktop.store.models import AccessGrant, Logon, TaxAccount, Taxpayer


@dataclass(frozen=True)
class GrantView:
    id: int
    third_party_id: int
    third_party_username: str
    third_party_name: str
    taxpayer_id: int
    taxpayer_name: str
    taxpayer_masked_id: str
    account: AccountView
    level: AccessLevel
    status: GrantStatus
    created_at: dt.datetime
    changed_at: dt.datetime
    own_business: bool


def _grant_view(grant: AccessGrant) -> GrantView:
    tp: Logon = grant.third_party
    taxpayer: Taxpayer = grant.taxpayer
    return GrantView(
        id=grant.id,
        third_party_id=tp.id,
        third_party_username=tp.username,
        third_party_name=tp.display_name,
        taxpayer_id=taxpayer.id,
        taxpayer_name=taxpayer.legal_name,
        taxpayer_masked_id=masked(taxpayer),
        account=account_view(grant.account),
        level=AccessLevel(grant.level),
        status=GrantStatus(grant.status),
        created_at=grant.created_at,
        changed_at=grant.changed_at,
        own_business=tp.taxpayer_id == taxpayer.id,
    )


def _grants_query():  # type: ignore[no-untyped-def]
    return (
        AccessGrant.select(AccessGrant, Logon, TaxAccount, Taxpayer)
        .join(Logon, on=(AccessGrant.third_party == Logon.id))
        .switch(AccessGrant)
        .join(TaxAccount, on=(AccessGrant.account == TaxAccount.id))
        .switch(AccessGrant)
        .join(Taxpayer, on=(AccessGrant.taxpayer == Taxpayer.id))
    )


# --- the taxpayer's side --------------------------------------------------------------


@dataclass(frozen=True)
class ThirdPartyWithAccess:
    third_party_id: int
    username: str
    name: str
    accounts: int


@reading
def third_parties_with_access(actor: Actor) -> list[ThirdPartyWithAccess]:
    """Manage Third-party Access: the third parties holding active grants on my accounts."""
    taxpayer_id = require_taxpayer_side(actor)
    rows: Iterable[dict[str, Any]] = (
        AccessGrant.select(
            Logon.id, Logon.username, Logon.display_name, fn.COUNT(AccessGrant.id).alias("n")
        )
        .join(Logon, on=(AccessGrant.third_party == Logon.id))
        .where(
            (AccessGrant.taxpayer == taxpayer_id)
            & (AccessGrant.status == GrantStatus.ACTIVE.value)
            & (AccessGrant.third_party != actor.logon_id)
        )
        .group_by(Logon.id, Logon.username, Logon.display_name)
        .order_by(fn.LOWER(Logon.username))
        .dicts()  # type: ignore[assignment]
    )
    return [ThirdPartyWithAccess(r["id"], r["username"], r["display_name"], r["n"]) for r in rows]


@reading
def access_of_third_party(actor: Actor, third_party_id: int) -> list[GrantView]:
    """The Access tab: one row per account the third party may act on, with its level."""
    taxpayer_id = require_taxpayer_side(actor)
    query = _grants_query().where(
        (AccessGrant.taxpayer == taxpayer_id)
        & (AccessGrant.third_party == third_party_id)
        & (AccessGrant.status == GrantStatus.ACTIVE.value)
    )
    return [_grant_view(g) for g in query.order_by(TaxAccount.account_type, TaxAccount.id)]


def _load_for_taxpayer(actor: Actor, grant_id: int) -> AccessGrant:
    taxpayer_id = require_taxpayer_side(actor)
    grant = AccessGrant.get_or_none(AccessGrant.id == grant_id)
    if grant is None:
        raise NotFound("There is no such access.")
    if grant.third_party_id == actor.logon_id:
        raise NotAllowed("A third party cannot change its own access level; only the taxpayer can.")
    if grant.taxpayer_id != taxpayer_id:
        raise NotAllowed("Only the taxpayer who owns the account can change this access.")
    return grant


def change_level(actor: Actor, grant_id: int, new_level: AccessLevel) -> GrantView:
    """Account Security → Change → Save: the taxpayer raises or lowers one account's level."""
    with transaction():
        grant = _load_for_taxpayer(actor, grant_id)
        old = AccessLevel(grant.level)
        updated = (
            AccessGrant.update(level=new_level.value, changed_at=now())
            .where(
                (AccessGrant.id == grant.id)
                & (AccessGrant.status == GrantStatus.ACTIVE.value)
                & (AccessGrant.level == old.value)
            )
            .execute()
        )
        if updated != 1:
            raise StateConflict(
                "This access was changed or canceled a moment ago; nothing was changed. "
                "The list has been refreshed."
            )
        if new_level is not old:
            audit.record(
                actor,
                "grant_level_changed",
                third_party=grant.third_party_id,
                taxpayer=grant.taxpayer_id,
                account=grant.account_id,
                old=old.value,
                new=new_level.value,
            )
            account = account_view(grant.account)
            tp: Logon = grant.third_party
            change = describe_change(old, new_level)
            verb = {"increase": "increased", "decrease": "decreased"}.get(change, "changed")
            notifications.email_logon(
                tp,
                f"Your access to {account.label} was {verb}",
                f"{grant.taxpayer.legal_name} {verb} your access to {account.label} from "
                f"{old.label} to {new_level.label}.\n",
            )
        return _grant_view(AccessGrant.get_by_id(grant.id))


def cancel_general_access(actor: Actor, third_party_id: int) -> int:
    """Manage Account Access → Cancel Access (General Access) → Yes.

    Cancels every grant of that third party on the actor's accounts; final. Returns how
    many grants were cancelled.
    """
    with transaction():
        taxpayer_id = require_taxpayer_side(actor)
        if third_party_id == actor.logon_id:
            raise NotAllowed("Use Cancel My Access to drop your own access.")
        tp = Logon.get_or_none((Logon.id == third_party_id) & (Logon.role == "third_party"))
        if tp is None:
            raise NotFound("There is no such third party.")
        grants = list(
            AccessGrant.select().where(
                (AccessGrant.third_party == third_party_id)
                & (AccessGrant.taxpayer == taxpayer_id)
                & (AccessGrant.status == GrantStatus.ACTIVE.value)
            )
        )
        if not grants:
            raise StateConflict(
                f"{tp.username} has no access to your accounts any more; nothing to cancel."
            )
        count = _cancel(actor, grants)
        audit.record(
            actor,
            "general_access_cancelled",
            third_party=third_party_id,
            taxpayer=taxpayer_id,
            grants=count,
        )
        taxpayer = Taxpayer.get_by_id(taxpayer_id)
        notifications.email_logon(
            tp,
            f"{taxpayer.legal_name} canceled your access",
            f"{taxpayer.legal_name} ({masked(taxpayer)}) canceled your access to all of "
            "their tax accounts. To work for them again, send a new request for their "
            "approval.\n",
        )
        return count


def _cancel(actor: Actor, grants: list[AccessGrant]) -> int:
    when = now()
    count = 0
    for grant in grants:
        moved = (
            AccessGrant.update(
                status=GrantStatus.CANCELLED.value,
                cancelled_at=when,
                cancelled_by=actor.logon_id,
                changed_at=when,
            )
            .where((AccessGrant.id == grant.id) & (AccessGrant.status == GrantStatus.ACTIVE.value))
            .execute()
        )
        if moved != 1:
            raise StateConflict(
                "This access was canceled a moment ago; nothing was changed. "
                "The list has been refreshed."
            )
        count += 1
        audit.record(
            actor,
            "grant_cancelled",
            third_party=grant.third_party_id,
            taxpayer=grant.taxpayer_id,
            account=grant.account_id,
            level=grant.level,
            by="taxpayer" if actor.logon_id != grant.third_party_id else "third_party",
        )
    return count


# --- the third party's side -----------------------------------------------------------


@reading
def my_access(actor: Actor, taxpayer_id: int | None = None) -> list[GrantView]:
    """Manage My Access: one row per client and account type, own business included."""
    require_role(actor, Role.THIRD_PARTY)
    query = _grants_query().where(
        (AccessGrant.third_party == actor.logon_id)
        & (AccessGrant.status == GrantStatus.ACTIVE.value)
    )
    if taxpayer_id is not None:
        query = query.where(AccessGrant.taxpayer == taxpayer_id)
    return [
        _grant_view(g)
        for g in query.order_by(Taxpayer.name_key, TaxAccount.account_type, TaxAccount.id)
    ]


@reading
def my_grant(actor: Actor, grant_id: int) -> GrantView:
    """The access details behind a Tax Administrator link."""
    require_role(actor, Role.THIRD_PARTY)
    grant = _grants_query().where(AccessGrant.id == grant_id).first()
    if grant is None or grant.third_party_id != actor.logon_id:
        raise NotFound("There is no such access.")
    return _grant_view(grant)


def cancel_my_access(actor: Actor, grant_id: int) -> GrantView:
    """Tax Administrator → Cancel My Access: a third party drops its access to one account."""
    with transaction():
        require_role(actor, Role.THIRD_PARTY)
        grant = AccessGrant.get_or_none(AccessGrant.id == grant_id)
        if grant is None or grant.third_party_id != actor.logon_id:
            raise NotFound("There is no such access.")
        if grant.status != GrantStatus.ACTIVE.value:
            raise StateConflict("This access was already canceled.")
        _cancel(actor, [grant])
        _tell_taxpayer(actor, grant.taxpayer_id, [grant])
        return _grant_view(AccessGrant.get_by_id(grant.id))


def cancel_my_access_for_client(actor: Actor, taxpayer_id: int) -> int:
    """Cancel My Access on every account of one client."""
    with transaction():
        require_role(actor, Role.THIRD_PARTY)
        grants = list(
            AccessGrant.select().where(
                (AccessGrant.third_party == actor.logon_id)
                & (AccessGrant.taxpayer == taxpayer_id)
                & (AccessGrant.status == GrantStatus.ACTIVE.value)
            )
        )
        if not grants:
            raise NotFound("You have no access to this client's accounts.")
        count = _cancel(actor, grants)
        _tell_taxpayer(actor, taxpayer_id, grants)
        return count


def _tell_taxpayer(actor: Actor, taxpayer_id: int, grants: list[AccessGrant]) -> None:
    if actor.taxpayer_id == taxpayer_id:  # the firm's own business: nobody else to tell
        return
    labels = "\n".join(f"  - {account_view(g.account).label}" for g in grants)
    notifications.email_taxpayer(
        Taxpayer.get_by_id(taxpayer_id),
        f"{actor.display_name} canceled its access to your accounts",
        f"{actor.display_name} (username {actor.username}) no longer has access to:\n{labels}\n",
    )


@dataclass(frozen=True)
class FormerClient:
    """A taxpayer whose every grant to this third party was cancelled."""

    taxpayer_id: int
    name: str
    masked_id: str
    id_type: IdType
    cancelled_at: dt.datetime | None


@reading
def former_clients(actor: Actor, limit: int = 200) -> list[FormerClient]:
    """Clients the third party no longer has access to, most recently cancelled first: it
    needs a new request, approved again, to act for them (FAQ: reactivate access)."""
    require_role(actor, Role.THIRD_PARTY)
    active = AccessGrant.select(AccessGrant.taxpayer).where(
        (AccessGrant.third_party == actor.logon_id)
        & (AccessGrant.status == GrantStatus.ACTIVE.value)
    )
    rows = (
        AccessGrant.select(
            Taxpayer.id,
            Taxpayer.legal_name,
            Taxpayer.id_type,
            Taxpayer.id_number,
            fn.MAX(AccessGrant.cancelled_at).alias("last"),
        )
        .join(Taxpayer, on=(AccessGrant.taxpayer == Taxpayer.id))
        .where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.status == GrantStatus.CANCELLED.value)
            & AccessGrant.taxpayer.not_in(active)
        )
        .group_by(Taxpayer.id, Taxpayer.legal_name, Taxpayer.id_type, Taxpayer.id_number)
        .order_by(fn.MAX(AccessGrant.cancelled_at).desc(), Taxpayer.id)
        .limit(limit)
    )
    return [
        FormerClient(
            taxpayer_id=row.taxpayer.id,
            name=row.taxpayer.legal_name,
            masked_id=masked(row.taxpayer),
            id_type=IdType(row.taxpayer.id_type),
            cancelled_at=_as_datetime(row.last),  # type: ignore[attr-defined]
        )
        for row in rows
    ]


def _as_datetime(value: object) -> dt.datetime | None:
    """MAX() over a datetime column comes back as text from SQLite."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


@reading
def active_grant(actor: Actor, account_id: int) -> GrantView | None:
    """The actor's active grant on an account, read now (a lowered level shows at once)."""
    grant = (
        _grants_query()
        .where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.account == account_id)
            & (AccessGrant.status == GrantStatus.ACTIVE.value)
        )
        .first()
    )
    return _grant_view(grant) if grant is not None else None
