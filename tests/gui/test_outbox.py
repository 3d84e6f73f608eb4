"""The background sender (it delivers while the GUI keeps running, and stays off the network
with no server), the Outbox page and the Email Server dialog, driven by their labels."""

from __future__ import annotations

import itertools
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel

from mtc_desktop.gui.main_window import MainWindow
from mtc_desktop.gui.outbox import OutboxModel, OutboxPage, SmtpSettingsDialog, status_text
from mtc_desktop.gui.sender import BackgroundSender, running_sender
from mtc_desktop.services import notifications, outbox
from mtc_desktop.services.base import Actor, transaction
from mtc_desktop.services.outbox import DeliveryState, Security, ServerSettings
from mtc_desktop.store.models import AuditEvent, Logon, Message, Setting
from tests.conftest import Clock, World
from tests.gui.conftest import click, when_modal
from tests.smtp_server import MailServer


@pytest.fixture
def server() -> Iterator[MailServer]:
    s = MailServer().start()
    yield s
    s.stop()


@pytest.fixture
def staff(world: World) -> Actor:
    return world.staff()


@pytest.fixture
def ann(world: World) -> Actor:
    return world.taxpayer_logon("ann", world.taxpayer("Ann Doe"))


@pytest.fixture
def sender(qtbot, world: World) -> Iterator[BackgroundSender]:
    s = BackgroundSender(interval=60)
    yield s
    assert s.stop(timeout=10)


def email(actor: Actor, subject: str = "Your request") -> Message:
    with transaction():
        notifications.email_logon(Logon.get_by_id(actor.logon_id), subject, "Hello.\n")
    return Message.select().order_by(Message.id.desc()).get()


def use_server(staff: Actor, port: int) -> None:
    outbox.save_email_server(
        staff, ServerSettings(host="127.0.0.1", port=port, security=Security.NONE)
    )


# --- the background sender -----------------------------------------------------------------


def test_the_sender_delivers_while_the_gui_keeps_running(
    qtbot, sender: BackgroundSender, server: MailServer, staff: Actor, ann: Actor
) -> None:
    use_server(staff, server.port)
    server.handler.data_delay = 1.5  # a slow server
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    sender.start()
    assert sender.running
    assert running_sender() is sender
    with qtbot.waitSignal(sender.delivered, timeout=10_000) as blocker:
        started = time.monotonic()
        m = email(ann)  # the commit nudges the sender: no waiting for the next tick
        assert time.monotonic() - started < 1.0, "queuing an email must not wait for SMTP"
    timer.stop()
    assert blocker.args[0].sent == 1
    assert len(server.received) == 1
    assert Message.get_by_id(m.id).sent_at is not None
    # The event loop ran all along: no gap near the server's 1.5 s.
    during = [t for t in ticks if t >= started]
    assert len(during) >= 10
    assert max(b - a for a, b in itertools.pairwise(during)) < 1.0
    started = time.monotonic()
    assert sender.stop(timeout=10)
    assert time.monotonic() - started < 2
    assert not sender.running
    assert running_sender() is None


def test_without_a_server_the_sender_touches_no_network(
    qtbot, sender: BackgroundSender, ann: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    connections: list[object] = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connections.append(a))
    rounds: list[bool] = []
    real = outbox.server_configured

    def counted() -> bool:
        answer = real()
        rounds.append(answer)
        return answer

    monkeypatch.setattr(outbox, "server_configured", counted)
    sender.start()
    qtbot.waitUntil(lambda: len(rounds) >= 1)
    m = email(ann)
    qtbot.waitUntil(lambda: len(rounds) >= 2)
    assert rounds == [False, False]
    assert connections == []
    stored = Message.get_by_id(m.id)
    assert (stored.sent_at, stored.attempts) == (None, 0)


def test_the_sender_says_when_the_server_is_down(
    qtbot, sender: BackgroundSender, staff: Actor, ann: Actor, clock: Clock
) -> None:
    down = MailServer()  # nothing listens on its port
    use_server(staff, down.port)
    m = email(ann)
    with qtbot.waitSignal(sender.failed, timeout=10_000) as blocker:
        sender.start()
    assert "Cannot connect to 127.0.0.1" in blocker.args[0]
    stored = Message.get_by_id(m.id)
    assert stored.sent_at is None
    assert stored.attempts == 1
    assert stored.next_attempt_at is not None


# --- the Outbox page -------------------------------------------------------------------------


@pytest.fixture
def main(qtbot, staff: Actor) -> Iterator[MainWindow]:
    window = MainWindow(staff)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_dor_staff_reach_the_outbox_and_the_server_from_their_home_page(
    qtbot, main: MainWindow
) -> None:
    click(qtbot, main.current_page, "Outbox")
    assert isinstance(main.current_page, OutboxPage)

    def cancel(box) -> None:
        click(qtbot, box, "Cancel")

    seen = when_modal(cancel, of_type=SmtpSettingsDialog)
    click(qtbot, main.current_page, "Email Server…")
    assert seen


def test_outbox_model_passes_the_model_tester(qtmodeltester, staff: Actor, ann: Actor) -> None:
    email(ann)
    model = OutboxModel(outbox.outbox(staff))
    qtmodeltester.check(model, force_py=True)


def test_the_outbox_lists_emails_and_retries_a_failed_one(
    qtbot, main: MainWindow, staff: Actor, ann: Actor, clock: Clock
) -> None:
    waiting = email(ann, "Waiting one")
    failed = email(ann, "Failed one")
    Message.update(failed_at=clock.now, attempts=1, last_error="550 5.1.1 No such user").where(
        Message.id == failed.id
    ).execute()
    page = main.push(OutboxPage(main))
    assert main.form.breadcrumbLabel.text().endswith("Outbox")
    assert page.summary_label.text().startswith("1 waiting, 1 failed, 0 sent.")
    assert "No email server is set up" in page.summary_label.text()
    states = {r.subject: status_text(r) for r in page.model.rows()}
    assert states == {"Waiting one": "Waiting", "Failed one": "Failed"}
    assert not page.retry_link.isEnabled()
    assert page.select(failed.id)
    assert "Last error: 550 5.1.1 No such user" in page.detail_label.text()
    click(qtbot, page, "Retry Now")
    stored = Message.get_by_id(failed.id)
    assert stored.failed_at is None
    assert AuditEvent.select().where(AuditEvent.action == "email_retried").count() == 1
    assert {r.subject: status_text(r) for r in page.model.rows()}["Failed one"] == "Waiting"
    assert page.summary_label.text().startswith("2 waiting, 0 failed")
    # The filter.
    page.filter_combo.setCurrentIndex(page.filter_combo.findData(DeliveryState.SENT))
    assert page.model.rowCount() == 0
    page.filter_combo.setCurrentIndex(page.filter_combo.findData(DeliveryState.WAITING))
    assert {r.id for r in page.model.rows()} == {waiting.id, failed.id}


def test_a_retrying_email_says_when(main: MainWindow, ann: Actor, clock: Clock) -> None:
    import datetime as dt

    m = email(ann)
    Message.update(
        attempts=2, next_attempt_at=clock.now + dt.timedelta(minutes=2), last_error="421 busy"
    ).where(Message.id == m.id).execute()
    page = main.push(OutboxPage(main))
    [row] = page.model.rows()
    assert status_text(row).startswith("Retrying at ")
    assert "(1 to retry)" in page.summary_label.text()


def test_export_eml_writes_the_stored_email(
    qtbot, main: MainWindow, ann: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = email(ann)
    target = tmp_path / "out.eml"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), ""))
    )
    page = main.push(OutboxPage(main))
    assert not page.export_link.isEnabled()
    page.select(m.id)
    click(qtbot, page, "Export .eml…")
    assert target.read_bytes() == Message.get_by_id(m.id).eml.encode()


def test_the_page_follows_the_senders_rounds(
    qtbot,
    main: MainWindow,
    sender: BackgroundSender,
    server: MailServer,
    staff: Actor,
    ann: Actor,
) -> None:
    sender.start()
    page = main.push(OutboxPage(main))
    use_server(staff, server.port)
    with qtbot.waitSignal(sender.delivered, timeout=10_000):
        email(ann)
    qtbot.waitUntil(lambda: page.summary_label.text().startswith("0 waiting, 0 failed, 1 sent."))


def test_a_refused_background_reread_opens_no_box(
    main: MainWindow, ann: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtc_desktop.domain.errors import NotAllowed
    from mtc_desktop.gui import dialogs

    email(ann)
    page = main.push(OutboxPage(main))
    shown: list[object] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, exc: shown.append(exc))

    def locked(*_a: object, **_k: object) -> None:
        raise NotAllowed("This window is locked.")

    monkeypatch.setattr(outbox, "outbox", locked)
    page._sender_round(outbox.DeliveryReport(sent=1))
    assert shown == []
    assert page.model.rowCount() == 1  # what it showed stays until the next reread


# --- the Email Server dialog ------------------------------------------------------------------


@pytest.fixture
def dialog(qtbot, staff: Actor) -> SmtpSettingsDialog:
    d = SmtpSettingsDialog(None, staff)
    qtbot.addWidget(d)
    d.show()
    return d


def error_of(d: SmtpSettingsDialog, field: str) -> str:
    label: QLabel = d.errors[field]
    return label.text() if label.isVisible() else ""


def test_wrong_fields_are_told_beside_each_field(qtbot, dialog: SmtpSettingsDialog) -> None:
    qtbot.keyClicks(dialog.host_edit, "smtp example")
    dialog.port_spin.setValue(0)
    qtbot.keyClicks(dialog.from_edit, "not-an-address")
    click(qtbot, dialog, "Save")
    assert "letters, digits, dots and dashes" in error_of(dialog, "host")
    assert "1 to 65535" in error_of(dialog, "port")
    assert error_of(dialog, "from_address")
    assert error_of(dialog, "username") == ""
    assert dialog.isVisible()
    assert not outbox.server_configured()
    dialog.close()


def test_choosing_ssl_moves_the_default_port(dialog: SmtpSettingsDialog) -> None:
    assert dialog.port_spin.value() == 587
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData(Security.SSL))
    assert dialog.port_spin.value() == 465
    dialog.port_spin.setValue(2525)
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData(Security.NONE))
    assert dialog.port_spin.value() == 2525
    dialog.close()


def test_send_a_test_email_then_save(
    qtbot, dialog: SmtpSettingsDialog, server: MailServer, staff: Actor
) -> None:
    server.handler.data_delay = 0.2
    qtbot.keyClicks(dialog.host_edit, "127.0.0.1")
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData(Security.NONE))
    dialog.port_spin.setValue(server.port)
    qtbot.keyClicks(dialog.username_edit, "")
    click(qtbot, dialog, "Send Test Email")
    qtbot.waitUntil(lambda: error_of(dialog, "to_address") != "")
    qtbot.keyClicks(dialog.test_edit, "clerk@dor.example")
    click(qtbot, dialog, "Send Test Email")
    assert dialog.testing
    assert dialog.test_button.text() == "Sending…"
    assert not dialog.test_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.test_result.isVisible(), timeout=10_000)
    assert "A test email was sent to clerk@dor.example" in dialog.test_result.text()
    assert [r.rcpt_tos for r in server.received] == [["clerk@dor.example"]]
    assert dialog.test_button.isEnabled()
    assert not outbox.server_configured()
    click(qtbot, dialog, "Save")
    assert not dialog.isVisible()
    assert dialog.saved is not None
    assert dialog.saved.describe() == f"127.0.0.1:{server.port} (None (unencrypted))"
    assert Setting.get_by_id("smtp_host").value == "127.0.0.1"


def test_a_failed_test_email_says_why(
    qtbot, dialog: SmtpSettingsDialog, server: MailServer
) -> None:
    server.handler.refuse["clerk@dor.example"] = "550 5.7.1 Relaying denied"
    qtbot.keyClicks(dialog.host_edit, "127.0.0.1")
    dialog.security_combo.setCurrentIndex(dialog.security_combo.findData(Security.NONE))
    dialog.port_spin.setValue(server.port)
    qtbot.keyClicks(dialog.test_edit, "clerk@dor.example")
    click(qtbot, dialog, "Send Test Email")
    qtbot.waitUntil(lambda: dialog.test_result.isVisible(), timeout=10_000)
    assert "550 5.7.1 Relaying denied" in dialog.test_result.text()
    assert dialog.test_result.property("role") == "error"
    dialog.close()


def test_the_dialog_shows_a_saved_password_only_as_saved(qtbot, staff: Actor) -> None:
    outbox.save_email_server(
        staff,
        ServerSettings(
            host="smtp.office.example",
            port=587,
            security=Security.STARTTLS,
            username="sender",
            password="pw-secret",
        ),
    )
    d = SmtpSettingsDialog(None, staff)
    qtbot.addWidget(d)
    assert d.host_edit.text() == "smtp.office.example"
    assert d.username_edit.text() == "sender"
    assert d.password_edit.text() == ""
    assert "saved" in d.password_edit.placeholderText()
    # Saving without typing a password keeps it.
    d.save()
    assert Setting.get_by_id("smtp_password").value == "pw-secret"


def test_ask_opens_and_cancel_saves_nothing(qtbot, main: MainWindow, staff: Actor) -> None:
    def cancel(box) -> None:
        assert isinstance(box, SmtpSettingsDialog)
        box.host_edit.setText("smtp.example.org")
        click(qtbot, box, "Cancel")

    seen = when_modal(cancel, of_type=SmtpSettingsDialog)
    assert SmtpSettingsDialog.ask(main, staff) is None
    assert seen
    assert not outbox.server_configured()


def test_ask_refuses_anyone_but_dor_staff(
    qtbot, ann: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mtc_desktop.gui import dialogs

    shown: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _p, exc: shown.append(exc.message))
    assert SmtpSettingsDialog.ask(None, ann) is None
    assert [s.lower() for s in shown] == ["only a dor staff logon can do this."]
    assert not [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, SmtpSettingsDialog) and w.isVisible()
    ]
