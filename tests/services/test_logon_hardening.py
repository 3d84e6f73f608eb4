"""Logons under attack: failed attempts counted in the database with growing delays (the
same for unknown and known usernames), rehashing when the parameters change, and an idle
lock that the services honour too."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from mtc_desktop.domain.errors import AuthenticationFailed, NotAllowed
from mtc_desktop.services import base, clients, logons
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import LoginFailure, Logon
from tests.conftest import PASSWORD, Clock, World
from tests.databases import DatabaseRef


def _fail(username: str, password: str = "not the right password at all") -> str:
    with pytest.raises(AuthenticationFailed) as info:
        logons.log_in(username, password)
    return info.value.message


def _failures(username: str) -> int:
    row = LoginFailure.get_or_none(LoginFailure.username_key == username.casefold())
    return int(row.failures) if row else 0


@pytest.mark.parametrize("username", ["firm", "nobody-by-this-name"])
def test_failed_logins_slow_down_known_and_unknown_usernames_alike(
    world: World, clock: Clock, username: str
) -> None:
    world.third_party("firm")
    for attempt in range(1, 4):
        assert _fail(username) == logons.LOGIN_FAILED
        assert _failures(username) == attempt
    # The fourth try within a second is not even checked: the right password waits too.
    message = _fail(username, PASSWORD)
    assert message == (
        "Too many failed attempts to log in as this user. Wait 1 second, then try again."
    )
    assert _failures(username) == 3
    clock.advance(seconds=1)
    assert _fail(username) == logons.LOGIN_FAILED
    assert _failures(username) == 4
    assert "Wait 2 seconds" in _fail(username)
    clock.advance(seconds=2)
    assert _fail(username) == logons.LOGIN_FAILED
    assert "Wait 4 seconds" in _fail(username)


def test_the_count_survives_a_restart_and_a_good_login_clears_it(
    world: World, clock: Clock, database: DatabaseRef
) -> None:
    world.third_party("firm")
    for _ in range(4):
        clock.advance(seconds=30)
        _fail("firm")
    store_db.close_database()
    store_db.open_database(database)  # the program started again
    assert _failures("firm") == 4
    assert "Wait 2 seconds" in _fail("FIRM ", PASSWORD), "the same username, however typed"
    clock.advance(seconds=2)
    actor = logons.log_in("firm", PASSWORD)
    assert actor.username == "firm"
    assert _failures("firm") == 0
    assert _fail("firm") == logons.LOGIN_FAILED
    assert _failures("firm") == 1


def test_the_delay_grows_to_at_most_fifteen_minutes() -> None:
    assert [logons.login_delay(n) for n in range(7)] == [0, 0, 0, 1, 2, 4, 8]
    assert logons.login_delay(50) == 15 * 60


def test_a_login_rehashes_when_the_parameters_change(world: World) -> None:
    world.third_party("firm")
    old = Logon.get(Logon.username == "firm").password_hash
    previous = logons.password_hasher()
    logons.set_password_hasher(PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    try:
        logons.log_in("firm", PASSWORD)
    finally:
        logons.set_password_hasher(previous)
    new = Logon.get(Logon.username == "firm").password_hash
    assert new != old
    assert "m=16,t=2,p=1" in new
    assert logons.log_in("firm", PASSWORD).username == "firm"


def test_an_idle_lock_is_honoured_by_the_services(world: World) -> None:
    firm = world.third_party("firm")
    assert clients.client_view_enabled(firm) is False
    base.lock_session(firm)
    with pytest.raises(NotAllowed) as info:
        clients.client_view_enabled(firm)
    assert info.value.message == base.SESSION_LOCKED
    with pytest.raises(NotAllowed):
        clients.set_client_view(firm, True)
    assert not Logon.get_by_id(firm.logon_id).client_view
    assert logons.verify_password(firm, "a wrong password, certainly") is False
    assert base.session_locked(firm)
    assert logons.verify_password(firm, PASSWORD) is True
    assert not base.session_locked(firm)
    clients.set_client_view(firm, True)
    assert clients.client_view_enabled(firm) is True
