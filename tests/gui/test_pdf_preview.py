"""The PDF preview: it shows the pages, saves the bytes, prints at true size; and every page
of the demo's Client Authorization forms renders, with a QR code that scans."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QLabel, QScrollBar, QWidget

from mtc_desktop.forms.authorization import render_authorization
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from mtc_desktop.services import printing, requests
from mtc_desktop.store import database
from tests.forms.conftest import build_form


@pytest.fixture
def demo_forms(demo_db: Path) -> list[tuple[str, bytes, str]]:
    """(number, PDF, QR payload) of each pending printed-form request of the demo."""
    database.open_database(demo_db)
    try:
        forms = [
            (number, render_authorization(form), form.qr_payload)
            for number, form in printing.iter_pending_forms()
        ]
    finally:
        database.close_database()
    return forms


@pytest.fixture
def dialog(qtbot) -> Iterator[PdfPreviewDialog]:
    pdf = render_authorization(build_form(accounts=40))
    preview = PdfPreviewDialog(None, pdf, "Client Authorization R2026-000042", "R2026-000042.pdf")
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitExposed(preview)
    yield preview
    preview.close()


def _load(pdf: bytes) -> tuple[QPdfDocument, QBuffer]:
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    assert document.status() is QPdfDocument.Status.Ready
    return document, buffer


def _on_paper(image: QImage) -> Image.Image:
    """The rendered page (transparent where nothing is drawn) on white paper, in grey."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    page = Image.open(io.BytesIO(bytes(buffer.data().data()))).convert("RGBA")
    paper = Image.new("RGBA", page.size, "white")
    return Image.alpha_composite(paper, page).convert("L")


def test_it_opens_showing_the_pages(dialog: PdfPreviewDialog) -> None:
    assert dialog.windowTitle() == "Client Authorization R2026-000042"
    assert dialog.document.pageCount() == 3
    assert dialog.pages_label.text() == "3 pages"
    assert dialog.view.document() is dialog.document
    assert dialog.save_button.text() == "Save as PDF…"
    assert dialog.print_button.text() == "Print…"
    assert dialog.save_button.isEnabled()


def test_save_as_pdf_writes_the_bytes(
    dialog: PdfPreviewDialog, qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    asked: list[str] = []

    def choose(parent, caption, start, filters):
        asked.append(start)
        return str(tmp_path / "client-authorization"), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    saved = tmp_path / "client-authorization.pdf"
    assert saved.read_bytes() == dialog.pdf_bytes
    assert dialog.saved_to == saved
    assert asked[0].endswith("R2026-000042.pdf")


def test_save_cancelled_writes_nothing(
    dialog: PdfPreviewDialog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a: ("", "")))
    assert dialog.save_as() is None
    assert list(tmp_path.iterdir()) == []


def test_print_to_a_pdf_file_printer_at_true_size(
    dialog: PdfPreviewDialog, qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = tmp_path / "printed.pdf"

    def accept(print_dialog: QPrintDialog) -> int:
        printer = print_dialog.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        printer.setResolution(150)  # a fast printer for the test; the code asks it
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    assert dialog.print_document() is True
    pages = PdfReader(out).pages
    assert len(pages) == 3
    for page in pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(
            (612, 792), abs=1
        )


def test_print_cancelled_prints_nothing(
    dialog: PdfPreviewDialog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(QPrintDialog, "exec", lambda self: QDialog.DialogCode.Rejected.value)
    assert dialog.print_document() is False


def test_a_broken_pdf_disables_save_and_print(qtbot) -> None:
    preview = PdfPreviewDialog(None, b"not a pdf", "Broken", "broken.pdf")
    qtbot.addWidget(preview)
    assert not preview.save_button.isEnabled()
    assert not preview.print_button.isEnabled()
    assert preview.pages_label.text() == "This PDF cannot be shown."


def test_every_page_of_the_demo_forms_renders_and_its_qr_scans(
    demo_forms: list[tuple[str, bytes, str]],
) -> None:
    assert len(demo_forms) == 4
    for number, pdf, payload in demo_forms:
        document, _buffer = _load(pdf)
        for index in range(document.pageCount()):
            points = document.pagePointSize(index)
            size = QSize(round(points.width() * 200 / 72), round(points.height() * 200 / 72))
            image = document.render(index, size)
            assert not image.isNull()
            assert image.size() == size
            picture = _on_paper(image)
            ink = sum(picture.histogram()[:128]) / (picture.width * picture.height)
            assert 0.02 < ink < 0.5, "the page has text and rules on white paper"
            found = [b.text for b in zxingcpp.read_barcodes(picture)]
            assert found == [payload], f"page {index + 1} of {number}"
            assert requests.parse_reference(found[0])[0] == number
        document.close()


def test_the_forty_account_form_renders_every_page() -> None:
    document, _buffer = _load(render_authorization(build_form(accounts=40)))
    assert document.pageCount() == 3
    for index in range(document.pageCount()):
        image = document.render(index, QSize(612, 792))
        assert not image.isNull()
    document.close()


def _fits(dialog: PdfPreviewDialog) -> list[str]:
    """What does not fit: the window on the screen's free area, a button in the window."""
    wrong = []
    if not dialog.screen().availableGeometry().contains(dialog.frameGeometry()):
        wrong.append(f"window {dialog.frameGeometry()} off {dialog.screen().availableGeometry()}")
    for button in (dialog.save_button, dialog.print_button, dialog.close_button):
        where = QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())
        if not button.isVisible() or not dialog.rect().contains(where):
            wrong.append(f"{button.text()} at {where} outside {dialog.rect()}")
    return wrong


def test_the_preview_fits_the_screen_with_its_buttons_showing(dialog: PdfPreviewDialog) -> None:
    assert _fits(dialog) == []
    assert dialog.maximumSize().height() > dialog.height(), "the window can be resized"


FITS_1366_X_768 = """
import json, sys
from PySide6.QtWidgets import QApplication, QMainWindow
from mtc_desktop.forms.authorization import render_authorization
from mtc_desktop.gui.pdf_preview import PdfPreviewDialog
from tests.forms.conftest import build_form
from tests.gui.test_pdf_preview import _fits

app = QApplication([])
main = QMainWindow()
main.resize(1100, 740)
main.show()
dialog = PdfPreviewDialog(main, render_authorization(build_form()), "Client Authorization", "x.pdf")
dialog.show()
app.processEvents()
print(json.dumps({
    "free": dialog.screen().availableGeometry().getRect(),
    "size": [dialog.width(), dialog.height()],
    "wrong": _fits(dialog),
}))
dialog.close()
main.close()
"""


def test_on_a_1366_by_768_screen_the_preview_and_its_buttons_fit(tmp_path: Path) -> None:
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps({"screens": [{"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768}]})
    )
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}"}
    done = subprocess.run(
        [sys.executable, "-c", FITS_1366_X_768],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["free"] == [0, 0, 1366, 768]
    assert seen["wrong"] == []
    assert seen["size"][1] <= 768 - 48, "room for the title bar"
    assert seen["size"][0] >= 700, "a page across at a readable size"


def test_the_page_view_and_every_control_have_names(qtbot, dialog: PdfPreviewDialog) -> None:
    """A screen reader hears which document and which page is in view, kept in step as the
    pages scroll, and a name for every control of the preview."""
    QApplication.processEvents()

    def name(widget: QWidget) -> str:
        iface = QAccessible.queryAccessibleInterface(widget)
        assert iface is not None
        return iface.text(QAccessible.Text.Name)

    assert name(dialog.view) == "Client Authorization R2026-000042 preview, page 1 of 3"
    dialog.view.pageNavigator().jump(2, QPointF())
    qtbot.waitUntil(lambda: "page 3 of 3" in name(dialog.view))
    bar = dialog.view.verticalScrollBar()
    bar.setValue(bar.minimum())
    qtbot.waitUntil(lambda: "page 1 of 3" in name(dialog.view))
    unnamed = [
        f"{type(w).__name__} {w.objectName()!r}"
        for w in dialog.findChildren(QWidget)
        if w.isVisible()
        and (w.focusPolicy() & Qt.FocusPolicy.TabFocus or isinstance(w, (QLabel, QScrollBar)))
        and not name(w).strip()
    ]
    assert unnamed == []
    assert [name(b) for b in (dialog.save_button, dialog.print_button, dialog.close_button)] == [
        "Save as PDF…",
        "Print…",
        "Close",
    ]
