"""The client list kept between changes (services/clients.py): every column sorts both
ways, a filter narrowed letter by letter or erased gives what a fresh query gives, and a
change made here, by another third party or by another process is seen at the next call.
Rule 1 holds throughout: a third party sees only clients it holds an active grant on."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType
from mtc_desktop.domain.text import name_key, search_words
from mtc_desktop.services import clients, demo, grants
from mtc_desktop.services.base import Actor
from mtc_desktop.services.clients import SortKey
from mtc_desktop.services.taxpayers import search_text_for
from mtc_desktop.store.models import AccessGrant, ClientListCache, Taxpayer
from tests.conftest import World
from tests.databases import DatabaseRef
from tests.services.helpers import grant_access

A = AccountType
L = AccessLevel


def _fresh(actor: Actor, text: str = "", favorites_only: bool = False) -> list[int]:
    """The matching clients in name order, asked of the database as the list did before
    it kept anything: every word in the search text, active grants only."""
    active = AccessGrant.select(AccessGrant.taxpayer).where(
        (AccessGrant.third_party == actor.logon_id) & (AccessGrant.status == "active")
    )
    query = Taxpayer.select(Taxpayer.id).where(Taxpayer.id.in_(active))
    for word in search_words(text):
        query = query.where(Taxpayer.search_text.contains(word))
    ids = [t.id for t in query.order_by(Taxpayer.name_key, Taxpayer.id)]
    if favorites_only:
        favorites = {r.taxpayer_id for r in clients.client_rows(actor, ids) if r.favorite}
        ids = [i for i in ids if i in favorites]
    return ids


def _expected(
    actor: Actor, text: str, key: SortKey, descending: bool, favorites_only: bool = False
) -> list[int]:
    """What the user must see: sorted by what the column shows, ties by name."""
    ids = _fresh(actor, text, favorites_only)
    rows = {r.taxpayer_id: r for r in clients.client_rows(actor, ids)}
    digits = {t.id: t.id_number for t in Taxpayer.select().where(Taxpayer.id.in_(ids))}
    shown = {
        SortKey.NAME: lambda tid: "",
        SortKey.FAVORITE: lambda tid: "0" if rows[tid].favorite else "1",
        SortKey.ID: lambda tid: digits[tid],
        SortKey.ACCOUNTS: lambda tid: rows[tid].accounts_label,
        SortKey.LEVELS: lambda tid: rows[tid].levels_label,
    }[key]
    ordered = [ids[n] for n in sorted(range(len(ids)), key=lambda n: (shown(ids[n]), n))]
    return ordered[::-1] if descending else ordered


def _firm(world: World) -> tuple[Actor, dict[str, Taxpayer]]:
    """A firm with clients of different accounts and levels, and 150 bulk clients."""
    firm = world.third_party("firm", "Firm LLP")
    dor = world.staff()
    made = {}
    for name, accounts, levels in [
        ("Zoe Adams", (A.PERSONAL_INCOME,), (L.FILE,)),
        ("Ann Lowell", (A.MEALS, A.SALES_AND_USE), (L.FULL_ACCESS, L.FILE)),
        ("Bob Lowell", (A.WITHHOLDING,), (L.VIEW_ONLY,)),
        ("Cy Young", (A.PFML, A.WITHHOLDING), (L.PAY, L.PAY)),
        ("Ängel Ünal", (A.PERSONAL_INCOME,), (L.FILE_AND_PAY,)),
    ]:
        taxpayer = world.taxpayer(name, accounts)
        lines = list(zip(world.accounts(taxpayer), levels, strict=True))
        grant_access(firm, taxpayer, dor, lines)
        made[name] = taxpayer
    demo.add_bulk_clients("firm", 150, seed=7)
    return firm, made


def _ids(actor: Actor, text: str = "", **kwargs: object) -> list[int]:
    return list(clients.client_list(actor, text, **kwargs))  # type: ignore[arg-type]


def test_every_column_sorts_both_ways_and_ties_go_by_name(world: World) -> None:
    firm, made = _firm(world)
    clients.set_favorite(firm, made["Cy Young"].id, True)
    clients.set_favorite(firm, made["Zoe Adams"].id, True)
    for key in SortKey:
        for descending in (False, True):
            for text in ("", "lowell", "a"):
                got = _ids(firm, text, sort=key, descending=descending)
                assert got == _expected(firm, text, key, descending), (key, descending, text)
    # What the user reads in each column, in order:
    rows = clients.client_rows(firm, _ids(firm, "lowell", sort=SortKey.ACCOUNTS))
    assert [r.accounts_label for r in rows] == ["Meals, Sales and Use", "Withholding"]
    rows = clients.client_rows(firm, _ids(firm, "l", sort=SortKey.LEVELS, descending=True))
    assert [r.levels_label for r in rows][:1] == ["View Only"]
    favorites_first = clients.client_rows(firm, _ids(firm, sort=SortKey.FAVORITE)[:3])
    assert [r.name for r in favorites_first][:2] == ["Cy Young", "Zoe Adams"]
    assert favorites_first[2].favorite is False


_LETTERS = "aeilnorst lowell 12"


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.one_of(
            st.sampled_from(_LETTERS),
            st.just("\b"),  # Backspace
            st.just("\x7f"),  # the clear button
            st.sampled_from(list(SortKey)),
            st.just("reverse"),
            st.just("favorites"),
        ),
        max_size=14,
    )
)
def test_typing_erasing_and_sorting_give_what_a_fresh_query_gives(
    world_with_firm: tuple[Actor, dict[str, Taxpayer]], steps: list[object]
) -> None:
    firm, _made = world_with_firm
    text, key, descending, favorites_only = "", SortKey.NAME, False, False
    for step in steps:
        if step == "\b":
            text = text[:-1]
        elif step == "\x7f":
            text = ""
        elif step == "reverse":
            descending = not descending
        elif step == "favorites":
            favorites_only = not favorites_only
        elif isinstance(step, SortKey):
            key = step
        else:
            text += str(step)
        got = _ids(firm, text, sort=key, descending=descending, favorites_only=favorites_only)
        assert got == _expected(firm, text, key, descending, favorites_only), (
            text,
            key,
            descending,
            favorites_only,
        )
        assert clients.count_clients(firm, text, favorites_only) == len(got)


@pytest.fixture
def world_with_firm(world: World) -> tuple[Actor, dict[str, Taxpayer]]:
    firm, made = _firm(world)
    clients.set_favorite(firm, made["Bob Lowell"].id, True)
    return firm, made


def test_a_canceled_grant_leaves_every_kept_list_at_once(world: World) -> None:
    firm, made = _firm(world)
    ann = made["Ann Lowell"].id
    for key in SortKey:  # every order made and kept
        assert ann in _ids(firm, sort=key)
    assert ann in _ids(firm, "low")
    assert ann in _ids(firm, "lowell")
    for grant in AccessGrant.select().where(AccessGrant.taxpayer == ann):
        grants.cancel_my_access(firm, grant.id)
    for key in SortKey:
        assert ann not in _ids(firm, sort=key)
        assert _ids(firm, "lowell", sort=key) == _expected(firm, "lowell", key, False)
    assert ann not in _ids(firm, "low")
    assert clients.client_rows(firm, [ann]) == [], "no row for a former client (rule 1)"


def test_a_favorite_marked_or_unmarked_is_seen_at_once(world: World) -> None:
    firm, made = _firm(world)
    bob = made["Bob Lowell"].id
    assert _ids(firm, favorites_only=True) == []
    first = _ids(firm, sort=SortKey.FAVORITE)
    assert first[0] != bob
    clients.set_favorite(firm, bob, True)
    assert _ids(firm, favorites_only=True) == [bob]
    assert _ids(firm, sort=SortKey.FAVORITE)[0] == bob
    assert _ids(firm, "lowell", favorites_only=True) == [bob]
    assert _ids(firm, sort=SortKey.FAVORITE, descending=True)[-1] == bob
    clients.set_favorite(firm, bob, False)
    assert _ids(firm, favorites_only=True) == []
    assert _ids(firm, sort=SortKey.FAVORITE) == first
    assert clients.favorites_count(firm) == 0


def test_a_grant_level_change_reorders_the_levels_column_only(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A level changed is counted on its own: the list is not read again, the other
    orders stay, and the *Access levels* order is made again (saved ones too)."""
    monkeypatch.setattr(clients, "SAVE_FROM_CLIENTS", 100)
    firm, made = _firm(world)
    before = _ids(firm, "lowell", sort=SortKey.LEVELS)
    assert before == _expected(firm, "lowell", SortKey.LEVELS, False)
    by_id = _ids(firm, sort=SortKey.ID)
    grant = AccessGrant.get(
        (AccessGrant.taxpayer == made["Bob Lowell"].id) & (AccessGrant.status == "active")
    )
    bob_logon = world.taxpayer_logon("bob", made["Bob Lowell"])

    def not_again(*_args: object) -> None:
        raise AssertionError("a level change must not read the whole list again")

    with monkeypatch.context() as patched:
        patched.setattr(clients, "_read_clients", not_again)
        grants.change_level(bob_logon, grant.id, L.FILE_AND_PAY)
        after = _ids(firm, "lowell", sort=SortKey.LEVELS)
        assert after == _expected(firm, "lowell", SortKey.LEVELS, False)
        assert after == before[::-1]  # "File and Pay" now sorts before "File, Full Access"
        assert _ids(firm, sort=SortKey.ID) == by_id
        rows = clients.client_rows(firm, [made["Bob Lowell"].id])
        assert rows[0].levels_label == "File and Pay"
    # The next login uses the saved list, but not the saved levels order of before.
    clients._kept.clear()
    assert _ids(firm, sort=SortKey.LEVELS) == _expected(firm, "", SortKey.LEVELS, False)


_OTHER_PROCESS = """
import sys
ref, taxpayer, name, key, text, grant = sys.argv[1:]
sql = [
    ("UPDATE taxpayer SET legal_name = %s, name_key = %s, search_text = %s WHERE id = %s",
     (name, key, text, int(taxpayer))),
    ("UPDATE access_grant SET status = 'cancelled' WHERE id = %s", (int(grant),)),
]
if ref.startswith("postgresql"):
    import psycopg
    with psycopg.connect(ref) as conn:
        for statement, args in sql:
            conn.execute(statement, args)
else:
    import sqlite3
    conn = sqlite3.connect(ref)
    with conn:
        for statement, args in sql:
            conn.execute(statement.replace("%s", "?"), args)
    conn.close()
"""


def test_another_process_s_change_is_seen_at_the_next_call(
    world: World, database: DatabaseRef
) -> None:
    """Another workstation renames a client and cancels a grant straight in the database:
    the kept list notices by the change counters the database itself keeps."""
    firm, made = _firm(world)
    zoe, cy = made["Zoe Adams"], made["Cy Young"]
    assert _ids(firm)[0] != zoe.id
    assert _ids(firm, "zoe") == [zoe.id]
    assert cy.id in _ids(firm, sort=SortKey.ACCOUNTS)
    grant = AccessGrant.get((AccessGrant.taxpayer == cy.id) & (AccessGrant.status == "active"))
    new_name = "Aaron Aardvark"
    subprocess.run(
        [
            sys.executable,
            "-c",
            _OTHER_PROCESS,
            str(database),
            str(zoe.id),
            new_name,
            name_key(new_name),
            search_text_for(new_name, zoe.id_number),
            str(grant.id),
        ],
        check=True,
        timeout=60,
    )
    assert _ids(firm, "zoe") == []
    assert _ids(firm, "aardvark") == [zoe.id]
    assert _ids(firm) == _expected(firm, "", SortKey.NAME, False)
    assert _ids(firm)[0] == zoe.id  # "aaron aardvark" sorts first
    assert _ids(firm, sort=SortKey.ACCOUNTS) == _expected(firm, "", SortKey.ACCOUNTS, False)


def test_each_third_party_sees_only_its_own_clients(world: World) -> None:
    """Rule 1 with lists kept per third party: another firm's warm list never leaks."""
    firm, made = _firm(world)
    other = world.third_party("other", "Other LLP")
    dor = world.staff("clerk2")
    shared = made["Ann Lowell"]
    grant_access(other, shared, dor, [(world.accounts(shared)[0], L.VIEW_ONLY)])
    assert len(_ids(firm)) == 155
    for key in SortKey:
        assert _ids(other, sort=key) == [shared.id]
    assert _ids(other, "lowell") == [shared.id]
    assert [r.name for r in clients.client_rows(other, _ids(firm)[:20])] == (
        ["Ann Lowell"] if shared.id in _ids(firm)[:20] else []
    )


def test_a_big_firm_s_list_is_saved_for_the_next_login_while_it_holds(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clients, "SAVE_FROM_CLIENTS", 100)
    firm, made = _firm(world)
    expected = {key: _ids(firm, sort=key) for key in SortKey}
    saved = {
        c.part for c in ClientListCache.select().where(ClientListCache.third_party == firm.logon_id)
    }
    assert saved == {"clients", "id", "accounts", "levels"}

    # The next login (nothing kept in this process) reads what was saved: not a query.
    clients._kept.clear()

    def not_again(*_args: object) -> None:
        raise AssertionError("the saved list should have been used")

    with monkeypatch.context() as patched:
        patched.setattr(clients, "_read_clients", not_again)
        patched.setattr(clients, "_access_labels", not_again)
        for key in SortKey:
            assert _ids(firm, sort=key) == expected[key]
        assert _ids(firm, "lowell") == _expected(firm, "lowell", SortKey.NAME, False)

    # A change makes what was saved stale: it is read again, and saved again.
    bob = made["Bob Lowell"]
    for grant in AccessGrant.select().where(AccessGrant.taxpayer == bob.id):
        grants.cancel_my_access(firm, grant.id)
    clients._kept.clear()
    for key in SortKey:
        assert _ids(firm, sort=key) == _expected(firm, "", key, False)
    assert bob.id not in _ids(firm, "lowell")
