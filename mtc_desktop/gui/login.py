"""The login window: Username, Password, Log In; Create a Logon; demo logons in demo mode."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QWidget

from mtc_desktop.domain.errors import AuthenticationFailed, MtcError
from mtc_desktop.gui import ops
from mtc_desktop.gui.busy import writes
from mtc_desktop.gui.forms.ui_login_window import Ui_LoginWindow

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from mtc_desktop.services.demo_logons import DemoLogon


LOGIN_TITLE = "Log In"  # the system adds " — MTC Desktop"


class LoginWindow(QWidget):
    logged_in = Signal(object)  # Actor
    first_painted = Signal()
    _painted = False

    def __init__(
        self, demo_logons: Sequence[DemoLogon] = (), parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.form = Ui_LoginWindow()
        self.form.setupUi(self)
        self.form.titleLabel.setObjectName("titleLabel")
        self.form.messageLabel.setObjectName("errorLabel")
        self.form.messageLabel.hide()
        self.form.logInButton.clicked.connect(self._log_in)
        self.form.passwordEdit.returnPressed.connect(self._log_in)
        self.form.usernameEdit.returnPressed.connect(self.form.passwordEdit.setFocus)
        self.form.createLogonButton.clicked.connect(self._create_logon)
        self.form.oneTimeCodeButton.clicked.connect(self._use_one_time_code)
        self.form.setUpButton.clicked.connect(self._set_up)
        self.form.setUpBox.hide()  # until the database is open and known to be empty
        self._fill_demo(demo_logons)
        self._add_help()
        self.form.usernameEdit.setFocus()

    def _add_help(self) -> None:
        """Help → Third-party Access FAQ here too, before anyone logs in: F1, or the link."""
        from PySide6.QtGui import QKeySequence, QShortcut
        from PySide6.QtWidgets import QHBoxLayout, QPushButton

        self.help_button = QPushButton("Third-party Access &FAQ (F1)")
        self.help_button.setObjectName("link")  # looks like the other links
        self.help_button.setFlat(True)
        self.help_button.setAutoDefault(False)
        self.help_button.setAccessibleName("Third-party Access FAQ")
        self.help_button.setToolTip("DOR's questions and answers about third-party access.")
        self.help_button.clicked.connect(self.show_help)
        row = QHBoxLayout()
        row.addWidget(self.help_button)
        row.addStretch(1)
        layout = self.layout()
        assert isinstance(layout, QBoxLayout)
        layout.addLayout(row)
        shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), self)
        shortcut.activated.connect(self.show_help)

    def show_help(self) -> None:
        from mtc_desktop.gui import help

        help.show_help(self, help.LOGIN_ANSWER)

    def show_demo_state(self) -> None:
        """Once the database is open: a demo database says so in the title and lists its
        demo logons (also when it was opened by name, not made by --demo)."""
        from mtc_desktop.services.demo_logons import demo_logons, is_demo_database

        demo = bool(ops.call(self, is_demo_database, refused=lambda exc: None))
        self.setWindowTitle(f"{LOGIN_TITLE} — Demo" if demo else LOGIN_TITLE)
        if demo:
            if not self.form.demoTable.rowCount():
                self._fill_demo(demo_logons())
            self.form.demoBox.show()

    def _fill_demo(self, demo_logons: Sequence[DemoLogon]) -> None:
        box = self.form.demoBox
        if not demo_logons:
            box.hide()
            return
        # Here, not at the top: PySide6 makes each class the first time it is used, and
        # these only a demo's list uses (the program's start waits for what it makes).
        from PySide6.QtWidgets import QHeaderView, QTableWidgetItem

        from mtc_desktop.services.demo_logons import DEMO_PASSWORD

        self.form.demoPasswordLabel.setText(
            f"This is a demo database. Every demo logon's password is <b>{DEMO_PASSWORD}</b>. "
            "Double-click a logon, or press Enter on it, to fill in the form."
        )
        table = self.form.demoTable
        table.setColumnCount(4)
        table.setHorizontalHeaderLabels(["Username", "Mode", "Name", "Try it for"])
        table.setRowCount(len(demo_logons))
        for row, item in enumerate(demo_logons):
            for column, text in enumerate((item.username, item.role.label, item.name, item.what)):
                table.setItem(row, column, QTableWidgetItem(text))
        table.verticalHeader().setVisible(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        table.cellDoubleClicked.connect(self._use_demo_logon)
        table.activated.connect(lambda index: self._use_demo_logon(index.row()))  # Enter
        table.setTabKeyNavigation(False)  # Tab leaves the list from the start
        table.setFixedHeight(
            table.horizontalHeader().height()
            + sum(table.rowHeight(r) for r in range(table.rowCount()))
            + 2 * table.frameWidth()
            + 6
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # With self as context: PySide6 6.12 raises "Signal source has been deleted" when
            # a bare SignalInstance.emit fires from a timer armed inside a nested event loop.
            QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        # Qt's namespace costs 23 ms to load (it creates all its enums at once), so the
        # window shows without it and the demo list, when there is one, finishes here.
        # Without one nothing loads it before the database is open.
        if self.form.demoTable.rowCount():
            from PySide6.QtCore import Qt

            from mtc_desktop.gui.widgets import start_on_first_row

            self.form.demoPasswordLabel.setTextInteractionFlags(
                Qt.TextInteractionFlag.TextSelectableByMouse
            )
            start_on_first_row(self.form.demoTable)
        self.first_painted.emit()

    def _use_demo_logon(self, row: int, _column: int = 0) -> None:
        item = self.form.demoTable.item(row, 0)
        if item is None:
            return
        from mtc_desktop.services.demo_logons import DEMO_PASSWORD

        self.form.usernameEdit.setText(item.text())
        self.form.passwordEdit.setText(DEMO_PASSWORD)
        self.form.logInButton.setFocus()

    def show_message(self, text: str) -> None:
        from mtc_desktop.gui.widgets import show_text  # announced, too

        show_text(self.form.messageLabel, text)

    @writes  # a logon's failed attempts are counted: Enter twice is one attempt
    def _log_in(self) -> None:
        username = self.form.usernameEdit.text().strip()
        password = self.form.passwordEdit.text()
        if not username or not password:
            self.show_message("Enter your username and password.")
            (self.form.usernameEdit if not username else self.form.passwordEdit).setFocus()
            return
        # Imported on first use, so that the window shows before the services load.
        from mtc_desktop.services import logons

        def refused(exc: MtcError) -> None:
            self.show_message(exc.message)
            if isinstance(exc, AuthenticationFailed):
                self.form.passwordEdit.clear()
                self.form.passwordEdit.setFocus()

        actor = ops.call(self, logons.log_in, username, password, refused=refused)
        if actor is None:
            return
        self.form.passwordEdit.clear()
        self.show_message("")
        self.logged_in.emit(actor)

    def _create_logon(self) -> None:
        from mtc_desktop.gui.create_logon import CreateLogonWizard

        actor = CreateLogonWizard.ask(self)
        if actor is not None:
            self.logged_in.emit(actor)

    def check_setup(self) -> bool:
        """Once the database is open: offer *Set Up This Database* while it has no logons
        (and hide *Create a Logon* and *Use a One-Time Code*, which need a set-up
        database). True when it is offered."""
        from mtc_desktop.services import staff

        needed = bool(
            ops.call(self, staff.needs_setup, refused=lambda exc: self.show_message(exc.message))
        )
        self.form.setUpBox.setVisible(needed)
        self.show_demo_state()
        self.form.createLogonButton.setVisible(not needed)
        self.form.oneTimeCodeButton.setVisible(not needed)
        if needed:
            from PySide6.QtCore import Qt

            self.form.setUpButton.setDefault(True)
            self.form.setUpButton.setFocus(Qt.FocusReason.OtherFocusReason)
        return needed

    def _set_up(self) -> None:
        from mtc_desktop.gui.setup import SetUpWizard

        actor = SetUpWizard.ask(self)
        if actor is not None:
            self.check_setup()
            self.logged_in.emit(actor)
        else:
            self.check_setup()  # another workstation may have set it up meanwhile

    def _use_one_time_code(self) -> None:
        from mtc_desktop.gui.setup import RedeemCodeDialog

        actor = RedeemCodeDialog.ask(self, self.form.usernameEdit.text().strip())
        if actor is not None:
            self.form.passwordEdit.clear()
            self.show_message("")
            self.logged_in.emit(actor)

    def reset(self, message: str = "") -> None:
        """Ready for the next logon (after *Switch Logon*): both fields empty, so what is
        typed is the new username, not the last one with more letters after it."""
        self.form.usernameEdit.clear()
        self.form.passwordEdit.clear()
        self.show_message(message)
        from PySide6.QtCore import Qt

        self.form.usernameEdit.setFocus(Qt.FocusReason.OtherFocusReason)
