"""One way to run a use case from the GUI (in the spirit of Anki's ``CollectionOp``).

An :class:`Op` calls a service, on the GUI thread (:meth:`Op.run`) or off it
(:meth:`Op.run_in_background`, or :meth:`Op.wait` for a caller that needs the answer before
it goes on, with a busy indicator meanwhile), and then:

- on success hands the result to ``success`` and rereads what changed (``refresh``);
- on a refusal (an :class:`MtcError`: the user's input, a state that changed, the database)
  shows its message beside the field (``refused``) or, without one, in a dialog, and
  rereads the page once, since what the user saw may have changed under them — a reread
  that is refused again is shown but does not start another;
- on anything else (a bug) shows the bug dialog (:func:`dialogs.show_error`), and the
  window stays up.

An op marked ``writes()`` is the double-press guard (gui/busy.py): while it runs, another
write of the same window is ignored and its button is disabled — for a background op, until
its result has arrived.

Background work runs on a named daemon thread (:func:`start_thread`), the one worker
primitive of the GUI: a thread the program can leave behind when it quits (an email server
that does not answer), which a ``QThreadPool`` would wait for. Results come back on the GUI
thread through a queued Qt signal; the worker closes its own database connection.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from mtc_desktop.domain.errors import MtcError
from mtc_desktop.gui import busy, dialogs

log = logging.getLogger(__name__)

R = TypeVar("R")

_REREADING = "mtcRereading"  # a dynamic property of a widget whose reread after a refusal runs


class _Relay(QObject):
    """Lives on the GUI thread; a worker emits ``finished`` and the slot runs there."""

    finished = Signal(object, object)  # (result, exception or None)

    def __init__(self, deliver: Callable[[Any, BaseException | None], None]) -> None:
        from PySide6.QtCore import Qt  # here: Qt's namespace costs start-up about 20 ms

        super().__init__()
        self._deliver = deliver
        self.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _on_finished(self, result: object, error: BaseException | None) -> None:
        try:
            self._deliver(result, error)
        finally:
            self.deleteLater()


_alive: set[_Relay] = set()  # relays waiting for their worker (kept from the collector)


def start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    """Start ``target`` on a daemon thread named ``name`` that closes its database
    connection when it ends. Every thread the GUI starts comes from here."""
    from mtc_desktop.services.base import release_thread_connection

    def run() -> None:
        try:
            target()
        finally:
            release_thread_connection()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def outcome(fn: Callable[..., R], *args: Any, **kwargs: Any) -> tuple[R | None, MtcError | None]:
    """Call ``fn`` where the caller itself decides what a refusal leads to (start-up, a
    loop that asks again, a worker's round): ``(result, None)`` or ``(None, refusal)``.
    A bug is raised."""
    try:
        return fn(*args, **kwargs), None
    except MtcError as exc:
        return None, exc


def refusal_of(work: Callable[[], object]) -> str | None:
    """Run ``work`` where no one can be asked (a worker's loop): the refusal's message, or
    None when it succeeded. A bug is raised."""
    _result, refusal = outcome(work)
    return None if refusal is None else refusal.message


def off_thread(
    work: Callable[[], R],
    done: Callable[[R | None, BaseException | None], None],
    *,
    name: str = "mtc-op",
) -> threading.Thread:
    """Run ``work`` on a worker thread; ``done(result, exception)`` is called on the GUI
    thread when it ends (exactly one of them is set, unless ``work`` returned None)."""
    relay: _Relay

    def deliver(result: Any, error: BaseException | None) -> None:
        _alive.discard(relay)
        done(result, error)

    relay = _Relay(deliver)
    _alive.add(relay)

    def run() -> None:
        try:
            result = work()
        except BaseException as exc:  # handed to the GUI thread, which decides
            relay.finished.emit(None, exc)
        else:
            relay.finished.emit(result, None)

    return start_thread(run, name)


class Steps(QObject):
    """The progress of a long op (a batch), reported from its worker thread with
    :meth:`step` and shown on the GUI thread by :meth:`Op.wait`; :meth:`stopped` tells the
    worker that the user pressed Stop."""

    moved = Signal(int)  # steps done
    said = Signal(str)  # what is being done

    def __init__(self, total: int) -> None:
        super().__init__()
        self.total = total
        self._stop = threading.Event()

    def step(self, done: int, text: str = "") -> None:
        """From any thread: ``done`` steps of ``total`` are done (``text``: the next)."""
        if text:
            self.said.emit(text)
        self.moved.emit(done)

    def stop(self) -> None:
        self._stop.set()

    def stopped(self) -> bool:
        return self._stop.is_set()


class Op(Generic[R]):
    """A use case run from the GUI: ``Op(page, lambda: service(...)).success(...).run()``."""

    def __init__(self, parent: QWidget | None, work: Callable[[], R]) -> None:
        self.parent = parent
        self.work = work
        self._success: Callable[[R], object] | None = None
        self._refused: Callable[[MtcError], object] | None = None
        self._failed: Callable[[BaseException], object] | None = None
        self._refresh: Callable[[], object] | None = None
        self._ended: Callable[[], object] | None = None
        self._refresh_on_success = True
        self._writes = False
        self._button: QAbstractButton | None = None

    # --- what happens afterwards -----------------------------------------------------------

    def success(self, callback: Callable[[R], object]) -> Op[R]:
        """Called with the service's result on the GUI thread."""
        self._success = callback
        return self

    def refused(self, callback: Callable[[MtcError], object]) -> Op[R]:
        """A refusal goes here (e.g. a message beside the field) instead of a dialog."""
        self._refused = callback
        return self

    def failed(self, callback: Callable[[BaseException], object]) -> Op[R]:
        """Also called after the bug dialog for an unexpected error (e.g. to put a
        button back); the dialog is shown regardless."""
        self._failed = callback
        return self

    def ended(self, callback: Callable[[], object]) -> Op[R]:
        """Called first when the op ends, whatever the outcome (e.g. to stop a progress
        bar before the result or the refusal is shown)."""
        self._ended = callback
        return self

    def refresh(self, callback: Callable[[], object], *, on_success: bool = True) -> Op[R]:
        """Reread what changed: after success (unless ``on_success`` is False) and, once,
        after a refusal."""
        self._refresh = callback
        self._refresh_on_success = on_success
        return self

    def writes(self, button: QAbstractButton | None = None) -> Op[R]:
        """The op changes data: a second activation while it runs is ignored."""
        self._writes = True
        self._button = button
        return self

    # --- running -------------------------------------------------------------------------

    def run(self) -> R | None:
        """Run on the GUI thread; the result, or None when refused, failed or ignored."""
        if self._writes and self.parent is not None:
            return busy.run_write(self.parent, self._run_here, self._button)
        return self._run_here()

    def run_in_background(self, name: str = "mtc-op") -> bool:
        """Run off the GUI thread (the busy cursor shows meanwhile); the callbacks run on
        the GUI thread when it ends. False if it was ignored (a write was running)."""
        release = self._hold()
        if release is None:
            return False
        from PySide6.QtCore import Qt

        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)

        def done(result: R | None, error: BaseException | None) -> None:
            QApplication.restoreOverrideCursor()
            release()
            if self.parent is None or shiboken6.isValid(self.parent):
                self._finish(result, error)

        off_thread(self.work, done, name=name)
        return True

    def wait(
        self,
        busy_text: str,
        title: str = "",
        name: str = "mtc-op",
        *,
        steps: Steps | None = None,
    ) -> R | None:
        """Run off the GUI thread and wait for it, the window kept painted and a busy
        indicator shown; the result (None when refused, failed or ignored). With
        ``steps`` (which the work reports to), a progress bar of ``steps.total`` steps
        with a Stop button that asks the work to stop."""
        release = self._hold()
        if release is None:
            return None
        # Here, not at the top: the login window imports this module before its first
        # paint, and PySide6 makes each class (with its enums) when first touched.
        from PySide6.QtCore import QEventLoop
        from PySide6.QtWidgets import QProgressDialog

        progress = QProgressDialog(busy_text, "", 0, steps.total if steps else 0, self.parent)
        progress.setWindowTitle(
            title or (self.parent.window().windowTitle() if self.parent else "")
        )
        if steps is None:
            progress.setCancelButton(None)
        else:
            progress.setCancelButtonText("Stop")
            progress.setAutoClose(False)
            progress.setAutoReset(False)
            progress.setValue(0)
            progress.canceled.connect(steps.stop)
            steps.moved.connect(progress.setValue)
            steps.said.connect(progress.setLabelText)
        progress.setMinimumDuration(300)
        from PySide6.QtCore import Qt

        progress.setWindowModality(Qt.WindowModality.WindowModal)
        loop = QEventLoop()
        outcome: list[tuple[R | None, BaseException | None]] = []

        def done(result: R | None, error: BaseException | None) -> None:
            outcome.append((result, error))
            loop.quit()

        try:
            off_thread(self.work, done, name=name)
            if not outcome:
                loop.exec()
        finally:
            progress.reset()
            progress.close()  # reset() alone leaves a dialog with steps open
            progress.deleteLater()
            release()
        result, error = outcome[0]
        return self._finish(result, error)

    # --- inside -----------------------------------------------------------------------------

    def _hold(self) -> Callable[[], None] | None:
        """For a write: mark the window busy and disable the button until released; None
        if another write of the window runs (this activation is ignored)."""
        if not self._writes or self.parent is None:
            return lambda: None
        window = self.parent.window()
        button = self._button
        if busy.is_writing(window) or (button is not None and not button.isVisible()):
            return None
        window.setProperty(busy.BUSY_PROPERTY, True)
        disable = button is not None and button.isEnabled()
        if disable:
            assert button is not None
            button.setEnabled(False)

        def release() -> None:
            if shiboken6.isValid(window):
                window.setProperty(busy.BUSY_PROPERTY, False)
            if disable and button is not None and shiboken6.isValid(button):
                button.setEnabled(True)

        return release

    def _run_here(self) -> R | None:
        try:
            result = self.work()
        except Exception as exc:
            return self._finish(None, exc)
        return self._finish(result, None)

    def _finish(self, result: R | None, error: BaseException | None) -> R | None:
        if self._ended is not None:
            self._ended()
        if error is None:
            if self._success is not None:
                self._success(result)  # type: ignore[arg-type]
            if self._refresh is not None and self._refresh_on_success:
                self._refresh()
            return result
        if isinstance(error, MtcError):
            if self._refused is not None:
                self._refused(error)
            else:
                dialogs.show_error(self.parent, error)
            self._reread()
            return None
        if not isinstance(error, Exception):  # KeyboardInterrupt, SystemExit: not ours
            raise error
        dialogs.show_error(self.parent, error)  # a bug: logged and shown
        if self._failed is not None:
            self._failed(error)
        return None

    def _reread(self) -> None:
        """After a refusal, reread once: a reread refused again does not start another."""
        if self._refresh is None or self.parent is None or not shiboken6.isValid(self.parent):
            return
        if self.parent.property(_REREADING):
            return
        self.parent.setProperty(_REREADING, True)
        try:
            self._refresh()
        finally:
            if shiboken6.isValid(self.parent):
                self.parent.setProperty(_REREADING, False)


def call(
    parent: QWidget | None,
    fn: Callable[..., R],
    *args: Any,
    refresh: Callable[[], object] | None = None,
    refused: Callable[[MtcError], object] | None = None,
    **kwargs: Any,
) -> R | None:
    """Call a service on the GUI thread through an :class:`Op`: the result, or None after
    the refusal or error has been shown (and, given ``refresh``, the page reread once)."""
    op = Op(parent, lambda: fn(*args, **kwargs))
    if refresh is not None:
        op.refresh(refresh, on_success=False)
    if refused is not None:
        op.refused(refused)
    return op.run()


def attempt(
    parent: QWidget | None,
    fn: Callable[..., object],
    *args: Any,
    refused: Callable[[MtcError], object] | None = None,
    **kwargs: Any,
) -> bool:
    """Like :func:`call` for a call that returns nothing: True when it succeeded."""
    done: list[bool] = []
    op = Op(parent, lambda: fn(*args, **kwargs)).success(lambda _r: done.append(True))
    if refused is not None:
        op.refused(refused)
    op.run()
    return bool(done)
