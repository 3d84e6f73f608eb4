"""Filling in a rendered Client Authorization as a taxpayer's PDF viewer would, and
making the broken files DOR staff are sent instead."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject
from reportlab.pdfgen.canvas import Canvas


def fill(pdf: bytes, values: Mapping[str, str], *, incremental: bool = False) -> bytes:
    """``pdf`` with its fields set to ``values`` (check boxes "/Yes", radios "/pay", text),
    saved whole or, as most viewers save, as an incremental update appended to it."""
    if incremental:
        writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    else:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.set_need_appearances_writer(True)
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def set_raw(pdf: bytes, values: Mapping[str, str | None]) -> bytes:
    """``pdf`` with the /V of each named field written as is, whatever the field's kind
    allows: what a careless or hostile program could save. A value starting with "/" is
    written as a name, any other as text; None removes the field."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    acro = writer._root_object["/AcroForm"].get_object()
    kept = []
    for ref in acro["/Fields"]:
        field = ref.get_object()
        name = field.get("/T")
        if name in values:
            value = values[name]
            if value is None:
                for page in writer.pages:
                    annots = page.get("/Annots")
                    if annots is not None:
                        annots = annots.get_object()
                        for i in reversed(range(len(annots))):
                            if annots[i].get_object() is field:
                                del annots[i]
                continue
            field[NameObject("/V")] = (
                NameObject(value) if value.startswith("/") else TextStringObject(value)
            )
        kept.append(ref)
    acro["/Fields"].clear()
    acro["/Fields"].extend(kept)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypt(pdf: bytes, user_password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bare_page(text: str = "Client Authorization (scanned)") -> bytes:
    """A PDF with a page of text and no form fields: a scan, or a printout saved as PDF."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 720, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def other_form() -> bytes:
    """A fillable PDF that is not a Client Authorization."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.drawString(72, 740, "Change of address")
    canvas.acroForm.textfield(name="street", x=72, y=700, width=200, height=20)
    canvas.acroForm.checkbox(name="moved", x=72, y=660)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def docx() -> bytes:
    """A minimal Word document (a zip), as a file renamed to .pdf would hold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8"
    b"N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def truncated(pdf: bytes) -> bytes:
    """The first two thirds: a download or copy cut off."""
    return pdf[: len(pdf) * 2 // 3]


def damaged(pdf: bytes) -> bytes:
    """Whole, with its start and end, but the objects in its middle overwritten."""
    start, end = len(pdf) // 10, len(pdf) * 9 // 10
    return pdf[:start] + b"\x00" * (end - start) + pdf[end:]


def damaged_object_streams(pdf: bytes) -> bytes:
    """Whole, but the data of each compressed object stream (PDF 1.5), where a printed form
    keeps its field dictionaries, overwritten."""
    out = bytearray(pdf)
    for found in re.finditer(rb"/Type\s*/ObjStm[^>]*>>\s*stream\r?\n", pdf):
        start = found.end()
        end = pdf.index(b"endstream", start)
        out[start:end] = bytes(end - start)
    assert out != pdf, "the PDF has no object streams"
    return bytes(out)
