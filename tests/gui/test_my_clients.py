"""Manage My Clients and Change Client View (FAQ: How does a third party access the Manage
My Clients feature? What if a third party does not see Manage My Clients?), driven by the
labels on the screen and checked on screen and in the database."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QWidget

from mtc_desktop.gui.my_clients import ChangeClientViewDialog, ManageMyClientsPage
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.gui.request_wizard import RequestWizard
from mtc_desktop.store.models import AccessGrant, AccessRequest, AuditEvent, Logon, Taxpayer
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, when_modal


def _open_more(qtbot, main: QWidget) -> None:
    click(qtbot, main, "Manage My Profile")
    page = main.current_page
    page.tabs.setCurrentIndex(
        [page.tabs.tabText(i) for i in range(page.tabs.count())].index("More…")
    )


def _change_client_view(qtbot, main: QWidget, check: bool, button: str) -> None:
    def answer(dialog: QWidget) -> None:
        assert isinstance(dialog, ChangeClientViewDialog)
        box = dialog.findChildren(QCheckBox)[0]
        box.setChecked(check)
        buttons(dialog, button)[0].click()

    when_modal(answer, of_type=ChangeClientViewDialog)
    click(qtbot, main, "Change Client View")


def _client_view(username: str = "smithcpa") -> bool:
    return bool(Logon.get(Logon.username == username).client_view)


def _open_my_clients(qtbot, login_window) -> tuple[QWidget, ManageMyClientsPage]:
    main = log_in(qtbot, login_window, "smithcpa")
    _open_more(qtbot, main)
    _change_client_view(qtbot, main, True, "Submit")
    click(qtbot, main, "Manage My Clients")
    page = main.current_page
    assert isinstance(page, ManageMyClientsPage)
    return main, page


def test_manage_my_clients_appears_only_after_change_client_view(qtbot, login_window) -> None:
    """FAQ: What if a third party does not see Manage My Clients?"""
    main = log_in(qtbot, login_window, "smithcpa")
    _open_more(qtbot, main)
    assert buttons(main, "Manage My Clients") == []
    assert buttons(main, "Change Client View"), "the Access panel has Change Client View"

    # Cancel leaves it as it was, even with the box checked.
    _change_client_view(qtbot, main, True, "Cancel")
    assert buttons(main, "Manage My Clients") == []
    assert not _client_view()

    _change_client_view(qtbot, main, True, "Submit")
    assert _client_view()
    assert buttons(main, "Manage My Clients"), "Manage My Clients shows under Manage My Profile"
    assert AuditEvent.select().where(AuditEvent.action == "client_view_changed").count() == 1

    # It stays on after logging out and in again.
    click(qtbot, main, "Switch Logon")
    main = log_in(qtbot, login_window, "smithcpa")
    click(qtbot, main, "Manage My Profile")
    assert buttons(main, "Manage My Clients")

    # And unchecking it with Submit hides it again.
    _open_more(qtbot, main)
    _change_client_view(qtbot, main, False, "Submit")
    assert buttons(main, "Manage My Clients") == []
    assert not _client_view()


def test_manage_my_clients_lists_requests_by_status(qtbot, login_window) -> None:
    """FAQ: How does a third party access the Manage My Clients feature?"""
    _main, page = _open_my_clients(qtbot, login_window)
    # Pending first: the demo's three printed-form requests waiting for a signature.
    names = [
        page.requests_model.row_object(r).taxpayer_name
        for r in range(page.requests_model.rowCount())
    ]
    assert sorted(names) == sorted(
        ["Élodie Durand-Lefèvre", "陈伟 (Chen Wei)", "Νίκος Παπαδόπουλος"]
    )
    assert page.count_label.text() == "3 requests."
    page.status_box.setCurrentText("Approved")
    assert {
        page.requests_model.row_object(r).taxpayer_name
        for r in range(page.requests_model.rowCount())
    } == {
        "Harbor Street Bakery LLC",
        "Maria Santos",
    }
    page.status_box.setCurrentText("All")
    qtbot.keyClicks(page.filter_edit, "santos")
    qtbot.waitUntil(lambda: page.requests_model.rowCount() == 1)
    assert page.requests_model.row_object(0).taxpayer_name == "Maria Santos"
    assert page.requests_model.row_object(0).status.label == "Approved"


def test_withdraw_a_pending_request(qtbot, login_window) -> None:
    _main, page = _open_my_clients(qtbot, login_window)
    number = next(
        page.requests_model.row_object(r).number
        for r in range(page.requests_model.rowCount())
        if page.requests_model.row_object(r).taxpayer_name == "Νίκος Παπαδόπουλος"
    )
    assert not page.withdraw_button.isEnabled(), "nothing selected, nothing to withdraw"
    page.select_request(number)
    assert page.withdraw_button.isEnabled()

    keep = ModalAnswer("Keep").arm()
    click(qtbot, page, "Withdraw Request")
    assert keep.answered
    assert number in keep.text
    assert AccessRequest.get(AccessRequest.number == number).status == "pending"

    sure = ModalAnswer("Withdraw").arm()
    click(qtbot, page, "Withdraw Request")
    assert sure.answered
    assert AccessRequest.get(AccessRequest.number == number).status == "withdrawn"
    assert page.result_label.text() == f"Request {number} was withdrawn."
    assert number not in [
        page.requests_model.row_object(r).number for r in range(page.requests_model.rowCount())
    ]


def test_reprint_a_pending_printed_form(qtbot, login_window) -> None:
    _main, page = _open_my_clients(qtbot, login_window)
    number = page.requests_model.row_object(0).number
    page.select_request(number)
    assert page.print_button.isEnabled()
    seen: list[str] = []

    def look(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        seen.append(dialog.windowTitle())
        assert dialog.document.pageCount() >= 1
        dialog.reject()

    when_modal(look, of_type=PdfPreviewDialog)
    click(qtbot, page, "Print Client Authorization")
    assert seen == [f"Client Authorization — request {number}"]

    # An approved request has no form to print, and cannot be withdrawn.
    page.status_box.setCurrentText("Approved")
    page.requests_view.selectRow(0)
    assert not page.print_button.isEnabled()
    assert not page.withdraw_button.isEnabled()


def test_new_request_for_a_former_client_starts_with_its_name(qtbot, login_window) -> None:
    """FAQ: How can a taxpayer reactivate access for a third party? By a new request."""
    from mtc_desktop.services import grants
    from mtc_desktop.services.base import actor_for

    maria = Taxpayer.get(Taxpayer.legal_name == "Maria Santos")
    smith = Logon.get(Logon.username == "smithcpa")
    grants.cancel_general_access(actor_for(Logon.get(Logon.username == "msantos")), smith.id)
    _main, page = _open_my_clients(qtbot, login_window)
    assert [page.former_model.row_object(r).name for r in range(page.former_model.rowCount())] == [
        "Maria Santos"
    ]
    assert not page.former_button.isEnabled()
    page.former_view.selectRow(0)
    assert page.former_button.isEnabled()
    started: list[tuple[str, str]] = []

    def look(wizard: QWidget) -> None:
        assert isinstance(wizard, RequestWizard)
        started.append(
            (wizard.id_type_page.id_type.value, wizard.taxpayer_page.legal_name_edit.text())
        )
        wizard.reject()

    when_modal(look, of_type=RequestWizard)
    click(qtbot, page, "New Request for Former Client")
    assert started == [("SSN", "Maria Santos")]
    assert (
        not AccessGrant.select()
        .where(
            (AccessGrant.third_party == smith.id)
            & (AccessGrant.taxpayer == maria.id)
            & (AccessGrant.status == "active")
        )
        .exists()
    )


def test_saving_and_printing_a_client_authorization_are_in_the_audit_trail(
    qtbot, login_window, monkeypatch, tmp_path
) -> None:
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog, QFileDialog

    _main, page = _open_my_clients(qtbot, login_window)
    number = page.requests_model.row_object(0).number
    page.select_request(number)
    request = AccessRequest.get(AccessRequest.number == number)
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a: (str(tmp_path / "form.pdf"), "PDF documents (*.pdf)")),
    )

    def to_file(print_dialog: QPrintDialog) -> int:
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "printed.pdf"))
        printer.setResolution(72)
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", to_file)

    def save_print_close(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        buttons(dialog, "Save as PDF…")[0].click()
        buttons(dialog, "Print…")[0].click()
        buttons(dialog, "Close")[0].click()

    def events() -> list[tuple[str, int, str]]:
        return [
            (e.action, e.actor_id, e.details)
            for e in AuditEvent.select()
            .where(AuditEvent.request == request.id)
            .where(AuditEvent.action.in_(["authorization_saved", "authorization_printed"]))
            .order_by(AuditEvent.id)
        ]

    assert events() == []
    when_modal(save_print_close, of_type=PdfPreviewDialog)
    click(qtbot, page, "Print Client Authorization")
    assert (tmp_path / "form.pdf").exists()
    assert (tmp_path / "printed.pdf").exists()
    smith = Logon.get(Logon.username == "smithcpa").id
    details = f'{{"number": "{number}"}}'
    assert events() == [
        ("authorization_saved", smith, details),
        ("authorization_printed", smith, details),
    ]
