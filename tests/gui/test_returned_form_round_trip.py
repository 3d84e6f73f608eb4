"""The FAQ's loop closed at DOR, as people would do it: a preparer's printed-form request is
printed, filled in by the taxpayer, imported by DOR staff and recorded; the preparer's inbox
then shows the approval email and e-message, and its client list the new access."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.forms.authorization import (
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    give_rights_field,
    granted_rights_field,
)
from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.dor import DorHomePage, ReturnedFormDialog
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.store.models import AccessRequest, Taxpayer
from tests.forms import filling
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, when_modal
from tests.gui.test_my_clients import _change_client_view, _open_more

ELODIE = "Élodie Durand-Lefèvre"


def test_printed_filled_imported_recorded_and_seen_by_the_preparer(
    qtbot, login_window, tmp_path: Path, monkeypatch
) -> None:
    # The preparer prints the Client Authorization of its pending request for Élodie.
    main = log_in(qtbot, login_window, "smithcpa")
    _open_more(qtbot, main)
    _change_client_view(qtbot, main, True, "Submit")
    click(qtbot, main, "Manage My Clients")
    page = main.current_page
    elodie = Taxpayer.get(Taxpayer.legal_name == ELODIE)
    request = AccessRequest.get(
        (AccessRequest.taxpayer == elodie.id) & (AccessRequest.status == "pending")
    )
    page.select_request(request.number)
    printed = tmp_path / "printed.pdf"
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getSaveFileName",
        lambda *args, **kwargs: (str(printed), "PDF documents (*.pdf)"),
    )

    def save_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        buttons(dialog, "Save as PDF…")[0].click()
        buttons(dialog, "Close")[0].click()

    when_modal(save_and_close, of_type=PdfPreviewDialog)
    click(qtbot, page, "Print Client Authorization")
    assert printed.read_bytes().startswith(b"%PDF")
    click(qtbot, main, "Switch Logon")

    # Élodie fills it in on screen: Personal Income given at View Only, Fiduciary not.
    lines = {line.account.account_type: line.account.account_number for line in request.lines}
    filled = tmp_path / "returned.pdf"
    filled.write_bytes(
        filling.fill(
            printed.read_bytes(),
            {
                give_rights_field(lines["personal_income"]): "/Yes",
                granted_rights_field(lines["personal_income"]): f"/{AccessLevel.VIEW_ONLY.value}",
                PRINTED_NAME_FIELD: ELODIE,
                DATE_FIELD: "03/04/2026",
            },
        )
    )

    # DOR staff import it, read what it says, and record it.
    staff = log_in(qtbot, login_window, "dorclerk")
    home = staff.current_page
    assert isinstance(home, DorHomePage)
    seen: list[str] = []

    def confirm(dialog: QWidget) -> None:
        assert isinstance(dialog, ReturnedFormDialog)
        text = "\n".join(label.text() for label in dialog.findChildren(type(home.summary)))
        seen.append(text)
        buttons(dialog, "Record")[0].click()

    when_modal(confirm, of_type=ReturnedFormDialog)
    recorded = home.import_path(filled)
    assert recorded is not None
    assert "Personal Income" in seen[0]
    assert f"Signed by: {ELODIE}" in seen[0]
    assert home.import_result.text().startswith(f"Request {request.number} recorded as approved")
    assert AccessRequest.get_by_id(request.id).status == "approved"

    # The same file again is refused, and says why.
    again = ModalAnswer("OK").arm()
    assert home.import_path(filled) is None
    assert again.answered
    assert "already recorded" in again.informative
    click(qtbot, staff, "Switch Logon")

    # The preparer logs back in: the emails are in its inbox, the client on its All tab.
    main = log_in(qtbot, login_window, "smithcpa")
    click(qtbot, main, main.inbox_link.text())
    inbox = main.current_page
    mine = [
        (item.kind.value, item.subject)
        for item in inbox.model.rows()
        if request.number in item.subject and "approved" in item.subject
    ]
    assert sorted(kind for kind, _subject in mine) == ["email", "emessage"]
    main.open_clients()
    clients = main.current_page
    assert isinstance(clients, ClientsPage)
    clients.tabs.setCurrentIndex(1)
    rows = {
        clients.model.row_object(r).name: clients.model.row_object(r)
        for r in range(clients.model.rowCount())
    }
    assert rows[ELODIE].accounts_label == "Personal Income"
    assert rows[ELODIE].levels_label == "View Only"
