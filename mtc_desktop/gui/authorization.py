"""*Print Client Authorization*: the one way every screen opens a request's form."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from mtc_desktop.gui import ops
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.services import printing
from mtc_desktop.services.base import Actor
from mtc_desktop.services.requests import RequestView


def print_client_authorization(parent: QWidget, actor: Actor, request: RequestView) -> bool:
    """Preview the request's Client Authorization, with *Save as PDF…* and *Print…*.

    Returns False, after telling the user why, when the form cannot be made (the request
    is no longer pending, or a name cannot be printed).
    """
    pdf = ops.call(parent, printing.authorization_pdf, actor, request.id)
    if pdf is None:
        return False
    PdfPreviewDialog.show_pdf(
        parent,
        pdf,
        f"Client Authorization — request {request.number}",
        f"client-authorization-{request.number}.pdf",
        # Who printed or saved a form carrying the authorization code is on record.
        record_output=lambda output: printing.record_authorization_output(
            actor, request.id, output
        ),
    )
    return True
