"""Domain enumerations and the request and grant state machines (DESIGN.md §3)."""

from __future__ import annotations

import itertools

import pytest

from mtc_desktop.domain.model import (
    GRANT_TRANSITIONS,
    REQUEST_TRANSITIONS,
    AccountType,
    ApprovalMethod,
    GrantStatus,
    RequestStatus,
    Role,
    can_move,
)

FINAL_REQUEST_STATES = [s for s in RequestStatus if s is not RequestStatus.PENDING]


def test_request_states_are_those_of_the_design() -> None:
    assert [s.value for s in RequestStatus] == [
        "pending",
        "approved",
        "denied",
        "withdrawn",
        "expired",
    ]


@pytest.mark.parametrize("new", FINAL_REQUEST_STATES, ids=lambda s: s.value)
def test_pending_moves_to_each_final_state(new: RequestStatus) -> None:
    assert can_move(RequestStatus.PENDING, new)


def test_pending_does_not_move_to_itself() -> None:
    assert not can_move(RequestStatus.PENDING, RequestStatus.PENDING)


@pytest.mark.parametrize("old", FINAL_REQUEST_STATES, ids=lambda s: s.value)
def test_final_request_states_never_move(old: RequestStatus) -> None:
    assert old.is_final
    assert REQUEST_TRANSITIONS[old] == frozenset()
    for new in RequestStatus:
        assert not can_move(old, new)


def test_only_pending_is_not_final() -> None:
    assert [s for s in RequestStatus if not s.is_final] == [RequestStatus.PENDING]


def test_every_request_state_has_a_row() -> None:
    assert set(REQUEST_TRANSITIONS) == set(RequestStatus)
    assert set(GRANT_TRANSITIONS) == set(GrantStatus)


def test_grant_active_moves_only_to_cancelled() -> None:
    assert can_move(GrantStatus.ACTIVE, GrantStatus.CANCELLED)
    assert not can_move(GrantStatus.ACTIVE, GrantStatus.ACTIVE)


def test_a_cancelled_grant_never_comes_back() -> None:
    assert not can_move(GrantStatus.CANCELLED, GrantStatus.ACTIVE)
    assert not can_move(GrantStatus.CANCELLED, GrantStatus.CANCELLED)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        *itertools.product(RequestStatus, GrantStatus),
        *itertools.product(GrantStatus, RequestStatus),
    ],
)
def test_request_and_grant_states_do_not_mix(
    old: RequestStatus | GrantStatus, new: RequestStatus | GrantStatus
) -> None:
    assert not can_move(old, new)


def test_status_labels() -> None:
    assert [s.label for s in RequestStatus] == [
        "Pending",
        "Approved",
        "Denied",
        "Withdrawn",
        "Expired",
    ]
    assert [s.label for s in GrantStatus] == ["Active", "Canceled"]


def test_account_types_are_the_ten_of_the_design() -> None:
    assert [t.label for t in AccountType] == [
        "Personal Income",
        "Withholding",
        "Sales and Use",
        "Meals",
        "Room Occupancy",
        "Corporate Excise",
        "Partnership",
        "Fiduciary",
        "Pass-through Entity Withholding",
        "Paid Family and Medical Leave",
    ]


def test_approval_methods_use_the_faqs_words() -> None:
    assert ApprovalMethod.PRINTED_FORM.label == "Printed form"
    assert ApprovalMethod.MASSTAXCONNECT.label == "MassTaxConnect"


def test_roles() -> None:
    assert [(r.value, r.label) for r in Role] == [
        ("taxpayer", "Taxpayer"),
        ("third_party", "Third party"),
        ("dor_staff", "DOR staff"),
    ]
