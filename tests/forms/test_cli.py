"""``mtc-desktop authorization-pdf``: one form to a file, or every pending one to a folder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from mtc_desktop import cli
from mtc_desktop.store import database
from mtc_desktop.store.models import AccessRequest


def _numbers(path: Path, method: str, status: str = "pending") -> list[str]:
    database.open_database(path)
    try:
        query = AccessRequest.select().where(
            (AccessRequest.method == method) & (AccessRequest.status == status)
        )
        return sorted(r.number for r in query)
    finally:
        database.close_database()


def test_one_request_to_a_file(demo_db: Path, tmp_path: Path, capsys) -> None:
    number = _numbers(demo_db, "printed_form")[0]
    out = tmp_path / "form.pdf"
    assert cli.main(["authorization-pdf", number, "--database", str(demo_db), "-o", str(out)]) == 0
    assert f"Wrote {out}" in capsys.readouterr().out
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text()
    assert number in text


def test_every_pending_printed_form_to_a_folder(demo_db: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "forms"
    pending = _numbers(demo_db, "printed_form")
    assert len(pending) == 4  # Élodie, 陈伟, Νίκος and Дмитрий in the demo
    args = ["authorization-pdf", "--all-pending", "--database", str(demo_db), "-o", str(folder)]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert f"[4/4] {pending[-1]}.pdf" in out
    assert "Wrote 4 Client Authorization forms" in out
    assert sorted(p.stem for p in folder.glob("*.pdf")) == pending
    names = " ".join(
        PdfReader(io.BytesIO(p.read_bytes())).pages[0].extract_text() for p in folder.glob("*.pdf")
    )
    for name in ("Élodie Durand-Lefèvre", "陈伟", "Νίκος Παπαδόπουλος", "Дмитрий Иванов"):
        assert name in names
    assert not list(folder.glob(".*.part"))


def test_only_one_third_partys_requests(demo_db: Path, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "beacon"
    args = ["authorization-pdf", "--all-pending", "--third-party", "BeaconPayroll"]
    assert cli.main([*args, "--database", str(demo_db), "-o", str(folder)]) == 0
    assert "Wrote 1 Client Authorization form " in capsys.readouterr().out
    assert len(list(folder.glob("*.pdf"))) == 1


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("unknown", "There is no request numbered R2026-999999."),
        ("online", "is for approval on MassTaxConnect, not on a printed form"),
    ],
)
def test_clear_one_line_errors(
    demo_db: Path, tmp_path: Path, capsys, which: str, message: str
) -> None:
    number = {
        "unknown": "R2026-999999",
        "online": _numbers(demo_db, "masstaxconnect")[0],
    }[which]
    out = tmp_path / "x.pdf"
    code = cli.main(["authorization-pdf", number, "--database", str(demo_db), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_a_decided_printed_form_request(demo_db: Path, tmp_path: Path, capsys) -> None:
    number = _numbers(demo_db, "printed_form")[0]
    database.open_database(demo_db)
    AccessRequest.update(status="approved").where(AccessRequest.number == number).execute()
    database.close_database()
    out = tmp_path / "x.pdf"
    code = cli.main(["authorization-pdf", number, "--database", str(demo_db), "-o", str(out)])
    assert code == 1
    assert capsys.readouterr().err == (
        f"mtc-desktop: Request {number} is approved; only a pending request's Client "
        "Authorization can be printed.\n"
    )


def test_an_unprintable_name_is_named_and_the_batch_goes_on(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    from mtc_desktop.store.models import Taxpayer

    database.open_database(demo_db)
    Taxpayer.update(legal_name="שלום כהן").where(
        Taxpayer.legal_name == "Νίκος Παπαδόπουλος"
    ).execute()
    database.close_database()
    folder = tmp_path / "forms"
    args = ["authorization-pdf", "--all-pending", "--database", str(demo_db), "-o", str(folder)]
    assert cli.main(args) == 1
    captured = capsys.readouterr()
    assert "שלום כהן" in captured.err
    assert "right-to-left" in captured.err
    assert "Wrote 3 Client Authorization forms" in captured.out
    assert "1 could not be printed" in captured.out
    assert len(list(folder.glob("*.pdf"))) == 3


def test_usage_errors(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        cli.main(["authorization-pdf", "--database", "x.db", "-o", "out"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit):
        cli.main(["authorization-pdf", "R1", "--third-party", "a", "--database", "x", "-o", "o"])
    assert "--third-party goes with --all-pending" in capsys.readouterr().err


def test_a_missing_database_is_not_created(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "none.db"
    code = cli.main(["authorization-pdf", "R1", "--database", str(missing), "-o", "x.pdf"])
    assert code == 1
    assert "There is no database" in capsys.readouterr().err
    assert not missing.exists()
