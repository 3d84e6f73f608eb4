"""Importing a registry CSV file into a new database, against the same rows inserted with
plain ``sqlite3``.

    .venv/bin/python benchmarks/bench_registry.py [--rows 100000]

Ours: ``services.registry.import_registry`` (what ``mtc-desktop registry import`` runs):
reading and decoding the file, checking every row (ID rules, names, account types, the
rows against each other and against the registry), then writing the taxpayers, their tax
accounts and one audit event for each (hash-chained), in one transaction.

Plain: the same file read with the ``csv`` module and the same rows (taxpayers, accounts
with their numbers, audit events chained the same way) inserted with ``sqlite3``
``executemany`` in one ``BEGIN IMMEDIATE`` transaction, with no checks at all.

Both sides write into a new file made by ``open_database`` (same schema) with the
program's settings: WAL, ``synchronous=FULL``, ``foreign_keys=1``. The file is three
quarters individuals with a Personal Income account, one quarter businesses with three
accounts each (one row per account), ``--rows`` rows in all.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import platform
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import peewee
from bench_core import AUDIT_INSERT, _chained, _connect_plain, _fresh_schema

from mtc_desktop.domain.model import AccountType
from mtc_desktop.domain.text import name_key
from mtc_desktop.services import registry
from mtc_desktop.services.taxpayers import account_number, search_text_for
from mtc_desktop.store import database as store_db

HEADER = "id_type,id_number,legal_name,taxpayer_type,account_type,mailing_address"
BUSINESS_ACCOUNTS = ("Withholding", "Sales and Use", "Meals")
_LABELS = {t.label: t for t in AccountType}
_FIRST = ("James", "Mary", "Ana", "Luis", "Mei", "Priya", "Omar", "Chloé", "Zoë", "Siobhán")
_LAST = ("Smith", "Garcia", "Nguyen", "Müller", "O'Brien", "Kowalski", "Øster", "Lee")


def make_file(path: Path, rows: int) -> None:
    """``rows`` registry rows: valid SSNs and FEINs, one row per tax account."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    out.write(HEADER + "\r\n")
    written = person = 0
    while written < rows:
        if person % 4 == 3:
            fein = f"{10 + person // 10_000_000 % 80:02d}{person % 10_000_000:07d}"
            if fein[:2] in ("17", "18", "19", "28", "29", "49", "69", "70", "78", "79", "89"):
                fein = "3" + fein[1:]
            name = f"{_LAST[person % len(_LAST)]} Trading {person} LLC"
            for label in BUSINESS_ACCOUNTS[: rows - written]:
                writer.writerow(
                    ["FEIN", f"{fein[:2]}-{fein[2:]}", name, "Business", label, f"{person} Main St"]
                )
                written += 1
        else:
            area = 100 + person // (9999 * 99)
            group = 1 + (person // 9999) % 99
            serial = 1 + person % 9999
            name = f"{_FIRST[person % len(_FIRST)]} {_LAST[person // 3 % len(_LAST)]}"
            writer.writerow(
                [
                    "SSN",
                    f"{area:03d}-{group:02d}-{serial:04d}",
                    name,
                    "Individual",
                    "Personal Income",
                    f"{person} Elm Street\nBoston, MA 02108",
                ]
            )
            written += 1
        person += 1
    path.write_text(out.getvalue(), encoding="utf-8")


def import_with_services(db: Path, source: Path) -> tuple[float, registry.ImportReport]:
    store_db.open_database(db)
    try:
        started = time.perf_counter()
        report = registry.import_registry(None, source)
        return time.perf_counter() - started, report
    finally:
        store_db.close_database()


def import_with_sqlite(db: Path, source: Path) -> float:
    """The same rows with no checks: parse, make the rows, insert them, chain the events."""
    conn = _connect_plain(db)
    started = time.perf_counter()
    when = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(" ")
    taxpayers: dict[tuple[str, str], int] = {}
    rows_t: list[tuple[object, ...]] = []
    rows_a: list[tuple[object, ...]] = []
    events_t: list[tuple[object, ...]] = []
    events_a: list[tuple[object, ...]] = []
    text = source.read_text("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    names = next(reader)
    at = {n: i for i, n in enumerate(names)}
    serial = 0
    for line, values in enumerate(reader, start=2):
        id_type = values[at["id_type"]]
        digits = values[at["id_number"]].replace("-", "")
        key = (id_type, digits)
        tid = taxpayers.get(key)
        if tid is None:
            tid = taxpayers[key] = len(taxpayers) + 1
            name = values[at["legal_name"]]
            rows_t.append(
                (
                    tid,
                    id_type,
                    digits,
                    name,
                    name_key(name),
                    search_text_for(name, digits),
                    values[at["taxpayer_type"]].lower(),
                    values[at["mailing_address"]],
                )
            )
            events_t.append(
                (
                    when,
                    None,
                    "taxpayer_registered",
                    None,
                    tid,
                    None,
                    None,
                    json.dumps({"line": line, "source": "import"}, sort_keys=True),
                )
            )
        serial += 1
        account_type = _LABELS[values[at["account_type"]]]
        number = account_number(account_type, serial)
        rows_a.append((serial, tid, account_type.value, number))
        events_a.append(
            (
                when,
                None,
                "tax_account_added",
                None,
                tid,
                None,
                serial,
                json.dumps(
                    {
                        "account_type": account_type.value,
                        "line": line,
                        "number": number,
                        "source": "import",
                    },
                    sort_keys=True,
                ),
            )
        )
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        "INSERT INTO taxpayer (id, id_type, id_number, legal_name, name_key, search_text, "
        "kind, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows_t,
    )
    conn.executemany(AUDIT_INSERT, _chained(conn, events_t))
    conn.executemany(
        "INSERT INTO tax_account (id, taxpayer_id, account_type, account_number) "
        "VALUES (?, ?, ?, ?)",
        rows_a,
    )
    conn.executemany(AUDIT_INSERT, _chained(conn, events_a))
    conn.execute("INSERT INTO counter (name, value) VALUES ('account', ?)", (serial,))
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def _counts(db: Path) -> tuple[int, int, int]:
    conn = sqlite3.connect(db)
    try:
        return tuple(  # type: ignore[return-value]
            int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("taxpayer", "tax_account", "audit_event")
        )
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, metavar="N")
    args = parser.parse_args(argv)
    print(
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"peewee {peewee.__version__}; WAL, synchronous=FULL, foreign_keys=1"
    )
    with tempfile.TemporaryDirectory(prefix="mtc-bench-") as tmp:
        folder = Path(tmp)
        source = folder / "registry.csv"
        make_file(source, args.rows)
        size = source.stat().st_size
        print(f"\nimporting {args.rows:,} registry rows ({size / 1e6:.1f} MB) into a new database")
        _fresh_schema(folder / "plain.db")
        ours, report = import_with_services(folder / "ours.db", source)
        plain = import_with_sqlite(folder / "plain.db", source)
        if report.problems or not report.written:
            print(f"  the import refused the file: {report.summary()}", file=sys.stderr)
            return 1
        ours_rows, plain_rows = _counts(folder / "ours.db"), _counts(folder / "plain.db")
        # Ours writes one more audit event: the import's own (registry_imported).
        if ours_rows != (plain_rows[0], plain_rows[1], plain_rows[2] + 1):
            print(f"  rows differ! ours {ours_rows}, sqlite3 {plain_rows}", file=sys.stderr)
            return 1
        print(f"  {report.summary()}")
        print(f"  services.registry.import_registry  {ours:8.2f} s")
        print(f"  plain sqlite3, same rows unchecked {plain:8.2f} s")
        print(f"  ratio                              {ours / plain:8.1f} x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
