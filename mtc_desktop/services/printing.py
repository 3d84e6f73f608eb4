"""Printing the Client Authorization: from a stored request to the form's view, and PDF.

FAQ: when a third party picks the *Printed form* approval method, it selects *Print Client
Authorization* on the confirmation page; the taxpayer completes and signs the form and it
goes to DOR. Only a pending printed-form request has a form to print, and only the third
party that made the request (or DOR staff) may print it: the form carries the
authorization code.

The GUI calls :func:`authorization_pdf` (off the GUI thread if it likes) and shows the
bytes with ``gui.pdf_preview.PdfPreviewDialog.show_pdf``. The ``mtc-desktop
authorization-pdf`` command uses the system-level helpers, which act for no logon: the
command's user is whoever may open the database file.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterator
from typing import TYPE_CHECKING

from mtc_desktop.domain.errors import InvalidInput, NotAllowed, NotFound, StateConflict
from mtc_desktop.domain.model import ApprovalMethod, RequestStatus, Role, TaxpayerKind
from mtc_desktop.domain.text import username_key
from mtc_desktop.services import audit, requests, settings
from mtc_desktop.services.base import Actor, now, reading, writing
from mtc_desktop.services.requests import RequestView
from mtc_desktop.store.models import AccessRequest, Logon

if TYPE_CHECKING:
    from mtc_desktop.forms.authorization import AuthorizationForm


def form_from_view(view: RequestView) -> AuthorizationForm:
    """The printed form's view of a request (the view must carry the authorization code)."""
    # Here, not at the top: ReportLab loads when a form is made, not when a logon opens
    # its pages.
    from mtc_desktop.forms.authorization import (
        AccountLine,
        AuthorizationForm,
        TaxpayerInfo,
        ThirdPartyInfo,
    )

    if not view.authorization_code:
        raise NotAllowed(
            "Only the third party that made this request, or DOR staff, can print its Client "
            "Authorization: the form carries the authorization code."
        )
    return AuthorizationForm(
        request_number=view.number,
        request_date=view.created_at.date(),
        # The request expires at created_at + expiry days; the last whole day it is open:
        return_by=(view.expires_at - dt.timedelta(microseconds=1)).date(),
        third_party=ThirdPartyInfo(
            name=view.third_party_name,
            masked_id=view.third_party_masked_id,
            username=view.third_party_username,
            email=view.third_party_email,
        ),
        taxpayer=TaxpayerInfo(
            legal_name=view.taxpayer_name,
            masked_id=view.taxpayer_masked_id,
            kind=TaxpayerKind(view.taxpayer_kind),
            address=view.taxpayer_address,
        ),
        lines=tuple(
            AccountLine(
                account_type=line.account.account_type.label,
                account_number=line.account.number,
                requested_level=line.requested_level,
            )
            for line in view.lines
        ),
        authorization_code=requests.format_code(view.authorization_code),
        qr_payload=requests.qr_text(view.number, view.authorization_code),
        audit_hash=audit.latest_hash(),
    )


def _check_printable(view: RequestView) -> None:
    if view.method is not ApprovalMethod.PRINTED_FORM:
        raise InvalidInput(
            f"Request {view.number} is for approval on MassTaxConnect, not on a printed form; "
            "it has no Client Authorization to print.",
            "request",
        )
    if view.status is not RequestStatus.PENDING:
        raise StateConflict(
            f"Request {view.number} is {view.status.label.lower()}; only a pending request's "
            "Client Authorization can be printed."
        )
    if now() >= view.expires_at:
        raise StateConflict(
            f"Request {view.number} passed its expiry date ({view.expires_at:%Y-%m-%d}) "
            "without a decision; the third party must make a new request."
        )


@reading
def authorization_form(actor: Actor, request_id: int) -> AuthorizationForm:
    """The Client Authorization of a pending printed-form request, for the third party
    that made it or for DOR staff."""
    view = requests.get_request(actor, request_id)
    if actor.role is not Role.DOR_STAFF and view.third_party_id != actor.logon_id:
        raise NotAllowed(
            "Only the third party that made this request, or DOR staff, can print its Client "
            "Authorization."
        )
    _check_printable(view)
    return form_from_view(view)


def authorization_pdf(actor: Actor, request_id: int) -> bytes:
    """The Client Authorization PDF of a request (see :func:`authorization_form`).

    Raises ``UnprintableText`` (an ``MtcError``) if a name cannot be printed.
    """
    from mtc_desktop.forms.authorization import render_authorization

    return render_authorization(authorization_form(actor, request_id))


class FormOutput(enum.Enum):
    """What was done with a previewed Client Authorization; each is an audit event."""

    PRINTED = "authorization_printed"
    SAVED = "authorization_saved"


@writing
def record_authorization_output(actor: Actor, request_id: int, output: FormOutput) -> None:
    """Record in the audit trail that the actor printed the request's Client Authorization
    or saved it as a PDF: the form carries the authorization code, so who took a copy of it,
    and when, is on record. Only those who may print the form may record it."""
    request = requests._load(actor, request_id)
    if actor.role is not Role.DOR_STAFF and request.third_party_id != actor.logon_id:
        raise NotAllowed(
            "Only the third party that made this request, or DOR staff, can print its Client "
            "Authorization."
        )
    if request.method != ApprovalMethod.PRINTED_FORM.value:
        raise InvalidInput(
            f"Request {request.number} is for approval on MassTaxConnect; it has no Client "
            "Authorization.",
            "request",
        )
    audit.record(
        actor,
        output.value,
        third_party=request.third_party_id,
        taxpayer=request.taxpayer_id,
        request=request.id,
        number=request.number,
    )


# --- system level: the command line -------------------------------------------------------


@reading
def system_authorization_form(number: str) -> AuthorizationForm:
    """The form of the request numbered ``number``, for the command line."""
    cleaned = number.strip().upper()
    request = AccessRequest.get_or_none(AccessRequest.number == cleaned)
    if request is None:
        raise NotFound(f"There is no request numbered {number.strip()}.")
    # The command acts for no logon, so it reads the request the way a service does.
    view = requests._view(request, with_code=True)
    _check_printable(view)
    return form_from_view(view)


@reading
def pending_printed_form_numbers(third_party_username: str | None = None) -> list[str]:
    """The numbers of the pending printed-form requests not yet expired, oldest first;
    only those of one third party when its username is given."""
    query = AccessRequest.select(AccessRequest.number).where(
        (AccessRequest.status == RequestStatus.PENDING.value)
        & (AccessRequest.method == ApprovalMethod.PRINTED_FORM.value)
    )
    if third_party_username is not None:
        logon = Logon.get_or_none(Logon.username_key == username_key(third_party_username))
        if logon is None or logon.role != Role.THIRD_PARTY.value:
            raise NotFound(f"There is no third party with the username {third_party_username}.")
        query = query.where(AccessRequest.third_party == logon.id)
    cutoff = now() - dt.timedelta(days=settings.expiry_days())
    query = query.where(AccessRequest.created_at > cutoff)
    return [r.number for r in query.order_by(AccessRequest.created_at, AccessRequest.id)]


def iter_pending_forms(
    third_party_username: str | None = None,
) -> Iterator[tuple[str, AuthorizationForm]]:
    """Each pending printed-form request's number and form, for a batch."""
    for number in pending_printed_form_numbers(third_party_username):
        yield number, system_authorization_form(number)
