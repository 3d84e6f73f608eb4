"""The third party's lists behind Manage My Clients: its requests, found by status and by
typed words, and its former clients, whose access was cancelled."""

from __future__ import annotations

import pytest

from mtc_desktop.domain.errors import NotAllowed
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, RequestStatus
from mtc_desktop.services import grants, requests
from mtc_desktop.services.taxpayers import masked
from tests.conftest import World
from tests.services.helpers import ask, grant_access


def test_my_requests_narrow_by_status_and_every_typed_word(world: World) -> None:
    firm = world.third_party("firm")
    ann = world.taxpayer("Ann Marie Lowell")
    bob = world.taxpayer("Bob Lowell")
    cy = world.taxpayer("Cy Young")
    r_ann = ask(
        firm, ann, [(world.accounts(ann)[0], AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM
    )
    r_bob = ask(firm, bob, [(world.accounts(bob)[0], AccessLevel.PAY)], ApprovalMethod.PRINTED_FORM)
    ask(firm, cy, [(world.accounts(cy)[0], AccessLevel.PAY)], ApprovalMethod.PRINTED_FORM)
    requests.withdraw_request(firm, r_bob.id)

    assert [r.number for r in requests.my_requests(firm, text="lowell")] == [
        r_bob.number,
        r_ann.number,
    ]
    assert [r.taxpayer_name for r in requests.my_requests(firm, text="lowell ann")] == [
        "Ann Marie Lowell"
    ]
    assert [r.taxpayer_name for r in requests.my_requests(firm, text="MARIE  ann")] == [
        "Ann Marie Lowell"
    ]
    assert [r.number for r in requests.my_requests(firm, text=r_bob.number)] == [r_bob.number]
    pending = requests.my_requests(firm, RequestStatus.PENDING, text="lowell")
    assert [r.taxpayer_name for r in pending] == ["Ann Marie Lowell"]
    assert requests.count_my_requests(firm) == 3
    assert requests.count_my_requests(firm, RequestStatus.WITHDRAWN) == 1
    assert requests.count_my_requests(firm, text="young") == 1
    assert len(requests.my_requests(firm, limit=2)) == 2


def test_my_requests_show_only_the_firms_own(world: World) -> None:
    firm = world.third_party("firm")
    other = world.third_party("other")
    ann = world.taxpayer("Ann Lowell")
    ask(other, ann, [(world.accounts(ann)[0], AccessLevel.FILE)], ApprovalMethod.PRINTED_FORM)
    assert requests.my_requests(firm) == []
    assert requests.count_my_requests(firm) == 0


def test_former_clients_are_those_with_every_grant_cancelled(world: World, clock) -> None:
    firm = world.third_party("firm")
    ann = world.taxpayer("Ann Lowell", id_type=IdType.SSN)
    ann_logon = world.taxpayer_logon("ann", ann)
    bob = world.taxpayer("Bob Lowell")
    bob_logon = world.taxpayer_logon("bob", bob)
    grant_access(firm, ann, ann_logon, [(world.accounts(ann)[0], AccessLevel.FILE)])
    grant_access(firm, bob, bob_logon, [(world.accounts(bob)[0], AccessLevel.FILE)])
    assert grants.former_clients(firm) == []

    clock.advance(days=1)
    grants.cancel_general_access(ann_logon, firm.logon_id)
    former = grants.former_clients(firm)
    assert [(c.name, c.masked_id, c.id_type) for c in former] == [
        ("Ann Lowell", masked(ann), IdType.SSN)
    ]
    assert former[0].cancelled_at == clock.now

    # Approved again: a client once more, no longer a former one.
    grant_access(firm, ann, ann_logon, [(world.accounts(ann)[0], AccessLevel.PAY)])
    assert grants.former_clients(firm) == []


def test_the_lists_are_for_third_parties_only(world: World) -> None:
    ann = world.taxpayer("Ann Lowell")
    ann_logon = world.taxpayer_logon("ann", ann)
    for call in (requests.my_requests, requests.count_my_requests, grants.former_clients):
        with pytest.raises(NotAllowed):
            call(ann_logon)
