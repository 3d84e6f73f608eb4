"""A third party's clients: the *All* tab, favorites, and the *Change Client View* switch.

The client list must stay instant for a firm with a million clients: every typed word must
appear in the client's name or ID, in any order, and every column sorts. The database is
asked once for the firm's clients (ids and search text, in name order); this process keeps
them, per third party, with what each change can reuse:

- the sorted order of every sort key, made the first time it is asked for;
- the matches of recent filters: a letter added narrows the previous matches instead of
  searching every client, and erasing it gives the earlier list back at once;
- the favorites, reread on their own when only they changed.

What is kept is checked on every call against change counters that triggers bump in the
same transaction as the change (store/changes.py), so a grant made or canceled, a level
changed, a favorite marked, or a name changed, here or on another workstation, is seen
the next time the list is asked for; a level or a favorite changed remakes only the order
that depends on it. Rows (names, accounts, levels) are read for the ids on screen only
(:func:`client_rows`), and only for clients the third party holds an active grant on.
"""

from __future__ import annotations

import enum
import logging
import struct
import threading
import weakref
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

from peewee import DatabaseError, PostgresqlDatabase, fn

from mtc_desktop.domain.errors import MtcError, NotFound
from mtc_desktop.domain.ids import IdType, mask_id
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, Role
from mtc_desktop.domain.text import search_words
from mtc_desktop.services import audit
from mtc_desktop.services.base import Actor, reading, require_role, transaction, writing
from mtc_desktop.store import changes
from mtc_desktop.store.models import (
    AccessGrant,
    ClientListCache,
    Counter,
    Favorite,
    Logon,
    TaxAccount,
    Taxpayer,
    db,
)

log = logging.getLogger(__name__)


class SortKey(enum.Enum):
    """The columns of the client list. Ties are broken by name (then the taxpayer's id),
    and a descending sort is the ascending list reversed."""

    FAVORITE = "favorite"  # ascending: favorites first
    NAME = "name"
    ID = "id"
    ACCOUNTS = "accounts"
    LEVELS = "levels"


@dataclass(frozen=True)
class ClientAccess:
    grant_id: int
    account_id: int
    account_type: AccountType
    account_number: str
    level: AccessLevel


@dataclass(frozen=True)
class ClientRow:
    taxpayer_id: int
    name: str
    masked_id: str
    favorite: bool
    own_business: bool
    accesses: tuple[ClientAccess, ...]

    @property
    def accounts_label(self) -> str:
        return ", ".join(a.account_type.label for a in self.accesses)

    @property
    def levels_label(self) -> str:
        """Each level held once, in the order of the accounts ("Full Access", not "Full
        Access, Full Access"); which account has which is in the row's tooltip."""
        return ", ".join(dict.fromkeys(a.level.label for a in self.accesses))


# --- the kept client lists --------------------------------------------------------------


class ClientIds(Sequence[int]):
    """Taxpayer ids in display order: a view over a kept list, nothing copied.

    ``len()`` is exact at once, and ``ids[i]`` or a slice reads only what is asked for, so
    a table of a million clients fetches rows for the ids on screen only."""

    __slots__ = ("_ids", "_positions", "_reverse")

    def __init__(self, ids: Sequence[int], positions: Sequence[int], reverse: bool) -> None:
        self._ids = ids
        self._positions = positions
        self._reverse = reverse

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> list[int]: ...
    def __getitem__(self, index: int | slice) -> int | list[int]:
        n = len(self._positions)
        if isinstance(index, slice):
            rows = range(n)[index]
            if self._reverse:
                rows = range(n - 1 - rows.start, n - 1 - rows.stop, -rows.step)
            ids, positions = self._ids, self._positions
            return [ids[positions[row]] for row in rows]
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("client row out of range")
        return self._ids[self._positions[n - 1 - index if self._reverse else index]]

    def __iter__(self) -> Iterator[int]:
        ids = self._ids
        positions = reversed(self._positions) if self._reverse else self._positions
        return (ids[p] for p in positions)

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The row of taxpayer ``value`` (ValueError when it is not in the list)."""
        position = self._ids.index(value)
        row = self._positions.index(position)
        row = len(self._positions) - 1 - row if self._reverse else row
        if row < start or (stop is not None and row >= stop):
            raise ValueError(f"{value} is not in the list")
        return row

    def __contains__(self, value: object) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ClientIds) and (
            other._ids is self._ids
            and other._positions is self._positions
            and other._reverse == self._reverse
        ):
            return True
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ClientIds({len(self):,} clients)"


def _implied(done: tuple[str, ...], word: str) -> bool:
    """Whether every text holding all of ``done`` surely holds ``word`` too."""
    return any(word in old for old in done)


class _ClientIndex:
    """One third party's clients as last read: ids and search text in name order, the
    order of each sort key (positions into them), favorites and recent filters."""

    MAX_FILTERS = 48

    def __init__(self, version: tuple[int, int], ids: array[int], texts: list[str]) -> None:
        self.version = version
        self.ids = ids
        self.texts = texts
        self.orders: dict[SortKey, Sequence[int]] = {SortKey.NAME: range(len(ids))}
        self.favorites_version = -1
        self.favorite_positions: list[int] = []
        self.levels_version = 0
        self.filters: OrderedDict[tuple[SortKey, bool, tuple[str, ...]], Sequence[int]] = (
            OrderedDict()
        )

    # --- favorites ---------------------------------------------------------------------

    def set_favorites(self, version: int, favorite_ids: set[int]) -> None:
        ids = self.ids
        if len(favorite_ids) <= 8:  # a few: find each (a scan in C)
            found = []
            for tid in favorite_ids:
                try:
                    found.append(ids.index(tid))
                except ValueError:
                    continue
            positions = sorted(found)
        else:
            positions = [p for p, tid in enumerate(ids) if tid in favorite_ids]
        self.favorites_version = version
        self.favorite_positions = positions
        self.orders.pop(SortKey.FAVORITE, None)
        for key in [k for k in self.filters if k[1] or k[0] is SortKey.FAVORITE]:
            del self.filters[key]

    def set_levels(self, version: int) -> None:
        """A grant's level changed: only the *Access levels* order must be made again."""
        self.levels_version = version
        self.orders.pop(SortKey.LEVELS, None)
        for key in [k for k in self.filters if k[0] is SortKey.LEVELS]:
            del self.filters[key]

    # --- orders ------------------------------------------------------------------------

    def order(self, key: SortKey, actor: Actor) -> Sequence[int]:
        found = self.orders.get(key)
        if found is None:
            kept = key in _SAVED_ORDERS and len(self.ids) >= SAVE_FROM_CLIENTS
            version = f"{self.version[0]}:{self.version[1]}:{zlib.crc32(self.ids)}"
            if key is SortKey.LEVELS:
                version += f":{self.levels_version}"
            data = _load_part(actor, key.value, version) if kept else None
            if data is not None:
                found = array("i")
                found.frombytes(data)
            else:
                found = self._make_order(key, actor)
                if kept:
                    _save_part(actor, key.value, version, array("i", found).tobytes())
            self.orders[key] = found
        return found

    def _make_order(self, key: SortKey, actor: Actor) -> Sequence[int]:
        n = len(self.ids)
        if key is SortKey.FAVORITE:
            rest: list[int] = []
            previous = 0
            for p in self.favorite_positions:
                rest.extend(range(previous, p))
                previous = p + 1
            rest.extend(range(previous, n))
            return self.favorite_positions + rest
        if key is SortKey.ID:
            digits = [t[t.rfind(" ") + 1 :] for t in self.texts]
            return array("i", sorted(range(n), key=digits.__getitem__))
        # Accounts or levels: few different texts; each one's clients in name order.
        position = array("i", bytes(4 * (max(self.ids) + 1)))
        for p, tid in enumerate(self.ids):
            position[tid] = p
        buckets: dict[str, list[int]] = {}
        for label, tids in _access_labels(actor, key):
            buckets.setdefault(label, []).extend(map(position.__getitem__, tids))
        ordered = array("i")
        for label in sorted(buckets):
            ordered.extend(sorted(buckets[label]))
        return ordered

    # --- filters -----------------------------------------------------------------------

    def matches(
        self, actor: Actor, key: SortKey, words: tuple[str, ...], favorites_only: bool
    ) -> Sequence[int]:
        wanted = (key, favorites_only, words)
        found = self.filters.get(wanted)
        if found is not None:
            self.filters.move_to_end(wanted)
            return found
        # Start from the narrowest kept list whose words all hold for these words too.
        start: Sequence[int] | None = None
        done: tuple[str, ...] = ()
        for (k, fav, old), kept in self.filters.items():
            narrower = start is None or len(kept) < len(start)
            usable = k is key and fav == favorites_only and narrower
            if usable and all(_implied(words, w) for w in old):
                start, done = kept, old
        if start is None and words and key is not SortKey.NAME and not favorites_only:
            # Search the texts in their own (name) order, which reads memory in sequence,
            # then pick the matches out of this key's order: twice as fast at a million.
            chosen = bytearray(len(self.ids))
            for p in self.matches(actor, SortKey.NAME, words, False):
                chosen[p] = 1
            order = self.order(key, actor)
            start, done = [p for p in order if chosen[p]], words
        if start is None:
            start = self.order(key, actor)
            if favorites_only:
                chosen_set = set(self.favorite_positions)
                start = [p for p in start if p in chosen_set] if chosen_set else []
        texts = self.texts
        result = start
        for word in words:
            if not _implied(done, word):
                result = [p for p in result if word in texts[p]]
        self.filters[wanted] = result
        while len(self.filters) > self.MAX_FILTERS:
            self.filters.popitem(last=False)
        return result


# Per open database (a new database object starts afresh), per third party; one caller
# at a time.
_kept: weakref.WeakKeyDictionary[Any, dict[int, _ClientIndex]] = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def _counters(actor: Actor) -> tuple[int, int, int, int]:
    """This third party's change counters: (grants, favorites, names, levels)."""
    names = (
        f"{changes.GRANTS}{actor.logon_id}",
        f"{changes.FAVORITES}{actor.logon_id}",
        changes.NAMES,
        f"{changes.LEVELS}{actor.logon_id}",
    )
    query = Counter.select(Counter.name, Counter.value).where(Counter.name.in_(names))
    rows: Iterable[tuple[str, int]] = query.tuples()  # type: ignore[assignment]
    found = {name: int(value) for name, value in rows}
    grants_n, favorites_n, names_n, levels_n = (found.get(name, 0) for name in names)
    return grants_n, favorites_n, names_n, levels_n


def _read_clients(actor: Actor) -> tuple[array[int], list[str]]:
    """The ids and search text of the third party's clients, in name order: one row of
    two long strings, which the database builds far faster than Python reads a million
    rows."""
    granted = (
        "SELECT taxpayer_id FROM access_grant WHERE third_party_id = {p} AND status = 'active'"
    )
    if isinstance(db.obj, PostgresqlDatabase):
        sql = (
            "SELECT string_agg(id::text, ',' ORDER BY name_key, id), "
            "string_agg(search_text, E'\\n' ORDER BY name_key, id) "
            f"FROM taxpayer WHERE id IN ({granted.format(p='%s')})"
        )
    else:
        sql = (
            "SELECT group_concat(id), group_concat(search_text, char(10)) FROM "
            f"(SELECT id, search_text FROM taxpayer WHERE id IN ({granted.format(p='?')}) "
            "ORDER BY name_key, id)"
        )
    id_text, search = db.execute_sql(sql, (actor.logon_id,)).fetchone()
    if not id_text:
        return array("q"), []
    return array("q", map(int, id_text.split(","))), search.split("\n")


def _access_labels(actor: Actor, key: SortKey) -> list[tuple[str, Iterable[int]]]:
    """The *Accounts* or *Access levels* texts of the third party's clients, each with
    the ids of the clients showing it. The database groups a million grants into the few
    texts there are (accounts in the order :func:`client_rows` gives them)."""
    held = "a.account_type" if key is SortKey.ACCOUNTS else "g.level"
    joined = (
        "FROM access_grant g JOIN tax_account a ON a.id = g.account_id "
        "WHERE g.third_party_id = {p} AND g.status = 'active'"
    )
    if isinstance(db.obj, PostgresqlDatabase):
        sql = (
            "SELECT label, string_agg(taxpayer_id::text, ',') FROM ("
            f"SELECT g.taxpayer_id, string_agg({held}, ',' ORDER BY a.account_type, a.id) "
            f"AS label {joined.format(p='%s')} GROUP BY g.taxpayer_id) AS client GROUP BY label"
        )
    else:
        sql = (
            "SELECT label, group_concat(taxpayer_id) FROM ("
            "SELECT taxpayer_id, group_concat(held) AS label FROM ("
            f"SELECT g.taxpayer_id, {held} AS held {joined.format(p='?')} "
            "ORDER BY g.taxpayer_id, a.account_type, a.id) GROUP BY taxpayer_id) GROUP BY label"
        )
    names = {t.value: t.label for t in AccountType} | {v.value: v.label for v in AccessLevel}
    found: list[tuple[str, Iterable[int]]] = []
    for codes, tids in db.execute_sql(sql, (actor.logon_id,)).fetchall():
        words = [names[code] for code in codes.split(",")]
        shown = ", ".join(words if key is SortKey.ACCOUNTS else dict.fromkeys(words))
        found.append((shown, map(int, tids.split(","))))
    return found


# Big firms' lists are saved in the database (ClientListCache) for the next login; the
# favorites' order is quick to make again and changes more often.
SAVE_FROM_CLIENTS = 20_000
_SAVED_ORDERS = frozenset({SortKey.ID, SortKey.ACCOUNTS, SortKey.LEVELS})


def _load_part(actor: Actor, part: str, version: str) -> bytes | None:
    row = (
        ClientListCache.select(ClientListCache.version, ClientListCache.data)
        .where((ClientListCache.third_party == actor.logon_id) & (ClientListCache.part == part))
        .tuples()
        .first()
    )
    if row is None or row[0] != version:
        return None
    return bytes(row[1])


def _save_part(actor: Actor, part: str, version: str, data: bytes) -> None:
    """Save a part for the next login; a database that cannot take it now only means
    the part is made again next time."""
    try:
        with transaction():
            ClientListCache.insert(
                third_party=actor.logon_id, part=part, version=version, data=data
            ).on_conflict(
                conflict_target=[ClientListCache.third_party, ClientListCache.part],
                update={ClientListCache.version: version, ClientListCache.data: data},
            ).execute()
    except (MtcError, DatabaseError) as exc:
        log.warning("the client list was not saved for the next login: %s", exc)


def _pack_clients(ids: array[int], texts: list[str]) -> bytes:
    return struct.pack("<Q", len(ids)) + ids.tobytes() + "\n".join(texts).encode()


def _unpack_clients(data: bytes) -> tuple[array[int], list[str]]:
    (n,) = struct.unpack_from("<Q", data)
    ids = array("q")
    ids.frombytes(data[8 : 8 + 8 * n])
    texts = data[8 + 8 * n :].decode().split("\n") if n else []
    return ids, texts


def _index(actor: Actor) -> _ClientIndex:
    """The third party's kept clients, read again if a change was counted since."""
    grants_n, favorites_n, names_n, levels_n = _counters(actor)  # before the data
    per_database = _kept.setdefault(db.obj, {})
    index = per_database.get(actor.logon_id)
    if index is None or index.version != (grants_n, names_n):
        version = f"{grants_n}:{names_n}"
        saved = _load_part(actor, "clients", version)
        if saved is not None:
            ids, texts = _unpack_clients(saved)
        else:
            ids, texts = _read_clients(actor)
            if len(ids) >= SAVE_FROM_CLIENTS:
                _save_part(actor, "clients", version, _pack_clients(ids, texts))
        index = _ClientIndex((grants_n, names_n), ids, texts)
        index.levels_version = levels_n
    if index.levels_version != levels_n:
        index.set_levels(levels_n)
    if index.favorites_version != favorites_n:
        query = Favorite.select(Favorite.taxpayer).where(Favorite.third_party == actor.logon_id)
        favorites: set[int] = {row[0] for row in query.tuples()}  # type: ignore[index]
        index.set_favorites(favorites_n, favorites)
    per_database[actor.logon_id] = index
    return index


@reading
def client_list(
    actor: Actor,
    text: str = "",
    *,
    favorites_only: bool = False,
    sort: SortKey = SortKey.NAME,
    descending: bool = False,
) -> ClientIds:
    """The ids of the matching clients (active grants only) in display order, as a view
    for a model that fetches rows lazily; see the module's description for what is kept."""
    require_role(actor, Role.THIRD_PARTY)
    with _kept_lock:
        index = _index(actor)
        positions = index.matches(actor, sort, tuple(search_words(text)), favorites_only)
    return ClientIds(index.ids, positions, descending)


@reading
def count_clients(actor: Actor, text: str = "", favorites_only: bool = False) -> int:
    return len(client_list(actor, text, favorites_only=favorites_only))


@reading
def client_ids(
    actor: Actor,
    text: str = "",
    *,
    favorites_only: bool = False,
    sort: SortKey = SortKey.NAME,
    descending: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[int]:
    """The ids of the matching clients in display order, as a list (``offset``/``limit``
    for a page of them)."""
    ids = client_list(actor, text, favorites_only=favorites_only, sort=sort, descending=descending)
    return ids[offset : None if limit is None else offset + limit]


@reading
def client_rows(actor: Actor, taxpayer_ids: Sequence[int]) -> list[ClientRow]:
    """The rows for these clients, in the order given (clients with an active grant only)."""
    require_role(actor, Role.THIRD_PARTY)
    taxpayer_ids = list(taxpayer_ids)
    if not taxpayer_ids:
        return []
    # Plain tuples rather than model instances: the list asks for a block of rows each
    # time new ones scroll into view or the filter changes.
    taxpayer_rows: Iterable[tuple[int, str, str, str]] = (
        Taxpayer.select(Taxpayer.id, Taxpayer.legal_name, Taxpayer.id_type, Taxpayer.id_number)
        .where(Taxpayer.id.in_(taxpayer_ids))
        .tuples()  # type: ignore[assignment]
    )
    taxpayers = {
        key: (name, mask_id(IdType(id_type), digits))
        for key, name, id_type, digits in taxpayer_rows
    }
    favorites = {
        f.taxpayer_id
        for f in Favorite.select(Favorite.taxpayer).where(
            (Favorite.third_party == actor.logon_id) & Favorite.taxpayer.in_(taxpayer_ids)
        )
    }
    accesses: dict[int, list[ClientAccess]] = {}
    grant_rows: Iterable[tuple[int, int, str, int, str, str]] = (
        AccessGrant.select(
            AccessGrant.id,
            AccessGrant.taxpayer,
            AccessGrant.level,
            TaxAccount.id,
            TaxAccount.account_type,
            TaxAccount.account_number,
        )
        .join(TaxAccount, on=(AccessGrant.account == TaxAccount.id))
        .where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.status == "active")
            & AccessGrant.taxpayer.in_(taxpayer_ids)
        )
        .order_by(TaxAccount.account_type, TaxAccount.id)
        .tuples()  # type: ignore[assignment]
    )
    for grant_id, tid, level, account_id, account_type, number in grant_rows:
        accesses.setdefault(tid, []).append(
            ClientAccess(
                grant_id=grant_id,
                account_id=account_id,
                account_type=AccountType(account_type),
                account_number=number,
                level=AccessLevel(level),
            )
        )
    return [
        ClientRow(
            taxpayer_id=tid,
            name=taxpayers[tid][0],
            masked_id=taxpayers[tid][1],
            favorite=tid in favorites,
            own_business=tid == actor.taxpayer_id,
            accesses=tuple(accesses.get(tid, ())),
        )
        for tid in taxpayer_ids
        if tid in taxpayers and tid in accesses  # rule 1: clients with an active grant only
    ]


def list_clients(
    actor: Actor, text: str = "", *, favorites_only: bool = False, limit: int | None = None
) -> list[ClientRow]:
    """The *All* tab as plain rows (for short lists and tests)."""
    return client_rows(actor, client_ids(actor, text, favorites_only=favorites_only, limit=limit))


@writing
def set_favorite(actor: Actor, taxpayer_id: int, favorite: bool) -> None:
    """Mark a client as a favorite, so it appears first when the third party logs in."""
    require_role(actor, Role.THIRD_PARTY)
    is_client = (
        AccessGrant.select()
        .where(
            (AccessGrant.third_party == actor.logon_id)
            & (AccessGrant.taxpayer == taxpayer_id)
            & (AccessGrant.status == "active")
        )
        .exists()
    )
    # Written so that the same click on two workstations at once makes one change (on
    # PostgreSQL both may run at the same time; the unique index decides).
    if favorite:
        if not is_client:
            raise NotFound("Only a current client can be a favorite.")
        added = (
            Favorite.insert(third_party=actor.logon_id, taxpayer=taxpayer_id)
            .on_conflict_ignore()
            .as_rowcount()
            .execute()
        )
        if added:
            audit.record(actor, "favorite_added", third_party=actor.logon_id, taxpayer=taxpayer_id)
        return
    removed = (
        Favorite.delete()
        .where((Favorite.third_party == actor.logon_id) & (Favorite.taxpayer == taxpayer_id))
        .execute()
    )
    if removed:
        audit.record(actor, "favorite_removed", third_party=actor.logon_id, taxpayer=taxpayer_id)


@reading
def favorites_count(actor: Actor) -> int:
    """How many favorites are current clients (the few favorites, then their grants)."""
    require_role(actor, Role.THIRD_PARTY)
    granted = AccessGrant.select(AccessGrant.id).where(
        (AccessGrant.third_party == actor.logon_id)
        & (AccessGrant.status == "active")
        & (AccessGrant.taxpayer == Favorite.taxpayer)
    )
    return int(
        Favorite.select()
        .where((Favorite.third_party == actor.logon_id) & fn.EXISTS(granted))
        .count()
    )


@reading
def client_view_enabled(actor: Actor) -> bool:
    logon = require_role(actor, Role.THIRD_PARTY)
    return bool(logon.client_view)


@writing
def set_client_view(actor: Actor, enabled: bool) -> None:
    """Change Client View: the check box that turns on Manage My Clients."""
    logon = require_role(actor, Role.THIRD_PARTY)
    if bool(logon.client_view) == enabled:
        return
    Logon.update(client_view=enabled).where(Logon.id == logon.id).execute()
    audit.record(actor, "client_view_changed", third_party=actor.logon_id, enabled=enabled)


@reading
def taxpayer_name(actor: Actor, taxpayer_id: int) -> str:
    """A client's name, for a third party that has (or had) access to it."""
    require_role(actor, Role.THIRD_PARTY)
    taxpayer = Taxpayer.get_or_none(Taxpayer.id == taxpayer_id)
    if (
        taxpayer is None
        or not AccessGrant.select()
        .where((AccessGrant.third_party == actor.logon_id) & (AccessGrant.taxpayer == taxpayer_id))
        .exists()
    ):
        raise NotFound("There is no such client.")
    return str(taxpayer.legal_name)
