"""The background sender: delivers the outbox while the program runs, off the GUI thread.

A worker thread (started by gui/ops.py's ``start_thread``, the GUI's one worker primitive)
calls :func:`mtc_desktop.services.outbox.deliver_due` every
:data:`INTERVAL_SECONDS`, and at once when nudged — after any commit that queued an email
(``notifications.on_email_queued``) or a *Retry Now*. Before each round it asks whether an
email server is set up; with none, it touches no network. The thread keeps its own database
connection and closes it when it ends; :meth:`BackgroundSender.stop` joins it with a time
limit, so quitting never hangs on a slow server (an email caught mid-send is then left to
the outbox's at-most-once rule).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, SignalInstance

from mtc_desktop.gui import ops
from mtc_desktop.services import notifications

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 30.0
STOP_SECONDS = 5.0

_running: BackgroundSender | None = None


def running_sender() -> BackgroundSender | None:
    """The sender started by the program, if any (the Outbox page follows its rounds)."""
    return _running


class BackgroundSender(QObject):
    """Owns the worker thread. Signals arrive in the GUI thread."""

    # A round that sent, failed or put off at least one email: its DeliveryReport.
    delivered = Signal(object)
    # Why a round could not deliver: the server unreachable, the database busy, a bug.
    failed = Signal(str)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        interval: float = INTERVAL_SECONDS,
        batch: int | None = None,  # emails per server connection; None: outbox.BATCH
    ) -> None:
        super().__init__(parent)
        self.interval = interval
        self.batch = batch
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the worker; it delivers at once, then every ``interval`` seconds."""
        global _running
        if self.running:
            return
        self._stopping.clear()
        self._wake.clear()
        self._unsubscribe = notifications.on_email_queued(self.nudge)
        self._thread = ops.start_thread(self._run, "mtc-email-sender")
        _running = self

    def nudge(self) -> None:
        """Deliver now rather than at the next tick. Cheap, and safe from any thread."""
        self._wake.set()

    def stop(self, timeout: float = STOP_SECONDS) -> bool:
        """Stop the worker and wait for it up to ``timeout`` seconds; True if it ended."""
        global _running
        if _running is self:
            _running = None
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        thread, self._thread = self._thread, None
        if thread is None:
            return True
        self._stopping.set()
        self._wake.set()
        thread.join(timeout)
        if thread.is_alive():
            log.warning("the email sender is still busy with the server; leaving it behind")
            return False
        return True

    # --- the worker thread ----------------------------------------------------------------

    def _run(self) -> None:  # its database connection is closed when it ends (ops)
        while not self._stopping.is_set():
            self._wake.clear()
            self._round()
            self._wake.wait(self.interval)

    def _round(self) -> None:
        try:
            refusal = ops.refusal_of(self._deliver_round)
        except Exception as exc:  # a bug: logged, told, and the next round tries again
            log.exception("the email sender failed")
            self._emit(self.failed, f"The email sender failed: {exc}")
            return
        if refusal is not None:  # the database busy or gone: the next round tries again
            self._emit(self.failed, refusal)

    def _deliver_round(self) -> None:
        # Imported here, in the worker thread: the outbox and the SMTP client behind it
        # (smtplib, ssl, email: 30 ms) would otherwise hold up the program's start.
        from mtc_desktop.services import outbox

        batch = self.batch or outbox.BATCH
        if not outbox.server_configured():
            return
        while not self._stopping.is_set():
            report = outbox.deliver_due(batch)
            if report != outbox.DeliveryReport():
                self._emit(self.delivered, report)
            if report.error:
                self._emit(self.failed, report.error)
                return
            if report.sent + report.retrying + report.failed < batch:
                return

    def _emit(self, signal: SignalInstance, value: object) -> None:
        if self._stopping.is_set():
            return
        try:
            signal.emit(value)
        except RuntimeError:  # the program is closing and the sender is gone
            log.debug("a sender signal after its object was deleted")
