"""``mtc-desktop returned-forms import FILE…``: many returned Client Authorizations read and
recorded from a shell, one line per file, exit status 1 if any was not recorded."""

from __future__ import annotations

from pathlib import Path

from mtc_desktop import cli
from mtc_desktop.forms.authorization import give_rights_field, granted_rights_field
from mtc_desktop.store import database
from mtc_desktop.store.models import AccessRequest
from tests.forms import filling


def _pending(path: Path) -> dict[str, list[str]]:
    """Each pending printed-form request's number and its accounts' numbers."""
    database.open_database(path)
    try:
        query = AccessRequest.select().where(
            (AccessRequest.method == "printed_form") & (AccessRequest.status == "pending")
        )
        return {r.number: [line.account.account_number for line in r.lines] for r in query}
    finally:
        database.close_database()


def _status(path: Path, number: str) -> str:
    database.open_database(path)
    try:
        return AccessRequest.get(AccessRequest.number == number).status
    finally:
        database.close_database()


def test_a_batch_is_recorded_and_every_file_gets_a_line(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    folder = tmp_path / "printed"
    args = ["authorization-pdf", "--all-pending", "--database", str(demo_db), "-o", str(folder)]
    assert cli.main(args) == 0
    pending = _pending(demo_db)
    first, second, third = sorted(pending)[:3]
    account = pending[first][0]
    approve = tmp_path / "approve.pdf"
    approve.write_bytes(
        filling.fill(
            (folder / f"{first}.pdf").read_bytes(),
            {give_rights_field(account): "/Yes", granted_rights_field(account): "/view_only"},
        )
    )
    deny = tmp_path / "deny.pdf"
    deny.write_bytes(filling.fill((folder / f"{second}.pdf").read_bytes(), {}))
    damaged = tmp_path / "damaged.pdf"
    damaged.write_bytes(filling.truncated((folder / f"{third}.pdf").read_bytes()))
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(filling.docx())
    capsys.readouterr()

    files = [str(approve), str(damaged), str(deny), str(letter)]
    code = cli.main(
        ["returned-forms", "import", *files, "--staff", "dorclerk", "--database", str(demo_db)]
    )
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    assert len(out) == 5
    assert out[0].split()[:2] == [str(approve), first]
    assert "Recorded as approved:" in out[0]
    assert out[0].endswith("— View Only.")
    assert out[1].split()[:2] == [str(damaged), "-"]
    assert "This PDF is incomplete: its end is missing" in out[1]
    assert out[2].split()[:2] == [str(deny), second]
    assert out[2].endswith("Recorded as denied.")
    assert "This file is not a PDF: it is a Word document" in out[3]
    assert out[4].startswith("Recorded 2 of 4 returned forms; 2 not recorded")
    assert _status(demo_db, first) == "approved"
    assert _status(demo_db, second) == "denied"
    assert _status(demo_db, third) == "pending"

    # Once recorded, the same form again is refused and says why; a clean batch exits 0.
    code = cli.main(
        [
            "returned-forms",
            "import",
            str(approve),
            "--staff",
            "dorclerk",
            "--database",
            str(demo_db),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "Not recorded" in out or "already recorded" in out
    fourth = sorted(pending)[3]
    fine = tmp_path / "fine.pdf"
    fine.write_bytes(filling.fill((folder / f"{fourth}.pdf").read_bytes(), {}))
    code = cli.main(
        ["returned-forms", "import", str(fine), "--staff", "dorclerk", "--database", str(demo_db)]
    )
    assert code == 0
    assert "Recorded 1 of 1 returned form (" in capsys.readouterr().out


def test_the_forms_are_recorded_by_a_named_staff_logon(
    demo_db: Path, tmp_path: Path, capsys
) -> None:
    form = tmp_path / "f.pdf"
    form.write_bytes(b"%PDF-1.7\n%%EOF\n")
    code = cli.main(
        ["returned-forms", "import", str(form), "--staff", "smithcpa", "--database", str(demo_db)]
    )
    assert code == 1
    assert capsys.readouterr().err.strip() == (
        "mtc-desktop: There is no active DOR staff logon named smithcpa; the forms are "
        "recorded in the name of one (see: mtc-desktop staff list)."
    )
