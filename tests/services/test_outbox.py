"""Email delivery (services/outbox.py, notify/smtp.py) against a real SMTP server on
loopback: each email arrives once with its headers, refusals and outages are recorded and
retried as they should be, and only DOR staff see the outbox and its server."""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import threading
from collections.abc import Iterator
from email.utils import format_datetime
from pathlib import Path

import pytest

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from mtc_desktop.notify.compose import DOR_SENDER_ADDRESS, DOR_SENDER_NAME
from mtc_desktop.services import notifications, outbox
from mtc_desktop.services.base import Actor, release_thread_connection, transaction
from mtc_desktop.services.outbox import (
    DeliveryState,
    EmailNotSent,
    Security,
    ServerSettings,
    deliver_due,
    retry_delay,
)
from mtc_desktop.store.models import AuditEvent, Logon, Message, Setting
from tests.conftest import Clock, World
from tests.smtp_server import PASSWORD, USERNAME, MailServer, make_certificate


@pytest.fixture
def server() -> Iterator[MailServer]:
    s = MailServer().start()
    yield s
    s.stop()


@pytest.fixture
def staff(world: World) -> Actor:
    return world.staff()


@pytest.fixture
def people(world: World) -> list[Actor]:
    names = ["ann", "bob", "cyd"]
    return [world.taxpayer_logon(n, world.taxpayer(f"{n.title()} Doe")) for n in names]


def use_server(staff: Actor, port: int, **kwargs: object) -> None:
    settings = ServerSettings(host="127.0.0.1", port=port, security=Security.NONE)
    outbox.save_email_server(staff, _replace(settings, **kwargs))


def _replace(settings: ServerSettings, **kwargs: object) -> ServerSettings:
    from dataclasses import replace

    return replace(settings, **kwargs)  # type: ignore[arg-type]


def email(actor: Actor, subject: str = "Your request", body: str = "Hello.\n") -> Message:
    with transaction():
        notifications.email_logon(Logon.get_by_id(actor.logon_id), subject, body)
    return Message.select().order_by(Message.id.desc()).get()


def reread(message: Message) -> Message:
    return Message.get_by_id(message.id)


def address(actor: Actor) -> str:
    return str(Logon.get_by_id(actor.logon_id).email)


def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Make any connection attempt fail the test (and be counted)."""
    tried: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        tried.append(args)
        raise AssertionError("no connection may be made")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(smtplib.SMTP, "connect", refuse)
    return tried


# --- no server ------------------------------------------------------------------------------


def test_with_no_server_nothing_is_sent_and_nothing_is_lost(
    people: list[Actor], clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = [email(p) for p in people]
    tried = no_network(monkeypatch)
    assert not outbox.server_configured()
    assert deliver_due() == outbox.DeliveryReport()
    clock.advance(days=3)
    assert deliver_due() == outbox.DeliveryReport()
    assert tried == []
    for m in map(reread, messages):
        assert (m.sent_at, m.failed_at, m.attempts, m.last_error) == (None, None, 0, "")


def test_nothing_due_means_no_connection(staff: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    use_server(staff, 25)
    tried = no_network(monkeypatch)
    assert deliver_due() == outbox.DeliveryReport()
    assert tried == []


# --- delivered -------------------------------------------------------------------------------


def test_an_email_arrives_once_with_its_headers(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    ann = people[0]
    m = email(ann, "Request MTC-2026-000001 approved", "Your request was approved.\n")
    use_server(staff, server.port)
    report = deliver_due()
    assert report == outbox.DeliveryReport(sent=1)
    assert len(server.received) == 1
    got = server.received[0]
    assert got.mail_from == DOR_SENDER_ADDRESS
    assert got.rcpt_tos == [address(ann)]
    msg = got.message
    assert msg["From"] == f"{DOR_SENDER_NAME} <{DOR_SENDER_ADDRESS}>"
    assert msg["To"] == f"{ann.display_name} <{address(ann)}>"
    assert msg["Subject"] == "Request MTC-2026-000001 approved"
    assert msg["Date"] == format_datetime(clock.now.replace(tzinfo=dt.UTC))
    assert msg.get_content() == "Your request was approved.\n"
    # What arrived is what the outbox holds (SMTP adds nothing but the dot-stuffing).
    assert got.content.replace(b"\r\n", b"\n") == reread(m).eml.encode().replace(b"\r\n", b"\n")
    stored = reread(m)
    assert stored.sent_at == clock.now
    assert (stored.attempts, stored.last_error, stored.claim_token) == (1, "", None)
    clock.advance(hours=2)
    assert deliver_due() == outbox.DeliveryReport()
    assert len(server.received) == 1


def test_many_emails_go_over_one_connection_oldest_first(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    for i in range(5):
        email(people[i % 3], f"Notice {i}")
        clock.advance(seconds=1)
    use_server(staff, server.port)
    opened: list[object] = []
    real = smtplib.SMTP.connect

    def counting(self: smtplib.SMTP, *args: object, **kwargs: object) -> object:
        opened.append(args)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(smtplib.SMTP, "connect", counting)
        assert deliver_due().sent == 5
    assert len(opened) == 1
    assert [r.message["Subject"] for r in server.received] == [f"Notice {i}" for i in range(5)]


def test_a_batch_takes_at_most_limit_emails(
    server: MailServer, staff: Actor, people: list[Actor]
) -> None:
    for p in people:
        email(p)
    use_server(staff, server.port)
    assert deliver_due(limit=2).sent == 2
    assert deliver_due(limit=2).sent == 1
    assert len(server.received) == 3


def test_a_dots_only_line_in_the_body_survives(
    server: MailServer, staff: Actor, people: list[Actor]
) -> None:
    email(people[0], body="Line one\n.\n..\n.leading dot\n")
    use_server(staff, server.port)
    assert deliver_due().sent == 1
    assert server.received[0].message.get_content() == "Line one\n.\n..\n.leading dot\n"


def test_the_offices_from_address_replaces_the_stored_one(
    server: MailServer, staff: Actor, people: list[Actor]
) -> None:
    email(people[0])
    use_server(staff, server.port, from_address="notices@office.example")
    assert deliver_due().sent == 1
    got = server.received[0]
    assert got.mail_from == "notices@office.example"
    assert got.message["From"] == f"{DOR_SENDER_NAME} <notices@office.example>"
    assert got.message["To"] == f"{people[0].display_name} <{address(people[0])}>"


# --- refused ---------------------------------------------------------------------------------


def test_a_refused_recipient_fails_for_good_and_the_others_still_go(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    ann, bob, cy = people
    server.handler.refuse[address(bob)] = "550 5.1.1 <bob>: Recipient address rejected"
    first, refused, last = email(ann), email(bob), email(cy)
    use_server(staff, server.port)
    report = deliver_due()
    assert (report.sent, report.failed, report.retrying) == (2, 1, 0)
    assert sorted(r.rcpt_tos[0] for r in server.received) == sorted([address(ann), address(cy)])
    m = reread(refused)
    assert m.failed_at == clock.now
    assert m.sent_at is None
    assert m.attempts == 1
    assert "550 5.1.1 <bob>: Recipient address rejected" in m.last_error
    assert reread(first).sent_at is not None
    assert reread(last).sent_at is not None
    # Not tried again, however long we wait.
    del server.handler.refuse[address(bob)]
    clock.advance(days=2)
    assert deliver_due() == outbox.DeliveryReport()
    assert reread(refused).attempts == 1
    assert len(server.received) == 2


def test_a_temporary_refusal_is_retried_after_a_minute(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    ann, bob, _ = people
    server.handler.refuse[address(bob)] = "450 4.2.1 Mailbox busy, try later"
    email(ann)
    busy = email(bob)
    use_server(staff, server.port)
    report = deliver_due()
    assert (report.sent, report.retrying, report.failed) == (1, 1, 0)
    m = reread(busy)
    assert m.failed_at is None
    assert m.sent_at is None
    assert m.next_attempt_at == clock.now + dt.timedelta(minutes=1)
    assert "450 4.2.1 Mailbox busy" in m.last_error
    clock.advance(seconds=59)
    assert deliver_due() == outbox.DeliveryReport()
    del server.handler.refuse[address(bob)]
    clock.advance(seconds=1)
    assert deliver_due().sent == 1
    assert [r.rcpt_tos for r in server.received] == [[address(ann)], [address(bob)]]
    assert reread(busy).attempts == 2


# --- the server down, then up ---------------------------------------------------------------


def test_retry_delays_double_from_a_minute_to_an_hour() -> None:
    minutes = [retry_delay(n) / dt.timedelta(minutes=1) for n in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay(10_000) == dt.timedelta(hours=1)


def test_server_down_waits_with_backoff_then_delivers_each_once(
    staff: Actor, people: list[Actor], clock: Clock
) -> None:
    down = MailServer()  # its port is free: connections are refused
    messages = [email(p) for p in people]
    use_server(staff, down.port)
    delays = []
    for _ in range(4):
        report = deliver_due()
        assert report.sent == 0
        assert report.retrying == 3
        assert "Cannot connect to 127.0.0.1" in report.error
        m = reread(messages[0])
        delays.append(m.next_attempt_at - clock.now)
        assert "refused" in m.last_error.lower()
        # Not due again before its time: no new try, no attempt counted.
        assert deliver_due() == outbox.DeliveryReport()
        clock.advance(seconds=(m.next_attempt_at - clock.now).total_seconds())
    assert delays == [dt.timedelta(minutes=n) for n in (1, 2, 4, 8)]
    assert [reread(m).attempts for m in messages] == [4, 4, 4]
    down.start()
    try:
        assert deliver_due().sent == 3
        assert deliver_due() == outbox.DeliveryReport()
        clock.advance(hours=3)
        assert deliver_due() == outbox.DeliveryReport()
        assert sorted(r.rcpt_tos[0] for r in down.received) == sorted(map(address, people))
    finally:
        down.stop()
    for m in map(reread, messages):
        assert m.sent_at == clock.now - dt.timedelta(hours=3)
        assert m.attempts == 5


def test_a_server_that_hangs_up_after_the_message_is_not_sent_to_again(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    server.handler.hang_up_after_data = True
    m = email(people[0])
    use_server(staff, server.port)
    report = deliver_due()
    assert report.failed == 1
    stored = reread(m)
    assert stored.failed_at is not None
    assert "may or may not have been delivered" in stored.last_error
    clock.advance(days=1)
    server.handler.hang_up_after_data = False
    assert deliver_due() == outbox.DeliveryReport()
    assert len(server.received) == 1


# --- never twice -------------------------------------------------------------------------------


def test_two_threads_delivering_at_once_send_each_email_once(
    server: MailServer, staff: Actor, people: list[Actor], database: Path
) -> None:
    for i in range(24):
        email(people[i % 3], f"Notice {i}")
    use_server(staff, server.port)
    server.handler.data_delay = 0.01
    start = threading.Barrier(2)
    reports: list[outbox.DeliveryReport] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            start.wait()
            reports.append(deliver_due(limit=100))
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            release_thread_connection()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    subjects = sorted(r.message["Subject"] for r in server.received)
    assert subjects == sorted(f"Notice {i}" for i in range(24))
    assert sum(r.sent for r in reports) == 24
    assert Message.select().where(Message.sent_at.is_null(False)).count() == 24
    assert {m.attempts for m in Message.select()} == {1}


def test_an_email_claimed_by_another_sender_is_left_to_it(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    m = email(people[0])
    Message.update(
        claim_token="another-workstation", claimed_until=clock.now + dt.timedelta(minutes=10)
    ).where(Message.id == m.id).execute()
    use_server(staff, server.port)
    assert deliver_due() == outbox.DeliveryReport()
    assert server.received == []
    [row] = outbox.outbox(staff)
    assert row.sending
    assert row.state is DeliveryState.WAITING


def test_dying_between_sending_and_recording_never_sends_twice(
    server: MailServer,
    staff: Actor,
    people: list[Actor],
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    m = email(people[0])
    use_server(staff, server.port)

    def power_cut(message_id: int) -> None:
        raise KeyboardInterrupt("the workstation lost power")

    monkeypatch.setattr(outbox, "_sent", power_cut)
    with pytest.raises(KeyboardInterrupt):
        deliver_due()
    monkeypatch.undo()
    assert len(server.received) == 1
    # Another workstation, during the claim and long after it ran out: never again.
    assert deliver_due() == outbox.DeliveryReport()
    clock.advance(minutes=11)
    assert deliver_due() == outbox.DeliveryReport(failed=1)
    clock.advance(days=1)
    assert deliver_due() == outbox.DeliveryReport()
    assert len(server.received) == 1
    stored = reread(m)
    assert stored.sent_at is None
    assert stored.failed_at is not None
    assert stored.last_error == outbox.INTERRUPTED
    # DOR staff may decide to send it again.
    outbox.retry_now(staff, m.id)
    assert deliver_due().sent == 1
    assert len(server.received) == 2


def test_an_expired_claim_shows_as_failed_before_it_is_recorded(
    staff: Actor, people: list[Actor], clock: Clock
) -> None:
    m = email(people[0])
    Message.update(
        claim_token="dead-workstation", claimed_until=clock.now + dt.timedelta(minutes=10)
    ).where(Message.id == m.id).execute()
    clock.advance(minutes=10)
    [row] = outbox.outbox(staff)
    assert row.state is DeliveryState.FAILED
    assert not row.sending
    assert row.last_error == outbox.INTERRUPTED
    assert [r.id for r in outbox.outbox(staff, state=DeliveryState.FAILED)] == [m.id]
    assert outbox.outbox(staff, state=DeliveryState.WAITING) == []


# --- header injection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "x\r\nBcc: evil@x.example",
        "x\nBcc: evil@x.example",
        "x\rBcc: evil@x.example",
        "x\u2028Bcc: evil@x.example",
        'x" <evil@x.example>,\r\n "y',
    ],
)
def test_a_name_with_line_breaks_adds_no_header_and_no_recipient(
    server: MailServer, staff: Actor, people: list[Actor], name: str
) -> None:
    ann = people[0]
    Logon.update(display_name=name).where(Logon.id == ann.logon_id).execute()
    email(ann, subject="Hello\r\nBcc: evil2@x.example\r\n\r\nInjected body", body="Real body\n")
    use_server(staff, server.port)
    assert deliver_due().sent == 1
    [got] = server.received
    assert got.rcpt_tos == [address(ann)]
    msg = got.message
    assert msg["Bcc"] is None
    assert msg.get_all("To")
    assert len(msg.get_all("To")) == 1
    assert [a.addr_spec for a in msg["To"].addresses] == [address(ann)]
    assert msg["Subject"] == "Hello Bcc: evil2@x.example Injected body"
    assert msg.get_content() == "Real body\n"
    header_block = got.content.split(b"\r\n\r\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc:") for line in header_block.split(b"\r\n"))


# --- STARTTLS, TLS and logging in ---------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_certificate(tmp_path_factory.mktemp("tls"))


def test_starttls_with_login_over_a_verified_certificate(
    certificate: Path,
    staff: Actor,
    people: list[Actor],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "cert.pem"))
    server = MailServer(tls=certificate, login=True).start()
    try:
        email(people[0])
        use_server(
            staff,
            server.port,
            security=Security.STARTTLS,
            username=USERNAME,
            password=PASSWORD,
        )
        assert deliver_due().sent == 1
        assert len(server.received) == 1
    finally:
        server.stop()


def test_implicit_tls(
    certificate: Path, staff: Actor, people: list[Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "cert.pem"))
    server = MailServer(tls=certificate, implicit_tls=True).start()
    try:
        email(people[0])
        use_server(staff, server.port, security=Security.SSL)
        assert deliver_due().sent == 1
        assert len(server.received) == 1
    finally:
        server.stop()


def test_an_untrusted_certificate_is_refused_and_retried_later(
    certificate: Path, staff: Actor, people: list[Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "no-such-file.pem"))
    server = MailServer(tls=certificate).start()
    try:
        m = email(people[0])
        use_server(staff, server.port, security=Security.STARTTLS)
        report = deliver_due()
        assert report.retrying == 1
        assert "certificate" in reread(m).last_error.lower()
        assert server.received == []
    finally:
        server.stop()


def test_a_wrong_password_is_a_temporary_failure(
    certificate: Path, staff: Actor, people: list[Actor], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate / "cert.pem"))
    server = MailServer(tls=certificate, login=True).start()
    try:
        m = email(people[0])
        use_server(
            staff, server.port, security=Security.STARTTLS, username=USERNAME, password="wrong"
        )
        assert deliver_due().retrying == 1
        assert "refused the username or password" in reread(m).last_error
        # The environment's password wins over the saved one.
        monkeypatch.setenv(outbox.PASSWORD_ENV, PASSWORD)
        Message.update(next_attempt_at=None).execute()
        assert deliver_due().sent == 1
    finally:
        server.stop()


def test_starttls_not_offered_is_not_silently_skipped(
    server: MailServer, staff: Actor, people: list[Actor]
) -> None:
    m = email(people[0])
    use_server(staff, server.port, security=Security.STARTTLS)
    assert deliver_due().retrying == 1
    assert "does not offer STARTTLS" in reread(m).last_error
    assert server.received == []


# --- the email server settings ------------------------------------------------------------------


def test_staff_save_the_server_and_never_read_the_password_back(
    staff: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(outbox.PASSWORD_ENV, raising=False)
    assert not outbox.email_server(staff).configured
    saved = outbox.save_email_server(
        staff,
        ServerSettings(
            host=" smtp.office.example ",
            port=587,
            security=Security.STARTTLS,
            username="sender",
            password="pw-1",
            from_address="notices@office.example",
        ),
    )
    assert saved.configured
    assert saved.password_saved
    assert saved.describe() == "smtp.office.example:587 (STARTTLS)"
    assert "pw-1" not in repr(saved)
    assert outbox.server_configured()
    event = AuditEvent.select().where(AuditEvent.action == "setting_changed").get()
    assert "pw-1" not in event.details
    assert '"password": "changed"' in event.details
    # None keeps the saved password.
    outbox.save_email_server(
        staff, ServerSettings(host="smtp.office.example", port=2525, username="sender")
    )
    assert Setting.get_by_id("smtp_password").value == "pw-1"
    # No username, no password.
    cleared = outbox.save_email_server(staff, ServerSettings(host="smtp.office.example", port=25))
    assert not cleared.password_saved
    assert Setting.get_or_none(Setting.key == "smtp_password") is None
    # No host: delivery off.
    off = outbox.save_email_server(staff, ServerSettings(host="", port=25))
    assert not off.configured
    assert not outbox.server_configured()


def test_the_password_may_come_from_the_environment(
    staff: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(outbox.PASSWORD_ENV, "from-env")
    saved = outbox.save_email_server(
        staff, ServerSettings(host="smtp.office.example", port=587, username="u")
    )
    assert saved.password_from_environment
    assert not saved.password_saved


@pytest.mark.parametrize(
    ("settings", "fields"),
    [
        (ServerSettings(host="smtp example", port=25), {"host"}),
        (ServerSettings(host="smtp.example.org\r\nRCPT", port=25), {"host"}),
        (ServerSettings(host="smtp.example.org", port=0), {"port"}),
        (ServerSettings(host="smtp.example.org", port=70000), {"port"}),
        (ServerSettings(host="smtp.example.org", port=25, username="a\nb"), {"username"}),
        (
            ServerSettings(host="smtp.example.org", port=25, username="a", password="p\r\nw"),
            {"password"},
        ),
        (
            ServerSettings(host="smtp.example.org", port=25, from_address="not an address"),
            {"from_address"},
        ),
        (
            ServerSettings(host="bad host", port=0, from_address="x"),
            {
                "host",
                "port",
                "from_address",
            },
        ),
    ],
)
def test_wrong_settings_are_refused_field_by_field(
    staff: Actor, settings: ServerSettings, fields: set[str]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        outbox.save_email_server(staff, settings)
    assert set(caught.value.errors) == fields
    assert not outbox.server_configured()


def test_a_test_email_goes_through_unsaved_settings(server: MailServer, staff: Actor) -> None:
    text = outbox.send_test_email(
        staff,
        ServerSettings(host="127.0.0.1", port=server.port, security=Security.NONE),
        "clerk@dor.example",
    )
    assert "clerk@dor.example" in text
    [got] = server.received
    assert got.rcpt_tos == ["clerk@dor.example"]
    assert got.message["Subject"] == outbox.TEST_SUBJECT
    assert not outbox.server_configured()
    assert Message.select().count() == 0


def test_a_test_email_that_fails_says_why(server: MailServer, staff: Actor) -> None:
    server.handler.refuse["clerk@dor.example"] = "550 5.7.1 Relaying denied"
    with pytest.raises(EmailNotSent, match=r"550 5\.7\.1 Relaying denied"):
        outbox.send_test_email(
            staff,
            ServerSettings(host="127.0.0.1", port=server.port, security=Security.NONE),
            "clerk@dor.example",
        )
    with pytest.raises(InvalidInput) as caught:
        outbox.send_test_email(staff, ServerSettings(host="", port=25), "")
    assert set(caught.value.errors) == {"host", "to_address"}


# --- the Outbox for DOR staff ------------------------------------------------------------------


def test_outbox_rows_summary_and_states(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    ann, bob, cy = people
    server.handler.refuse[address(bob)] = "550 no such user"
    server.handler.refuse[address(cy)] = "451 try again"
    sent, failed, retrying = email(ann, "one"), email(bob, "two"), email(cy, "three")
    with transaction():
        notifications.emessage_logon(Logon.get_by_id(ann.logon_id), "not an email", "body")
    before = outbox.delivery_summary(staff)
    assert (before.waiting, before.failed, before.sent, before.configured) == (3, 0, 0, False)
    use_server(staff, server.port)
    deliver_due()
    rows = {r.id: r for r in outbox.outbox(staff)}
    assert set(rows) == {sent.id, failed.id, retrying.id}
    assert rows[sent.id].state is DeliveryState.SENT
    assert rows[failed.id].state is DeliveryState.FAILED
    assert "550 no such user" in rows[failed.id].last_error
    assert rows[retrying.id].state is DeliveryState.WAITING
    assert rows[retrying.id].retrying
    assert rows[retrying.id].next_attempt_at == clock.now + dt.timedelta(minutes=1)
    assert rows[retrying.id].to_address == address(cy)
    assert rows[retrying.id].subject == "three"
    assert rows[retrying.id].attempts == 1
    summary = outbox.delivery_summary(staff)
    assert (summary.waiting, summary.retrying, summary.failed, summary.sent) == (1, 1, 1, 1)
    assert summary.server == f"127.0.0.1:{server.port} (None (unencrypted))"
    assert [r.id for r in outbox.outbox(staff, state=DeliveryState.SENT)] == [sent.id]
    assert [r.id for r in outbox.outbox(staff, state=DeliveryState.FAILED)] == [failed.id]
    assert [r.id for r in outbox.outbox(staff, state=DeliveryState.WAITING)] == [retrying.id]


def test_retry_now_makes_a_failed_or_waiting_email_due_at_once(
    server: MailServer, staff: Actor, people: list[Actor], clock: Clock
) -> None:
    _, bob, cy = people
    server.handler.refuse[address(bob)] = "550 mailbox full for good"
    server.handler.refuse[address(cy)] = "452 mailbox full for now"
    failed, waiting = email(bob), email(cy)
    use_server(staff, server.port)
    deliver_due()
    server.handler.refuse.clear()
    nudged: list[int] = []
    stop = notifications.on_email_queued(lambda: nudged.append(1))
    try:
        row = outbox.retry_now(staff, failed.id)
        assert row.state is DeliveryState.WAITING
        assert not row.retrying
        assert outbox.retry_now(staff, waiting.id).next_attempt_at is None
    finally:
        stop()
    assert nudged == [1, 1]
    event = AuditEvent.select().where(AuditEvent.action == "email_retried").first()
    assert event is not None
    assert event.actor_id == staff.logon_id
    assert deliver_due().sent == 2
    with pytest.raises(StateConflict, match="already been sent"):
        outbox.retry_now(staff, failed.id)
    with pytest.raises(NotFound):
        outbox.retry_now(staff, 999_999)


def test_retry_now_leaves_an_email_being_sent_alone(
    staff: Actor, people: list[Actor], clock: Clock
) -> None:
    m = email(people[0])
    Message.update(claim_token="busy", claimed_until=clock.now + dt.timedelta(minutes=5)).where(
        Message.id == m.id
    ).execute()
    with pytest.raises(StateConflict, match="being sent right now"):
        outbox.retry_now(staff, m.id)
    assert reread(m).claim_token == "busy"


# --- who may ------------------------------------------------------------------------------------


def test_only_dor_staff_see_the_outbox_and_the_server(
    world: World, staff: Actor, people: list[Actor]
) -> None:
    ann = people[0]
    firm = world.third_party("firm")
    m = email(ann)
    settings = ServerSettings(host="smtp.example.org", port=25)
    calls = (
        lambda who: outbox.outbox(who),
        lambda who: outbox.delivery_summary(who),
        lambda who: outbox.retry_now(who, m.id),
        lambda who: outbox.email_server(who),
        lambda who: outbox.save_email_server(who, settings),
        lambda who: outbox.send_test_email(who, settings, "a@b.example"),
    )
    for who in (ann, firm):
        for call in calls:
            with pytest.raises(NotAllowed):
                call(who)
    assert not outbox.server_configured()
    assert AuditEvent.select().where(AuditEvent.action == "email_retried").count() == 0


def test_raw_email_is_for_its_recipient_and_dor_staff(
    world: World, staff: Actor, people: list[Actor]
) -> None:
    ann, bob, _ = people
    m = email(ann)
    assert notifications.raw_email(ann, m.id) == m.eml
    assert notifications.raw_email(staff, m.id) == m.eml
    with pytest.raises(NotFound):
        notifications.raw_email(bob, m.id)
    with pytest.raises(NotFound):
        notifications.raw_email(world.third_party("firm"), m.id)


# --- the nudge after a commit ---------------------------------------------------------------------


def rolled_back(logon: Logon) -> None:
    with transaction():
        notifications.email_logon(logon, "three", "body")
        raise RuntimeError("rolled back")


def test_listeners_hear_of_an_email_after_its_commit_only(people: list[Actor]) -> None:
    heard: list[int] = []
    logon = Logon.get_by_id(people[0].logon_id)

    def listener() -> None:
        # Told after the commit: the email is there for another connection to read.
        heard.append(Message.select().count())

    stop = notifications.on_email_queued(listener)
    try:
        with transaction():
            notifications.email_logon(logon, "one", "body")
            notifications.email_logon(logon, "two", "body")
            assert heard == []
        assert heard == [2]
        with pytest.raises(RuntimeError, match="rolled back"):
            rolled_back(logon)
        with transaction():
            notifications.emessage_logon(logon, "an e-message", "body")
        assert heard == [2]
    finally:
        stop()
    with transaction():
        notifications.email_logon(logon, "four", "body")
    assert heard == [2]
