"""A first walk through the FAQ's main path at the service layer."""

from __future__ import annotations

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, RequestStatus
from mtc_desktop.services import clients, grants, notifications, requests
from mtc_desktop.services.requests import LineDecision, RequestDraft


def test_request_approve_and_see_client(world) -> None:
    bakery = world.taxpayer(
        "Harbor Bakery", (AccountType.WITHHOLDING, AccountType.MEALS), IdType.FEIN
    )
    owner = world.taxpayer_logon("owner", bakery)
    firm = world.third_party("firm")
    accounts = world.accounts(bakery)
    view = requests.request_access(
        firm,
        RequestDraft(
            IdType.FEIN,
            bakery.id_number,
            "harbor  BAKERY",
            ((accounts[0].id, AccessLevel.FILE_AND_PAY), (accounts[1].id, AccessLevel.FILE)),
            ApprovalMethod.MASSTAXCONNECT,
        ),
    )
    assert view.status is RequestStatus.PENDING
    assert [r.number for r in requests.pending_for_me(owner)] == [view.number]
    decided = requests.decide_request(
        owner,
        view.id,
        [
            LineDecision(accounts[0].id, True, AccessLevel.PAY),
            LineDecision(accounts[1].id, False, AccessLevel.FILE),
        ],
    )
    assert decided.status is RequestStatus.APPROVED
    rows = clients.list_clients(firm)
    names = [r.name for r in rows]
    assert "Harbor Bakery" in names
    row = next(r for r in rows if r.name == "Harbor Bakery")
    assert [(a.account_type, a.level) for a in row.accesses] == [
        (AccountType.WITHHOLDING, AccessLevel.PAY)
    ]
    assert [t.username for t in grants.third_parties_with_access(owner)] == ["firm"]
    subjects = [m.subject for m in notifications.inbox(firm)]
    assert any("approved" in s for s in subjects)
