"""Taxpayers and their tax accounts: identities DOR knows, and finding one by ID and name."""

from __future__ import annotations

from dataclasses import dataclass

from mtc_desktop.domain.errors import InvalidInput, NotFound
from mtc_desktop.domain.ids import IdType, mask_id, normalize_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, TaxpayerKind
from mtc_desktop.domain.text import clean_name, name_key
from mtc_desktop.services import audit
from mtc_desktop.services.base import actor_for, now
from mtc_desktop.store.models import AccessGrant, Counter, Logon, TaxAccount, Taxpayer

NO_MATCH = (
    "No taxpayer matches this ID type, ID number and legal name. Check all three against "
    "the taxpayer's records (the legal name as on the tax return)."
)

_ACCOUNT_PREFIX = {
    AccountType.PERSONAL_INCOME: "PIT",
    AccountType.WITHHOLDING: "WTH",
    AccountType.SALES_AND_USE: "STU",
    AccountType.MEALS: "MLS",
    AccountType.ROOM_OCCUPANCY: "ROT",
    AccountType.CORPORATE_EXCISE: "CXT",
    AccountType.PARTNERSHIP: "PTR",
    AccountType.FIDUCIARY: "FID",
    AccountType.PTE_WITHHOLDING: "PTE",
    AccountType.PFML: "PFM",
}


def search_text_for(name: str, digits: str) -> str:
    return f"{name_key(name)} {digits}"


def create_taxpayer(
    id_type: IdType,
    digits: str,
    legal_name: str,
    kind: TaxpayerKind,
    *,
    email: str | None = None,
    address: str = "",
) -> Taxpayer:
    """A new identity. Call inside a transaction; ``digits`` must be normalized already."""
    return Taxpayer.create(
        id_type=id_type.value,
        id_number=digits,
        legal_name=legal_name,
        name_key=name_key(legal_name),
        search_text=search_text_for(legal_name, digits),
        kind=kind.value,
        email=email,
        address=address,
    )


def next_number(name: str) -> int:
    """The next value of a named counter; serialized by the write transaction."""
    Counter.insert(name=name, value=0).on_conflict_ignore().execute()
    Counter.update(value=Counter.value + 1).where(Counter.name == name).execute()
    return int(Counter.get_by_id(name).value)


def account_number(account_type: AccountType, serial: int) -> str:
    return f"{_ACCOUNT_PREFIX[account_type]}-{serial:08d}"


def add_account(taxpayer: Taxpayer | int, account_type: AccountType) -> TaxAccount:
    serial = next_number("account")
    return TaxAccount.create(
        taxpayer=taxpayer,
        account_type=account_type.value,
        account_number=account_number(account_type, serial),
    )


def grant_own_business(logon: Logon, taxpayer: Taxpayer) -> None:
    """A third party manages its own business's accounts the same way as a client's."""
    actor = actor_for(logon)
    when = now()
    for account in TaxAccount.select().where(
        (TaxAccount.taxpayer == taxpayer.id) & TaxAccount.closed_at.is_null()
    ):
        exists = (
            AccessGrant.select()
            .where(
                (AccessGrant.third_party == logon.id)
                & (AccessGrant.account == account.id)
                & (AccessGrant.status == "active")
            )
            .exists()
        )
        if exists:
            continue
        AccessGrant.create(
            third_party=logon,
            account=account,
            taxpayer=taxpayer,
            level=AccessLevel.FULL_ACCESS.value,
            created_at=when,
            changed_at=when,
        )
        audit.record(
            actor,
            "grant_created",
            third_party=logon.id,
            taxpayer=taxpayer.id,
            account=account.id,
            level=AccessLevel.FULL_ACCESS.value,
            own_business=True,
        )


def match_taxpayer(id_type: IdType, raw_id: str, legal_name: str) -> Taxpayer:
    """The taxpayer with this ID and legal name (rule 5: one message for both mismatches)."""
    digits = normalize_id(id_type, raw_id)
    name = clean_name(legal_name)
    taxpayer = Taxpayer.get_or_none(
        (Taxpayer.id_type == id_type.value) & (Taxpayer.id_number == digits)
    )
    if taxpayer is None or taxpayer.name_key != name_key(name):
        raise InvalidInput(NO_MATCH, "legal_name")
    return taxpayer


@dataclass(frozen=True)
class AccountView:
    id: int
    account_type: AccountType
    number: str

    @property
    def label(self) -> str:
        return f"{self.account_type.label} {self.number}"


def account_view(account: TaxAccount) -> AccountView:
    return AccountView(
        id=account.id, account_type=AccountType(account.account_type), number=account.account_number
    )


def masked(taxpayer: Taxpayer) -> str:
    return mask_id(IdType(taxpayer.id_type), taxpayer.id_number)


def get_account(account_id: int) -> TaxAccount:
    account = TaxAccount.get_or_none(TaxAccount.id == account_id)
    if account is None:
        raise NotFound("There is no such tax account.")
    return account
