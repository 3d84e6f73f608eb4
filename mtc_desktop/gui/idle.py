"""Locking an idle window: after a while without keyboard or mouse input the window's content
is covered and the holder must give the password again (*Unlock*) or go back to the login
window (*Switch Logon*).

:class:`IdleLock` watches input with an event filter on the QApplication, so a key or click
anywhere in the window (or in a dialog opened from it) counts as activity, whichever widget
receives it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.gui import ops
from mtc_desktop.gui.widgets import show_text
from mtc_desktop.services import base, logons
from mtc_desktop.services.base import Actor

DEFAULT_TIMEOUT_MS = 30 * 60 * 1000

WRONG_PASSWORD = "The password is not correct. Try again, or select Switch Logon."

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.TabletPress,
        QEvent.Type.InputMethod,
    }
)


def _idle_words(timeout_ms: int) -> str:
    minutes = round(timeout_ms / 60_000)
    if minutes >= 1:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    seconds = max(1, round(timeout_ms / 1000))
    return f"{seconds} second{'s' if seconds != 1 else ''}"


class LockDialog(QDialog):
    """Asks for the password of the logged-in logon again. Escape does not close it."""

    UNLOCKED = 1
    SWITCH_LOGON = 2

    def __init__(self, parent: QWidget, actor: Actor, idle_for: str) -> None:
        super().__init__(parent)
        self.actor = actor
        self._finishing = False
        self.setObjectName("lockDialog")
        self.setWindowTitle("Locked")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

        title = QLabel("This window is locked")
        title.setObjectName("subheading")
        explanation = QLabel(
            f"For your security, MTC Desktop locked this window after {idle_for} without "
            f"input. Enter the password of <b>{_escape(actor.username)}</b> to continue, or "
            "select Switch Logon to log in as someone else."
        )
        explanation.setWordWrap(True)
        explanation.setTextFormat(Qt.TextFormat.RichText)

        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(1024)
        self.password_edit.setAccessibleName("Password")
        password_label = QLabel("&Password")
        password_label.setBuddy(self.password_edit)
        self.error_label = QLabel()
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.setAccessibleName("Password error")
        self.error_label.hide()
        self.password_edit.textEdited.connect(lambda _text: self.show_error(""))

        fields = QGridLayout()
        fields.setHorizontalSpacing(12)
        fields.setVerticalSpacing(4)
        fields.setColumnStretch(1, 1)
        fields.addWidget(password_label, 0, 0)
        fields.addWidget(self.password_edit, 0, 1)
        fields.addWidget(self.error_label, 1, 1)

        self.switch_button = QPushButton("&Switch Logon")
        self.switch_button.setAccessibleName("Switch Logon")
        self.switch_button.setAutoDefault(False)
        self.switch_button.clicked.connect(self._switch_logon)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self._unlock)
        buttons = QHBoxLayout()
        buttons.addWidget(self.switch_button)
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)

        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 18)
        layout.setSpacing(12)
        layout.addWidget(title)
        layout.addWidget(explanation)
        layout.addLayout(fields)
        layout.addSpacing(4)
        layout.addLayout(buttons)
        self.password_edit.setFocus()

    WIDTH = 520

    def _fit(self) -> None:
        """As tall as the wrapped text needs at the dialog's width, no gap, nothing cut."""
        self._layout.activate()
        height = self._layout.totalHeightForWidth(self.WIDTH)
        if height > 0:
            self.setFixedSize(self.WIDTH, height)

    def showEvent(self, event: QShowEvent) -> None:
        self._fit()  # here, once the style sheet's fonts apply
        super().showEvent(event)

    def show_error(self, message: str) -> None:
        show_text(self.error_label, message)  # announced by a screen reader
        self.password_edit.setAccessibleDescription(message)
        if self.isVisible():
            self._fit()

    def _unlock(self) -> None:
        password = self.password_edit.text()
        if not password:
            self.show_error("Enter your password.")
            self.password_edit.setFocus()
            return
        # A refusal: the logon is gone, or the database cannot be read.
        correct = ops.call(
            self,
            logons.verify_password,
            self.actor,
            password,
            refused=lambda exc: self.show_error(exc.message),
        )
        if correct is None:
            return
        if not correct:
            self.show_error(WRONG_PASSWORD)
            self.password_edit.clear()
            self.password_edit.setFocus()
            return
        self.password_edit.clear()
        self._finish(self.UNLOCKED)

    def _switch_logon(self) -> None:
        self.password_edit.clear()
        self._finish(self.SWITCH_LOGON)

    def _finish(self, code: int) -> None:
        self._finishing = True
        self.done(code)

    def reject(self) -> None:
        """Escape leaves the window locked: only Unlock or Switch Logon end the lock."""

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._finishing:
            super().closeEvent(event)
        else:
            event.ignore()

    def dismiss(self) -> None:
        """Close without a choice (the window itself is closing)."""
        self._finish(QDialog.DialogCode.Rejected.value)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Cover(QWidget):
    """Hides the window's content while it is locked."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockCover")
        self.setAccessibleName("Locked")
        # Opaque, and a different shade from the lock dialog so the dialog stands out.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet("QWidget#lockCover { background: #dfe6ee; }")
        label = QLabel("MTC Desktop is locked")
        label.setObjectName("subheading")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 48, 24, 24)
        layout.addWidget(label)
        layout.addStretch(1)


class IdleLock(QObject):
    """Locks ``window`` after ``timeout_ms`` without keyboard or mouse input in it.

    Locking covers the window's content and opens a modal :class:`LockDialog`. *Unlock*
    with the right password (checked by :func:`logons.verify_password`) removes the cover
    and starts counting again; *Switch Logon* calls ``on_switch_logon``, which is expected
    to close the window (the content stays covered until then). ``stop()`` ends the
    watching for good, e.g. when the window closes. The lock is a child of ``window`` and
    goes with it.
    """

    locked_changed = Signal(bool)

    def __init__(
        self,
        window: QWidget,
        actor: Actor,
        on_switch_logon: Callable[[], object],
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
    ) -> None:
        super().__init__(window)
        self._window = window
        self._actor = actor
        self._on_switch_logon = on_switch_logon
        self._timeout_ms = timeout_ms
        self._locked = False
        self._stopped = False
        self._cover: _Cover | None = None
        self._dialog: LockDialog | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(timeout_ms)
        self._timer.timeout.connect(self._timed_out)
        app = QApplication.instance()
        assert app is not None, "create a QApplication first"
        app.installEventFilter(self)
        self._timer.start()

    @property
    def locked(self) -> bool:
        return self._locked

    @property
    def timeout_ms(self) -> int:
        return self._timeout_ms

    @property
    def dialog(self) -> LockDialog | None:
        """The open lock dialog, while locked."""
        return self._dialog

    def lock(self) -> None:
        """Lock now (a no-op when already locked or stopped)."""
        if self._locked or self._stopped:
            return
        self._locked = True
        self._timer.stop()
        # The services refuse this logon too until the password is given again.
        base.lock_session(self._actor)
        window = self._window
        cover = _Cover(window)
        cover.setGeometry(window.rect())
        cover.show()
        cover.raise_()
        self._cover = cover
        dialog = LockDialog(window, self._actor, _idle_words(self._timeout_ms))
        dialog.finished.connect(self._dialog_finished)
        self._dialog = dialog
        dialog.show()
        dialog.activateWindow()
        self.locked_changed.emit(True)

    def stop(self) -> None:
        """Stop watching for good; closes the lock dialog if one is open."""
        if self._stopped:
            return
        self._stopped = True
        self._timer.stop()
        base.unlock_session(self._actor)  # the window's session is over
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self._dialog is not None:
            self._dialog.dismiss()

    def _timed_out(self) -> None:
        if self._window.isVisible():
            self.lock()
        elif not self._stopped:
            self._timer.start()  # nothing to lock while the window is hidden

    def _dialog_finished(self, code: int) -> None:
        dialog, self._dialog = self._dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if code == LockDialog.UNLOCKED:
            self._remove_cover()
            self._locked = False
            if not self._stopped:
                self._timer.start()
            self.locked_changed.emit(False)
            self._window.activateWindow()
        elif code == LockDialog.SWITCH_LOGON:
            self.stop()
            self._on_switch_logon()

    def _remove_cover(self) -> None:
        cover, self._cover = self._cover, None
        if cover is not None:
            cover.hide()
            cover.deleteLater()

    def _belongs_to_window(self, obj: QObject) -> bool:
        if isinstance(obj, QWidget):
            widget: QWidget | None = obj
            while widget is not None:  # across dialogs too: their parent is the window
                if widget is self._window:
                    return True
                widget = widget.parentWidget()
            return False
        if isinstance(obj, QWindow):
            return obj is self._window.windowHandle()
        return False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT_EVENTS:
            if not self._locked and not self._stopped and self._belongs_to_window(watched):
                self._timer.start()
        elif kind == QEvent.Type.Resize and watched is self._window and self._cover is not None:
            self._cover.setGeometry(self._window.rect())
        return False
