"""Tax accounts and the rights in action: what a logon may do on an account, filing a
return and making a payment, recorded in the account's activity.

A third party's rights are read from its grant at the moment of each call, so a level the
taxpayer lowers takes effect the next time anything is done, without logging out.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, NotFound
from mtc_desktop.domain.levels import AccessLevel, Right
from mtc_desktop.domain.model import ActivityKind, Role
from mtc_desktop.domain.text import clean_line
from mtc_desktop.services import audit
from mtc_desktop.services.base import Actor, current_logon, now, reading, transaction
from mtc_desktop.services.taxpayers import AccountView, account_view, masked
from mtc_desktop.store.models import AccessGrant, AccountActivity, Logon, TaxAccount, Taxpayer

MAX_PAYMENT = decimal.Decimal("999999999999.99")
_AMOUNT = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?")


@dataclass(frozen=True)
class ActivityView:
    at: dt.datetime
    kind: ActivityKind
    who: str
    period: str
    amount: decimal.Decimal | None

    @property
    def label(self) -> str:
        if self.kind is ActivityKind.FILE_RETURN:
            return f"Return filed for {self.period}"
        return f"Payment of ${self.amount:,.2f}"


@dataclass(frozen=True)
class AccountPage:
    account: AccountView
    taxpayer_id: int
    taxpayer_name: str
    taxpayer_masked_id: str
    level: AccessLevel | None  # None: the taxpayer's own account
    rights: frozenset[Right]
    activity: tuple[ActivityView, ...]

    def can(self, right: Right) -> bool:
        return right in self.rights


def _rights(actor: Actor, account: TaxAccount) -> tuple[AccessLevel | None, frozenset[Right]]:
    """What the actor may do on the account right now (rule 1)."""
    current_logon(actor)
    if actor.role is Role.THIRD_PARTY:
        grant = AccessGrant.get_or_none(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.account == account.id)
            & (AccessGrant.status == "active")
        )
        if grant is None:
            raise NotAllowed(
                "You have no access to this account. The taxpayer may have canceled it; "
                "send a new request to work on it again."
            )
        level = AccessLevel(grant.level)
        return level, level.rights
    if actor.role is Role.TAXPAYER and actor.taxpayer_id == account.taxpayer_id:
        return None, frozenset(Right)
    raise NotAllowed("You have no access to this account.")


def _account(account_id: int) -> TaxAccount:
    account = TaxAccount.get_or_none(TaxAccount.id == account_id)
    if account is None:
        raise NotFound("There is no such tax account.")
    return account


def _activity(account_id: int) -> tuple[ActivityView, ...]:
    rows = (
        AccountActivity.select(AccountActivity, Logon.username)
        .join(Logon, on=(AccountActivity.actor == Logon.id))
        .where(AccountActivity.account == account_id)
        .order_by(AccountActivity.created_at.desc(), AccountActivity.id.desc())
        .limit(200)
    )
    return tuple(
        ActivityView(
            at=r.created_at,
            kind=ActivityKind(r.kind),
            who=r.actor.username,
            period=r.period,
            amount=r.amount,
        )
        for r in rows
    )


@reading
def account_page(actor: Actor, account_id: int) -> AccountPage:
    account = _account(account_id)
    level, rights = _rights(actor, account)
    taxpayer: Taxpayer = account.taxpayer
    return AccountPage(
        account=account_view(account),
        taxpayer_id=taxpayer.id,
        taxpayer_name=taxpayer.legal_name,
        taxpayer_masked_id=masked(taxpayer),
        level=level,
        rights=rights,
        activity=_activity(account.id),
    )


@reading
def my_accounts(actor: Actor) -> list[AccountView]:
    """The logon's own tax accounts (a taxpayer's, or a firm's own business)."""
    current_logon(actor)
    if actor.taxpayer_id is None:
        return []
    return [
        account_view(a)
        for a in TaxAccount.select()
        .where(TaxAccount.taxpayer == actor.taxpayer_id)
        .order_by(TaxAccount.account_type, TaxAccount.id)
    ]


def _refuse(level: AccessLevel | None, what: str) -> None:
    name = level.label if level else "your"
    raise NotAllowed(f"Your access to this account ({name}) does not allow you to {what}.")


def file_return(actor: Actor, account_id: int, period: str) -> ActivityView:
    """File (or amend) a return on the account, when the actor's access allows it."""
    with transaction():
        account = _account(account_id)
        level, rights = _rights(actor, account)
        if Right.FILE not in rights:
            _refuse(level, "file returns")
        text = clean_line(period, "tax period", "period", max_length=32)
        row = AccountActivity.create(
            account=account,
            actor=actor.logon_id,
            kind=ActivityKind.FILE_RETURN.value,
            period=text,
            created_at=now(),
        )
        audit.record(
            actor,
            "return_filed",
            third_party=actor.logon_id if actor.role is Role.THIRD_PARTY else None,
            taxpayer=account.taxpayer_id,
            account=account.id,
            period=text,
        )
        return ActivityView(row.created_at, ActivityKind.FILE_RETURN, actor.username, text, None)


def parse_amount(text: str) -> decimal.Decimal:
    cleaned = text.strip().replace(",", "").removeprefix("$").strip()
    if not _AMOUNT.fullmatch(cleaned):  # ASCII digits only, as with IDs
        raise InvalidInput("Enter the amount in dollars, like 1250.00.", "amount")
    try:
        amount = decimal.Decimal(cleaned)
    except decimal.InvalidOperation as exc:
        raise InvalidInput("Enter the amount in dollars, like 1250.00.", "amount") from exc
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("The amount must be more than $0.00.", "amount")
    if amount > MAX_PAYMENT:
        raise InvalidInput("The amount is larger than any payment DOR accepts.", "amount")
    if amount != amount.quantize(decimal.Decimal("0.01")):
        raise InvalidInput("The amount has at most two digits after the point (cents).", "amount")
    return amount.quantize(decimal.Decimal("0.01"))


def make_payment(actor: Actor, account_id: int, amount: decimal.Decimal | str) -> ActivityView:
    """Make a payment on the account, when the actor's access allows it."""
    with transaction():
        account = _account(account_id)
        level, rights = _rights(actor, account)
        if Right.PAY not in rights:
            _refuse(level, "make payments")
        value = parse_amount(str(amount))
        row = AccountActivity.create(
            account=account,
            actor=actor.logon_id,
            kind=ActivityKind.MAKE_PAYMENT.value,
            amount=value,
            created_at=now(),
        )
        audit.record(
            actor,
            "payment_made",
            third_party=actor.logon_id if actor.role is Role.THIRD_PARTY else None,
            taxpayer=account.taxpayer_id,
            account=account.id,
            amount=str(value),
        )
        return ActivityView(row.created_at, ActivityKind.MAKE_PAYMENT, actor.username, "", value)
