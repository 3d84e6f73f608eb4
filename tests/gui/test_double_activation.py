"""A second press of a button that writes, while the first is still running (a double
click, Enter twice, a click while its confirmation box is up), is ignored: one write, and
no "Already changed" box after a success."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import shiboken6
from peewee import fn
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QPushButton, QWidget

from mtc_desktop.domain.model import AccountType, RequestStatus
from mtc_desktop.forms.authorization import give_rights_field, granted_rights_field
from mtc_desktop.gui.busy import connect_write, is_writing, run_write, writes
from mtc_desktop.gui.client_account import ClientAccountPage
from mtc_desktop.gui.dor import (
    DorHomePage,
    DorRequestPage,
    MailCorrespondenceDialog,
    ReturnedFormDialog,
)
from mtc_desktop.gui.outbox import OutboxPage, SmtpSettingsDialog
from mtc_desktop.gui.registry import RegistryTaxpayerPage
from mtc_desktop.gui.staff import StaffLogonsPage
from mtc_desktop.gui.taxpayer import AccessRequestsPage, AccountSecurityDialog, ApproveDenyDialog
from mtc_desktop.services import (
    accounts,
    clients,
    correspondence,
    grants,
    outbox,
    printing,
    registry,
    requests,
    settings,
    staff,
)
from mtc_desktop.store.models import AccessRequest, AuditEvent, TaxAccount
from tests.forms import filling
from tests.gui import test_clients as clients_tests
from tests.gui import test_dor_staff as dor_tests
from tests.gui import test_my_clients as my_clients_tests
from tests.gui import test_request_wizard as wizard_tests
from tests.gui import test_setup_and_registry as registry_tests
from tests.gui import test_taxpayer_mode as taxpayer_tests
from tests.gui.conftest import buttons, click, log_in, main_window, when_modal


class BoxWatcher:
    """Answers every message box that opens, keeping what each said."""

    def __init__(self, answers: dict[str, str] | None = None) -> None:
        self.answers = answers or {}
        self.seen: list[tuple[str, str]] = []
        self._boxes: list[QWidget] = []
        self.timer = QTimer()
        self.timer.setInterval(15)
        self.timer.timeout.connect(self._look)
        self.timer.start()

    def _look(self) -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or box in self._boxes:
            return
        self._boxes.append(box)
        self.seen.append((box.windowTitle(), box.text()))
        wanted = self.answers.get(box.windowTitle(), "OK")
        for button in box.findChildren(QAbstractButton):
            if button.text().replace("&", "") == wanted:
                button.click()
                return
        box.reject()

    def titles(self) -> list[str]:
        return [title for title, _ in self.seen]

    def close(self) -> None:
        """Stop, and hold nothing: the timer's connection would keep it all alive."""
        self.timer.stop()
        self.timer.timeout.disconnect(self._look)
        self._boxes.clear()


@pytest.fixture
def boxes() -> Iterator[BoxWatcher]:
    watcher = BoxWatcher()
    yield watcher
    watcher.close()


def double_click(qtbot, widget: QWidget) -> None:
    """What a double click delivers: press, release, double-click press, release (Qt's
    mouseDClick alone sends only the double-click press)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseDClick(widget, Qt.MouseButton.LeftButton)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton)


def _last_event() -> int:
    return AuditEvent.select(fn.MAX(AuditEvent.id)).scalar() or 0


def _open_requests(qtbot, login_window) -> AccessRequestsPage:
    main = log_in(qtbot, login_window, "harborbakery")
    click(qtbot, main, "Manage My Profile")
    tabs = main.current_page.tabs
    tabs.setCurrentIndex([tabs.tabText(i) for i in range(tabs.count())].index("More…"))
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    assert isinstance(page, AccessRequestsPage)
    return page


def test_double_click_on_approve_decides_once(qtbot, login_window, boxes) -> None:
    page = _open_requests(qtbot, login_window)
    request = page.model.row_object(0)
    last = _last_event()

    def approve_twice(dialog: QWidget) -> None:
        dialog.give_boxes[0].setChecked(True)
        double_click(qtbot, buttons(dialog, "Approve")[0])

    when_modal(approve_twice, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert boxes.titles() == []
    assert "approved" in page.result_label.text()
    assert AccessRequest.get_by_id(request.id).status == "approved"
    written = AuditEvent.select().where(AuditEvent.id > last)
    assert [e.action for e in written].count("request_approved") == 1


def test_deny_all_pressed_again_while_its_confirmation_is_up(qtbot, login_window, boxes) -> None:
    page = _open_requests(qtbot, login_window)
    request = page.model.row_object(0)
    boxes.answers["Deny the request?"] = "Yes"
    boxes.timer.stop()  # the boxes are answered below, in order

    def deny_twice(dialog: QWidget) -> None:
        deny = buttons(dialog, "Deny All")[0]

        def again(box: QWidget) -> None:
            boxes.timer.start()
            deny.click()  # the second press, while the first's confirmation is open

        when_modal(again, of_type=QMessageBox)
        deny.click()

    when_modal(deny_twice, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert boxes.titles() == ["Deny the request?"]
    assert "denied" in page.result_label.text()
    assert AccessRequest.get_by_id(request.id).status == "denied"


# --- the mechanism itself ---------------------------------------------------------------------


class _Window(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.runs: list[str] = []
        self.button = QPushButton("Save", self)
        self.other = QPushButton("Other", self)
        self.button.clicked.connect(self.save)
        self.other.clicked.connect(self.other_write)
        self.inner: Callable[[], None] = lambda: None

    @writes
    def save(self) -> None:
        self.runs.append("save")
        assert not self.button.isEnabled(), "the pressed button is disabled while it runs"
        self.inner()

    @writes
    def other_write(self) -> None:
        self.runs.append("other")


@pytest.fixture
def window(qtbot) -> _Window:
    window = _Window()
    qtbot.addWidget(window)
    window.show()
    return window


def test_a_press_inside_a_running_write_of_the_same_window_is_ignored(qtbot, window) -> None:
    def press_again() -> None:
        window.save()  # the same handler, re-entered (e.g. from a nested event loop)
        window.other.click()  # another write of the same window

    window.inner = press_again
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert window.runs == ["save"]
    assert window.button.isEnabled()
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    window.other.click()
    assert window.runs == ["save", "save", "other"], "once the first is done, presses count"


def test_the_button_stays_disabled_when_the_handler_disabled_it(qtbot, window) -> None:
    window.inner = lambda: window.button.setEnabled(False)  # e.g. nothing left to save
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert not window.button.isEnabled()
    window.inner = lambda: None
    window.button.setEnabled(True)
    qtbot.mouseClick(window.button, Qt.MouseButton.LeftButton)
    assert window.button.isEnabled()


def test_a_failing_handler_or_a_deleted_button_leaves_nothing_stuck(qtbot, window) -> None:
    def fail() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError, match="a bug"):
        run_write(window, fail, window.button)
    assert window.button.isEnabled()
    assert not is_writing(window)
    link = QPushButton("Delete me", window)
    link.show()
    connect_write(link, lambda: shiboken6.delete(link))
    link.click()
    assert not is_writing(window)
    window.other.click()
    assert window.runs[-1] == "other"


def test_a_press_on_a_button_no_longer_shown_is_ignored(qtbot, window) -> None:
    window.hide()
    runs: list[int] = []
    assert run_write(window, lambda: runs.append(1), window.button) is None
    assert runs == []


# --- every button that writes: a second press while the first's call runs is ignored --------


@dataclass(frozen=True)
class WriteButton:
    """A button that writes, how to reach it, and the service its press calls."""

    label: str
    reach: Callable[[object, object], QAbstractButton]  # (qtbot, login_window) -> the button
    service: tuple[object, str]
    answers: tuple[tuple[str, str], ...] = ()  # its confirmation: (box title, button)


def _taxpayer_cancel_access(qtbot, login_window) -> QAbstractButton:
    main = log_in(qtbot, login_window, "harborbakery")
    page = taxpayer_tests._open_third_party(qtbot, main, "smithcpa")
    click(qtbot, page, "Manage Account Access")
    return buttons(page, "Cancel Access")[0]


def _cancel_my_access(qtbot, login_window) -> QAbstractButton:
    _main, page = clients_tests._my_access(qtbot, login_window)
    clients_tests._open_tax_administrator(qtbot, page, clients_tests.MARIA, "Personal Income")
    return buttons(main_window().current_page, "Cancel My Access")[0]


def _withdraw(qtbot, login_window) -> QAbstractButton:
    _main, page = my_clients_tests._open_my_clients(qtbot, login_window)
    pending = next(r for r in page.requests_model.rows() if r.status is RequestStatus.PENDING)
    page.select_request(pending.number)
    return page.withdraw_button


def _dor_request(qtbot, login_window) -> DorRequestPage:
    main, home = dor_tests._staff(qtbot, login_window)
    request = dor_tests._request(dor_tests.ELODIE)
    dor_tests._find(qtbot, main, home, request.number)
    page = main.current_page
    assert isinstance(page, DorRequestPage)
    qtbot.keyClicks(page.code_edit, request.authorization_code)
    return page


def _record_form(qtbot, login_window) -> QAbstractButton:
    return _dor_request(qtbot, login_window).record_button  # nothing given: a denial


def _account(qtbot, login_window) -> ClientAccountPage:
    _main, page = clients_tests._open_account(qtbot, login_window, AccountType.SALES_AND_USE)
    return page


def _make_payment(qtbot, login_window) -> QAbstractButton:
    page = _account(qtbot, login_window)
    qtbot.keyClicks(page.amount_edit, "125.50")
    return page.pay_button


def _file_return(qtbot, login_window) -> QAbstractButton:
    page = _account(qtbot, login_window)
    qtbot.keyClicks(page.period_edit, "2025")
    return page.file_button


def _favorite(qtbot, login_window) -> QAbstractButton:
    _main, page = clients_tests._clients_page(qtbot, login_window)
    page.view.select_row(0)
    return page.favorite_button


def _dor_home(qtbot, login_window) -> DorHomePage:
    return dor_tests._staff(qtbot, login_window)[1]


def _retry_now(qtbot, login_window) -> QAbstractButton:
    main, _home = dor_tests._staff(qtbot, login_window)
    page = main.push(OutboxPage(main))
    assert page.model.rowCount(), "the demo's emails wait in the outbox"
    page.view.selectRow(0)
    return page.retry_link


def _disable_staff(qtbot, login_window) -> QAbstractButton:
    main, _home = dor_tests._staff(qtbot, login_window)
    staff.add_staff(main.actor, "rgomez", "Rita Gomez", "rgomez@dor.example.gov")
    click(qtbot, main, "Staff Logons")
    page = main.current_page
    assert isinstance(page, StaffLogonsPage)
    registry_tests.select_row(page.view, "rgomez")
    return page.disable_button


def _close_account(qtbot, login_window) -> QAbstractButton:
    main, home = dor_tests._staff(qtbot, login_window)
    qtbot.keyClicks(home.registry_edit, "Harbor Street")
    click(qtbot, home, "Find Taxpayer")
    click(qtbot, main.current_page, "Open Taxpayer")
    page = main.current_page
    assert isinstance(page, RegistryTaxpayerPage)
    page.view.selectRow(0)
    return buttons(page, "Close Account")[0]


WRITE_BUTTONS = [
    WriteButton(
        "Cancel Access",
        _taxpayer_cancel_access,
        (grants, "cancel_general_access"),
        (("Cancel Access", "Yes"),),
    ),
    WriteButton(
        "Cancel My Access",
        _cancel_my_access,
        (grants, "cancel_my_access"),
        (("Cancel My Access", "Yes"),),
    ),
    WriteButton(
        "Withdraw Request",
        _withdraw,
        (requests, "withdraw_request"),
        (("Withdraw Request", "Withdraw"),),
    ),
    WriteButton(
        "Record Form",
        _record_form,
        (requests, "record_printed_form"),
        (("Record a denial?", "Yes"),),
    ),
    WriteButton(
        "Make Payment", _make_payment, (accounts, "make_payment"), (("Make Payment", "Yes"),)
    ),
    WriteButton("File Return", _file_return, (accounts, "file_return")),
    WriteButton("Mark as Favorite", _favorite, (clients, "set_favorite")),
    WriteButton(
        "Save expiry period",
        lambda qtbot, login_window: _dor_home(qtbot, login_window).expiry_save,
        (settings, "set_expiry_days"),
    ),
    WriteButton(
        "Expire Overdue Requests Now",
        lambda qtbot, login_window: _dor_home(qtbot, login_window).expire_now,
        (requests, "expire_overdue"),
    ),
    WriteButton("Retry Now", _retry_now, (outbox, "retry_now")),
    WriteButton(
        "Disable", _disable_staff, (staff, "disable_staff"), (("Disable this logon?", "Disable"),)
    ),
    WriteButton(
        "Close Account",
        _close_account,
        (registry, "close_tax_account"),
        (("Close this account?", "Close Account"),),
    ),
]


@pytest.mark.parametrize("case", WRITE_BUTTONS, ids=[case.label for case in WRITE_BUTTONS])
def test_a_second_press_while_the_first_write_runs_is_ignored(
    qtbot, login_window, boxes, monkeypatch, case: WriteButton
) -> None:
    button = case.reach(qtbot, login_window)
    assert button.isVisible()
    assert button.isEnabled()
    boxes.answers.update(case.answers)
    module, name = case.service
    real = getattr(module, name)
    calls: list[bool] = []

    def slow_service(*args: object, **kwargs: object) -> object:
        """The first call, still running, when the second press comes."""
        calls.append(button.isEnabled())
        if len(calls) == 1:
            button.click()  # a second press: the button is disabled meanwhile
            button.clicked.emit()  # and a press that got through anyway is ignored
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow_service)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert calls == [False], "one call, with the pressed button disabled during it"
    assert boxes.titles() == [title for title, _ in case.answers], "no second confirmation"


# --- the same in the dialogs that write ---------------------------------------------------------


@dataclass(frozen=True)
class DialogButton:
    """A dialog's button that writes: how to open the dialog, fill it, and its service."""

    label: str
    open_dialog: Callable[[object, object], None]  # (qtbot, login_window): the opening click
    dialog_type: type
    fill: Callable[[QWidget], None]
    service: tuple[object, str]


def _open_access_type(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    page = taxpayer_tests._open_third_party(qtbot, main, "smithcpa")
    click(qtbot, page, "Manage Access")
    click(qtbot, page, "File")


def _change_level(dialog: QWidget) -> None:
    buttons(dialog, "Change")[0].click()
    dialog.level_combo.setCurrentText("File and Pay")  # type: ignore[attr-defined]


def _open_mail(qtbot, login_window) -> None:
    click(qtbot, _dor_home(qtbot, login_window), "Mail Correspondence")


def _fill_mail(dialog: QWidget) -> None:
    account = TaxAccount.select().first()
    dialog.account_edit.setText(account.account_number)  # type: ignore[attr-defined]
    dialog.title_edit.setText("Notice of Assessment")  # type: ignore[attr-defined]


def _open_email_server(qtbot, login_window) -> None:
    click(qtbot, _dor_home(qtbot, login_window), "Email Server")


def _fill_server(dialog: QWidget) -> None:
    dialog.host_edit.setText("smtp.example.org")  # type: ignore[attr-defined]


DIALOG_BUTTONS = [
    DialogButton(
        "Save", _open_access_type, AccountSecurityDialog, _change_level, (grants, "change_level")
    ),
    DialogButton(
        "Mail",
        _open_mail,
        MailCorrespondenceDialog,
        _fill_mail,
        (correspondence, "mail_correspondence"),
    ),
    DialogButton(
        "Save", _open_email_server, SmtpSettingsDialog, _fill_server, (outbox, "save_email_server")
    ),
]


@pytest.mark.parametrize(
    "case",
    DIALOG_BUTTONS,
    ids=[f"{case.dialog_type.__name__} {case.label}" for case in DIALOG_BUTTONS],
)
def test_a_second_press_in_a_dialog_while_its_write_runs_is_ignored(
    qtbot, login_window, boxes, monkeypatch, case: DialogButton
) -> None:
    module, name = case.service
    real = getattr(module, name)
    calls: list[bool] = []
    pressed: list[QAbstractButton] = []

    def slow_service(*args: object, **kwargs: object) -> object:
        button = pressed[0]
        calls.append(button.isEnabled())
        if len(calls) == 1:
            button.click()
            button.clicked.emit()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, slow_service)

    def press(dialog: QWidget) -> None:
        case.fill(dialog)
        pressed.append(buttons(dialog, case.label)[0])
        double_click(qtbot, pressed[0])  # and a double click's second press after it

    seen = when_modal(press, of_type=case.dialog_type)
    case.open_dialog(qtbot, login_window)
    assert seen, "the dialog opened"
    assert calls == [False], "one call, with the pressed button disabled during it"
    assert boxes.titles() == []


def test_submit_pressed_again_while_the_request_is_sent_makes_one_request(
    qtbot, login_window, monkeypatch
) -> None:
    smith = log_in(qtbot, login_window, "smithcpa")
    real = requests.request_access
    calls: list[bool] = []

    def script(user: wizard_tests.User) -> None:
        submit = buttons(user.wizard, "Submit")[0]

        def slow_service(*args: object, **kwargs: object) -> object:
            calls.append(submit.isEnabled())
            if len(calls) == 1:
                submit.click()
                submit.clicked.emit()
            return real(*args, **kwargs)

        monkeypatch.setattr(requests, "request_access", slow_service)
        user.click("Submit")
        assert user.title == "Your request has been submitted"
        user.click("Finish")

    def to_review(user: wizard_tests.User) -> None:
        user.id_type(wizard_tests.FEIN)
        user.taxpayer("043812967", wizard_tests.HARBOR[1])
        withholding = wizard_tests.account_label(wizard_tests.HARBOR[1], "Withholding")
        user.accounts({withholding: "View Only"})
        user.method("Printed form")
        script(user)

    view = wizard_tests.run_wizard(qtbot, smith, to_review)
    assert view is not None
    assert calls == [False], "one request, with Submit disabled while it was sent"
    assert len(wizard_tests.pending_of("smithcpa", wizard_tests.HARBOR[1])) == 1


def test_import_pressed_again_while_the_form_is_recorded_records_once(
    qtbot, login_window, boxes, monkeypatch, tmp_path
) -> None:
    page = _dor_request(qtbot, login_window)
    assert page.view is not None
    line = page.view.lines[0]
    filled = tmp_path / "returned.pdf"
    filled.write_bytes(
        filling.fill(
            printing.authorization_pdf(page.actor, page.view.id),
            {
                give_rights_field(line.account.number): "/Yes",
                granted_rights_field(line.account.number): "/view_only",
            },
        )
    )
    monkeypatch.setattr(
        "PySide6.QtWidgets.QFileDialog.getOpenFileName",
        lambda *args, **kwargs: (str(filled), "PDF documents (*.pdf)"),
    )
    button = page.import_button
    real = requests.record_printed_form
    calls: list[bool] = []

    def slow_service(*args: object, **kwargs: object) -> object:
        calls.append(button.isEnabled())
        if len(calls) == 1:
            button.click()
            button.clicked.emit()
        return real(*args, **kwargs)

    monkeypatch.setattr(requests, "record_printed_form", slow_service)
    for _ in range(2):  # a second import, if one started, is confirmed too
        when_modal(lambda d: buttons(d, "Record")[0].click(), of_type=ReturnedFormDialog)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert calls == [False], "recorded once, with the button disabled meanwhile"
    assert boxes.titles() == []
    assert AccessRequest.get_by_id(page.view.id).status == "approved"
