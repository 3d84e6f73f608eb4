"""Handing stored emails to an SMTP server (``smtplib``), many over one connection.

The text sent is the stored RFC 5322 message itself, byte for byte apart from line endings
and dot-stuffing, and, when the office sets one, the ``From`` address. The envelope names
exactly one recipient, the address the outbox holds; nothing read from the headers can
add another.

Each failure says what the outbox may do next:

* :class:`TemporaryFailure` — the server did not take the message (connection refused, a
  timeout, a 4xx reply): nothing was delivered, try again later.
* :class:`PermanentFailure` — the server refused it for good (a 5xx reply, e.g. no such
  recipient): trying again would get the same answer.
* :class:`UncertainFailure` — the connection broke after the whole message was handed
  over and before the server answered: it may or may not have been delivered.

``connection_lost`` on a failure means the connection is no longer usable, so the rest of
the batch has to wait for the next round.
"""

from __future__ import annotations

import contextlib
import enum
import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.parser import HeaderParser
from email.policy import SMTP, default
from types import TracebackType

from mtc_desktop.notify.compose import one_line

TIMEOUT_SECONDS = 30.0


class Security(enum.Enum):
    STARTTLS = "starttls"
    SSL = "ssl"
    NONE = "none"

    @property
    def label(self) -> str:
        return {
            Security.STARTTLS: "STARTTLS",
            Security.SSL: "SSL/TLS",
            Security.NONE: "None (unencrypted)",
        }[self]

    @property
    def default_port(self) -> int:
        return {Security.STARTTLS: 587, Security.SSL: 465, Security.NONE: 25}[self]


@dataclass(frozen=True)
class ServerConfig:
    host: str
    port: int
    security: Security = Security.STARTTLS
    username: str = ""
    password: str = field(default="", repr=False)
    # Sender address for the envelope and the From header; empty keeps the stored one.
    from_address: str = ""
    timeout: float = TIMEOUT_SECONDS

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security.label})"


class DeliveryFailure(Exception):
    """The server did not take a message; ``reply`` is what it said, or what went wrong."""

    def __init__(self, reply: str, *, connection_lost: bool = False) -> None:
        super().__init__(reply)
        self.reply = reply
        self.connection_lost = connection_lost


class TemporaryFailure(DeliveryFailure):
    """Not delivered; the same message may succeed later."""


class PermanentFailure(DeliveryFailure):
    """Refused for good; sending it again would be refused again."""


class UncertainFailure(DeliveryFailure):
    """Handed over, but no answer came: it may have been delivered."""


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return one_line(f"{code} {text}")


def _refused(code: int, text: bytes | str, what: str) -> DeliveryFailure:
    reply = f"{what}: {_reply(code, text)}"
    if 500 <= code < 600:
        return PermanentFailure(reply)
    return TemporaryFailure(reply, connection_lost=code == 421)


def _broken(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "The email server did not answer in time."
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "The email server closed the connection."
    return one_line(f"{type(exc).__name__}: {exc}") if str(exc) else type(exc).__name__


# An address for the envelope: one line, no brackets, something@something.
_ENVELOPE_ADDRESS = re.compile(r"[^\s<>()\[\],;:\"\\@]+@[^\s<>()\[\],;:\"\\@]+")


def _check_address(address: str) -> str:
    if not _ENVELOPE_ADDRESS.fullmatch(address):
        raise PermanentFailure(f"The address {address!r} cannot be used on the envelope.")
    return address


def stored_sender(raw: str) -> str:
    """The address in the stored message's From header."""
    header = HeaderParser(policy=default).parsestr(raw, headersonly=True)["From"]
    addresses = getattr(header, "addresses", ())
    if not addresses:
        raise PermanentFailure("The stored email has no From address.")
    return str(addresses[0].addr_spec)


def with_sender(raw: str, address: str) -> str:
    """The stored message with its From address replaced, its display name kept."""
    head, sep, body = raw.partition("\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition("\n\n")
    fields = re.split(r"\r?\n(?![ \t])", head)
    old = HeaderParser(policy=default).parsestr(head + "\n\n", headersonly=True)["From"]
    name = old.addresses[0].display_name if getattr(old, "addresses", ()) else ""
    folded = SMTP.fold("From", str(Address(display_name=name, addr_spec=address)))
    fields = [folded.rstrip("\r\n") if f.lower().startswith("from:") else f for f in fields if f]
    return "\r\n".join(fields) + "\r\n\r\n" + body


def wire_bytes(text: str, *, utf8: bool = False) -> bytes:
    """The message as sent after DATA: CRLF line endings, dot-stuffed, with the end mark."""
    data = text.encode("utf-8" if utf8 else "ascii")
    data = re.sub(rb"\r\n|\r|\n", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SmtpSession:
    """One connection to the server: ``with SmtpSession(config) as s: s.send(raw, to)``."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        self.open()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def open(self) -> None:
        """Connect, secure the connection and log in; any failure is temporary."""
        config = self.config
        try:
            if config.security is Security.SSL:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    config.host,
                    config.port,
                    timeout=config.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(config.host, config.port, timeout=config.timeout)
        except (OSError, ssl.SSLError) as exc:
            raise TemporaryFailure(
                f"Cannot connect to {config.host}:{config.port}: {_broken(exc)}",
                connection_lost=True,
            ) from exc
        self._smtp = smtp
        try:
            smtp.ehlo_or_helo_if_needed()
            if config.security is Security.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise TemporaryFailure(
                        f"{config.host} does not offer STARTTLS; choose another security "
                        "setting or another server.",
                        connection_lost=True,
                    )
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.username:
                smtp.login(config.username, config.password)
        except DeliveryFailure:
            self.close()
            raise
        except smtplib.SMTPAuthenticationError as exc:
            self.close()
            raise TemporaryFailure(
                f"The email server refused the username or password: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}",
                connection_lost=True,
            ) from exc
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise TemporaryFailure(
                _reply(exc.smtp_code, exc.smtp_error), connection_lost=True
            ) from exc
        except (OSError, ssl.SSLError, smtplib.SMTPException) as exc:
            self.close()
            raise TemporaryFailure(
                f"{config.host}:{config.port}: {_broken(exc)}", connection_lost=True
            ) from exc

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def send(self, raw: str, to_address: str) -> None:
        """Hand one stored message to the server for ``to_address`` alone."""
        smtp = self._smtp
        if smtp is None:
            raise TemporaryFailure("Not connected to the email server.", connection_lost=True)
        recipient = _check_address(to_address)
        text = with_sender(raw, self.config.from_address) if self.config.from_address else raw
        sender = _check_address(self.config.from_address or stored_sender(text))
        options: tuple[str, ...] = ()
        if text.isascii() and recipient.isascii():
            data = wire_bytes(text)
        elif smtp.has_extn("smtputf8"):
            data = wire_bytes(text, utf8=True)
            options = ("SMTPUTF8", "BODY=8BITMIME")
        else:
            raise PermanentFailure(
                "The email is not plain ASCII and the server does not accept SMTPUTF8."
            )
        try:
            code, text_reply = smtp.mail(sender, options)
            if code != 250:
                self._reset()
                # The sender refused is the office's setting, not this message's fault.
                raise TemporaryFailure(
                    f"Sender {sender} refused: {_reply(code, text_reply)}",
                    connection_lost=code == 421,
                )
            code, text_reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                self._reset()
                raise _refused(code, text_reply, f"Recipient {recipient} refused")
            smtp.putcmd("data")
            code, text_reply = smtp.getreply()
            if code != 354:
                self._reset()
                raise _refused(code, text_reply, "Message refused")
        except DeliveryFailure:
            raise
        except (OSError, smtplib.SMTPException) as exc:
            # Nothing was handed over yet.
            raise TemporaryFailure(_broken(exc), connection_lost=True) from exc
        try:
            smtp.send(data)
            code, text_reply = smtp.getreply()
        except (OSError, smtplib.SMTPException) as exc:
            raise UncertainFailure(
                f"The connection broke while the server was taking the message "
                f"({_broken(exc)}); it may or may not have been delivered.",
                connection_lost=True,
            ) from exc
        if not 200 <= code < 300:
            raise _refused(code, text_reply, "Message refused")

    def _reset(self) -> None:
        assert self._smtp is not None
        with contextlib.suppress(OSError, smtplib.SMTPException):
            self._smtp.rset()


def send_one(config: ServerConfig, raw: str, to_address: str) -> None:
    """Connect, send one message, disconnect (the Email Server dialog's test email)."""
    with SmtpSession(config) as session:
        session.send(raw, to_address)
