"""Access levels and the rights each one gives (DESIGN.md §3)."""

from __future__ import annotations

import enum


class Right(enum.Enum):
    VIEW = "view account"
    FILE = "file and amend returns"
    PAY = "make payments"
    MESSAGES = "secure messages"


class AccessLevel(enum.Enum):
    """What a grant lets a third party do on one tax account.

    The value is the stored code; :attr:`label` is the FAQ's wording.
    """

    VIEW_ONLY = "view_only"
    FILE = "file"
    PAY = "pay"
    FILE_AND_PAY = "file_and_pay"
    FULL_ACCESS = "full_access"

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def rights(self) -> frozenset[Right]:
        return _RIGHTS[self]

    def allows(self, right: Right) -> bool:
        return right in _RIGHTS[self]

    def is_higher_than(self, other: AccessLevel) -> bool:
        """True when this level's rights are a strict superset of ``other``'s."""
        return _RIGHTS[self] > _RIGHTS[other]

    def is_lower_than(self, other: AccessLevel) -> bool:
        return _RIGHTS[self] < _RIGHTS[other]

    @classmethod
    def from_label(cls, label: str) -> AccessLevel:
        for level in cls:
            if level.label.casefold() == label.strip().casefold() or level.value == label:
                return level
        raise ValueError(f"unknown access level {label!r}")


_LABELS = {
    AccessLevel.VIEW_ONLY: "View Only",
    AccessLevel.FILE: "File",
    AccessLevel.PAY: "Pay",
    AccessLevel.FILE_AND_PAY: "File and Pay",
    AccessLevel.FULL_ACCESS: "Full Access",
}

_RIGHTS = {
    AccessLevel.VIEW_ONLY: frozenset({Right.VIEW}),
    AccessLevel.FILE: frozenset({Right.VIEW, Right.FILE}),
    AccessLevel.PAY: frozenset({Right.VIEW, Right.PAY}),
    AccessLevel.FILE_AND_PAY: frozenset({Right.VIEW, Right.FILE, Right.PAY}),
    AccessLevel.FULL_ACCESS: frozenset({Right.VIEW, Right.FILE, Right.PAY, Right.MESSAGES}),
}


def describe_change(old: AccessLevel, new: AccessLevel) -> str:
    """'increase', 'decrease', 'change' (neither is a superset) or 'same'."""
    if old is new:
        return "same"
    if new.is_higher_than(old):
        return "increase"
    if new.is_lower_than(old):
        return "decrease"
    return "change"
