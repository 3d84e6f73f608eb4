"""Taxpayer mode: each taxpayer answer of the FAQ, clicked through by its labels in the
real windows, then checked on screen and in the database."""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QWidget

from mtc_desktop import APP_NAME
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.gui.taxpayer import (
    AccessRequestsPage,
    AccountSecurityDialog,
    ApproveDenyDialog,
    ThirdPartiesPage,
    ThirdPartyPage,
)
from mtc_desktop.store import database
from mtc_desktop.store.models import AccessGrant, AccessRequest, AuditEvent, Logon, Message
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, main_window, when_modal


def _open_more(qtbot, main: QWidget) -> None:
    click(qtbot, main, "Manage My Profile")
    page = main.current_page
    page.tabs.setCurrentIndex(
        [page.tabs.tabText(i) for i in range(page.tabs.count())].index("More…")
    )


def _grants(username: str, client: str = "harborbakery") -> dict[str, str]:
    """The active grants of third party ``username`` on the accounts of ``client``."""
    tp = Logon.get(Logon.username == username)
    owner = Logon.get(Logon.username == client)
    return {
        g.account.account_type: g.level
        for g in AccessGrant.select().where(
            (AccessGrant.third_party == tp.id)
            & (AccessGrant.status == "active")
            & (AccessGrant.taxpayer == owner.taxpayer_id)
        )
    }


def _set_row(dialog: ApproveDenyDialog, account_type_label: str, give: bool, level: str) -> None:
    for line, box, combo in zip(
        dialog.request.lines, dialog.give_boxes, dialog.level_boxes, strict=True
    ):
        if line.account.account_type.label == account_type_label:
            box.setChecked(give)
            if give:
                combo.setCurrentText(level)
            return
    raise AssertionError(account_type_label)


def test_taxpayer_approves_one_account_lower_and_denies_another(qtbot, login_window) -> None:
    """FAQ: How does a taxpayer approve a third party's request for access?"""
    main = log_in(qtbot, login_window, "harborbakery")
    _open_more(qtbot, main)
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    assert isinstance(page, AccessRequestsPage)
    assert page.model.rowCount() == 1
    request = page.model.row_object(0)
    assert request.third_party_username == "beaconpayroll"

    def decide(dialog: QWidget) -> None:
        assert isinstance(dialog, ApproveDenyDialog)
        headers = [label.text() for label in dialog.header_labels if label.isVisible()]
        assert headers == ["Account", "Requested Rights", "Give Rights", "Granted Rights"]
        # Granted Rights offers every level and starts at the requested one.
        combo = dialog.level_boxes[0]
        assert [combo.itemText(i) for i in range(combo.count())] == [
            level.label for level in AccessLevel
        ]
        assert combo.currentText() == "File and Pay"
        _set_row(dialog, "Withholding", True, "Pay")
        _set_row(dialog, "Paid Family and Medical Leave", False, "")
        buttons(dialog, "Approve")[0].click()

    when_modal(decide, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert "approved" in page.result_label.text()
    assert "Withholding — Pay" in page.result_label.text()
    assert "Not given: Paid Family and Medical Leave" in page.result_label.text()
    assert page.model.rowCount() == 0

    assert AccessRequest.get_by_id(request.id).status == "approved"
    assert _grants("beaconpayroll") == {"withholding": "pay"}
    beacon = Logon.get(Logon.username == "beaconpayroll")
    kinds = {
        m.kind
        for m in Message.select().where(
            (Message.recipient == beacon.id) & (Message.request == request.id)
        )
    }
    assert kinds == {"email", "emessage"}
    # The taxpayer's own inbox shows the decision email, and the header counts it.
    assert "unread" in main.inbox_link.text()
    click(qtbot, main, main.inbox_link.text())
    inbox = main.current_page
    subjects = [inbox.model.row_object(r).subject for r in range(inbox.model.rowCount())]
    assert f"Third-party access request {request.number} was approved" in subjects


def test_approve_deny_headings_stay_over_their_columns_when_rows_scroll(
    qtbot, login_window
) -> None:
    """With twenty accounts the rows scroll; the headings stay in view above them, each
    over its column."""
    main = log_in(qtbot, login_window, "harborbakery")
    _open_more(qtbot, main)
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    request = page.model.row_object(0)
    many = dataclasses.replace(request, lines=tuple(request.lines) * 10)
    dialog = ApproveDenyDialog(page, many)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    bar = dialog.form.accountsArea.verticalScrollBar()
    assert bar.maximum() > 0  # twenty rows do not fit: they scroll
    bar.setValue(bar.maximum())
    dialog.give_boxes[-1].setFocus()
    QApplication.processEvents()
    if shots := os.environ.get("MTC_SHOTS"):
        dialog.grab().save(f"{shots}/approve_deny_20_accounts.png")
    last_row = [dialog.give_boxes[-1], dialog.level_boxes[-1]]
    assert all(not box.visibleRegion().isEmpty() for box in last_row)
    for label in dialog.header_labels:
        assert not label.visibleRegion().isEmpty(), f"{label.text()} scrolled out of view"
        top = label.mapTo(dialog, label.rect().topLeft()).y()
        assert (
            top
            < dialog.form.accountsArea.mapTo(dialog, dialog.form.accountsArea.rect().topLeft()).y()
            + 1
        )
    # Each heading starts where its column does.
    for label, cell in zip(
        dialog.header_labels[2:], (dialog.give_boxes[-1], dialog.level_boxes[-1]), strict=True
    ):
        heading_x = label.mapTo(dialog, label.rect().topLeft()).x()
        cell_x = cell.mapTo(dialog, cell.rect().topLeft()).x()
        assert abs(heading_x - cell_x) <= 1, (label.text(), heading_x, cell_x)
    dialog.close()


def test_taxpayer_denies_all(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    _open_more(qtbot, main)
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    request = page.model.row_object(0)
    confirm = ModalAnswer("Yes")

    def deny(dialog: QWidget) -> None:
        when_modal(lambda box: confirm._try(), of_type=QWidget)  # the confirmation box
        buttons(dialog, "Deny All")[0].click()

    when_modal(deny, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert confirm.answered
    assert "Deny all access" in confirm.text
    assert "denied" in page.result_label.text()
    assert AccessRequest.get_by_id(request.id).status == "denied"
    assert _grants("beaconpayroll") == {}


def test_cancel_in_approve_dialog_changes_nothing(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    _open_more(qtbot, main)
    click(qtbot, main, "View Access Requests from Third Parties")
    page = main.current_page
    request = page.model.row_object(0)
    events = AuditEvent.select().count()

    def cancel(dialog: QWidget) -> None:
        _set_row(dialog, "Withholding", True, "Full Access")
        buttons(dialog, "Cancel")[0].click()

    when_modal(cancel, of_type=ApproveDenyDialog)
    click(qtbot, page, "Approve/Deny")
    assert AccessRequest.get_by_id(request.id).status == "pending"
    assert AuditEvent.select().count() == events
    assert page.model.rowCount() == 1


def _open_third_party(qtbot, main: QWidget, username: str) -> ThirdPartyPage:
    _open_more(qtbot, main)
    click(qtbot, main, "Manage Third-party Access")
    listing = main.current_page
    assert isinstance(listing, ThirdPartiesPage)
    click(qtbot, listing, username)
    page = main.current_page
    assert isinstance(page, ThirdPartyPage)
    return page


def test_taxpayer_changes_a_level(qtbot, login_window) -> None:
    """FAQ: How does a taxpayer increase or decrease a third party's access?"""
    main = log_in(qtbot, login_window, "harborbakery")
    page = _open_third_party(qtbot, main, "smithcpa")
    click(qtbot, page, "Manage Access")
    assert page.form.tabs.tabText(page.form.tabs.currentIndex()) == "Access"
    assert [link.text() for link in page.access_type_links()] == ["File", "Full Access"]

    def change(dialog: QWidget) -> None:
        assert isinstance(dialog, AccountSecurityDialog)
        assert not dialog.level_combo.isVisible()
        buttons(dialog, "Change")[0].click()
        combo = next(c for c in dialog.findChildren(QComboBox) if c.isVisible())
        combo.setCurrentText("File and Pay")
        buttons(dialog, "Save")[0].click()

    when_modal(change, of_type=AccountSecurityDialog)
    click(qtbot, page, "File")
    assert [link.text() for link in page.access_type_links()] == ["File and Pay", "Full Access"]
    assert _grants("smithcpa") == {"meals": "file_and_pay", "sales_and_use": "full_access"}
    # The history shows the change, by whom.
    rows = [page.history_model.row_object(r) for r in range(page.history_model.rowCount())]
    assert rows[-1].label == "Access level changed"
    assert rows[-1].who == "harborbakery"


def test_taxpayer_cancels_a_third_party(qtbot, login_window) -> None:
    """FAQ: How does a taxpayer cancel a third party's access?"""
    main = log_in(qtbot, login_window, "harborbakery")
    page = _open_third_party(qtbot, main, "smithcpa")
    click(qtbot, page, "Manage Account Access")
    answer = ModalAnswer("Yes").arm()
    click(qtbot, page, "Cancel Access")
    assert answer.answered
    assert "cannot be undone" in answer.informative
    assert "new request" in answer.informative
    listing = main.current_page
    assert isinstance(listing, ThirdPartiesPage)
    assert [link.text() for link in listing.username_links()] == []
    assert _grants("smithcpa") == {}
    smith = Logon.get(Logon.username == "smithcpa")
    assert (
        Message.select()
        .where((Message.recipient == smith.id) & Message.subject.contains("canceled your access"))
        .exists()
    )


def test_answering_no_to_cancel_changes_nothing(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    page = _open_third_party(qtbot, main, "smithcpa")
    click(qtbot, page, "Manage Account Access")
    answer = ModalAnswer("No").arm()
    click(qtbot, page, "Cancel Access")
    assert answer.answered
    assert _grants("smithcpa") == {"meals": "file", "sales_and_use": "full_access"}
    assert main.current_page is page


def test_history_shows_requests_and_decisions(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    page = _open_third_party(qtbot, main, "smithcpa")
    page.form.tabs.setCurrentIndex(2)
    labels = [page.history_model.row_object(r).label for r in range(page.history_model.rowCount())]
    assert labels[0] == "Access requested"
    assert "Request approved" in labels
    assert labels.count("Access granted") == 2


def test_decisions_survive_a_restart(qtbot, login_window, demo_db) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    page = _open_third_party(qtbot, main, "smithcpa")

    def change(dialog: QWidget) -> None:
        buttons(dialog, "Change")[0].click()
        dialog.level_combo.setCurrentText("View Only")
        buttons(dialog, "Save")[0].click()

    when_modal(change, of_type=AccountSecurityDialog)
    click(qtbot, page, "Full Access")
    click(qtbot, main, "Switch Logon")
    login_window.close()
    database.close_database()

    from mtc_desktop.gui.app import launch

    again = launch(str(demo_db))
    qtbot.addWidget(again)
    main = log_in(qtbot, again, "harborbakery")
    page = _open_third_party(qtbot, main, "smithcpa")
    assert [link.text() for link in page.access_type_links()] == ["File", "View Only"]
    main.close()
    again.close()


def test_faq_links_are_focusable_buttons_named_like_the_faq(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "harborbakery")
    _open_more(qtbot, main)
    for label in (
        "Manage My Profile",
        "View Access Requests from Third Parties",
        "Manage Third-party Access",
    ):
        (link,) = buttons(main, label)
        assert link.accessibleName() == label
        assert link.focusPolicy() & link.focusPolicy().TabFocus
    page = _open_third_party(qtbot, main, "smithcpa")
    for label in ("Manage Access", "Manage Account Access"):
        (link,) = [b for b in page.findChildren(QAbstractButton) if b.text() == label]
        assert link.accessibleName() == label
        assert link.focusPolicy() & link.focusPolicy().TabFocus
    # A row's link says what it is for and which row, its text last (met by Tab, a screen
    # reader hears it away from the row).
    for label, account in (("File", "Meals"), ("Full Access", "Sales and Use")):
        (link,) = [b for b in page.findChildren(QAbstractButton) if b.text() == label]
        assert link.accessibleName().startswith(f"Access Type for {account} ")
        assert link.accessibleName().endswith(f": {label}")
        assert link.focusPolicy() & link.focusPolicy().TabFocus


def test_switch_logon_returns_to_login(qtbot, login_window) -> None:
    main = log_in(qtbot, login_window, "msantos")
    click(qtbot, main, "Switch Logon")
    qtbot.waitUntil(login_window.isVisible)
    assert login_window.form.passwordEdit.text() == ""
    assert not any(w.isVisible() and w is not login_window for w in QApplication.topLevelWidgets())


def test_wrong_password_keeps_username_and_says_so(qtbot, login_window) -> None:
    qtbot.keyClicks(login_window.form.usernameEdit, "msantos")
    qtbot.keyClicks(login_window.form.passwordEdit, "not-the-password-at-all")
    click(qtbot, login_window, "Log In")
    assert login_window.isVisible()
    assert login_window.form.messageLabel.text() == "The username or password is not correct."
    assert login_window.form.usernameEdit.text() == "msantos"
    qtbot.keyClicks(login_window.form.usernameEdit, "x")
    qtbot.keyClicks(login_window.form.passwordEdit, "training-password-2026")
    click(qtbot, login_window, "Log In")
    # Unknown user: the very same answer.
    assert login_window.form.messageLabel.text() == "The username or password is not correct."


def test_demo_logons_are_listed_and_fill_the_form(qtbot, login_window) -> None:
    table = login_window.form.demoTable
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    assert {"harborbakery", "smithcpa", "dorclerk"} <= set(names)
    login_window._use_demo_logon(names.index("msantos"))
    assert login_window.form.usernameEdit.text() == "msantos"
    click(qtbot, login_window, "Log In")
    main = main_window()
    assert "Maria Santos" in main.form.nameLabel.text()
    assert main.form.modeLabel.text() == "Taxpayer mode"
    main.close()


def test_window_titles_name_the_window_once_the_system_adds_the_program(
    qtbot, login_window
) -> None:
    """The system shows "<title> — MTC Desktop" (the application's display name), so a
    window's own title names only what it shows."""
    assert QApplication.applicationDisplayName() == APP_NAME
    assert login_window.windowTitle() == "Log In — Demo"  # a demo database says so
    window = log_in(qtbot, login_window, "harborbakery")
    assert window.windowTitle() == f"{window.actor.display_name} — Demo"
    assert APP_NAME not in window.windowTitle()
    window.close()
