"""Correspondence: DOR mails a letter or notice to a taxpayer account, and every third
party authorized on that account gets an email saying so (FAQ: "Will a third party be
notified that their client has been sent a letter or notice from DOR?")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mtc_desktop.domain.errors import InvalidInput, NotFound
from mtc_desktop.domain.model import CorrespondenceKind, Role
from mtc_desktop.domain.text import clean_line
from mtc_desktop.services import audit, notifications
from mtc_desktop.services.base import Actor, now, require_role, transaction
from mtc_desktop.services.taxpayers import account_view, masked
from mtc_desktop.store.models import AccessGrant, Correspondence, Logon, TaxAccount


@dataclass(frozen=True)
class MailedResult:
    correspondence_id: int
    notified_third_parties: tuple[str, ...]
    # The taxpayer's mailing address it went to, as DOR has it.
    mailed_to: str = ""


def mail_correspondence(
    actor: Actor,
    account_number: str,
    kind: CorrespondenceKind,
    title: str,
    mailed_on: dt.date,
) -> MailedResult:
    with transaction():
        require_role(actor, Role.DOR_STAFF)
        account = TaxAccount.get_or_none(
            TaxAccount.account_number == account_number.strip().upper()
        )
        if account is None:
            raise NotFound(f"There is no tax account numbered {account_number.strip()}.")
        text = clean_line(title, "title", "title", max_length=400)
        taxpayer = account.taxpayer
        if not taxpayer.address.strip():
            raise InvalidInput(
                f"DOR has no mailing address for {taxpayer.legal_name}, so nothing can be "
                "mailed; add it to the taxpayer's registry record first (or import a registry "
                "row with it).",
                "account_number",
            )
        row = Correspondence.create(
            account=account,
            kind=kind.value,
            title=text,
            mailed_on=mailed_on,
            created_by=actor.logon_id,
            created_at=now(),
        )
        third_parties = list(
            Logon.select()
            .join(AccessGrant, on=(AccessGrant.third_party == Logon.id))
            .where((AccessGrant.account == account.id) & (AccessGrant.status == "active"))
            .distinct()
        )
        label = account_view(account).label
        for tp in third_parties:
            if tp.taxpayer_id == taxpayer.id:
                continue  # the firm's own business: it receives the letter itself
            notifications.email_logon(
                tp,
                f"DOR mailed a {kind.value} to your client {taxpayer.legal_name}",
                f'On {mailed_on:%B %d, %Y} DOR mailed a {kind.value}, "{text}", to '
                f"{taxpayer.legal_name} ({masked(taxpayer)}) about the account {label}.\n"
                "You receive this email because you are authorized on that account.\n",
            )
        audit.record(
            actor,
            "correspondence_mailed",
            taxpayer=taxpayer.id,
            account=account.id,
            kind=kind.value,
            title=text,
            mailed_to=taxpayer.address,
        )
        return MailedResult(
            row.id,
            tuple(tp.username for tp in third_parties if tp.taxpayer_id != taxpayer.id),
            mailed_to=taxpayer.address,
        )
