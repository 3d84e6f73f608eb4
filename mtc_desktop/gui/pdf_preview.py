"""Previewing a PDF inside the program (QtPdf), with *Save as PDF…* and *Print…*.

One entry point: ``PdfPreviewDialog.show_pdf(parent, pdf_bytes, title, suggested_filename)``.
For a Client Authorization::

    pdf = printing.authorization_pdf(actor, request_id)   # may raise MtcError
    PdfPreviewDialog.show_pdf(self, pdf, f"Client Authorization {number}", f"{number}.pdf")

Printing renders each page with ``QPdfDocument.render`` at the printer's resolution and
paints it at the page's true size on a full-page printer, in horizontal bands, so a
1200 dpi printer needs tens of megabytes, not half a gigabyte per page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPoint, QRect, QSize, QSizeF
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QShowEvent
from PySide6.QtPdf import QPdfDocument, QPdfDocumentRenderOptions
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.gui import dialogs, ops
from mtc_desktop.gui.busy import writes
from mtc_desktop.services.printing import FormOutput
from mtc_desktop.store.files import write_private

log = logging.getLogger(__name__)

POINTS_PER_INCH = 72.0
DEFAULT_SIZE = QSize(760, 900)  # a letter page across, most of one down
MINIMUM_SIZE = QSize(480, 360)
FRAME_ALLOWANCE = QSize(16, 48)  # the system's title bar and frame around the window
BAND_PIXELS = 1024  # rows of printer pixels rendered at a time


class PdfPreviewDialog(QDialog):
    """A PDF shown page after page, fitted to the window's width."""

    def __init__(
        self,
        parent: QWidget | None,
        pdf_bytes: bytes,
        title: str,
        suggested_filename: str,
        *,
        record_output: Callable[[FormOutput], object] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdfPreviewDialog")
        self.setWindowTitle(title)
        self.pdf_bytes = bytes(pdf_bytes)
        self.suggested_filename = suggested_filename
        self.saved_to: Path | None = None
        # Told once the PDF was saved or printed (a Client Authorization's audit event).
        self._record_output = record_output

        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(self.pdf_bytes))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setObjectName("pdfView")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        pages = self.document.pageCount()
        self.pages_label = QLabel(f"{pages} page{'s' if pages != 1 else ''}", self)
        self.pages_label.setObjectName("pagesLabel")
        self.save_button = QPushButton("Save as PDF…", self)
        self.print_button = QPushButton("Print…", self)
        self.close_button = QPushButton("Close", self)
        self.save_button.clicked.connect(self.save_as)
        self.print_button.clicked.connect(self.print_document)
        self.close_button.clicked.connect(self.accept)
        self.close_button.setDefault(True)
        # What a screen reader says of each control: the page view by the document and the
        # page in view (kept in step as it scrolls), the buttons by their text.
        self._title = title
        for button in (self.save_button, self.print_button, self.close_button):
            button.setAccessibleName(button.text())
        self.pages_label.setAccessibleName(self.pages_label.text())
        self.view.setAccessibleDescription(
            "Scroll with the arrow keys, Page Up and Page Down; Tab goes on to the buttons."
        )
        self.view.verticalScrollBar().setAccessibleName("Scroll the pages")
        self.view.horizontalScrollBar().setAccessibleName("Scroll across the page")
        self.view.pageNavigator().currentPageChanged.connect(self._name_view)
        self._name_view()

        buttons = QHBoxLayout()
        buttons.addWidget(self.pages_label)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self._fit_to_screen()

        if self.document.status() is not QPdfDocument.Status.Ready:
            self.save_button.setEnabled(False)
            self.print_button.setEnabled(False)
            self.pages_label.setText("This PDF cannot be shown.")
            self.pages_label.setAccessibleName(self.pages_label.text())
            self._name_view()
            log.error("QtPdf could not load a PDF: %s", self.document.error())

    def _name_view(self) -> None:
        """The page view's accessible name: the document and which page is in view."""
        count = self.document.pageCount()
        if self.document.status() is not QPdfDocument.Status.Ready or count == 0:
            self.view.setAccessibleName(f"{self._title} preview, cannot be shown")
            return
        page = min(max(self.view.pageNavigator().currentPage(), 0), count - 1) + 1
        self.view.setAccessibleName(f"{self._title} preview, page {page} of {count}")

    def _fit_to_screen(self) -> None:
        """A letter page's width at a readable size, but never taller or wider than the
        screen's free area (a 1366×768 laptop): the buttons below always show. The window
        stays resizable; the page view scrolls."""
        parent = self.parentWidget()
        screen = (parent.screen() if parent is not None else None) or self.screen()
        free = screen.availableGeometry()
        # Room for the window's title bar and frame, which the system adds around it.
        width = min(DEFAULT_SIZE.width(), free.width() - FRAME_ALLOWANCE.width())
        height = min(DEFAULT_SIZE.height(), free.height() - FRAME_ALLOWANCE.height())
        self.setMinimumSize(min(MINIMUM_SIZE.width(), width), min(MINIMUM_SIZE.height(), height))
        self.resize(width, height)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Wholly on the screen's free area, wherever Qt placed it over its parent.
        free = self.screen().availableGeometry()
        frame = self.frameGeometry()
        x = min(max(frame.x(), free.x()), free.right() - frame.width() + 1)
        y = min(max(frame.y(), free.y()), free.bottom() - frame.height() + 1)
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    @classmethod
    def show_pdf(
        cls,
        parent: QWidget | None,
        pdf_bytes: bytes,
        title: str,
        suggested_filename: str,
        *,
        record_output: Callable[[FormOutput], object] | None = None,
    ) -> None:
        """Show ``pdf_bytes`` in a modal preview until the user closes it; when the PDF is
        saved or printed, ``record_output`` is told which (it may raise ``MtcError``)."""
        dialog = cls(parent, pdf_bytes, title, suggested_filename, record_output=record_output)
        dialog.exec()
        dialog.deleteLater()

    def _recorded(self, output: FormOutput) -> None:
        if self._record_output is None:
            return
        try:
            self._record_output(output)
        except Exception as exc:  # the file is written or printed all the same
            dialogs.show_error(self, exc)

    # --- Save as PDF… ----------------------------------------------------------------

    @writes
    def save_as(self) -> Path | None:
        start = str(Path.home() / self.suggested_filename)
        name, _ = QFileDialog.getSaveFileName(self, "Save as PDF", start, "PDF documents (*.pdf)")
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        if not ops.attempt(
            self,
            write_private,
            path,
            self.pdf_bytes,
            refused=lambda exc: dialogs.warn(
                self, "Cannot save", f"The PDF could not be saved to {path}.", exc.message
            ),
        ):
            return None
        self.saved_to = path
        self._recorded(FormOutput.SAVED)
        return path

    # --- Print… ----------------------------------------------------------------------

    @writes
    def print_document(self) -> bool:
        """Ask for a printer with the system print dialog, then print every page."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        first = self.document.pagePointSize(0)
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QSizeF(first.width(), first.height()), QPageSize.Unit.Point),
                QPageLayout.Orientation.Portrait,
                QMarginsF(0, 0, 0, 0),
            )
        )
        printer.setFullPage(True)  # page coordinates start at the paper's corner
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Print")
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        printed = self.print_to(printer)
        if printed:
            self._recorded(FormOutput.PRINTED)
        return printed

    def print_to(self, printer: QPrinter) -> bool:
        """Print every page (or the range chosen in the print dialog) at its true size."""
        count = self.document.pageCount()
        first, last = 0, count - 1
        if printer.printRange() is QPrinter.PrintRange.PageRange and printer.fromPage():
            first = max(0, printer.fromPage() - 1)
            last = min(count - 1, (printer.toPage() or count) - 1)
        printer.setFullPage(True)
        dpi = printer.resolution()
        painter = QPainter()
        if not painter.begin(printer):
            dialogs.warn(self, "Cannot print", "The printer could not be opened.")
            return False
        try:
            for index in range(first, last + 1):
                if index > first and not printer.newPage():
                    dialogs.warn(self, "Cannot print", "The printer stopped taking pages.")
                    return False
                self._paint_page(painter, index, dpi)
        finally:
            painter.end()
        return True

    def _paint_page(self, painter: QPainter, index: int, dpi: int) -> None:
        points = self.document.pagePointSize(index)
        width = round(points.width() / POINTS_PER_INCH * dpi)
        height = round(points.height() / POINTS_PER_INCH * dpi)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(QSize(width, height))
        # Form fields as filled in; printing the page as the taxpayer sees it.
        options.setRenderFlags(QPdfDocumentRenderOptions.RenderFlag.Annotations)
        for top in range(0, height, BAND_PIXELS):
            band = min(BAND_PIXELS, height - top)
            options.setScaledClipRect(QRect(0, top, width, band))
            image = self.document.render(index, QSize(width, band), options)
            painter.drawImage(QPoint(0, top), image)
