"""DOR staff mode: find a request by number or QR code text, record a returned Client
Authorization by hand, mail correspondence, and keep the expiry period — driven by the
labels on the screen and checked on screen and in the database."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from mtc_desktop.gui.dor import DorHomePage, DorRequestPage, MailCorrespondenceDialog
from mtc_desktop.services.requests import format_code, qr_text
from mtc_desktop.store.models import (
    AccessGrant,
    AccessRequest,
    Correspondence,
    Logon,
    Message,
    Setting,
    TaxAccount,
    Taxpayer,
)
from tests.gui.conftest import ModalAnswer, buttons, click, log_in, when_modal

ELODIE = "Élodie Durand-Lefèvre"


def _request(name: str) -> AccessRequest:
    taxpayer = Taxpayer.get(Taxpayer.legal_name == name)
    return AccessRequest.get(
        (AccessRequest.taxpayer == taxpayer.id) & (AccessRequest.status == "pending")
    )


def _staff(qtbot, login_window) -> tuple[QWidget, DorHomePage]:
    main = log_in(qtbot, login_window, "dorclerk")
    page = main.current_page
    assert isinstance(page, DorHomePage), "DOR staff log in to the back office"
    return main, page


def _find(qtbot, main: QWidget, page: DorHomePage, text: str) -> None:
    page.reference_edit.clear()
    qtbot.keyClicks(page.reference_edit, text)
    click(qtbot, page, "Find Request")


def _choose(page: DorRequestPage, account_type: str, give: bool, level: str = "") -> None:
    for line, box, combo in zip(page.view.lines, page.give_boxes, page.level_boxes, strict=True):
        if line.account.account_type.label == account_type:
            box.setChecked(give)
            if give:
                combo.setCurrentText(level)
            return
    raise AssertionError(account_type)


def test_find_a_request_by_number_or_by_its_qr_code(qtbot, login_window) -> None:
    main, home = _staff(qtbot, login_window)
    request = _request(ELODIE)
    _find(qtbot, main, home, request.number.lower())
    page = main.current_page
    assert isinstance(page, DorRequestPage)
    assert page.heading.text() == f"Request {request.number}"
    assert "Smith & Daughters CPA (smithcpa)" in page.details.text()
    assert ELODIE in page.details.text()
    assert "Status: Pending" in page.details.text()

    click(qtbot, main, "Back")
    _find(qtbot, main, home, qr_text(request.number, request.authorization_code))
    assert isinstance(main.current_page, DorRequestPage)

    click(qtbot, main, "Back")
    _find(qtbot, main, home, "R2026-999999")
    assert main.current_page is home
    assert home.find_error.text() == "There is no request numbered R2026-999999."
    _find(qtbot, main, home, qr_text(request.number, "WRONGCODE2"))
    assert home.find_error.text() == "The QR code's authorization code does not match this request."
    home.reference_edit.clear()
    click(qtbot, home, "Find Request")
    assert home.find_error.text() == "Type a request number, or scan the form's QR code."


def test_record_a_returned_form_by_hand(qtbot, login_window) -> None:
    """FAQ: the taxpayer completes the printed form and sends it to DOR; DOR emails both
    sides once the request has been approved or denied."""
    main, home = _staff(qtbot, login_window)
    request = _request(ELODIE)
    _find(qtbot, main, home, request.number)
    page = main.current_page
    assert page.record_box.isVisible()
    labels = {b.accessibleName() for b in page.findChildren(QCheckBox)}
    assert labels >= {f"Give Rights for {line.account.label}" for line in page.view.lines}
    _choose(page, "Personal Income", True, "View Only")
    _choose(page, "Fiduciary", False)

    # A wrong code is refused beside the code, and nothing is recorded.
    messages = Message.select().count()
    qtbot.keyClicks(page.code_edit, "ABCDE-23456")
    click(qtbot, page, "Record Form")
    assert "does not match" in page.code_error.text()
    assert AccessRequest.get_by_id(request.id).status == "pending"
    assert Message.select().count() == messages

    page.code_edit.clear()
    qtbot.keyClicks(page.code_edit, format_code(request.authorization_code).lower())
    click(qtbot, page, "Record Form")
    assert page.result_label.text().startswith(f"Request {request.number} recorded as approved")
    assert "Personal Income" in page.result_label.text()
    assert not page.record_box.isVisible(), "a recorded form cannot be recorded again"
    assert "Status: Approved" in page.details.text()
    row = AccessRequest.get_by_id(request.id)
    assert row.status == "approved"
    assert row.decided_by.username == "dorclerk"
    smith = Logon.get(Logon.username == "smithcpa")
    grants = {
        g.account.account_type: g.level
        for g in AccessGrant.select().where(
            (AccessGrant.third_party == smith.id)
            & (AccessGrant.taxpayer == row.taxpayer_id)
            & (AccessGrant.status == "active")
        )
    }
    assert grants == {"personal_income": "view_only"}
    kinds = {
        m.kind
        for m in Message.select().where(
            (Message.request == request.id) & (Message.recipient == smith.id)
        )
    }
    assert kinds == {"email", "emessage"}, "the preparer gets the email and the e-message"
    edurand = Logon.get(Logon.username == "edurand")
    assert (
        Message.select()
        .where((Message.request == request.id) & (Message.recipient == edurand.id))
        .exists()
    ), "the taxpayer is emailed too"


def test_a_form_with_no_rights_given_is_recorded_as_a_denial_once_confirmed(
    qtbot, login_window
) -> None:
    main, home = _staff(qtbot, login_window)
    request = _request(ELODIE)
    _find(qtbot, main, home, request.number)
    page = main.current_page
    qtbot.keyClicks(page.code_edit, request.authorization_code)
    no = ModalAnswer("No").arm()
    click(qtbot, page, "Record Form")
    assert no.answered
    assert AccessRequest.get_by_id(request.id).status == "pending"
    yes = ModalAnswer("Yes").arm()
    click(qtbot, page, "Record Form")
    assert yes.answered
    assert AccessRequest.get_by_id(request.id).status == "denied"
    assert (
        page.result_label.text()
        == f"Request {request.number} recorded as denied. Both sides were emailed."
    )


def test_an_empty_code_is_asked_for(qtbot, login_window) -> None:
    main, home = _staff(qtbot, login_window)
    _find(qtbot, main, home, _request(ELODIE).number)
    page = main.current_page
    click(qtbot, page, "Record Form")
    assert page.code_error.text() == "Type the authorization code printed on the form."


def test_a_withdrawn_request_has_nothing_to_record(qtbot, login_window) -> None:
    from mtc_desktop.services import requests
    from mtc_desktop.services.base import actor_for

    request = _request(ELODIE)
    requests.withdraw_request(actor_for(Logon.get(Logon.username == "smithcpa")), request.id)
    main, home = _staff(qtbot, login_window)
    _find(qtbot, main, home, request.number)
    page = main.current_page
    assert "Status: Withdrawn" in page.details.text()
    assert not page.record_box.isVisible()
    assert buttons(page, "Record Form") == []


def test_mail_correspondence_emails_exactly_the_authorized_third_parties(
    qtbot, login_window
) -> None:
    """FAQ: Will a third party be notified that their client has been sent a letter or
    notice from DOR?"""
    _main, home = _staff(qtbot, login_window)
    harbor = Taxpayer.get(Taxpayer.legal_name == "Harbor Street Bakery LLC")
    sales = TaxAccount.get(
        (TaxAccount.taxpayer == harbor.id) & (TaxAccount.account_type == "sales_and_use")
    )
    withholding = TaxAccount.get(
        (TaxAccount.taxpayer == harbor.id) & (TaxAccount.account_type == "withholding")
    )

    def fill(dialog: QWidget, account: str, title: str) -> None:
        assert isinstance(dialog, MailCorrespondenceDialog)
        dialog.account_edit.setText(account)
        dialog.findChildren(QComboBox)[0].setCurrentText("Notice")
        dialog.title_edit.setText(title)
        buttons(dialog, "Mail")[0].click()

    emails = Message.select().where(Message.kind == "email").count()
    when_modal(
        lambda d: fill(d, sales.account_number.lower(), "Notice of Assessment"),
        of_type=MailCorrespondenceDialog,
    )
    click(qtbot, home, "Mail Correspondence")
    assert home.mail_result.text() == (
        f"The notice to {sales.account_number} is recorded. Emailed the authorized third "
        "party: smithcpa."
    )
    new = list(Message.select().where(Message.kind == "email").order_by(Message.id))[emails:]
    assert [(m.recipient.username, m.subject) for m in new] == [
        ("smithcpa", "DOR mailed a notice to your client Harbor Street Bakery LLC")
    ]
    assert Correspondence.select().count() == 1

    # Nobody is authorized on Withholding yet (beaconpayroll's request is pending).
    when_modal(
        lambda d: fill(d, withholding.account_number, "Letter"), of_type=MailCorrespondenceDialog
    )
    click(qtbot, home, "Mail Correspondence")
    assert "No third party is authorized on this account" in home.mail_result.text()

    # An unknown account is said beside the field; the dialog keeps what was typed.
    seen: list[tuple[str, str]] = []

    def unknown(dialog: QWidget) -> None:
        fill(dialog, "WTH-99999999", "Letter about nothing")
        seen.append((dialog.account_error.text(), dialog.title_edit.text()))
        dialog.reject()

    when_modal(unknown, of_type=MailCorrespondenceDialog)
    click(qtbot, home, "Mail Correspondence")
    assert seen == [("There is no tax account numbered WTH-99999999.", "Letter about nothing")]
    assert Correspondence.select().count() == 2


def test_the_expiry_period_is_a_setting(
    qtbot,
    login_window,
) -> None:
    _main, home = _staff(qtbot, login_window)
    assert home.expiry_spin.value() == 45
    home.expiry_spin.setValue(30)
    click(qtbot, home, "Save")
    assert home.expiry_result.text() == "Requests now expire after 30 days."
    assert Setting.get(Setting.key == "request_expiry_days").value == "30"
    click(qtbot, home, "Expire Overdue Requests Now")
    assert home.expiry_result.text() == "No pending request is past its expiry date."


def test_an_open_window_expires_overdue_requests_and_tells_both_sides(qtbot, login_window) -> None:
    """Expiry: pending requests past the expiry period are marked expired and both sides
    are told, while the program stays open."""
    from mtc_desktop.services import base

    main = log_in(qtbot, login_window, "smithcpa")
    request = _request(ELODIE)
    assert main.expiry_timer.isActive()
    later = request.created_at + dt.timedelta(days=46)
    base.set_clock(lambda: later)
    try:
        assert main.sweep_expired() == 5  # every pending request of the demo
    finally:
        base.set_clock(None)
    assert AccessRequest.get_by_id(request.id).status == "expired"
    subjects = {
        (m.recipient.username if m.recipient else m.to_address)
        for m in Message.select().where(
            (Message.request == request.id) & Message.subject.contains("expired")
        )
    }
    assert subjects == {"smithcpa", "edurand"}
    assert "unread" in main.inbox_link.text()
