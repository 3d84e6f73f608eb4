"""*Reset Demo*: a demo database is put back as it was made, in one step, and only a demo
database: on any other the service refuses and changes nothing."""

from __future__ import annotations

import pytest

from mtc_desktop.domain.errors import NotAllowed
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.services import audit, demo, logons, requests
from mtc_desktop.services.demo_logons import DEMO_PASSWORD, is_demo_database
from mtc_desktop.services.requests import LineDecision
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import AccessGrant, AccessRequest, AuditEvent, Logon
from tests.conftest import PASSWORD, World


@pytest.fixture
def opened_demo(demo_db):  # type: ignore[no-untyped-def]
    store_db.open_database(demo_db)
    yield demo_db
    store_db.close_database()


def _pending_for(username: str) -> list[str]:
    actor = logons.log_in(username, DEMO_PASSWORD)
    return [r.number for r in requests.pending_for_me(actor)]


def test_a_demo_database_is_known_as_one(opened_demo) -> None:  # type: ignore[no-untyped-def]
    assert is_demo_database()


def test_reset_demo_puts_back_what_a_trainee_changed(opened_demo) -> None:  # type: ignore[no-untyped-def]
    harbor = logons.log_in("harborbakery", DEMO_PASSWORD)
    before = _pending_for("harborbakery")
    grants_before = AccessGrant.select().count()
    assert before, "the demo has a request for the bakery to decide"
    # A trainee approves the pending request and makes a logon of their own.
    request = requests.pending_for_me(harbor)[0]
    requests.decide_request(
        harbor,
        request.id,
        [LineDecision(line.account.id, True, AccessLevel.VIEW_ONLY) for line in request.lines],
    )
    assert _pending_for("harborbakery") != before
    assert AccessGrant.select().count() > grants_before

    made = demo.reset_demo(harbor)

    assert [m.username for m in made] == [m.username for m in demo.demo_logons()]
    assert _pending_for("harborbakery") == before
    assert AccessGrant.select().count() == grants_before
    assert is_demo_database()
    # Written down, and the audit chain holds.
    last = AuditEvent.select().order_by(AuditEvent.id.desc()).get()
    assert last.action == "demo_reset"
    assert "harborbakery" in last.details
    assert audit.verify_chain().ok


def test_reset_demo_is_refused_on_a_real_database(world: World) -> None:
    clerk = world.staff("clerk", administrator=True)
    tp = world.taxpayer("Real Bakery LLC")
    owner = world.taxpayer_logon("realbakery", tp)
    counts = (Logon.select().count(), AccessRequest.select().count(), AuditEvent.select().count())
    assert not is_demo_database()

    for actor in (owner, clerk):
        with pytest.raises(NotAllowed, match="not a demo database"):
            demo.reset_demo(actor)

    assert (
        Logon.select().count(),
        AccessRequest.select().count(),
        AuditEvent.select().count(),
    ) == counts
    assert logons.log_in("realbakery", PASSWORD).username == "realbakery"
