"""Core write paths against the same writes done with plain ``sqlite3`` on the same schema.

    .venv/bin/python benchmarks/bench_core.py [--decisions 200] [--clients 100000]

(a) Deciding a 10-account request: ``services.requests.decide_request`` (rights check,
    conditional UPDATE of the request, 10 line updates, 10 grant inserts, 11 audit events,
    3 messages with their RFC 5322 text, all in one transaction), against the same rows
    written by hand with ``sqlite3`` in one ``BEGIN IMMEDIATE`` transaction. Each side
    repeats the decision ``--decisions`` times on a fresh request; the median is printed.
(b) Seeding ``--clients`` clients for one firm: ``services.demo.add_bulk_clients`` (what
    ``mtc-desktop demo-data --clients N`` runs) against the same rows, made by the same
    Python, inserted with ``sqlite3`` ``executemany`` in one transaction.

Both sides use a file made by ``open_database`` (same schema, indexes and triggers of
nothing else) and the program's settings: WAL, ``synchronous=FULL``, ``foreign_keys=1``.
Every commit therefore waits for the disk, on both sides alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import peewee
from argon2 import PasswordHasher

from mtc_desktop.domain.chain import GENESIS, event_hash
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, Role, TaxpayerKind
from mtc_desktop.domain.text import name_key
from mtc_desktop.services import demo, grants, logons, requests
from mtc_desktop.services.base import transaction
from mtc_desktop.services.requests import LineDecision, RequestDraft
from mtc_desktop.services.taxpayers import (
    account_number,
    add_account,
    create_taxpayer,
    search_text_for,
)
from mtc_desktop.store import database as store_db

PASSWORD = "a-long-benchmark-password-1"
TAXPAYER_ID = "123-45-6789"
TAXPAYER_NAME = "Benchmark Holdings LLC"
FIRM_FEIN = "04-1234567"
# What one decision writes, counted before and after it on both sides.
WRITES = {
    "request decided": "SELECT count(*) FROM access_request WHERE status = 'approved'",
    "lines decided": "SELECT count(*) FROM request_line WHERE give_rights IS NOT NULL",
    "grants": "SELECT count(*) FROM access_grant",
    "audit events": "SELECT count(*) FROM audit_event",
    "messages": "SELECT count(*) FROM message",
}


AUDIT_INSERT = (
    "INSERT INTO audit_event (id, at, actor_id, action, third_party_id, taxpayer_id, "
    "request_id, account_id, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _chained(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[tuple[object, ...]]:
    """Audit rows (at, actor, action, third party, taxpayer, request, account, details)
    linked into the hash chain as ``services.audit`` links them: the chain's counter moved
    on, each row given its id, the previous hash and its own."""
    counter = "audit-chain"
    moved = conn.execute(
        "UPDATE counter SET value = value + ? WHERE name = ?", (len(rows), counter)
    ).rowcount
    if not moved:
        conn.execute(
            "INSERT INTO counter (name, value) SELECT ?, count(*) + ? FROM audit_event",
            (counter, len(rows)),
        )
    last = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    last_id, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS)
    linked: list[tuple[object, ...]] = []
    for offset, (at, actor, action, third_party, taxpayer, request, account, details) in enumerate(
        rows, start=1
    ):
        digest = event_hash(
            prev,
            event_id=last_id + offset,
            at=dt.datetime.fromisoformat(str(at)),
            actor_id=actor,
            action=str(action),
            third_party_id=third_party,
            taxpayer_id=taxpayer,
            request_id=request,
            account_id=account,
            details=str(details),
        )
        linked.append(
            (
                last_id + offset,
                at,
                actor,
                action,
                third_party,
                taxpayer,
                request,
                account,
                details,
                prev,
                digest,
            )
        )
        prev = digest
    return linked


def _connect_plain(path: Path) -> sqlite3.Connection:
    """A plain connection set up as the program sets up its own."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = 1")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def _fresh_schema(path: Path) -> None:
    store_db.open_database(path)
    store_db.close_database()


@contextmanager
def _bound(path: Path) -> Iterator[None]:
    store_db.open_database(path)
    try:
        yield
    finally:
        store_db.close_database()


def _row_counts(query: Callable[[str], int]) -> dict[str, int]:
    return {what: query(sql) for what, sql in WRITES.items()}


# --- (a) deciding a 10-account request ----------------------------------------------------


def _decide_with_services(path: Path, runs: int) -> tuple[list[float], dict[str, int]]:
    with _bound(path):
        with transaction():
            taxpayer = create_taxpayer(
                IdType.FEIN, "041234568", TAXPAYER_NAME, TaxpayerKind.BUSINESS
            )
            accounts = [add_account(taxpayer, t).id for t in AccountType]
        assert len(accounts) == 10
        owner = logons.register(
            logons.Registration(
                "owner",
                PASSWORD,
                "owner@bench.example",
                Role.TAXPAYER,
                IdType.FEIN,
                "04-1234568",
                TAXPAYER_NAME,
            )
        )
        firm = logons.register(
            logons.Registration(
                "firm",
                PASSWORD,
                "firm@bench.example",
                Role.THIRD_PARTY,
                IdType.FEIN,
                FIRM_FEIN,
                "Benchmark CPA",
            )
        )
        draft = RequestDraft(
            IdType.FEIN,
            "04-1234568",
            TAXPAYER_NAME,
            tuple((a, AccessLevel.FILE) for a in accounts),
            ApprovalMethod.MASSTAXCONNECT,
        )
        decisions = [LineDecision(a, True, AccessLevel.FILE_AND_PAY) for a in accounts]

        def count(sql: str) -> int:
            return int(store_db.db.execute_sql(sql).fetchone()[0])

        times, written = [], {}
        for run in range(runs):
            request = requests.request_access(firm, draft)
            before = _row_counts(count)
            started = time.perf_counter()
            requests.decide_request(owner, request.id, decisions)
            times.append(time.perf_counter() - started)
            if run == 0:
                after = _row_counts(count)
                written = {w: after[w] - before[w] for w in WRITES}
            grants.cancel_general_access(owner, firm.logon_id)
    return times, written


def _decide_with_sqlite(path: Path, runs: int) -> tuple[list[float], dict[str, int]]:
    conn = _connect_plain(path)
    now = dt.datetime(2026, 3, 2, 9, 30).isoformat(" ")
    conn.execute(
        "INSERT INTO taxpayer (id_type, id_number, legal_name, name_key, search_text, kind, "
        "address) VALUES ('FEIN', '041234568', ?, ?, '', 'business', '')",
        (TAXPAYER_NAME, name_key(TAXPAYER_NAME)),
    )
    taxpayer = conn.execute("SELECT max(id) FROM taxpayer").fetchone()[0]
    accounts = []
    for serial, account_type in enumerate(AccountType, start=1):
        cur = conn.execute(
            "INSERT INTO tax_account (taxpayer_id, account_type, account_number) VALUES (?, ?, ?)",
            (taxpayer, account_type.value, account_number(account_type, serial)),
        )
        accounts.append(cur.lastrowid)
    logon_ids = []
    for name, role in (("owner", "taxpayer"), ("firm", "third_party")):
        cur = conn.execute(
            "INSERT INTO logon (username, username_key, email, email_key, password_hash, role, "
            "taxpayer_id, display_name, client_view, created_at, administrator) "
            "VALUES (?, ?, ?, ?, 'x', ?, ?, ?, 0, ?, 0)",
            (
                name,
                name,
                f"{name}@bench.example",
                f"{name}@bench.example",
                role,
                taxpayer,
                name,
                now,
            ),
        )
        logon_ids.append(cur.lastrowid)
    owner, firm = logon_ids
    # Messages of the size the services write: a body and its whole RFC 5322 text.
    body = "Access was given to:\n" + "".join(
        f"  - {t.label} {account_number(t, 1)}: File and Pay\n" for t in AccountType
    )
    eml = "Subject: Third-party access request R2026-000001 was approved\n\n" + body * 2

    def count(sql: str) -> int:
        return int(conn.execute(sql).fetchone()[0])

    times, written = [], {}
    for run in range(runs):
        # Untimed: the pending request, as request_access leaves it, and no active grants.
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE access_grant SET status = 'cancelled' WHERE status = 'active'")
        request = conn.execute(
            "INSERT INTO access_request (number, third_party_id, taxpayer_id, method, "
            "authorization_code, status, created_at) VALUES (?, ?, ?, 'masstaxconnect', "
            "'ABCDE23456', 'pending', ?)",
            (f"R2026-{run + 1:06d}", firm, taxpayer, now),
        ).lastrowid
        lines = [
            conn.execute(
                "INSERT INTO request_line (request_id, account_id, requested_level) "
                "VALUES (?, ?, 'file')",
                (request, account),
            ).lastrowid
            for account in accounts
        ]
        conn.execute("COMMIT")
        before = _row_counts(count)

        started = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        moved = conn.execute(
            "UPDATE access_request SET status = 'approved', decided_at = ?, decided_by_id = ? "
            "WHERE id = ? AND status = 'pending'",
            (now, owner, request),
        ).rowcount
        assert moved == 1
        for line, account in zip(lines, accounts, strict=True):
            conn.execute(
                "UPDATE request_line SET give_rights = 1, granted_level = 'file_and_pay' "
                "WHERE id = ?",
                (line,),
            )
            conn.execute(
                "INSERT INTO access_grant (third_party_id, account_id, taxpayer_id, level, "
                "status, request_id, created_at, changed_at) "
                "VALUES (?, ?, ?, 'file_and_pay', 'active', ?, ?, ?)",
                (firm, account, taxpayer, request, now, now),
            )
        events = [
            (
                now,
                owner,
                "grant_created",
                firm,
                taxpayer,
                request,
                account,
                '{"level": "file_and_pay"}',
            )
            for account in accounts
        ]
        events.append(
            (
                now,
                owner,
                "request_approved",
                firm,
                taxpayer,
                request,
                None,
                json.dumps({"source": "online"}),
            )
        )
        conn.executemany(AUDIT_INSERT, _chained(conn, events))
        for recipient, kind, raw in (
            (firm, "email", eml),
            (firm, "emessage", ""),
            (owner, "email", eml),
        ):
            conn.execute(
                "INSERT INTO message (recipient_id, to_address, kind, subject, body, eml, "
                "request_id, created_at, attempts, last_error) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
                (recipient, "x@bench.example", kind, "Request approved", body, raw, request, now),
            )
        conn.execute("COMMIT")
        times.append(time.perf_counter() - started)
        if run == 0:
            after = _row_counts(count)
            written = {w: after[w] - before[w] for w in WRITES}
    conn.close()
    return times, written


# --- (b) seeding many clients ---------------------------------------------------------------


def _seed_with_services(path: Path, clients: int) -> float:
    with _bound(path):
        demo.create_demo()
        started = time.perf_counter()
        demo.add_bulk_clients("smithcpa", clients)
        return time.perf_counter() - started


def _seed_with_sqlite(path: Path, clients: int, seed: int = 2026) -> float:
    """The rows add_bulk_clients writes, made by the same Python, inserted by sqlite3."""
    with _bound(path):
        demo.create_demo()
    conn = _connect_plain(path)
    started = time.perf_counter()
    rng = random.Random(seed)
    conn.execute("BEGIN IMMEDIATE")
    firm = conn.execute("SELECT id FROM logon WHERE username = 'smithcpa'").fetchone()[0]
    when = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    def next_id(table: str) -> int:
        return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])

    def take_numbers(counter: str) -> int:
        """The next value of a named counter, and move it past ``clients`` more."""
        conn.execute("INSERT OR IGNORE INTO counter (name, value) VALUES (?, 0)", (counter,))
        first = (
            1 + conn.execute("SELECT value FROM counter WHERE name = ?", (counter,)).fetchone()[0]
        )
        conn.execute("UPDATE counter SET value = ? WHERE name = ?", (first + clients, counter))
        return int(first)

    base_t, base_a = next_id("taxpayer"), next_id("tax_account")
    base_r, base_g = next_id("access_request"), next_id("access_grant")
    first_serial = take_numbers("account")
    first_request = take_numbers(f"request-{when.year}")
    existing = {
        row[0] for row in conn.execute("SELECT id_number FROM taxpayer WHERE id_type = 'SSN'")
    }
    levels = [level.value for level in AccessLevel]
    i = offset = 0
    while i < clients:
        rows_t, rows_a, rows_r, rows_l, rows_g, rows_e = [], [], [], [], [], []
        for _ in range(min(5000, clients - i)):
            digits = demo._ssn(i + offset)
            while digits in existing or digits in ("078051120", "219099999"):
                offset += 1
                digits = demo._ssn(i + offset)
            name = f"{rng.choice(demo._FIRST)} {rng.choice(demo._LAST)}"
            tid, aid, rid, gid = base_t + i, base_a + i, base_r + i, base_g + i
            decided = when - dt.timedelta(days=rng.randint(1, 900))
            level = rng.choice(levels)
            d_at, c_at = decided.isoformat(" "), (decided - dt.timedelta(days=3)).isoformat(" ")
            rows_t.append(
                (
                    tid,
                    "SSN",
                    digits,
                    name,
                    name_key(name),
                    search_text_for(name, digits),
                    "individual",
                    "",
                    None,
                )
            )
            rows_a.append(
                (
                    aid,
                    tid,
                    "personal_income",
                    account_number(AccountType.PERSONAL_INCOME, first_serial + i),
                )
            )
            rows_r.append(
                (
                    rid,
                    f"R{when.year}-{first_request + i:06d}",
                    firm,
                    tid,
                    "printed_form",
                    requests.new_authorization_code(),
                    "approved",
                    c_at,
                    d_at,
                    None,
                )
            )
            rows_l.append((rid, aid, level, True, level))
            rows_g.append((gid, firm, aid, tid, level, "active", rid, d_at, d_at))
            rows_e.append(
                (
                    d_at,
                    None,
                    "grant_created",
                    firm,
                    tid,
                    rid,
                    aid,
                    json.dumps({"level": level, "source": "demo data"}),
                )
            )
            i += 1
        conn.executemany(
            "INSERT INTO taxpayer (id, id_type, id_number, legal_name, name_key, search_text, "
            "kind, address, email) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_t,
        )
        conn.executemany(
            "INSERT INTO tax_account (id, taxpayer_id, account_type, account_number) "
            "VALUES (?, ?, ?, ?)",
            rows_a,
        )
        conn.executemany(
            "INSERT INTO access_request (id, number, third_party_id, taxpayer_id, method, "
            "authorization_code, status, created_at, decided_at, decided_by_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_r,
        )
        conn.executemany(
            "INSERT INTO request_line (request_id, account_id, requested_level, give_rights, "
            "granted_level) VALUES (?, ?, ?, ?, ?)",
            rows_l,
        )
        conn.executemany(
            "INSERT INTO access_grant (id, third_party_id, account_id, taxpayer_id, level, "
            "status, request_id, created_at, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows_g,
        )
        conn.executemany(AUDIT_INSERT, _chained(conn, rows_e))
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _clients_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM access_grant g JOIN logon l ON l.id = g.third_party_id "
                "WHERE l.username = 'smithcpa' AND g.status = 'active'"
            ).fetchone()[0]
        )
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=200, metavar="N")
    parser.add_argument("--clients", type=int, default=100_000, metavar="N")
    args = parser.parse_args(argv)
    # Set-up registers logons; the hash's cost is not what is measured here.
    logons.set_password_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"peewee {peewee.__version__}; WAL, synchronous=FULL, foreign_keys=1"
    )
    with tempfile.TemporaryDirectory(prefix="mtc-bench-") as tmp:
        folder = Path(tmp)

        print(f"\n(a) deciding a 10-account request, median of {args.decisions}")
        _fresh_schema(folder / "a-plain.db")
        ours, ours_rows = _decide_with_services(folder / "a-ours.db", args.decisions)
        plain, plain_rows = _decide_with_sqlite(folder / "a-plain.db", args.decisions)
        if ours_rows != plain_rows:
            print(f"  rows differ! services {ours_rows}, sqlite3 {plain_rows}", file=sys.stderr)
            return 1
        rows = ", ".join(f"{n} {what}" for what, n in ours_rows.items())
        ours_ms, plain_ms = statistics.median(ours) * 1e3, statistics.median(plain) * 1e3
        print(f"  each decision writes: {rows}")
        print(f"  services.requests.decide_request  {ours_ms:8.2f} ms")
        print(f"  plain sqlite3, same writes         {plain_ms:8.2f} ms")
        print(f"  ratio                              {ours_ms / plain_ms:8.1f} x")

        print(f"\n(b) seeding {args.clients:,} clients for one firm")
        ours_s = _seed_with_services(folder / "b-ours.db", args.clients)
        plain_s = _seed_with_sqlite(folder / "b-plain.db", args.clients)
        if _clients_of(folder / "b-ours.db") != _clients_of(folder / "b-plain.db"):
            print("  the two databases differ in clients!", file=sys.stderr)
            return 1
        print(f"  services.demo.add_bulk_clients    {ours_s:8.2f} s")
        print(f"  plain sqlite3 executemany          {plain_s:8.2f} s")
        print(f"  ratio                              {ours_s / plain_s:8.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
