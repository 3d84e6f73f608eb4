"""The look: the system's style (Fusion where there is none) with the portal's blue as the
accent; commands that change data are buttons, going elsewhere is a link; links in a table
are real controls in the tab order."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from mtc_desktop.gui.app import PORTAL_BLUE, use_native_style
from mtc_desktop.gui.taxpayer import ThirdPartiesPage, ThirdPartyPage
from mtc_desktop.gui.widgets import LinkButton
from tests.gui.conftest import buttons, click, log_in


def test_a_system_without_a_style_of_its_own_gets_fusion_with_the_portal_blue(
    qapp: QApplication,
) -> None:
    # As at start-up, before the program's style sheet (which wraps the style) is set.
    sheet = qapp.styleSheet()
    qapp.setStyleSheet("")
    style, palette = qapp.style().name(), QPalette(qapp.palette())
    try:
        qapp.setStyle("Windows")  # Qt's bare fallback: what a Linux without a theme offers
        use_native_style(qapp)
        assert qapp.style().name() == "fusion"
        highlight = qapp.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
        assert highlight == QColor(PORTAL_BLUE)
        assert qapp.palette().color(QPalette.ColorRole.Link) == QColor(PORTAL_BLUE)
    finally:
        qapp.setStyle(style)
        qapp.setPalette(palette)
        qapp.setStyleSheet(sheet)


def _third_parties(qtbot, main: QWidget) -> ThirdPartiesPage:
    click(qtbot, main, "Manage My Profile")
    page = main.current_page
    page.tabs.setCurrentIndex(
        [page.tabs.tabText(i) for i in range(page.tabs.count())].index("More…")
    )
    click(qtbot, main, "Manage Third-party Access")
    listing = main.current_page
    assert isinstance(listing, ThirdPartiesPage)
    return listing


def test_tab_leaves_a_table_for_its_links_row_by_row(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    listing = _third_parties(qtbot, main)
    listing.view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(main.focusWidget(), Qt.Key.Key_Tab)
    assert isinstance(main.focusWidget(), LinkButton)
    assert main.focusWidget().text() == "smithcpa"
    qtbot.keyClick(main.focusWidget(), Qt.Key.Key_Space)  # pressed from the keyboard
    page = main.current_page
    assert isinstance(page, ThirdPartyPage)
    click(qtbot, page, "Manage Access")
    table = page.form.accessTable
    table.setFocus(Qt.FocusReason.TabFocusReason)
    reached = []
    for _row in range(table.model().rowCount()):
        qtbot.keyClick(main.focusWidget(), Qt.Key.Key_Tab)
        assert isinstance(main.focusWidget(), LinkButton)
        reached.append(main.focusWidget().text())
    assert reached == ["File", "Full Access"]


def test_commands_that_change_data_are_buttons_and_going_elsewhere_is_a_link(
    qtbot, login_window
) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    listing = _third_parties(qtbot, main)
    click(qtbot, listing, listing.model.row_object(0).username)
    page = main.current_page
    assert isinstance(page, ThirdPartyPage)
    for label in ("Manage Access", "Manage Account Access"):
        (link,) = buttons(page, label)
        assert isinstance(link, LinkButton)
    click(qtbot, page, "Manage Account Access")
    (cancel,) = buttons(page, "Cancel Access")
    assert isinstance(cancel, QPushButton)
    assert not isinstance(cancel, LinkButton)
    assert not cancel.isFlat()
