"""Access requests: a third party asks, the taxpayer (or DOR, from a printed form) decides.

Only a pending request moves, and it moves once: the decision is a conditional UPDATE on
``status = 'pending'``, so of two workstations deciding at the same moment exactly one
wins and the other is told the request was already decided.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from peewee import IntegrityError

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, RequestStatus, Role
from mtc_desktop.domain.text import search_words
from mtc_desktop.services import audit, notifications, settings
from mtc_desktop.services.base import (
    Actor,
    current_logon,
    now,
    reading,
    require_role,
    require_taxpayer_side,
    transaction,
)
from mtc_desktop.services.taxpayers import (
    AccountView,
    account_view,
    masked,
    match_taxpayer,
    next_number,
)
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    Logon,
    RequestLine,
    TaxAccount,
    Taxpayer,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"  # no 0/O, 1/I/L, U
CODE_LENGTH = 10
QR_PREFIX = "MTC-AUTH"


def new_authorization_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


def qr_text(number: str, code: str) -> str:
    """What the QR code on a Client Authorization form carries."""
    return f"{QR_PREFIX}|{number}|{code}"


@dataclass(frozen=True)
class LineView:
    line_id: int
    account: AccountView
    requested_level: AccessLevel
    give_rights: bool | None
    granted_level: AccessLevel | None


@dataclass(frozen=True)
class RequestView:
    id: int
    number: str
    status: RequestStatus
    method: ApprovalMethod
    created_at: dt.datetime
    decided_at: dt.datetime | None
    expires_at: dt.datetime
    third_party_id: int
    third_party_username: str
    third_party_name: str
    third_party_email: str
    third_party_masked_id: str
    taxpayer_id: int
    taxpayer_name: str
    taxpayer_masked_id: str
    taxpayer_kind: str
    taxpayer_id_type: IdType
    lines: tuple[LineView, ...]
    # Shown only to the third party that made the request and to DOR staff.
    authorization_code: str = ""
    # The taxpayer's mailing address DOR has (Part 2 of the Client Authorization).
    taxpayer_address: str = ""

    @property
    def accounts_label(self) -> str:
        return ", ".join(line.account.account_type.label for line in self.lines)


def _view(request: AccessRequest, *, with_code: bool) -> RequestView:
    tp: Logon = request.third_party
    taxpayer: Taxpayer = request.taxpayer
    lines = tuple(
        LineView(
            line_id=line.id,
            account=account_view(line.account),
            requested_level=AccessLevel(line.requested_level),
            give_rights=line.give_rights,
            granted_level=AccessLevel(line.granted_level) if line.granted_level else None,
        )
        for line in RequestLine.select(RequestLine, TaxAccount)
        .join(TaxAccount)
        .where(RequestLine.request == request.id)
        .order_by(RequestLine.id)
    )
    tp_taxpayer = tp.taxpayer
    return RequestView(
        id=request.id,
        number=request.number,
        status=RequestStatus(request.status),
        method=ApprovalMethod(request.method),
        created_at=request.created_at,
        decided_at=request.decided_at,
        expires_at=request.created_at + dt.timedelta(days=settings.expiry_days()),
        third_party_id=tp.id,
        third_party_username=tp.username,
        third_party_name=tp.display_name,
        third_party_email=tp.email,
        third_party_masked_id=masked(tp_taxpayer) if tp_taxpayer else "",
        taxpayer_id=taxpayer.id,
        taxpayer_name=taxpayer.legal_name,
        taxpayer_masked_id=masked(taxpayer),
        taxpayer_kind=taxpayer.kind,
        taxpayer_id_type=IdType(taxpayer.id_type),
        lines=lines,
        authorization_code=request.authorization_code if with_code else "",
        taxpayer_address=taxpayer.address,
    )


def _can_see(actor: Actor, request: AccessRequest) -> bool:
    if actor.role is Role.DOR_STAFF:
        return True
    if request.third_party_id == actor.logon_id:
        return True
    return actor.taxpayer_id is not None and actor.taxpayer_id == request.taxpayer_id


def _load(actor: Actor, request_id: int) -> AccessRequest:
    request = AccessRequest.get_or_none(AccessRequest.id == request_id)
    if request is None or not _can_see(actor, request):
        raise NotFound("There is no such access request.")
    return request


def _with_code(actor: Actor, request: AccessRequest) -> bool:
    return actor.role is Role.DOR_STAFF or request.third_party_id == actor.logon_id


# --- the third party's side -----------------------------------------------------------


@dataclass(frozen=True)
class TaxpayerLookup:
    """What a third party learns once ID type, ID number and legal name match."""

    taxpayer_id: int
    legal_name: str
    masked_id: str
    has_logon: bool
    accounts: tuple[AccountView, ...]
    already_granted: frozenset[int]
    pending_request: str | None


@reading
def lookup_taxpayer(
    actor: Actor, id_type: IdType, id_number: str, legal_name: str
) -> TaxpayerLookup:
    """Find the taxpayer a request will name, for the request wizard's account page."""
    require_role(actor, Role.THIRD_PARTY)
    taxpayer = match_taxpayer(id_type, id_number, legal_name)
    _refuse_own_business(actor, taxpayer)
    accounts = tuple(
        account_view(a)
        for a in TaxAccount.select()
        .where((TaxAccount.taxpayer == taxpayer.id) & TaxAccount.closed_at.is_null())
        .order_by(TaxAccount.id)
    )
    granted = frozenset(
        g.account_id
        for g in AccessGrant.select(AccessGrant.account).where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.taxpayer == taxpayer.id)
            & (AccessGrant.status == "active")
        )
    )
    pending = AccessRequest.get_or_none(
        (AccessRequest.third_party == actor.logon_id)
        & (AccessRequest.taxpayer == taxpayer.id)
        & (AccessRequest.status == "pending")
    )
    # One past its period no longer blocks a new request (request_access expires it).
    if pending is not None and now() >= pending.created_at + dt.timedelta(
        days=settings.expiry_days()
    ):
        pending = None
    return TaxpayerLookup(
        taxpayer_id=taxpayer.id,
        legal_name=taxpayer.legal_name,
        masked_id=masked(taxpayer),
        has_logon=_has_logon(taxpayer.id),
        accounts=accounts,
        already_granted=granted,
        pending_request=pending.number if pending else None,
    )


def _has_logon(taxpayer_id: int) -> bool:
    return (
        Logon.select().where((Logon.taxpayer == taxpayer_id) & (Logon.role == "taxpayer")).exists()
    )


def _refuse_own_business(actor: Actor, taxpayer: Taxpayer) -> None:
    if actor.taxpayer_id == taxpayer.id:
        raise InvalidInput(
            "This is your own business; its accounts are already on your All tab.", "id_number"
        )


NO_ONLINE_LOGON = (
    "This taxpayer has no MassTaxConnect logon, so cannot approve the request online. "
    "Choose Printed form: you print the Client Authorization for the taxpayer to sign."
)


@dataclass(frozen=True)
class RequestDraft:
    id_type: IdType
    id_number: str
    legal_name: str
    lines: tuple[tuple[int, AccessLevel], ...]  # (account id, requested level)
    method: ApprovalMethod


def request_access(actor: Actor, draft: RequestDraft) -> RequestView:
    """Request access to one taxpayer's accounts (FAQ: How does a third party request access)."""
    with transaction():
        logon = require_role(actor, Role.THIRD_PARTY)
        taxpayer = match_taxpayer(draft.id_type, draft.id_number, draft.legal_name)
        _refuse_own_business(actor, taxpayer)
        if not draft.lines:
            raise InvalidInput("Select at least one account and its level of access.", "accounts")
        ids = [account_id for account_id, _ in draft.lines]
        if len(set(ids)) != len(ids):
            raise InvalidInput("Each account can be selected only once.", "accounts")
        accounts = {
            a.id: a
            for a in TaxAccount.select().where(
                (TaxAccount.id.in_(ids)) & (TaxAccount.taxpayer == taxpayer.id)
            )
        }
        if len(accounts) != len(ids):
            raise InvalidInput("Select only accounts of this taxpayer.", "accounts")
        closed = [a for a in accounts.values() if a.closed_at is not None]
        if closed:
            raise InvalidInput(
                f"DOR closed the account {closed[0].account_number}; select only open accounts.",
                "accounts",
            )
        held = {
            g.account_id
            for g in AccessGrant.select(AccessGrant.account).where(
                (AccessGrant.third_party == actor.logon_id)
                & (AccessGrant.account.in_(ids))
                & (AccessGrant.status == "active")
            )
        }
        if held:
            labels = ", ".join(account_view(accounts[i]).label for i in sorted(held))
            raise InvalidInput(
                f"You already have access to {labels}; the taxpayer can change its level.",
                "accounts",
            )
        if draft.method is ApprovalMethod.MASSTAXCONNECT and not _has_logon(taxpayer.id):
            raise InvalidInput(NO_ONLINE_LOGON, "method")
        pending = AccessRequest.get_or_none(
            (AccessRequest.third_party == actor.logon_id)
            & (AccessRequest.taxpayer == taxpayer.id)
            & (AccessRequest.status == "pending")
        )
        # One past its period is expired, whether or not the sweep has run yet.
        if pending is not None and _overdue(pending):
            _expire(pending)
            pending = None
        if pending is not None:
            raise StateConflict(
                f"You already have a pending request ({pending.number}) for this taxpayer. "
                "Withdraw it first, or wait for the taxpayer's decision."
            )
        when = now()
        number = f"R{when.year}-{next_number(f'request-{when.year}'):06d}"
        try:
            request = AccessRequest.create(
                number=number,
                third_party=logon,
                taxpayer=taxpayer,
                method=draft.method.value,
                authorization_code=new_authorization_code(),
                status=RequestStatus.PENDING.value,
                created_at=when,
            )
        except IntegrityError as exc:  # another workstation of this firm, at the same moment
            raise StateConflict(
                "You already have a pending request for this taxpayer (made a moment ago)."
            ) from exc
        RequestLine.insert_many(
            [
                {"request": request.id, "account": account_id, "requested_level": level.value}
                for account_id, level in draft.lines
            ]
        ).execute()
        audit.record(
            actor,
            "request_created",
            third_party=actor.logon_id,
            taxpayer=taxpayer.id,
            request=request.id,
            number=number,
            method=draft.method.value,
            accounts={accounts[i].account_number: lvl.value for i, lvl in draft.lines},
        )
        if draft.method is ApprovalMethod.MASSTAXCONNECT:
            view = _view(request, with_code=False)
            notifications.email_taxpayer(
                taxpayer,
                f"Third-party access request {number} from {logon.display_name}",
                _request_email_body(view),
                request.id,
            )
        return _view(request, with_code=True)


def _request_email_body(view: RequestView) -> str:
    lines = "\n".join(
        f"  - {line.account.label}: {line.requested_level.label}" for line in view.lines
    )
    return (
        f"{view.third_party_name} (username {view.third_party_username}) has asked for "
        f"access to your tax accounts on MassTaxConnect:\n\n{lines}\n\n"
        "To approve or deny it, log in, select Manage My Profile, then the More... tab, "
        "then View Access Requests from Third Parties, and Approve/Deny for request "
        f"{view.number}.\nYou decide who has access and what type of access is given, "
        "and you can cancel it at any time.\n"
    )


def withdraw_request(actor: Actor, request_id: int) -> RequestView:
    """A third party takes back its own pending request."""
    _expire_one(request_id)
    with transaction():
        require_role(actor, Role.THIRD_PARTY)
        request = _load(actor, request_id)
        if request.third_party_id != actor.logon_id:
            raise NotAllowed("Only the third party that made a request can withdraw it.")
        _move(request, RequestStatus.WITHDRAWN, actor)
        audit.record(
            actor,
            "request_withdrawn",
            third_party=actor.logon_id,
            taxpayer=request.taxpayer_id,
            request=request.id,
            number=request.number,
        )
        # The taxpayer was asked (by email, or on a printed form): nothing to decide now.
        notifications.email_taxpayer(
            Taxpayer.get_by_id(request.taxpayer_id),
            f"Access request {request.number} withdrawn",
            f"{actor.display_name} (username {actor.username}) withdrew its request "
            f"{request.number} for access to your tax accounts. There is nothing for you "
            "to approve or deny; a signed Client Authorization for this request will not "
            "be processed.\n",
            request.id,
        )
        return _view(AccessRequest.get_by_id(request.id), with_code=True)


def _my_requests_query(actor: Actor, status: RequestStatus | None, text: str):  # type: ignore[no-untyped-def]
    query = AccessRequest.select().where(AccessRequest.third_party == actor.logon_id)
    if status is not None:
        query = query.where(AccessRequest.status == status.value)
    for word in search_words(text):  # every word, in the taxpayer's name or ID or the number
        query = query.where(
            AccessRequest.number.contains(word)
            | AccessRequest.taxpayer.in_(
                Taxpayer.select(Taxpayer.id).where(Taxpayer.search_text.contains(word))
            )
        )
    return query


@reading
def my_requests(
    actor: Actor,
    status: RequestStatus | None = None,
    *,
    text: str = "",
    limit: int | None = None,
) -> list[RequestView]:
    """A third party's requests, newest first, with their status; ``text`` narrows them to
    those whose request number or taxpayer name or ID holds every typed word."""
    require_role(actor, Role.THIRD_PARTY)
    query = _my_requests_query(actor, status, text).order_by(
        AccessRequest.created_at.desc(), AccessRequest.id.desc()
    )
    if limit is not None:
        query = query.limit(limit)
    return [_view(r, with_code=True) for r in query]


@reading
def count_my_requests(actor: Actor, status: RequestStatus | None = None, *, text: str = "") -> int:
    require_role(actor, Role.THIRD_PARTY)
    return int(_my_requests_query(actor, status, text).count())


# --- the taxpayer's side --------------------------------------------------------------


def pending_for_me(actor: Actor) -> list[RequestView]:
    """View Access Requests from Third Parties: the pending requests for the actor's taxpayer."""
    taxpayer_id = require_taxpayer_side(actor)
    expire_overdue()
    from mtc_desktop.store.database import environment_errors

    with environment_errors():
        query = (
            AccessRequest.select()
            .where(
                (AccessRequest.taxpayer == taxpayer_id)
                & (AccessRequest.status == RequestStatus.PENDING.value)
            )
            .order_by(AccessRequest.created_at, AccessRequest.id)
        )
        return [_view(r, with_code=False) for r in query]


@reading
def get_request(actor: Actor, request_id: int) -> RequestView:
    request = _load(actor, request_id)
    return _view(request, with_code=_with_code(actor, request))


@dataclass(frozen=True)
class LineDecision:
    account_id: int
    give_rights: bool
    granted_level: AccessLevel


def decide_request(actor: Actor, request_id: int, decisions: Sequence[LineDecision]) -> RequestView:
    """Approve/Deny: per account Give Rights and Granted Rights. None given means denied."""
    _expire_one(request_id)
    with transaction():
        require_taxpayer_side(actor)
        request = _load(actor, request_id)
        if request.third_party_id == actor.logon_id:
            raise NotAllowed("A third party cannot decide its own request.")
        if request.taxpayer_id != actor.taxpayer_id:
            raise NotAllowed("Only the taxpayer named in a request can decide it.")
        _apply_decision(actor, request, decisions, source="online")
        return _view(AccessRequest.get_by_id(request.id), with_code=False)


def deny_request(actor: Actor, request_id: int) -> RequestView:
    """Deny every account of the request."""
    with transaction():
        request = _load(actor, request_id)
        decisions = [
            LineDecision(line.account_id, False, AccessLevel(line.requested_level))
            for line in request.lines
        ]
    return decide_request(actor, request_id, decisions)


def _check_decisions(
    request: AccessRequest, decisions: Sequence[LineDecision]
) -> dict[int, LineDecision]:
    by_account = {d.account_id: d for d in decisions}
    if len(by_account) != len(decisions):
        raise InvalidInput("Each account can be decided only once.", "accounts")
    lines = {line.account_id for line in request.lines}
    if set(by_account) != lines:
        raise InvalidInput(
            "Decide every account of the request: Give Rights or not, and the Granted Rights.",
            "accounts",
        )
    return by_account


def _move(request: AccessRequest, new: RequestStatus, actor: Actor | None) -> None:
    """Move a pending request to ``new``; refuse if another change got there first."""
    moved = (
        AccessRequest.update(
            status=new.value,
            decided_at=now(),
            decided_by=actor.logon_id if actor else None,
        )
        .where(
            (AccessRequest.id == request.id) & (AccessRequest.status == RequestStatus.PENDING.value)
        )
        .execute()
    )
    if moved != 1:
        current = RequestStatus(AccessRequest.get_by_id(request.id).status)
        raise StateConflict(
            f"Request {request.number} was already {current.label.lower()}; nothing was "
            "changed. The list has been refreshed."
        )


def _apply_decision(
    actor: Actor, request: AccessRequest, decisions: Sequence[LineDecision], *, source: str
) -> None:
    by_account = _check_decisions(request, decisions)
    approved = any(d.give_rights for d in decisions)
    _move(request, RequestStatus.APPROVED if approved else RequestStatus.DENIED, actor)
    when = now()
    granted: list[str] = []
    for line in (
        RequestLine.select(RequestLine, TaxAccount)
        .join(TaxAccount)
        .where(RequestLine.request == request.id)
    ):
        decision = by_account[line.account_id]
        if decision.give_rights and line.account.closed_at is not None:
            raise InvalidInput(
                f"DOR closed the account {account_view(line.account).label}; choose not to "
                "give rights on it.",
                "accounts",
            )
        line.give_rights = decision.give_rights
        line.granted_level = decision.granted_level.value if decision.give_rights else None
        line.save(only=[RequestLine.give_rights, RequestLine.granted_level])
        if not decision.give_rights:
            continue
        level = decision.granted_level
        granted.append(f"  - {account_view(line.account).label}: {level.label}")
        existing = AccessGrant.get_or_none(
            (AccessGrant.third_party == request.third_party_id)
            & (AccessGrant.account == line.account_id)
            & (AccessGrant.status == "active")
        )
        if existing is not None:
            old = existing.level
            existing.level = level.value
            existing.changed_at = when
            existing.save(only=[AccessGrant.level, AccessGrant.changed_at])
            audit.record(
                actor,
                "grant_level_changed",
                third_party=request.third_party_id,
                taxpayer=request.taxpayer_id,
                request=request.id,
                account=line.account_id,
                old=old,
                new=level.value,
            )
            continue
        AccessGrant.create(
            third_party=request.third_party_id,
            account=line.account_id,
            taxpayer=request.taxpayer_id,
            level=level.value,
            request=request.id,
            created_at=when,
            changed_at=when,
        )
        audit.record(
            actor,
            "grant_created",
            third_party=request.third_party_id,
            taxpayer=request.taxpayer_id,
            request=request.id,
            account=line.account_id,
            level=level.value,
        )
    audit.record(
        actor,
        "request_approved" if approved else "request_denied",
        third_party=request.third_party_id,
        taxpayer=request.taxpayer_id,
        request=request.id,
        number=request.number,
        source=source,
        decisions={
            str(d.account_id): (d.granted_level.value if d.give_rights else None) for d in decisions
        },
    )
    _notify_decision(request, approved, granted, source)


def _notify_decision(
    request: AccessRequest, approved: bool, granted: list[str], source: str
) -> None:
    tp: Logon = Logon.get_by_id(request.third_party_id)
    taxpayer: Taxpayer = Taxpayer.get_by_id(request.taxpayer_id)
    verdict = "approved" if approved else "denied"
    how = "online" if source == "online" else "on the printed Client Authorization form"
    subject = f"Third-party access request {request.number} was {verdict}"
    what = (
        "Access was given to:\n" + "\n".join(granted) + "\n"
        if approved
        else "No access was given.\n"
    )
    tp_body = (
        f"{taxpayer.legal_name} ({masked(taxpayer)}) {verdict} your request {request.number} "
        f"{how}.\n\n{what}"
    )
    taxpayer_body = (
        f"You {verdict} the request {request.number} of {tp.display_name} (username "
        f"{tp.username}) {how}.\n\n{what}\nYou can change or cancel this access at any time "
        "under Manage Third-party Access.\n"
    )
    notifications.email_logon(tp, subject, tp_body, request.id)
    notifications.emessage_logon(tp, subject, tp_body, request.id)
    notifications.email_taxpayer(taxpayer, subject, taxpayer_body, request.id)


# --- DOR staff: returned printed forms ------------------------------------------------


def parse_reference(text: str) -> tuple[str, str | None]:
    """A request number, or the QR code's text: (number, code or None)."""
    cleaned = text.strip()
    if len(cleaned) > 64:
        raise InvalidInput(
            "This is neither a request number (like R2026-000012) nor the text of a Client "
            "Authorization's QR code.",
            "reference",
        )
    if cleaned.upper().startswith(QR_PREFIX + "|"):
        parts = cleaned.split("|")
        if len(parts) != 3:
            raise InvalidInput("This QR code is not from a Client Authorization form.", "reference")
        return parts[1].strip().upper(), normalize_code(parts[2])
    return cleaned.upper(), None


@reading
def find_request(actor: Actor, reference: str) -> RequestView:
    """DOR staff find a request by its number or by the text of its QR code."""
    require_role(actor, Role.DOR_STAFF)
    number, code = parse_reference(reference)
    request = AccessRequest.get_or_none(AccessRequest.number == number)
    if request is None:
        raise NotFound(f"There is no request numbered {number}.")
    if code is not None and not hmac.compare_digest(
        code.encode(), request.authorization_code.encode()
    ):
        raise InvalidInput(
            "The QR code's authorization code does not match this request.", "reference"
        )
    return _view(request, with_code=True)


def record_printed_form(
    actor: Actor, number: str, authorization_code: str, decisions: Sequence[LineDecision]
) -> RequestView:
    """DOR staff record the decision the taxpayer wrote on a returned printed form."""
    request = AccessRequest.get_or_none(AccessRequest.number == number.strip().upper())
    if request is not None:
        _expire_one(request.id)
    with transaction():
        require_role(actor, Role.DOR_STAFF)
        request = AccessRequest.get_or_none(AccessRequest.number == number.strip().upper())
        if request is None:
            raise NotFound(f"There is no request numbered {number.strip()}.")
        if request.method != ApprovalMethod.PRINTED_FORM.value:
            raise InvalidInput(
                f"Request {request.number} is for approval on MassTaxConnect, not on a "
                "printed form; the taxpayer decides it online.",
                "reference",
            )
        if not hmac.compare_digest(
            normalize_code(authorization_code).encode(), request.authorization_code.encode()
        ):
            raise InvalidInput(
                "The authorization code does not match the one printed for this request. "
                "Check it against the form; nothing was recorded.",
                "authorization_code",
            )
        status = RequestStatus(request.status)
        if status is not RequestStatus.PENDING:
            already = (
                "was already recorded"
                if request.decided_by_id
                and status in (RequestStatus.APPROVED, RequestStatus.DENIED)
                else f"is {status.label.lower()}"
            )
            raise StateConflict(
                f"Request {request.number} {already}; this form cannot be recorded."
            )
        _apply_decision(actor, request, decisions, source="printed_form")
        audit.record(
            actor,
            "printed_form_recorded",
            third_party=request.third_party_id,
            taxpayer=request.taxpayer_id,
            request=request.id,
            number=request.number,
        )
        return _view(AccessRequest.get_by_id(request.id), with_code=True)


# --- expiry ------------------------------------------------------------------------------


def _expire_one(request_id: int) -> None:
    with transaction():
        request = AccessRequest.get_or_none(AccessRequest.id == request_id)
        if (
            request is not None
            and request.status == RequestStatus.PENDING.value
            and _overdue(request)
        ):
            _expire(request)


def _overdue(request: AccessRequest) -> bool:
    return now() >= request.created_at + dt.timedelta(days=settings.expiry_days())


def _expire(request: AccessRequest) -> bool:
    """Expire an overdue request and tell both sides. False when another workstation moved
    it first (expired, decided or withdrew it): then there is nothing left to do. On
    PostgreSQL two sweeps can pick the same request; the conditional UPDATE lets one through."""
    moved = (
        AccessRequest.update(status=RequestStatus.EXPIRED.value, decided_at=now(), decided_by=None)
        .where(
            (AccessRequest.id == request.id) & (AccessRequest.status == RequestStatus.PENDING.value)
        )
        .execute()
    )
    if moved != 1:
        return False
    audit.record(
        None,
        "request_expired",
        third_party=request.third_party_id,
        taxpayer=request.taxpayer_id,
        request=request.id,
        number=request.number,
    )
    subject = f"Third-party access request {request.number} expired"
    body = (
        f"Request {request.number} was not decided within {settings.expiry_days()} days and "
        "has expired. The third party can send a new request.\n"
    )
    notifications.email_logon(Logon.get_by_id(request.third_party_id), subject, body, request.id)
    notifications.email_taxpayer(Taxpayer.get_by_id(request.taxpayer_id), subject, body, request.id)
    return True


def expire_overdue() -> int:
    """Mark every pending request past the expiry period as expired; tell both sides."""
    with transaction():
        cutoff = now() - dt.timedelta(days=settings.expiry_days())
        overdue = list(
            AccessRequest.select().where(
                (AccessRequest.status == RequestStatus.PENDING.value)
                & (AccessRequest.created_at <= cutoff)
            )
        )
        return sum(1 for request in overdue if _expire(request))


def is_request_owner(actor: Actor, request_id: int) -> bool:
    current_logon(actor)
    return (
        AccessRequest.select()
        .where((AccessRequest.id == request_id) & (AccessRequest.third_party == actor.logon_id))
        .exists()
    )
