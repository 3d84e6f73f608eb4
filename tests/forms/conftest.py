"""Fixtures for the printed-form tests: printed-form requests made through the services,
forms built directly, and a canvas that records every string it draws."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from mtc_desktop.domain.ids import IdType
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import AccountType, ApprovalMethod, TaxpayerKind
from mtc_desktop.forms.authorization import (
    AccountLine,
    AuthorizationCanvas,
    AuthorizationForm,
    TaxpayerInfo,
    ThirdPartyInfo,
)
from mtc_desktop.services import requests
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import RequestDraft, RequestView
from mtc_desktop.store.models import Taxpayer
from tests.conftest import World

ACCOUNT_TYPES = tuple(AccountType)
LEVELS = tuple(AccessLevel)


@dataclass
class Made:
    """A printed-form request and who is in it."""

    third_party: Actor
    taxpayer: Taxpayer
    view: RequestView


MakeRequest = Callable[..., Made]


@pytest.fixture
def make_request(world: World) -> MakeRequest:
    """A pending request made by a third party through ``requests.request_access``."""

    def make(
        name: str = "Élodie Durand-Lefèvre",
        accounts: int = 2,
        id_type: IdType = IdType.SSN,
        method: ApprovalMethod = ApprovalMethod.PRINTED_FORM,
        third_party: Actor | None = None,
    ) -> Made:
        types = tuple(ACCOUNT_TYPES[i % len(ACCOUNT_TYPES)] for i in range(accounts))
        taxpayer = world.taxpayer(name, types, id_type=id_type)
        if method is ApprovalMethod.MASSTAXCONNECT:
            world.taxpayer_logon(f"tp{taxpayer.id}", taxpayer)
        tp = third_party or world.third_party(f"firm{taxpayer.id}", "Smith & Daughters CPA")
        lines = tuple(
            (account.id, LEVELS[i % len(LEVELS)])
            for i, account in enumerate(world.accounts(taxpayer))
        )
        view = requests.request_access(
            tp,
            RequestDraft(
                id_type=id_type,
                id_number=taxpayer.id_number,
                legal_name=name,
                lines=lines,
                method=method,
            ),
        )
        return Made(tp, taxpayer, view)

    return make


def build_form(
    *,
    taxpayer_name: str = "Maria Santos",
    third_party_name: str = "Smith & Daughters CPA",
    accounts: int = 3,
    kind: TaxpayerKind = TaxpayerKind.INDIVIDUAL,
) -> AuthorizationForm:
    """A form built directly, without a database."""
    return AuthorizationForm(
        request_number="R2026-000042",
        request_date=dt.date(2026, 3, 2),
        return_by=dt.date(2026, 4, 16),
        third_party=ThirdPartyInfo(
            third_party_name, "**-***0194", "smithcpa", "office@smithcpa.example"
        ),
        taxpayer=TaxpayerInfo(taxpayer_name, "***-**-4410", kind),
        lines=tuple(
            AccountLine(
                ACCOUNT_TYPES[i % len(ACCOUNT_TYPES)].label,
                f"PIT-{i + 1:08d}",
                LEVELS[i % len(LEVELS)],
            )
            for i in range(accounts)
        ),
        authorization_code="ABCDE-FGHJK",
        qr_payload="MTC-AUTH|R2026-000042|ABCDEFGHJK",
    )


@dataclass(frozen=True)
class Drawn:
    """One string as drawn: its page and its box in points (x0, y0, x1, y1)."""

    page: int
    text: str
    font: str
    size: float
    box: tuple[float, float, float, float]


class RecordingCanvas(AuthorizationCanvas):
    """The renderer's own canvas, noting every drawString with the box its glyphs fill."""

    drawn: list[Drawn]

    def __init__(self, buffer: io.BytesIO, *, total_pages: int, footer: str) -> None:
        super().__init__(buffer, total_pages=total_pages, footer=footer)
        self.drawn = []
        RecordingCanvas.last = self

    def drawString(self, x: float, y: float, text: str, *args: object, **kwargs: object) -> None:
        font, size = self._fontname, self._fontsize
        ascent, descent = pdfmetrics.getAscentDescent(font, size)
        width = pdfmetrics.stringWidth(text, font, size)
        box = (x, y + descent, x + width, y + ascent)
        self.drawn.append(Drawn(self.getPageNumber(), text, font, size, box))
        super().drawString(x, y, text, *args, **kwargs)

    last: RecordingCanvas


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def overlaps(a: Sequence[float], b: Sequence[float], eps: float = 0.01) -> bool:
    return min(a[2], b[2]) - max(a[0], b[0]) > eps and min(a[3], b[3]) - max(a[1], b[1]) > eps
