"""Small things seen on screen in a first week of use: one inbox count, a clean login form
after Switch Logon, status messages that stay with their page, tables that start on their
first row, labels that read well, one Home, and column widths and cell links that fit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QTableView, QWidget

from mtc_desktop.gui.inbox import InboxPage
from mtc_desktop.gui.widgets import OPENS_ON_SELECT
from tests.gui.conftest import buttons, click, log_in, when_modal


def _focus_table(qtbot, view: QAbstractItemView) -> None:
    view.window().activateWindow()
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)


def _selected_rows(view: QAbstractItemView) -> list[int]:
    return sorted(i.row() for i in view.selectionModel().selectedRows())


# --- one inbox count ---------------------------------------------------------------------


def test_inbox_page_and_header_show_the_same_count_after_a_message_is_read(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    (inbox_link,) = [b for b in buttons(main, main.inbox_link.text()) if b is main.inbox_link]
    assert inbox_link.text() == "&Inbox (3 unread)"  # Alt+I, the header's mnemonic
    click(qtbot, main, "Inbox (3 unread)")
    page = main.current_page
    assert isinstance(page, InboxPage)
    view = page.view
    # Whatever opening the page did, the page and the header agree.
    unread = int(main.inbox_link.text().split("(")[1].split()[0])
    assert page.count_label.text() == f"3 messages, {unread} unread."
    # Reading a message that is still unread: both counts go down together.
    model = page.model
    row = next(r for r in range(model.rowCount()) if not model.row_object(r).read)
    view.selectRow(row)
    assert main.inbox_link.text() == f"&Inbox ({unread - 1} unread)"
    assert page.count_label.text() == f"3 messages, {unread - 1} unread."
    main.close()


# --- Switch Logon --------------------------------------------------------------------------


def test_after_switch_logon_the_username_field_is_empty(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "msantos")
    click(qtbot, main, "Switch Logon")
    qtbot.waitUntil(login_window.isVisible)
    assert login_window.form.usernameEdit.text() == ""
    assert login_window.form.passwordEdit.text() == ""
    # What is typed is the new username, not the last one with more letters after it.
    main = log_in(qtbot, login_window, "harborbakery")
    assert "harborbakery" in main.form.nameLabel.text()
    main.close()


# --- status bar -----------------------------------------------------------------------------


def test_a_status_message_goes_when_the_page_changes(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    page = main.current_page
    view = page.view
    view.selectRow(0)
    click(qtbot, main, "Mark as Favorite")
    assert "is now a favorite" in main.statusBar().currentMessage()
    click(qtbot, main, "Manage My Profile")
    assert main.statusBar().currentMessage() == ""
    main.statusBar().showMessage("About the profile page.")
    click(qtbot, main, "Back")
    assert main.statusBar().currentMessage() == ""
    main.close()


# --- tables start on their first row ---------------------------------------------------------


def test_a_table_opens_on_its_first_row_and_down_goes_to_the_second(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    main.open_page("my_access", under="profile")
    view = main.current_page.view
    assert view.model().rowCount() >= 2
    _focus_table(qtbot, view)
    assert _selected_rows(view) == [0], "the first row is current and selected"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert _selected_rows(view) == [1]
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert _selected_rows(view) == [0], "the first row is reachable"
    main.close()


def test_the_client_list_starts_on_its_first_client(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "smithcpa")
    view = main.current_page.view
    _focus_table(qtbot, view)
    assert _selected_rows(view) == [0]
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert _selected_rows(view) == [1]
    main.close()


def test_a_click_on_a_later_row_selects_only_that_row(qtbot, login_window) -> None:
    """Giving the focus with the mouse does not select the first row on the way."""
    main = log_in(qtbot, login_window, "harborbakery")
    click(qtbot, main, "Inbox (3 unread)")
    page = main.current_page
    view = page.view
    main.form.nameLabel.setFocus()  # away from the table
    read_before = [page.model.row_object(r).read for r in range(page.model.rowCount())]
    rect = view.visualRect(view.model().index(2, 2))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert _selected_rows(view) == [2]
    assert [page.model.row_object(r).read for r in range(2)] == read_before[:2]
    main.close()


def _all_tables(root: QWidget) -> list[QTableView]:
    return [t for t in root.findChildren(QTableView) if t.isVisible()]


def test_tables_of_every_mode_start_on_their_first_row(qtbot, login_window) -> None:
    for username in ("harborbakery", "smithcpa"):
        main = log_in(qtbot, login_window, username)
        click(qtbot, main, "Inbox (3 unread)" if username == "harborbakery" else "Home")
        for view in _all_tables(main):
            if view.model().rowCount() and not view.selectionModel().hasSelection():
                _focus_table(qtbot, view)
                # The inbox's list chooses no message by itself: a message shown is read.
                first = [] if view.property(OPENS_ON_SELECT) else [0]
                assert _selected_rows(view) == first, view.accessibleName()
        click(qtbot, main, "Switch Logon")
        qtbot.waitUntil(login_window.isVisible)
    assert not [
        w for w in QApplication.topLevelWidgets() if w.isVisible() and w is not login_window
    ]


# --- Home -------------------------------------------------------------------------------------


def test_home_shows_a_third_party_the_same_clients_page_as_at_login(qtbot, login_window) -> None:
    from mtc_desktop.gui.clients import ClientsPage

    main = log_in(qtbot, login_window, "smithcpa")
    at_login = main.form.breadcrumbLabel.text()
    assert at_login == "Home › Clients"
    assert isinstance(main.current_page, ClientsPage)
    for away in ("Manage My Profile", main.inbox_link.text()):
        click(qtbot, main, away)
        assert main.form.breadcrumbLabel.text().startswith("Home › Clients › ")
        click(qtbot, main, "Home")
        assert main.form.breadcrumbLabel.text() == at_login
        page = main.current_page
        assert isinstance(page, ClientsPage)
        assert [page.tabs.tabText(i) for i in range(page.tabs.count())] == ["Favorites", "All"]
    main.close()


# --- DOR staff's profile ----------------------------------------------------------------------


def test_dor_staff_profile_has_no_empty_more_tab(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "dorclerk")
    click(qtbot, main, "Manage My Profile")
    page = main.current_page
    tabs = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert tabs == ["Profile"]
    assert "The back office's tools are on Home" in " ".join(
        label.text() for label in page.findChildren(QLabel) if label.isVisible()
    )
    main.close()


# --- links in table cells -----------------------------------------------------------------------


def _open_smithcpa_access(qtbot, main: QWidget):
    from mtc_desktop.gui.taxpayer import ThirdPartyPage

    click(qtbot, main, "Manage My Profile")
    main.current_page.tabs.setCurrentIndex(1)
    click(qtbot, main, "Manage Third-party Access")
    click(qtbot, main.current_page, "smithcpa")
    page = main.current_page
    assert isinstance(page, ThirdPartyPage)
    return page


def _links_in(view: QTableView, column: int) -> list[tuple[str, str | None, int, int]]:
    """Each row's link in ``column``: its text, the cell's own text, its width and the
    width its text needs."""
    model = view.model()
    found = []
    for row in range(model.rowCount()):
        index = model.index(row, column)
        link = view.indexWidget(index)
        assert link is not None, f"no link in row {row}"
        found.append((link.text(), model.data(index), link.width(), link.sizeHint().width()))
    return found


def test_a_link_in_a_cell_draws_alone_and_keeps_its_size_after_a_dialog(
    qtbot, login_window
) -> None:
    from mtc_desktop.gui.models import AccessModel

    main = log_in(qtbot, login_window, "harborbakery")
    page = _open_smithcpa_access(qtbot, main)
    column = AccessModel.Column.ACCESS_TYPE
    qtbot.wait(50)  # the table lays its cell widgets out
    before = _links_in(page.form.accessTable, column)
    assert [text for text, *_ in before] == ["File", "Full Access"]
    for _text, cell_text, width, needed in before:
        assert cell_text is None, "the cell draws no text under its link"
        assert width >= needed
    # The Access Type dialog opens and is cancelled: the links come back as they were.
    when_modal(lambda dialog: dialog.reject())
    click(qtbot, page, "Full Access")
    qtbot.wait(50)
    assert _links_in(page.form.accessTable, column) == before
    # The cell keeps its text for a screen reader and the tooltip.
    index = page.access_model.index(0, column)
    assert page.access_model.data(index, Qt.ItemDataRole.AccessibleTextRole) == "File"
    main.close()


def test_the_approve_deny_link_keeps_its_width_after_its_dialog_closes(qtbot, login_window) -> None:
    from mtc_desktop.gui.models import PendingRequestsModel

    main = log_in(qtbot, login_window, "harborbakery")
    click(qtbot, main, "Manage My Profile")
    main.current_page.tabs.setCurrentIndex(1)
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    column = PendingRequestsModel.Column.ACTION
    qtbot.wait(50)  # the table lays its cell widgets out
    before = _links_in(page.view, column)
    assert [text for text, *_ in before] == ["Approve/Deny"]
    when_modal(lambda dialog: dialog.reject())
    click(qtbot, page, "Approve/Deny")
    qtbot.wait(50)
    after = _links_in(page.view, column)
    assert after == before
    assert after[0][2] >= after[0][3], "the whole label shows, not 'App'"
    main.close()


# --- column widths ------------------------------------------------------------------------------


def _elided(view: QTableView) -> list[str]:
    """The cells whose text is wider than their column (drawn with "…")."""
    model, header = view.model(), view.horizontalHeader()
    metrics = view.fontMetrics()
    margin = 2 * (view.style().pixelMetric(view.style().PixelMetric.PM_FocusFrameHMargin) + 1)
    cut = []
    for column in range(model.columnCount()):
        for row in range(model.rowCount()):
            text = model.data(model.index(row, column))
            if text and metrics.horizontalAdvance(str(text)) + margin > header.sectionSize(column):
                cut.append(f"{view.accessibleName()}: {text!r} in {header.sectionSize(column)}px")
    return cut


def test_no_column_cuts_its_text_at_1280_wide(qtbot, login_window) -> None:
    from mtc_desktop.gui.client_page import ClientPage
    from mtc_desktop.gui.clients import ClientsPage
    from mtc_desktop.gui.my_access import MyAccessPage

    main = log_in(qtbot, login_window, "smithcpa")
    main.resize(1280, 740)
    page = main.current_page
    assert isinstance(page, ClientsPage)
    page.tabs.setCurrentIndex(page.ALL_TAB)
    qtbot.wait(20)
    assert _elided(page.all_view) == []
    own = next(
        page.all_model.row_object(r)
        for r in range(page.all_model.rowCount())
        if page.all_model.row_object(r).own_business
    )
    main.push(ClientPage(main, own.taxpayer_id))
    qtbot.wait(20)
    assert _elided(main.current_page.view) == []
    main.push(MyAccessPage(main))
    qtbot.wait(20)
    assert _elided(main.current_page.view) == []
    click(qtbot, main, "Switch Logon")
    qtbot.waitUntil(login_window.isVisible)

    main = log_in(qtbot, login_window, "harborbakery")
    main.resize(1280, 740)
    page = _open_smithcpa_access(qtbot, main)
    qtbot.wait(20)
    table, header = page.form.accessTable, page.form.accessTable.horizontalHeader()
    assert _elided(table) == []
    from mtc_desktop.gui.models import AccessModel

    # The long text (the account type) gets the room; the short columns what they need.
    widths = {c: header.sectionSize(c) for c in AccessModel.Column}
    assert widths[AccessModel.Column.ACCOUNT_TYPE] == max(widths.values())
    assert widths[AccessModel.Column.ACCOUNT] < 200
    main.close()
