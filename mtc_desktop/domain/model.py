"""Enumerations of the domain: roles, account types, request and grant states."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    TAXPAYER = "taxpayer"
    THIRD_PARTY = "third_party"
    DOR_STAFF = "dor_staff"

    @property
    def label(self) -> str:
        return {"taxpayer": "Taxpayer", "third_party": "Third party", "dor_staff": "DOR staff"}[
            self.value
        ]


class TaxpayerKind(enum.Enum):
    INDIVIDUAL = "individual"
    BUSINESS = "business"


class AccountType(enum.Enum):
    PERSONAL_INCOME = "personal_income"
    WITHHOLDING = "withholding"
    SALES_AND_USE = "sales_and_use"
    MEALS = "meals"
    ROOM_OCCUPANCY = "room_occupancy"
    CORPORATE_EXCISE = "corporate_excise"
    PARTNERSHIP = "partnership"
    FIDUCIARY = "fiduciary"
    PTE_WITHHOLDING = "pte_withholding"
    PFML = "pfml"

    @property
    def label(self) -> str:
        return _ACCOUNT_LABELS[self]


_ACCOUNT_LABELS = {
    AccountType.PERSONAL_INCOME: "Personal Income",
    AccountType.WITHHOLDING: "Withholding",
    AccountType.SALES_AND_USE: "Sales and Use",
    AccountType.MEALS: "Meals",
    AccountType.ROOM_OCCUPANCY: "Room Occupancy",
    AccountType.CORPORATE_EXCISE: "Corporate Excise",
    AccountType.PARTNERSHIP: "Partnership",
    AccountType.FIDUCIARY: "Fiduciary",
    AccountType.PTE_WITHHOLDING: "Pass-through Entity Withholding",
    AccountType.PFML: "Paid Family and Medical Leave",
}


class ApprovalMethod(enum.Enum):
    PRINTED_FORM = "printed_form"
    MASSTAXCONNECT = "masstaxconnect"

    @property
    def label(self) -> str:
        return "Printed form" if self is ApprovalMethod.PRINTED_FORM else "MassTaxConnect"

    @property
    def how_approved(self) -> str:
        """How the taxpayer decides, to follow "To be approved …"."""
        if self is ApprovalMethod.PRINTED_FORM:
            return "on a printed Client Authorization form"
        return "online in MassTaxConnect"


class RequestStatus(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self is not RequestStatus.PENDING

    @property
    def label(self) -> str:
        return self.value.capitalize()


class GrantStatus(enum.Enum):
    ACTIVE = "active"
    CANCELLED = "cancelled"  # stored so; shown with the FAQ's spelling

    @property
    def label(self) -> str:
        return "Canceled" if self is GrantStatus.CANCELLED else self.value.capitalize()


class MessageKind(enum.Enum):
    EMAIL = "email"
    EMESSAGE = "emessage"

    @property
    def label(self) -> str:
        return "Email" if self is MessageKind.EMAIL else "E-message"


class CorrespondenceKind(enum.Enum):
    LETTER = "letter"
    NOTICE = "notice"


class ActivityKind(enum.Enum):
    FILE_RETURN = "file_return"
    MAKE_PAYMENT = "make_payment"


# Which request states may follow which. Only PENDING moves; every other state is final.
REQUEST_TRANSITIONS: dict[RequestStatus, frozenset[RequestStatus]] = {
    RequestStatus.PENDING: frozenset(
        {
            RequestStatus.APPROVED,
            RequestStatus.DENIED,
            RequestStatus.WITHDRAWN,
            RequestStatus.EXPIRED,
        }
    ),
    RequestStatus.APPROVED: frozenset(),
    RequestStatus.DENIED: frozenset(),
    RequestStatus.WITHDRAWN: frozenset(),
    RequestStatus.EXPIRED: frozenset(),
}

GRANT_TRANSITIONS: dict[GrantStatus, frozenset[GrantStatus]] = {
    GrantStatus.ACTIVE: frozenset({GrantStatus.CANCELLED}),
    GrantStatus.CANCELLED: frozenset(),
}


def can_move(old: RequestStatus | GrantStatus, new: RequestStatus | GrantStatus) -> bool:
    table: dict = REQUEST_TRANSITIONS if isinstance(old, RequestStatus) else GRANT_TRANSITIONS
    return new in table[old]
