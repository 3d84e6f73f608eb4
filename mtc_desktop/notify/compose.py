"""Composing the emails DOR sends, as standard RFC 5322 messages (``email.message``).

Header values go through ``email.policy.SMTP``, which refuses a line break inside a header,
so a name or subject typed with a line break can never add a header of its own; we also
fold every run of white space in a display name or subject into one space first.
"""

from __future__ import annotations

import datetime as dt
import re
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

DOR_SENDER_NAME = "Massachusetts Department of Revenue"
DOR_SENDER_ADDRESS = "masstaxconnect@dor.example"

_SPACES = re.compile(r"\s+")


def one_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def compose_email(
    *,
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    when: dt.datetime,
    sender_name: str = DOR_SENDER_NAME,
    sender_address: str = DOR_SENDER_ADDRESS,
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    local, _, domain = sender_address.rpartition("@")
    msg["From"] = Address(one_line(sender_name), local, domain)
    local, _, domain = to_address.rpartition("@")
    msg["To"] = Address(one_line(to_name), local, domain)
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(when.replace(tzinfo=dt.UTC))
    msg["Message-ID"] = make_msgid(domain=sender_address.rpartition("@")[2])
    msg.set_content(body)
    return msg
