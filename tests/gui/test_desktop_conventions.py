"""A desktop program's conventions in its lists: Enter (or a double click) on a row opens
it; a link in a selected row is readable; the inbox marks nothing read by itself; each
list's sort and column widths come back; a change is confirmed in the status bar or on
the page until the page changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, QSettings, Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QWidget,
)

from mtc_desktop.gui import router
from mtc_desktop.gui.clients_model import ClientsModel
from mtc_desktop.gui.inbox import InboxPage
from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.gui.models import InboxModel
from mtc_desktop.gui.my_access import MyAccessModel
from mtc_desktop.gui.widgets import LinkButton
from tests.gui.conftest import buttons, click, log_in, when_modal

# --- Enter on a row opens it ---------------------------------------------------------------


def _press_enter_on_row(qtbot, view: QTableView, row: int = 0) -> None:
    view.setFocus(Qt.FocusReason.OtherFocusReason)
    view.setCurrentIndex(view.model().index(row, 0))  # the row is current, not its link
    qtbot.keyClick(view, Qt.Key.Key_Return)


def _open_dialog_title(qtbot, view: QTableView, key: Qt.Key = Qt.Key.Key_Return) -> str:
    """Press ``key`` on the first row, which opens a modal dialog; close it, give its title
    (or a message box's text)."""
    seen = when_modal(lambda box: box.reject() if isinstance(box, QDialog) else box.close())
    view.setFocus(Qt.FocusReason.OtherFocusReason)
    view.setCurrentIndex(view.model().index(0, 0))
    qtbot.keyClick(view, key)
    qtbot.waitUntil(lambda: bool(seen))
    box = seen[0]
    return box.text() if isinstance(box, QMessageBox) else box.windowTitle()


def _third_parties(qtbot, main: MainWindow) -> QTableView:
    main.open_page("third_parties", under="profile")
    return main.current_page.view  # type: ignore[union-attr]


def test_enter_on_a_third_party_opens_its_page(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    view = _third_parties(qtbot, main)
    username = main.current_page.model.row_object(0).username  # type: ignore[union-attr]
    _press_enter_on_row(qtbot, view)
    assert main.current_page.key == "third_party"  # type: ignore[union-attr]
    assert username in main.current_page.form.titleLabel.text()  # type: ignore[union-attr]
    main.close()


def test_enter_on_a_pending_request_opens_approve_deny(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    main.open_page("access_requests", under="profile")
    view = main.current_page.view  # type: ignore[union-attr]
    assert view.model().rowCount()
    assert _open_dialog_title(qtbot, view).startswith("Approve/Deny")
    main.close()


def test_enter_on_an_account_of_a_third_party_opens_its_access_type(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    view = _third_parties(qtbot, main)
    _press_enter_on_row(qtbot, view)
    table = main.current_page.form.accessTable  # type: ignore[union-attr]
    link = table.indexWidget(table.model().index(0, 2))
    assert isinstance(link, LinkButton)
    opened_by_click = []
    when_modal(lambda box: (opened_by_click.append(box.windowTitle()), box.reject()))
    link.click()
    qtbot.waitUntil(lambda: bool(opened_by_click))
    assert _open_dialog_title(qtbot, table) == opened_by_click[0]
    main.close()


def test_enter_on_a_client_account_opens_the_account(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    clients = main.current_page
    clients.view.select_row(0)  # type: ignore[union-attr]
    qtbot.keyClick(clients.view, Qt.Key.Key_Return)  # type: ignore[union-attr]
    page = main.current_page
    assert page.key == "client"  # type: ignore[union-attr]
    row = page.model.rowCount() - 1  # type: ignore[union-attr]
    number = page.model.row_object(row).account.number  # type: ignore[union-attr]
    _press_enter_on_row(qtbot, page.view, row)  # type: ignore[union-attr]
    assert main.current_page.key == "client_account"  # type: ignore[union-attr]
    assert number in main.current_page.account_label.text()  # type: ignore[union-attr]
    main.close()


def test_enter_on_my_access_to_an_account_opens_tax_administrator(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    main.open_page("my_access", under="profile")
    page = main.current_page
    row = page.model.rowCount() - 1  # type: ignore[union-attr]
    number = page.model.row_object(row).access.account_number  # type: ignore[union-attr]
    _press_enter_on_row(qtbot, page.view, row)  # type: ignore[union-attr]
    details = main.current_page
    assert details.key == "access_details"  # type: ignore[union-attr]
    assert details.findChild(QWidget, "heading").text() == "Tax Administrator"  # type: ignore[union-attr]
    assert number in details.subtitle.text() or number in _texts(details)  # type: ignore[union-attr]
    main.close()


def test_a_double_click_on_a_row_opens_it_too(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    view = _third_parties(qtbot, main)
    cell = view.visualRect(view.model().index(0, 1)).center()  # the name, not the link
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert main.current_page.key == "third_party"  # type: ignore[union-attr]
    assert len(main._history) == 4  # Home › Profile › Manage Third-party Access › it, once
    main.close()


def test_enter_on_a_message_shows_it(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    main.open_inbox()
    page = main.current_page
    assert isinstance(page, InboxPage)
    item = page.model.row_object(1)
    # The row is current (a Ctrl+arrow moves there without choosing it): Enter opens it.
    page.view.setFocus(Qt.FocusReason.OtherFocusReason)
    page.view.selectionModel().setCurrentIndex(
        page.model.index(1, 0), QItemSelectionModel.SelectionFlag.NoUpdate
    )
    assert page.reader.toPlainText() == ""
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert page.reader.toPlainText().startswith(item.subject)
    main.close()


def _texts(widget: QWidget) -> str:
    from PySide6.QtWidgets import QLabel

    return "\n".join(label.text() for label in widget.findChildren(QLabel))


# --- the inbox marks nothing read by itself -------------------------------------------------


def test_opening_the_inbox_shows_and_marks_no_message_until_one_is_chosen(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    main.activateWindow()  # focus moves (and a list takes it) only in the active window
    qtbot.waitUntil(main.isActiveWindow)
    assert main.inbox_link.text() == "&Inbox (3 unread)"
    click(qtbot, main, "Inbox (3 unread)")
    page = main.current_page
    assert isinstance(page, InboxPage)
    assert page.view.hasFocus()
    assert main.inbox_link.text() == "&Inbox (3 unread)"
    assert page.count_label.text() == "3 messages, 3 unread."
    assert page.reader.toPlainText() == ""
    assert not page.view.selectionModel().selectedRows()
    # Tab away and back: still nothing chosen, nothing read.
    page.reader.setFocus(Qt.FocusReason.TabFocusReason)
    page.view.setFocus(Qt.FocusReason.BacktabFocusReason)
    assert main.inbox_link.text() == "&Inbox (3 unread)"
    # The first Down arrow chooses the newest message: shown, and so read.
    newest = page.model.row_object(0)
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    assert page.reader.toPlainText().startswith(newest.subject)
    assert main.inbox_link.text() == "&Inbox (2 unread)"
    assert page.count_label.text() == "3 messages, 2 unread."
    main.close()


# --- a link in a selected row -----------------------------------------------------------------


def _luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red())
        + 0.7152 * channel(color.green())
        + 0.0722 * channel(color.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _text_contrast_in(image: QImage, background: QColor) -> float:
    """The strongest contrast of any pixel of ``image`` with ``background``: the text's."""
    best = 1.0
    for y in range(image.height()):
        for x in range(image.width()):
            best = max(best, contrast(image.pixelColor(x, y), background))
    return best


def test_a_link_in_a_selected_row_is_drawn_in_the_selections_text_colour(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    view = _third_parties(qtbot, main)
    link = view.indexWidget(view.model().index(0, 0))
    assert isinstance(link, LinkButton)
    view.selectRow(0)
    main.setFocus()  # the link has no focus frame of its own here
    qtbot.wait(10)
    highlight = view.palette().color(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight)
    highlight_active = view.palette().color(QPalette.ColorRole.Highlight)
    shown = view.viewport().grab().toImage()
    rect = link.geometry()
    background = shown.pixelColor(rect.topLeft() + QPoint(1, 1))
    assert background in (highlight, highlight_active)  # the row is drawn selected
    text = shown.copy(rect.adjusted(2, 2, -2, -2))
    assert _text_contrast_in(text, background) >= 4.5
    # And the link's colour is the selection's text colour.
    assert link.palette().color(link.foregroundRole()) == view.palette().color(
        QPalette.ColorRole.HighlightedText
    )
    # Not selected any more: blue on the table's white again.
    view.clearSelection()
    qtbot.wait(10)
    assert link.palette().color(link.foregroundRole()) == QColor("#14558f")
    main.close()


# --- commands that change data look like commands ---------------------------------------------

DOR_COMMANDS = (
    "Record Power of Attorney",
    "Import a Signed Form M-2848 (PDF)…",
    "Import Returned Forms…",
    "Mail Correspondence",
    "Email Server",
    "Register Taxpayer",
    "Import Registry…",
)
DOR_LINKS = ("Information Requests", "Outbox", "Staff Logons")


def test_the_dor_homes_commands_are_buttons_and_its_ways_to_other_pages_links(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "dorclerk")
    home = main.current_page
    for label in DOR_COMMANDS:
        (button,) = buttons(home, label)
        assert isinstance(button, QPushButton), label
        assert not isinstance(button, LinkButton), label
        assert not button.isFlat(), label
    for label in DOR_LINKS:
        found = buttons(home, label)
        if label == "Staff Logons" and not found:
            continue  # administrators only
        assert isinstance(found[0], LinkButton), label
    # The button is the menu's action: the same label, and the same dialog.
    titles: list[str] = []
    when_modal(lambda box: (titles.append(box.windowTitle()), box.reject()))
    click(qtbot, home, "Register Taxpayer")
    qtbot.waitUntil(lambda: bool(titles))
    assert titles == ["Register Taxpayer"]
    main.close()


# --- a list's columns come back ---------------------------------------------------------------


def _click_header(qtbot, view: QTableView, column: int) -> None:
    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))


def test_the_client_lists_widths_and_sort_come_back_on_the_page_and_after_a_restart(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    page = main.current_page
    page.tabs.setCurrentIndex(page.ALL_TAB)  # type: ignore[union-attr]
    view = page.all_view  # type: ignore[union-attr]
    id_column = ClientsModel.Column.ID
    header = view.horizontalHeader()
    assert header.sectionSize(id_column) != 210
    header.resizeSection(id_column, 210)  # as a drag of the column's edge does
    _click_header(qtbot, view, id_column)
    _click_header(qtbot, view, id_column)  # the second click: highest first
    assert page.sort_combo.currentText() == "ID (highest first)"  # type: ignore[union-attr]
    first = view.model().row_object(0).masked_id

    def check(page: QWidget) -> None:
        view = page.all_view  # type: ignore[attr-defined]
        header = view.horizontalHeader()
        assert header.sectionSize(id_column) == 210
        assert page.sort_combo.currentText() == "ID (highest first)"  # type: ignore[attr-defined]
        assert header.sortIndicatorSection() == id_column
        assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        page.tabs.setCurrentIndex(page.ALL_TAB)  # type: ignore[attr-defined]
        assert view.model().row_object(0).masked_id == first

    main.open_profile()  # leave the page…
    main.go_home()  # …and come back to a new one
    assert main.current_page is not page
    check(main.current_page)
    click(qtbot, main, "Switch Logon")  # a new main window
    qtbot.waitUntil(login_window.isVisible)
    main = log_in(qtbot, login_window, "smithcpa")
    check(main.current_page)
    main.close()


def test_saved_columns_are_forgotten_when_the_lists_columns_changed(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    view = main.current_page.all_view  # type: ignore[union-attr]
    view.horizontalHeader().resizeSection(ClientsModel.Column.ID, 210)
    key = "columns/clients/All clients"
    store = QSettings()
    assert store.value(f"{key}/widths")
    store.setValue(f"{key}/signature", "Favorite|Client|ID|Accounts")  # an older version's
    click(qtbot, main, "Switch Logon")
    qtbot.waitUntil(login_window.isVisible)
    main = log_in(qtbot, login_window, "smithcpa")
    assert (
        main.current_page.all_view.horizontalHeader().sectionSize(  # type: ignore[union-attr]
            ClientsModel.Column.ID
        )
        != 210
    )
    assert (
        QSettings().value(f"{key}/widths") is None
        or QSettings().value(f"{key}/signature") != "Favorite|Client|ID|Accounts"
    )
    main.close()


# --- every change is confirmed, until the page changes ------------------------------------


def _shown_results(page: QWidget) -> list[str]:
    """The page's green result lines that say something."""
    return [
        label.text()
        for label in page.findChildren(QLabel)
        if label.property("role") == "success" and label.text() and label.isVisibleTo(page)
    ]


def _deny_a_request(qtbot, main: MainWindow, _tmp: Path) -> None:
    main.open_page("access_requests", under="profile")
    page = main.current_page

    def deny(dialog: QWidget) -> None:
        when_modal(lambda box: buttons(box, "Yes")[0].click(), of_type=QMessageBox)
        buttons(dialog, "Deny All")[0].click()

    when_modal(deny, of_type=QDialog)
    click(qtbot, page, "Approve/Deny")


def _change_a_level(qtbot, main: MainWindow, _tmp: Path) -> None:
    _press_enter_on_row(qtbot, _third_parties(qtbot, main))

    def change(dialog: QWidget) -> None:
        buttons(dialog, "Change")[0].click()
        combo = next(c for c in dialog.findChildren(QComboBox) if c.isVisible())
        combo.setCurrentText("File and Pay")
        buttons(dialog, "Save")[0].click()

    when_modal(change, of_type=QDialog)
    click(qtbot, main.current_page, "File")


def _cancel_access(qtbot, main: MainWindow, _tmp: Path) -> None:
    _press_enter_on_row(qtbot, _third_parties(qtbot, main))
    click(qtbot, main.current_page, "Manage Account Access")
    when_modal(lambda box: buttons(box, "Yes")[0].click(), of_type=QMessageBox)
    click(qtbot, main.current_page, "Cancel Access")


def _favorite(qtbot, main: MainWindow, _tmp: Path) -> None:
    page = main.current_page
    page.tabs.setCurrentIndex(page.ALL_TAB)  # type: ignore[union-attr]
    page.all_view.select_row(0)  # type: ignore[union-attr]
    qtbot.keyClick(page.all_view, Qt.Key.Key_Space)  # type: ignore[union-attr]


def _save_expiry(qtbot, main: MainWindow, _tmp: Path) -> None:
    page = main.current_page
    page.expiry_spin.setValue(45)  # type: ignore[union-attr]
    qtbot.mouseClick(page.expiry_save, Qt.MouseButton.LeftButton)  # type: ignore[union-attr]


def _retry_an_email(qtbot, main: MainWindow, _tmp: Path) -> None:
    main.open_page("outbox", under="home")
    page = main.current_page
    page.view.selectRow(0)  # type: ignore[union-attr]
    click(qtbot, page, "Retry Now")


def _save_a_message(qtbot, main: MainWindow, tmp: Path) -> None:
    main.open_inbox()
    page = main.current_page
    page.view.selectRow(0)  # type: ignore[union-attr]
    click(qtbot, page, "Save as .eml…")
    assert (tmp / "message.eml").read_text(encoding="utf-8")


def _register_a_taxpayer(qtbot, main: MainWindow, _tmp: Path) -> None:
    from mtc_desktop.gui.registry import RegisterTaxpayerDialog
    from tests.gui.test_setup_and_registry import FEIN, Form, click_and_drive

    def register(window: QWidget) -> None:
        user = Form(qtbot, window)
        user.choose("ID type", FEIN)
        user.type("ID number", "04-5559876")
        user.type("Legal name", "Nantucket Sails LLC")
        user.type_lines("Mailing address", "4 Wharf St\nNantucket, MA 02554")
        user.click("Register")

    click_and_drive(qtbot, main.current_page, "Register Taxpayer", RegisterTaxpayerDialog, register)


CHANGES: dict[str, tuple[str, Callable[..., None], str, str]] = {
    # name: (logon, action, where it is confirmed, words of the confirmation)
    "deny": ("harborbakery", _deny_a_request, "page", "denied"),
    "change level": ("harborbakery", _change_a_level, "status", "Access type saved"),
    "cancel access": ("harborbakery", _cancel_access, "status", "Canceled smithcpa's access"),
    "favorite": ("smithcpa", _favorite, "status", "avorite"),
    "request expiry": ("dorclerk", _save_expiry, "page", "expire after 45 days"),
    "retry an email": ("dorclerk", _retry_an_email, "status", "sent again"),
    "save a message": ("harborbakery", _save_a_message, "status", "message.eml"),
    "register taxpayer": ("dorclerk", _register_a_taxpayer, "page", "The taxpayer is registered"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_is_confirmed_until_the_page_changes(
    qtbot, login_window, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, change: str
) -> None:
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(  # the native file dialog: where to save
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *a, **k: (str(tmp_path / "message.eml"), "")),
    )
    username, act, where, words = CHANGES[change]
    main = log_in(qtbot, login_window, username)
    act(qtbot, main, tmp_path)
    page = main.current_page
    if where == "status":
        assert words in main.statusBar().currentMessage()
    else:
        assert any(words in text for text in _shown_results(page)), _shown_results(page)
    # Another page: the message goes; back on the page, it is not shown again.
    main.push(router.make_page(main, "inbox"))
    assert main.statusBar().currentMessage() == ""
    main.go_back()
    assert main.current_page is page
    assert main.statusBar().currentMessage() == ""
    assert _shown_results(page) == []
    main.close()


def test_a_lists_sort_comes_back_and_its_links_go_with_their_rows(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    main.open_page("my_access", under="profile")
    page = main.current_page
    view = page.view  # type: ignore[union-attr]
    client = MyAccessModel.Column.CLIENT
    given = [page.model.row_object(r).client.name for r in range(page.model.rowCount())]  # type: ignore[union-attr]
    _click_header(qtbot, view, client)
    _click_header(qtbot, view, client)  # Z to A
    shown = [page.model.row_object(r).client.name for r in range(page.model.rowCount())]  # type: ignore[union-attr]
    assert shown == sorted(given, key=str.casefold, reverse=True)
    assert shown != given
    # Each row's link is still its own: Enter on the first row opens the first row's access.
    number = page.model.row_object(0).access.account_number  # type: ignore[union-attr]
    _press_enter_on_row(qtbot, view, 0)
    assert number in _texts(main.current_page)

    def check() -> None:
        page = main.current_page
        header = page.view.horizontalHeader()  # type: ignore[union-attr]
        assert header.sortIndicatorSection() == client
        assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
        assert [
            page.model.row_object(r).client.name  # type: ignore[union-attr]
            for r in range(page.model.rowCount())  # type: ignore[union-attr]
        ] == shown

    main.go_home()
    main.open_page("my_access", under="profile")
    check()
    click(qtbot, main, "Switch Logon")
    qtbot.waitUntil(login_window.isVisible)
    main = log_in(qtbot, login_window, "smithcpa")
    main.open_page("my_access", under="profile")
    check()
    main.close()


def test_a_list_sorts_its_dates_as_dates(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    main.open_inbox()
    page = main.current_page
    assert isinstance(page, InboxPage)
    _click_header(qtbot, page.view, InboxModel.Column.RECEIVED)
    received = [page.model.row_object(r).received_at for r in range(page.model.rowCount())]
    assert received == sorted(received)
    main.close()


def _maria_gives_smithcpa_a_poa_and_asks() -> None:
    """Data the demo lacks: a Power of Attorney, and a request for a copy under it."""
    import datetime as dt

    from mtc_desktop.domain.model import AccountType
    from mtc_desktop.domain.poa import InformationKind, PoaAct
    from mtc_desktop.services import demo, logons, poa
    from mtc_desktop.store.models import Taxpayer

    maria = Taxpayer.get(Taxpayer.legal_name == "Maria Santos")
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
    poa.request_information(
        logons.log_in("smithcpa", demo.DEMO_PASSWORD),
        maria.id,
        AccountType.PERSONAL_INCOME,
        2024,
        next(iter(InformationKind)),
    )


@pytest.mark.parametrize(
    ("username", "page_key", "opens"),
    [
        ("msantos", "powers_of_attorney", "Revoke Power of Attorney"),
        ("dorclerk", "information_queue", "Fulfil"),
    ],
)
def test_enter_on_a_power_of_attorney_or_an_information_request_starts_its_command(
    qtbot, login_window, username: str, page_key: str, opens: str
) -> None:
    _maria_gives_smithcpa_a_poa_and_asks()
    main = log_in(qtbot, login_window, username)
    main.open_page(page_key)
    view = main.current_page.view  # type: ignore[union-attr]
    assert view.model().rowCount() == 1
    titles: list[str] = []
    when_modal(lambda box: (titles.append(box.windowTitle()), box.reject()))
    _press_enter_on_row(qtbot, view)
    qtbot.waitUntil(lambda: bool(titles))
    assert titles == [opens]
    main.close()
