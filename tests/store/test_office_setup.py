"""A real office from nothing on the command line, on SQLite and PostgreSQL: ``staff add``
makes the first DOR administrator, ``registry import`` tells the program which taxpayers
and accounts exist (a file with a bad row refused whole first), a taxpayer from the file
creates a logon and sees its accounts, a preparer requests access, the taxpayer approves,
and ``db check`` passes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from mtc_desktop.cli import main
from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, Role
from mtc_desktop.services import accounts, logons, requests, staff
from mtc_desktop.services.requests import LineDecision, RequestDraft
from mtc_desktop.store import database as store_db
from mtc_desktop.store.models import Logon, TaxAccount, Taxpayer
from tests.databases import DatabaseRef, PostgresServer

PASSWORD = "office chief password 2026"
HEADER = "id_type,id_number,legal_name,taxpayer_type,account_type,mailing_address"
GOOD_ROWS = [
    'FEIN,04-3812967,Harbor Street Bakery LLC,Business,Withholding,"212 Harbor Street\n'
    'Boston, MA 02210"',
    "FEIN,04-3812967,Harbor Street Bakery LLC,Business,Sales and Use,",
    "SSN,031-54-2296,Maria Santos,Individual,Personal Income,48 Chestnut Hill Ave Brighton",
]
BAD_ROW = "ITIN,912-78-3344,Chen Trading,Business,Withholding,77 Beach Street"


@pytest.fixture
def office(backend: str, request: pytest.FixtureRequest) -> Iterator[DatabaseRef]:
    """Where a new office database goes: a file not made yet, or an empty PostgreSQL
    database as the server's administrator makes one."""
    if backend == "sqlite":
        path: Path = request.getfixturevalue("tmp_path") / "office.db"
        yield path
        store_db.close_database()
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.empty()
    yield url
    store_db.close_database()
    server.drop(url)


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: str | None = None
) -> tuple[int, str, str]:
    monkeypatch = pytest.MonkeyPatch()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(list(argv))
    finally:
        monkeypatch.undo()
    out, err = capsys.readouterr()
    return code, out, err


def add_chief(capsys: pytest.CaptureFixture[str], ref: DatabaseRef) -> None:
    code, _, _ = run(
        capsys,
        "staff", "add", "chief", "--name", "Chris Chief", "--email", "chief@dor.example",
        "--password-stdin", "--database", str(ref), stdin=PASSWORD,
    )  # fmt: skip
    assert code == 0


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n", encoding="utf-8-sig")
    return path


def counts(ref: DatabaseRef) -> tuple[int, int, int]:
    store_db.open_database(ref, create=False, upgrade=False)
    try:
        return Taxpayer.select().count(), TaxAccount.select().count(), Logon.select().count()
    finally:
        store_db.close_database()


def test_a_real_office_from_nothing_on_the_command_line(
    office: DatabaseRef, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(office)
    code, out, err = run(
        capsys,
        "staff", "add", "chief", "--name", "Chris Chief", "--email", "chief@dor.example",
        "--administrator", "--password-stdin", "--database", db,
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Added the DOR administrator logon chief" in out
    assert PASSWORD not in out

    code, out, _ = run(capsys, "staff", "list", "--database", db)
    assert code == 0
    assert "chief" in out
    assert "administrator  active" in out

    # A file with one bad row: refused whole, the row named by its line.
    bad = write_csv(tmp_path / "registry-bad.csv", [*GOOD_ROWS, BAD_ROW])
    code, out, err = run(capsys, "registry", "import", str(bad), "--database", db)
    assert code == 1
    assert err == ("line 6: An ITIN belongs to an individual; register a business with its FEIN.\n")
    assert out == "Nothing was imported: 1 row needs fixing.\n"
    assert counts(office) == (0, 0, 1)

    good = write_csv(tmp_path / "registry.csv", GOOD_ROWS)
    code, out, err = run(capsys, "registry", "import", str(good), "--database", db)
    assert (code, err) == (0, "")
    assert out == "2 taxpayers and 3 tax accounts added.\n"
    code, out, _ = run(capsys, "registry", "import", str(good), "--database", db)
    assert (code, out) == (
        0,
        "The registry already holds every row of this file: nothing changed.\n",
    )

    store_db.open_database(office, create=False, upgrade=False)
    try:
        assert logons.log_in("chief", PASSWORD).administrator
        # A taxpayer from the file creates a logon (Create a Logon) and sees its accounts.
        owner = logons.register(
            logons.Registration(
                username="harborbakery",
                password="bakery owner password 1",
                email="owner@harborbakery.example",
                role=Role.TAXPAYER,
                id_type=IdType.FEIN,
                id_number="043812967",
                legal_name="Harbor Street Bakery LLC",
            )
        )
        mine = accounts.my_accounts(owner)
        assert sorted(a.account_type.label for a in mine) == ["Sales and Use", "Withholding"]
        # A preparer creates a logon, requests access; the taxpayer approves.
        firm = logons.register(
            logons.Registration(
                username="smithcpa",
                password="preparer password 22",
                email="office@smithcpa.example",
                role=Role.THIRD_PARTY,
                id_type=IdType.FEIN,
                id_number="04-2750194",
                legal_name="Smith & Daughters CPA",
            )
        )
        view = requests.request_access(
            firm,
            RequestDraft(
                id_type=IdType.FEIN,
                id_number="04-3812967",
                legal_name="harbor street bakery llc",
                lines=tuple((a.id, AccessLevel.FILE) for a in mine),
                method=ApprovalMethod.MASSTAXCONNECT,
            ),
        )
        [pending] = requests.pending_for_me(owner)
        assert pending.number == view.number
        decided = requests.decide_request(
            owner, view.id, [LineDecision(a.id, True, AccessLevel.FILE) for a in mine]
        )
        assert decided.status.value == "approved"
    finally:
        store_db.close_database()

    code, out, _ = run(capsys, "db", "check", "--database", db)
    assert code == 0
    assert "schema: " in out
    code, out, _ = run(capsys, "audit", "verify", "--database", db)
    assert code == 0
    assert out.startswith("The audit trail is intact")


def test_staff_add_without_a_password_prints_a_one_time_code(
    office: DatabaseRef, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(office)
    code, out, _ = run(
        capsys,
        "staff", "add", "chief", "--name", "Chris Chief", "--email", "chief@dor.example",
        "--database", db,
    )  # fmt: skip
    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith("One-time code for chief: ")
    one_time = first.rsplit(" ", 1)[1]
    assert "it is not shown again" in out
    store_db.open_database(office, create=False, upgrade=False)
    try:
        chief = staff.redeem_code("chief", one_time, PASSWORD)
        # The first logon of a database is its administrator, even without --administrator.
        assert chief.administrator
    finally:
        store_db.close_database()
    code, out, _ = run(capsys, "staff", "code", "CHIEF", "--database", db)
    assert code == 0
    assert out.startswith("One-time code for chief: ")


def test_a_password_is_never_an_argument(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "office.db")
    with pytest.raises(SystemExit) as info:
        main(["staff", "add", "chief", "--name", "C", "--email", "c@x.example",
              "--password", PASSWORD, "--database", db])  # fmt: skip
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "a password is never given as an argument" in err
    assert PASSWORD not in err
    code, _, err = run(
        capsys,
        "staff", "add", "chief", "--name", "Chris Chief", "--email", "chief@dor.example",
        "--password-stdin", "--database", db,
        stdin="short\n",
    )  # fmt: skip
    assert code == 1
    assert err.startswith("mtc-desktop: ")
    assert "password" in err.lower()
    assert not Path(db).exists()  # refused before a database was made for it


def test_dry_run_and_skip_invalid_on_the_command_line(
    office: DatabaseRef, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(office)
    run(
        capsys,
        "staff", "add", "chief", "--name", "Chris Chief", "--email", "chief@dor.example",
        "--password-stdin", "--database", db, stdin=PASSWORD,
    )  # fmt: skip
    mixed = write_csv(tmp_path / "mixed.csv", [*GOOD_ROWS, BAD_ROW])
    code, out, err = run(capsys, "registry", "import", str(mixed), "--dry-run", "--database", db)
    assert code == 1
    assert err.startswith("line 6: ")
    assert out == (
        "Checked, nothing written: 2 taxpayers and 3 tax accounts would be added; "
        "1 row needs fixing.\n"
    )
    assert counts(office) == (0, 0, 1)
    code, out, err = run(
        capsys, "registry", "import", str(mixed), "--skip-invalid", "--database", db
    )
    assert code == 1  # a row was refused
    assert out == "2 taxpayers and 3 tax accounts added; 1 row with problems skipped.\n"
    assert counts(office)[:2] == (2, 3)


def test_a_registry_moves_between_databases(
    office: DatabaseRef, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "source.db"
    add_chief(capsys, source)
    run(capsys, "registry", "import", str(write_csv(tmp_path / "r.csv", GOOD_ROWS)),
        "--database", str(source))  # fmt: skip
    exported = tmp_path / "exported.csv"
    code, out, _ = run(capsys, "registry", "export", str(exported), "--database", str(source))
    assert (code, out) == (0, f"Wrote 3 tax account rows to {exported}.\n")

    add_chief(capsys, office)
    code, out, _ = run(capsys, "registry", "import", str(exported), "--database", str(office))
    assert (code, out) == (0, "2 taxpayers and 3 tax accounts added.\n")
    store_db.open_database(office, create=False, upgrade=False)
    try:
        numbers = sorted(a.account_number for a in TaxAccount.select())
        harbor = Taxpayer.get(Taxpayer.id_number == "043812967")
        assert harbor.address == "212 Harbor Street\nBoston, MA 02210"
    finally:
        store_db.close_database()
    store_db.open_database(source, create=False, upgrade=False)
    try:
        assert numbers == sorted(a.account_number for a in TaxAccount.select())
    finally:
        store_db.close_database()


@pytest.mark.sqlite_only
def test_a_big_import_shows_progress_on_stderr(
    office: DatabaseRef, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        f"SSN,{100 + i // 9999:03d}-{1 + (i // 99) % 99:02d}-{1 + i % 9999:04d},"
        f"Person {i},Individual,Personal Income,{i} Main Street"
        for i in range(20_000)
    ]
    big = write_csv(tmp_path / "big.csv", rows)
    code, out, err = run(capsys, "registry", "import", str(big), "--database", str(office))
    assert code == 1  # no such database yet: import does not create one
    assert "There is no database" in err
    add_chief(capsys, office)
    code, out, err = run(capsys, "registry", "import", str(big), "--database", str(office))
    assert code == 0
    assert out == "20,000 taxpayers and 20,000 tax accounts added.\n"
    lines = err.splitlines()
    assert lines[0].startswith("    0% (checking")
    assert lines[-1].startswith("  100% (writing")
    assert len(lines) >= 8
