"""Power of Attorney beside third-party access, tried as a new user would, by the labels
on the screen: a preparer with third-party access asks for a copy of a return and is told
it needs a POA; prints the prefilled Form M-2848; DOR records a signed form by hand and
imports the filled returned PDF; the request is then accepted and DOR fulfils it; the
taxpayer revokes the POA and the next request is refused, while third-party access is
unchanged."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QWidget

from mtc_desktop.domain.poa import FAQ_QUESTION
from mtc_desktop.forms import m2848
from mtc_desktop.gui.client_page import ClientPage
from mtc_desktop.gui.clients import ClientsPage
from mtc_desktop.gui.dor import DorHomePage
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.gui.poa import (
    InformationQueuePage,
    PowersOfAttorneyPage,
    PrepareFormDialog,
    RecordPoaDialog,
    RequestInformationDialog,
)
from mtc_desktop.store.models import AccessGrant, InformationRequest, PowerOfAttorney
from tests.forms import filling
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, when_modal
from tests.gui.test_my_clients import _open_more

MARIA = "Maria Santos"


def _texts(root: QWidget) -> str:
    """What the page shows: its labels and its panels' titles."""
    shown = [label.text() for label in root.findChildren(QLabel) if label.isVisible()]
    shown += [box.title() for box in root.findChildren(QGroupBox) if box.isVisible()]
    return "\n".join(shown)


def _open_client(qtbot, main: QWidget, name: str = MARIA) -> ClientPage:
    page = main.current_page
    assert isinstance(page, ClientsPage)
    page.tabs.setCurrentIndex([page.tabs.tabText(i) for i in range(page.tabs.count())].index("All"))
    names = [page.model.row_object(r).name for r in range(page.model.rowCount())]
    page.view.select_row(names.index(name))
    click(qtbot, page, "Open Client")
    client = main.current_page
    assert isinstance(client, ClientPage)
    return client


def _ask_for_a_copy(qtbot, client: ClientPage, answer: str | None) -> ModalAnswer:
    """Request Information… → a copy of the 2024 Personal Income return → Send Request;
    the refusal box expected is answered with ``answer`` (None: accepted, no box)."""
    box = ModalAnswer(answer or "")
    refused: list[bool] = []

    def fill_and_send(dialog: QWidget) -> None:
        assert isinstance(dialog, RequestInformationDialog)
        assert dialog.type_combo.currentText() == "Personal Income"
        dialog.year_spin.setValue(2024)
        if answer is not None:
            box.arm()
        buttons(dialog, "Send Request")[0].click()
        if dialog.isVisible():  # refused, and the box closed with Close
            refused.append(True)
            buttons(dialog, "Cancel")[0].click()

    when_modal(fill_and_send, of_type=RequestInformationDialog)
    click(qtbot, client, "Request Information…")
    qtbot.waitUntil(lambda: box.answered or bool(refused) or client.poa_panel.result.text() != "")
    return box


def test_poa_path_as_a_new_user_tries_it(qtbot, login_window, tmp_path: Path, monkeypatch) -> None:
    # 1. The preparer, with third-party access to Maria, asks for a copy of a return.
    main = log_in(qtbot, login_window, "smithcpa")
    client = _open_client(qtbot, main)
    assert "You hold no Power of Attorney for this client" in _texts(client)
    assert FAQ_QUESTION in _texts(client)
    printed = tmp_path / "m2848.pdf"
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getSaveFileName",
        lambda *args, **kwargs: (str(printed), "PDF documents (*.pdf)"),
    )
    prepared_types: list[list[str]] = []

    def prepare(dialog: QWidget) -> None:
        assert isinstance(dialog, PrepareFormDialog)
        prepared_types.append([b.text() for b in dialog.findChildren(QCheckBox) if b.isChecked()])
        buttons(dialog, "Prepare Form")[0].click()

    def save_and_close(dialog: QWidget) -> None:
        assert isinstance(dialog, PdfPreviewDialog)
        buttons(dialog, "Save as PDF…")[0].click()
        buttons(dialog, "Close")[0].click()

    when_modal(prepare, of_type=PrepareFormDialog)
    when_modal(save_and_close, of_type=PdfPreviewDialog)
    told = _ask_for_a_copy(qtbot, client, "Prepare Form M-2848…")
    assert told.text == "This request needs a Power of Attorney."
    assert "You have third-party access to Maria Santos" in told.informative
    assert "not request the taxpayer's information from DOR" in told.informative
    qtbot.waitUntil(lambda: printed.exists())

    # 2. The prefilled Form M-2848 is printed (saved): Maria, the preparer, Personal Income.
    assert prepared_types[0][0] == "Personal Income"
    form = PdfReader(printed)
    words = " ".join(form.pages[0].extract_text().split())
    assert MARIA in words
    assert "Smith" in words
    fields = form.get_fields() or {}
    assert fields["tax_type_personal_income"].get("/V") == "/Yes"
    assert "prepared: print it for your client to sign" in client.poa_panel.result.text()
    assert InformationRequest.select().count() == 0
    click(qtbot, main, "Switch Logon")

    # Maria fills it in on screen and signs.
    filled = tmp_path / "signed.pdf"
    filled.write_bytes(
        filling.fill(
            printed.read_bytes(),
            {m2848.DATE_FIELD: "03/02/2026", m2848.PRINTED_NAME_FIELD: MARIA},
        )
    )

    # 3. DOR records a signed form typed from the paper, then imports the returned PDF.
    staff = log_in(qtbot, login_window, "dorclerk")
    home = staff.current_page
    assert isinstance(home, DorHomePage)
    assert FAQ_QUESTION in _texts(home)
    dialog_text: list[str] = []

    def record(dialog: QWidget) -> None:
        assert isinstance(dialog, RecordPoaDialog)
        dialog.id_type_combo.setCurrentText("SSN")
        dialog.id_edit.setText("031-54-2296")
        dialog.username_edit.setText("smithcpa")
        buttons(dialog, "Record")[0].click()  # no tax type yet: refused in the dialog
        dialog_text.append(dialog.error.text())
        assert dialog.taxpayer_label.text().startswith(MARIA)
        [box] = [b for b in dialog.findChildren(QCheckBox) if b.text() == "Personal Income"]
        box.setChecked(True)
        dialog.first_spin.setValue(2023)
        dialog.last_spin.setValue(2025)
        buttons(dialog, "Record")[0].click()

    when_modal(record, of_type=RecordPoaDialog)
    click(qtbot, home, "Record Power of Attorney")
    assert dialog_text == ["Mark at least one tax type the Power of Attorney covers."]
    by_hand = PowerOfAttorney.get(PowerOfAttorney.form_number.is_null())
    assert home.poa_panel.result.text().startswith(f"Power of Attorney {by_hand.number} recorded")

    confirm = ModalAnswer("Record").arm()
    recorded = home.poa_panel.import_path(filled)
    assert recorded is not None
    assert confirm.answered
    assert f"Signed by {MARIA} on 03/02/2026" in confirm.informative
    assert recorded.superseded == (by_hand.number,)
    assert f"It supersedes {by_hand.number}" in home.poa_panel.result.text()
    again = ModalAnswer("OK").arm()
    assert home.poa_panel.import_path(filled) is None
    assert "already recorded" in again.informative
    click(qtbot, staff, "Switch Logon")

    # 4. The preparer's request is accepted now; DOR fulfils it from the queue.
    main = log_in(qtbot, login_window, "smithcpa")
    client = _open_client(qtbot, main)
    assert f"You hold a Power of Attorney for this client: {recorded.poa.number}" in _texts(client)
    _ask_for_a_copy(qtbot, client, None)
    asked = InformationRequest.get()
    assert f"Request {asked.number} sent to DOR" in client.poa_panel.result.text()
    click(qtbot, main, "Switch Logon")
    staff = log_in(qtbot, login_window, "dorclerk")
    click(qtbot, staff, "Information Requests")
    queue = staff.current_page
    assert isinstance(queue, InformationQueuePage)
    assert [r.number for r in queue.model.rows()] == [asked.number]
    ModalAnswer("Yes").arm()
    click(qtbot, queue, "Fulfil")
    assert queue.result.text() == f"Request {asked.number} recorded as fulfilled."
    assert queue.model.rowCount() == 0
    click(qtbot, staff, "Switch Logon")

    # 5. Maria revokes the POA from her profile, where it is listed beside third parties.
    taxpayer = log_in(qtbot, login_window, "msantos")
    _open_more(qtbot, taxpayer)
    assert buttons(taxpayer, "Manage Third-party Access")
    assert f"In force: {recorded.poa.number}, Smith" in _texts(taxpayer.current_page)
    click(qtbot, taxpayer, "Powers of Attorney")
    page = taxpayer.current_page
    assert isinstance(page, PowersOfAttorneyPage)
    assert FAQ_QUESTION in _texts(page)
    statuses = {r.number: r.status_label for r in page.model.rows()}
    assert statuses == {
        recorded.poa.number: "Active",
        by_hand.number: f"Superseded by {recorded.poa.number}",
    }
    ModalAnswer("Yes").arm()
    click(qtbot, page, "Revoke")
    assert page.result.text().startswith(f"Power of Attorney {recorded.poa.number} revoked")
    assert not buttons(page, "Revoke")
    click(qtbot, taxpayer, "Back")
    assert "No Power of Attorney of yours is in force." in _texts(taxpayer.current_page)
    click(qtbot, taxpayer, "Switch Logon")

    # The next request is refused; third-party access is unchanged.
    grants_before = list(AccessGrant.select().tuples())
    main = log_in(qtbot, login_window, "smithcpa")
    client = _open_client(qtbot, main)
    assert "You hold no Power of Attorney for this client" in _texts(client)
    told = _ask_for_a_copy(qtbot, client, "Close")
    assert f"Your Power of Attorney {recorded.poa.number} for Maria Santos is revoked" in (
        told.informative
    )
    assert InformationRequest.select().count() == 1
    assert [link.text() for link in client.account_links()] != []
    assert list(AccessGrant.select().tuples()) == grants_before
    click(qtbot, main, "Switch Logon")


def test_dor_is_told_what_is_wrong_with_a_bad_form_or_file(
    qtbot, login_window, tmp_path: Path
) -> None:
    staff = log_in(qtbot, login_window, "dorclerk")
    home = staff.current_page
    assert isinstance(home, DorHomePage)

    # A photo of the form is not a form: one line says so, nothing is recorded.
    photo = tmp_path / "photo.pdf"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    told = ModalAnswer("OK").arm()
    assert home.poa_panel.import_path(photo) is None
    assert told.text == "This form cannot be recorded."
    assert "This file is not a PDF: it is a PNG image" in told.informative
    assert "Client Authorization" not in told.informative

    # Typed input that cannot be recorded is refused in the dialog, the input kept.
    seen: list[tuple[str, str, str]] = []

    def record(dialog: QWidget) -> None:
        assert isinstance(dialog, RecordPoaDialog)
        dialog.id_edit.setText("031-54-2296")
        dialog.username_edit.setText("no-such-firm")
        [box] = [b for b in dialog.findChildren(QCheckBox) if b.text() == "Personal Income"]
        box.setChecked(True)
        buttons(dialog, "Record")[0].click()
        seen.append((dialog.error.text(), dialog.username_edit.text(), dialog.id_edit.text()))
        dialog.id_edit.setText("999-99-")
        buttons(dialog, "Record")[0].click()
        seen.append((dialog.error.text(), dialog.username_edit.text(), dialog.id_edit.text()))
        assert dialog.isVisible()
        buttons(dialog, "Cancel")[0].click()

    when_modal(record, of_type=RecordPoaDialog)
    click(qtbot, home, "Record Power of Attorney")
    assert seen[0][0].startswith("There is no third party with the username no-such-firm.")
    assert seen[0][1:] == ("no-such-firm", "031-54-2296")
    assert "SSN" in seen[1][0]
    assert seen[1][2] == "999-99-"
    assert PowerOfAttorney.select().count() == 0
    click(qtbot, staff, "Switch Logon")


def test_revoke_pressed_again_while_its_confirmation_is_open_is_ignored(
    qtbot, login_window
) -> None:
    import datetime as dt

    from PySide6.QtWidgets import QMessageBox

    from mtc_desktop.domain.model import AccountType
    from mtc_desktop.domain.poa import PoaAct
    from mtc_desktop.services import demo, logons, poa
    from mtc_desktop.store.models import AuditEvent, Taxpayer

    maria = Taxpayer.get(Taxpayer.legal_name == MARIA)
    poa.record_poa(
        logons.log_in("dorclerk", demo.DEMO_PASSWORD),
        poa.PoaDraft(
            taxpayer_id=maria.id,
            tax_types=(AccountType.PERSONAL_INCOME,),
            first_year=2023,
            last_year=2025,
            acts=tuple(PoaAct),
            signed_on=dt.date.today(),
            representative_username="smithcpa",
        ),
    )
    taxpayer = log_in(qtbot, login_window, "msantos")
    _open_more(qtbot, taxpayer)
    click(qtbot, taxpayer, "Powers of Attorney")
    page = taxpayer.current_page
    boxes: list[str] = []

    def press_again_then_yes(box: QWidget) -> None:
        assert isinstance(box, QMessageBox)
        boxes.append(box.text())
        page.revoke_links[0].click()  # a second press while the first asks: ignored
        buttons(box, "Yes")[0].click()

    when_modal(press_again_then_yes, of_type=QMessageBox)
    click(qtbot, page, "Revoke")
    assert len(boxes) == 1
    assert boxes[0].startswith("Revoke Power of Attorney")
    assert AuditEvent.select().where(AuditEvent.action == "poa_revoked").count() == 1
    assert page.result.text().endswith("You and the representative were emailed.")
    click(qtbot, taxpayer, "Switch Logon")
