"""A real SMTP server on loopback for the delivery tests (aiosmtpd in its own thread): it
keeps what it received, refuses the recipients it is told to, can require STARTTLS or
TLS and a login, can hang up mid-message, and can be stopped and started on its port."""

from __future__ import annotations

import asyncio
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USERNAME = "mtc-sender"
PASSWORD = "s3cret-smtp-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        # As a mail reader would see it: lines end in \n once off the wire.
        parsed = message_from_bytes(self.content.replace(b"\r\n", b"\n"), policy=default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    # Address -> reply, e.g. "550 5.1.1 No such user".
    refuse: dict[str, str] = field(default_factory=dict)
    # Seconds each DATA takes, so that concurrent senders overlap.
    data_delay: float = 0.0
    # Hang up after reading the message, before answering it.
    hang_up_after_data: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        content = envelope.original_content or envelope.content
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(content))
            )
        if self.hang_up_after_data:
            server.transport.abort()
        return "250 2.0.0 Message accepted"


def _authenticate(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USERNAME.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


class MailServer:
    """``start()``/``stop()`` on a fixed port; ``received`` holds every message taken."""

    def __init__(
        self,
        *,
        tls: Path | None = None,
        implicit_tls: bool = False,
        login: bool = False,
    ) -> None:
        self.port = free_port()
        self.handler = Handler()
        self.tls = tls
        self.implicit_tls = implicit_tls
        self.login = login
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def _server_context(self) -> ssl.SSLContext:
        assert self.tls is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.tls / "cert.pem", self.tls / "key.pem")
        return context

    def start(self) -> MailServer:
        kwargs: dict[str, Any] = {}
        if self.tls is not None and self.implicit_tls:
            kwargs["ssl_context"] = self._server_context()
        elif self.tls is not None:
            kwargs["tls_context"] = self._server_context()
            kwargs["require_starttls"] = True
        if self.login:
            kwargs["authenticator"] = _authenticate
            kwargs["auth_required"] = True
        self._controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="localhost",
            **kwargs,
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 and localhost (cert.pem, key.pem)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        import pytest

        pytest.fail("install openssl (apt-get install openssl): the TLS tests make a certificate")
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(folder / "key.pem"),
            "-out",
            str(folder / "cert.pem"),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return folder
