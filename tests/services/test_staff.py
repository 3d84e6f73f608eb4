"""DOR staff logons: setting up an empty database, administrators managing staff, one-time
codes (DESIGN rule 8: nobody sets another person's password), and who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from mtc_desktop.domain.errors import (
    AuthenticationFailed,
    InvalidInput,
    MtcError,
    NotAllowed,
    StateConflict,
)
from mtc_desktop.services import logons, registry, staff
from mtc_desktop.services.base import Actor
from mtc_desktop.store.models import AuditEvent, Logon
from tests.conftest import PASSWORD, Clock, World
from tests.databases import DatabaseRef
from tests.services.helpers import audit_actions, last_audit_id, snapshot

NEW_PASSWORD = "my own chosen password 7"


def set_up() -> Actor:
    return staff.set_up_database("chief", "Chris Chief", "chief@dor.example", PASSWORD)


def test_a_new_database_is_set_up_once(database: DatabaseRef) -> None:
    assert staff.needs_setup()
    chief = set_up()
    assert (chief.username, chief.administrator, chief.is_dor_staff) == ("chief", True, True)
    assert not staff.needs_setup()
    assert logons.log_in("chief", PASSWORD).administrator
    assert audit_actions() == ["database_set_up"]
    before = snapshot()
    with pytest.raises(NotAllowed, match="This database is set up already"):
        staff.set_up_database("other", "Other One", "other@dor.example", PASSWORD)
    assert snapshot() == before


def test_set_up_takes_the_password_rules_of_every_logon(database: DatabaseRef) -> None:
    with pytest.raises(InvalidInput) as info:
        staff.set_up_database("chief", "Chris Chief", "not an email", "short")
    assert set(info.value.errors) == {"email", "password"}
    assert staff.needs_setup()


def test_a_new_staff_member_chooses_a_password_with_the_code(
    database: DatabaseRef, clock: Clock
) -> None:
    chief = set_up()
    code = staff.add_staff(chief, "bobby", "Bo Clerk", "bo@dor.example")
    assert code.expires_at == clock.now + dt.timedelta(hours=24)
    stored = Logon.get_by_id(code.logon_id)
    assert stored.password_hash == ""
    assert code.code.replace("-", "") not in (stored.code_hash or "")
    [bo] = [s for s in staff.list_staff(chief) if s.username == "bobby"]
    assert (bo.administrator, bo.active, bo.code_pending) == (False, True, True)
    # No usable password yet; the code typed as a password says where it goes.
    with pytest.raises(AuthenticationFailed, match="one-time code, not a password"):
        logons.log_in("bobby", code.code)
    with pytest.raises(AuthenticationFailed, match="username or password is not correct"):
        logons.log_in("bobby", "")

    actor = staff.redeem_code("BOBBY", code.code.lower().replace("-", " "), NEW_PASSWORD)
    assert (actor.username, actor.administrator) == ("bobby", False)
    assert logons.log_in("bobby", NEW_PASSWORD).logon_id == actor.logon_id
    with pytest.raises(AuthenticationFailed, match="one-time code is not correct"):
        staff.redeem_code("bobby", code.code, "yet another password 99")  # used once only
    assert [s.code_pending for s in staff.list_staff(chief) if s.username == "bobby"] == [False]


def test_a_code_that_is_wrong_or_expired_is_refused_and_counted(
    database: DatabaseRef, clock: Clock
) -> None:
    chief = set_up()
    code = staff.add_staff(chief, "bobby", "Bo Clerk", "bo@dor.example")
    for _ in range(logons.FREE_FAILURES):
        with pytest.raises(AuthenticationFailed, match="one-time code is not correct"):
            staff.redeem_code("bobby", "AAAA-BBBB-CCCC", NEW_PASSWORD)
    with pytest.raises(AuthenticationFailed, match="Too many failed attempts"):
        staff.redeem_code("bobby", code.code, NEW_PASSWORD)
    clock.advance(hours=25)
    with pytest.raises(AuthenticationFailed, match="or the code has expired"):
        staff.redeem_code("bobby", code.code, NEW_PASSWORD)
    # A new code replaces the old one; a bad new password keeps the code usable.
    fresh = staff.issue_code(chief, code.logon_id)
    clock.advance(minutes=20)
    with pytest.raises(InvalidInput):
        staff.redeem_code("bobby", fresh.code, "short")
    assert staff.redeem_code("bobby", fresh.code, NEW_PASSWORD).username == "bobby"


def test_a_forgotten_password_gets_a_code_and_the_old_one_works_until_then(
    database: DatabaseRef,
) -> None:
    chief = set_up()
    bo = staff.add_staff_with_password(
        "bobby", "Bo Clerk", "bo@dor.example", PASSWORD, administrator=False
    )
    code = staff.issue_code(chief, bo.logon_id)
    assert logons.log_in("bobby", PASSWORD).username == "bobby"
    staff.redeem_code("bobby", code.code, NEW_PASSWORD)
    with pytest.raises(AuthenticationFailed):
        logons.log_in("bobby", PASSWORD)
    assert logons.log_in("bobby", NEW_PASSWORD).username == "bobby"


def test_disable_and_enable(database: DatabaseRef) -> None:
    chief = set_up()
    bo = staff.add_staff_with_password(
        "bobby", "Bo Clerk", "bo@dor.example", PASSWORD, administrator=False
    )
    session = logons.log_in("bobby", PASSWORD)
    view = staff.disable_staff(chief, bo.logon_id)
    assert not view.active
    with pytest.raises(AuthenticationFailed, match=r"^This logon is disabled\. Ask a DOR"):
        logons.log_in("bobby", PASSWORD)
    with pytest.raises(AuthenticationFailed, match="username or password is not correct"):
        logons.log_in("bobby", "a wrong password")  # says nothing more without the password
    # A window still open with the disabled logon can do nothing more.
    with pytest.raises(NotAllowed, match="This logon is disabled"):
        registry.find_taxpayers(session, "anyone")
    with pytest.raises(StateConflict, match="disabled already"):
        staff.disable_staff(chief, bo.logon_id)
    with pytest.raises(StateConflict, match="enable the logon before issuing a code"):
        staff.issue_code(chief, bo.logon_id)
    assert staff.enable_staff(chief, bo.logon_id).active
    assert logons.log_in("bobby", PASSWORD).username == "bobby"


def test_the_last_active_administrator_cannot_be_disabled(database: DatabaseRef) -> None:
    chief = set_up()
    before = snapshot()
    with pytest.raises(NotAllowed, match="chief is the last active DOR administrator"):
        staff.disable_staff(chief, chief.logon_id)
    assert snapshot() == before
    deputy = staff.add_staff_with_password(
        "deputy", "Dee Deputy", "dee@dor.example", PASSWORD, administrator=True
    )
    staff.disable_staff(deputy, chief.logon_id)
    with pytest.raises(NotAllowed, match="deputy is the last active DOR administrator"):
        staff.disable_staff(deputy, deputy.logon_id)


def test_every_staff_change_is_audited(database: DatabaseRef) -> None:
    chief = set_up()
    since = last_audit_id()
    code = staff.add_staff(chief, "bobby", "Bo Clerk", "bo@dor.example", administrator=True)
    staff.issue_code(chief, code.logon_id)
    staff.disable_staff(chief, code.logon_id)
    staff.enable_staff(chief, code.logon_id)
    fresh = staff.issue_code(chief, code.logon_id)
    staff.redeem_code("bobby", fresh.code, NEW_PASSWORD)
    events = list(AuditEvent.select().where(AuditEvent.id > since).order_by(AuditEvent.id))
    assert [e.action for e in events] == [
        "staff_added",
        "staff_code_issued",
        "staff_disabled",
        "staff_enabled",
        "staff_code_issued",
        "staff_code_redeemed",
    ]
    assert [e.actor_id for e in events] == [chief.logon_id] * 5 + [code.logon_id]
    assert all(fresh.code not in e.details for e in events)


def test_usernames_and_emails_stay_unique(database: DatabaseRef) -> None:
    chief = set_up()
    before = snapshot()
    with pytest.raises(InvalidInput, match="This username is taken"):
        staff.add_staff(chief, "CHIEF", "Someone", "someone@dor.example")
    with pytest.raises(InvalidInput, match="already used by another logon"):
        staff.add_staff(chief, "someone", "Someone", "Chief@DOR.example")
    assert snapshot() == before


def test_the_command_line_first_logon_is_an_administrator(database: DatabaseRef) -> None:
    actor = staff.add_staff_with_password(
        "first", "First Person", "first@dor.example", PASSWORD, administrator=False
    )
    assert actor.administrator
    assert audit_actions() == ["database_set_up"]


# --- permissions ----------------------------------------------------------------------


def test_only_administrators_manage_staff(world: World) -> None:
    chief = world.staff("chief", administrator=True)
    clerk = world.staff("clerk")
    taxpayer = world.taxpayer("Ann Lee")
    owner = world.taxpayer_logon("annlee", taxpayer)
    firm = world.third_party("firm")
    calls: list[Callable[[Actor], object]] = [
        lambda a: staff.list_staff(a),
        lambda a: staff.add_staff(a, "newbie", "New Person", "new@dor.example"),
        lambda a: staff.issue_code(a, clerk.logon_id),
        lambda a: staff.disable_staff(a, clerk.logon_id),
        lambda a: staff.enable_staff(a, clerk.logon_id),
    ]
    before = snapshot()
    for actor, refusal in (
        (clerk, "Only a DOR administrator can manage staff logons."),
        (owner, r"(?i)only a DOR staff logon"),
        (firm, r"(?i)only a DOR staff logon"),
    ):
        for call in calls:
            with pytest.raises(NotAllowed, match=refusal):
                call(actor)
    assert snapshot() == before
    assert not clerk.administrator
    assert [s.username for s in staff.list_staff(chief)] == ["chief", "clerk"]


def test_a_former_administrator_loses_the_right_at_once(world: World) -> None:
    """The right is read from the database at each call, not from the Actor held."""
    chief = world.staff("chief", administrator=True)
    deputy = world.staff("deputy", administrator=True)
    staff.disable_staff(chief, deputy.logon_id)
    with pytest.raises(MtcError, match="This logon is disabled"):
        staff.list_staff(deputy)
