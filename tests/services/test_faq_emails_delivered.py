"""Every email the FAQ promises, from a request to a cancellation, reaches a local SMTP
server exactly once, in the order the changes happened, with the right From, To, Subject
and Date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime

import pytest

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, CorrespondenceKind
from mtc_desktop.notify.compose import DOR_SENDER_ADDRESS, DOR_SENDER_NAME
from mtc_desktop.services import correspondence, grants, outbox, requests
from mtc_desktop.services.outbox import Security, ServerSettings, deliver_due
from mtc_desktop.store.models import Logon, Message
from tests.conftest import Clock, World
from tests.services.helpers import ask
from tests.smtp_server import MailServer


@pytest.fixture
def server() -> Iterator[MailServer]:
    s = MailServer().start()
    yield s
    s.stop()


def test_the_faqs_emails_arrive_once_in_order(
    world: World, clock: Clock, server: MailServer
) -> None:
    staff = world.staff()
    firm = world.third_party("firm", "Lowell Tax LLP")
    bakery = world.taxpayer("Harbor Bakery")
    owner = world.taxpayer_logon("harbor", bakery)
    firm_email = Logon.get_by_id(firm.logon_id).email
    owner_email = Logon.get_by_id(owner.logon_id).email
    account = world.accounts(bakery)[0]
    expected: list[tuple[str, str]] = []  # (to, subject) in the order they are written

    def step(**kwargs: float) -> None:
        clock.advance(**kwargs)

    # The firm asks online: the taxpayer is emailed the request.
    view = ask(firm, bakery, [(account, AccessLevel.FILE_AND_PAY)], ApprovalMethod.MASSTAXCONNECT)
    expected.append((owner_email, f"Third-party access request {view.number} from Lowell Tax LLP"))
    step(minutes=5)
    # The taxpayer approves: both sides are emailed.
    requests.decide_request(
        owner, view.id, [requests.LineDecision(account.id, True, AccessLevel.FILE)]
    )
    decided = f"Third-party access request {view.number} was approved"
    expected += [(firm_email, decided), (owner_email, decided)]
    step(minutes=5)
    # DOR mails a notice: the authorized third party is told.
    correspondence.mail_correspondence(
        staff,
        account.account_number,
        CorrespondenceKind.NOTICE,
        "Notice of Assessment",
        dt.date(2026, 3, 2),
    )
    expected.append((firm_email, "DOR mailed a notice to your client Harbor Bakery"))
    step(minutes=5)
    # The taxpayer cancels the firm: the firm is told.
    grants.cancel_general_access(owner, firm.logon_id)
    expected.append((firm_email, "Harbor Bakery canceled your access"))

    written = [
        (m.to_address, m.subject)
        for m in Message.select().where(Message.kind == "email").order_by(Message.id)
    ]
    assert written == expected

    outbox.save_email_server(
        staff, ServerSettings(host="127.0.0.1", port=server.port, security=Security.NONE)
    )
    report = deliver_due()
    assert report.sent == len(expected)
    assert deliver_due().sent == 0, "nothing goes twice"
    arrived = [(got.rcpt_tos, got.message) for got in server.received]
    assert [(tos[0], msg["Subject"]) for tos, msg in arrived] == expected
    dates = []
    for tos, msg in arrived:
        assert tos == [msg["To"].addresses[0].addr_spec]
        assert msg["From"] == f"{DOR_SENDER_NAME} <{DOR_SENDER_ADDRESS}>"
        dates.append(parsedate_to_datetime(msg["Date"]))
    assert dates == sorted(dates), "Date follows the order of the changes"
    first = Message.select().where(Message.kind == "email").order_by(Message.id).first()
    assert arrived[0][1]["Date"] == format_datetime(first.created_at.replace(tzinfo=dt.UTC))
