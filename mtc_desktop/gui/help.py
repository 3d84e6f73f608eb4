"""*Help → Third-party Access FAQ* (F1): DOR's FAQ inside the program.

The questions on the left (filtered as the user types in the search field, which matches
questions and answers), the answer on the right with its paragraphs and bullets, and the
FAQ's source and date under it. F1 opens it at the answer that fits what is in view: the
page showing (:data:`PAGE_ANSWERS`), or the dialog (:func:`add_context_help`). There is one
help window; F1 again raises it, in front of the window F1 was pressed in (the same window
goes with the user from the login window to the main window). *Show Me* starts the answer's
tour (gui/tours.py) on the login window or main window the help belongs to.

The FAQ's text is data: ``resources/help/faq.json``, DOR's words (see its comment).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import cache
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import Role
from mtc_desktop.gui import desktop
from mtc_desktop.gui.levels import LEVELS_TITLE, levels_html, levels_text
from mtc_desktop.resources import resource

TITLE = "Third-party Access FAQ"
DEFAULT_ANSWER = "what-is"
# After the FAQ's questions: the access levels explained (the program's words, DESIGN §3).
LEVELS = "levels"

# The answer that fits each page (router keys); the profile page's depends on the mode.
PAGE_ANSWERS: dict[str, str] = {
    "home": "what-is",
    "access_requests": "tx-approve",
    "third_parties": "tx-change",
    "third_party": "tx-change",
    "my_access": "tp-cancel",
    "access_details": "tp-cancel",
    "clients": "tp-view-clients",
    "client": "tp-sees-client",
    "client_account": "tp-sees-client",
    "my_clients": "tp-manage-my-clients",
    "inbox": "letters",
    "powers_of_attorney": "poa-vs-third-party",
    "information_queue": "poa-vs-third-party",
    "dor_home": "what-is",
    "dor_request": "tx-approve",
}
PROFILE_ANSWERS = {
    Role.TAXPAYER: "tx-approve",
    Role.THIRD_PARTY: "tp-request",
    Role.DOR_STAFF: "what-is",
}
# Dialogs (by object name) that open their own answer with F1: add_context_help.
LOGIN_ANSWER = "what-is"
REQUEST_WIZARD_ANSWER = "tp-request"


# The answer's look: the program's heading colour (resources/styles/app.qss), air between
# the steps.
ANSWER_STYLE = "h2 { color: #14558f; } li { margin-bottom: 4px; } p { margin-bottom: 8px; }"
LEVELS_SOURCE = "The access levels of MTC Desktop, as a taxpayer grants them per tax account."


@dataclass(frozen=True)
class Answer:
    id: str
    question: str
    blocks: tuple[dict[str, Any], ...]

    def html(self) -> str:
        parts = [f"<h2>{html.escape(self.question)}</h2>"]
        for block in self.blocks:
            if "paragraph" in block:
                parts.append(f"<p>{html.escape(block['paragraph'])}</p>")
            else:
                parts.append(_list_html(block["list"]))
        return "".join(parts)

    def text(self) -> str:
        """The answer's words, for searching."""
        words: list[str] = []

        def walk(items: list[dict[str, Any]]) -> None:
            for item in items:
                words.append(item["text"])
                walk(item.get("list", []))

        for block in self.blocks:
            if "paragraph" in block:
                words.append(block["paragraph"])
            else:
                walk(block["list"])
        return "\n".join(words)

    def matches(self, query: str) -> bool:
        """Every word of ``query`` is in the question or the answer (any case)."""
        haystack = _fold(f"{self.question}\n{self.text()}")
        return all(word in haystack for word in _fold(query).split())


def _fold(text: str) -> str:
    return text.casefold().replace("’", "'")


def _list_html(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        inner = _list_html(item["list"]) if item.get("list") else ""
        rows.append(f"<li>{html.escape(item['text'])}{inner}</li>")
    return f"<ul>{''.join(rows)}</ul>"


@dataclass(frozen=True)
class Faq:
    title: str
    url: str
    updated: str
    publisher: str
    answers: tuple[Answer, ...]

    def answer(self, answer_id: str) -> Answer:
        for answer in self.answers:
            if answer.id == answer_id:
                return answer
        raise KeyError(answer_id)

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.answers]


@cache
def load_faq() -> Faq:
    data = json.loads(resource("help", "faq.json").read_text("utf-8"))
    source = data["source"]
    return Faq(
        title=source["title"],
        url=source["url"],
        updated=source["updated"],
        publisher=source["publisher"],
        answers=tuple(Answer(a["id"], a["question"], tuple(a["blocks"])) for a in data["answers"]),
    )


def answer_for_page(page_key: str | None, role: Role | None = None) -> str:
    """The FAQ answer that fits the page ``page_key`` in the mode ``role``."""
    if page_key == "profile" and role is not None:
        return PROFILE_ANSWERS[role]
    return PAGE_ANSWERS.get(page_key or "", DEFAULT_ANSWER)


def _tours() -> Any:
    # Imported when first needed: tours (gui/tours.py) are for the help's Show Me only.
    from mtc_desktop.gui import tours

    return tours


def has_tour(answer_id: str) -> bool:
    return bool(_tours().has_tour(answer_id))


def home_window(widget: QWidget) -> QWidget:
    """The login window or main window ``widget`` belongs to (through its dialogs)."""
    window = widget.window()
    parent = window.parentWidget()
    while parent is not None:
        window = parent.window()
        parent = window.parentWidget()
    return window


class HelpWindow(QWidget):
    """The FAQ: questions, search, the answer, its source; *Show Me*; Escape closes."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner, Qt.WindowType.Window)
        self.setObjectName("helpWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(TITLE)
        self.owner = owner
        self.faq = load_faq()

        self.search = QLineEdit()
        self.search.setObjectName("helpSearch")
        self.search.setPlaceholderText("Search the questions and answers")
        self.search.setAccessibleName("Search the FAQ")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        search_label = QLabel("Sea&rch:")
        search_label.setBuddy(self.search)

        self.questions = QListWidget()
        self.questions.setObjectName("helpQuestions")
        self.questions.setAccessibleName("Questions")
        self.questions.setWordWrap(True)
        self.questions.setTextElideMode(Qt.TextElideMode.ElideNone)
        # Wrapped questions laid out again at each width (a scroll bar coming or going too).
        self.questions.setResizeMode(QListView.ResizeMode.Adjust)
        self.questions.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.questions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for answer in self.faq.answers:
            item = QListWidgetItem(answer.question)
            item.setData(Qt.ItemDataRole.UserRole, answer.id)
            item.setToolTip(answer.question)
            self.questions.addItem(item)
        item = QListWidgetItem(LEVELS_TITLE)
        item.setData(Qt.ItemDataRole.UserRole, LEVELS)
        item.setToolTip(
            "The five access levels and what each one allows (not a question of the FAQ)."
        )
        self.questions.addItem(item)
        self.questions.currentItemChanged.connect(self._show_current)
        self.no_match = QLabel()
        self.no_match.setObjectName("helpNoMatch")
        self.no_match.setWordWrap(True)
        self.no_match.hide()

        self.answer_view = QTextBrowser()
        self.answer_view.setObjectName("helpAnswer")
        self.answer_view.setAccessibleName("Answer")
        self.answer_view.setOpenLinks(False)
        self.answer_view.setTabChangesFocus(True)  # Tab goes on to the source and buttons
        self.answer_view.document().setDocumentMargin(12)
        self.answer_view.document().setDefaultStyleSheet(ANSWER_STYLE)
        self._source_html = (
            f'Source: <a href="{html.escape(self.faq.url)}">{html.escape(self.faq.title)}</a>, '
            f"{html.escape(self.faq.publisher)}. {html.escape(self.faq.updated)}."
        )
        self._source_text = f"Source: {self.faq.title}, {self.faq.publisher}. {self.faq.updated}."
        self.source = QLabel(self._source_html)
        self.source.setObjectName("helpSource")
        self.source.setAccessibleName(self._source_text)
        self.source.setWordWrap(True)
        self.source.setOpenExternalLinks(True)
        self.source.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)

        self.show_me = QPushButton("&Show Me")
        self.show_me.setObjectName("helpShowMe")
        self.show_me.setAccessibleName("Show Me")
        self.show_me.setToolTip("Walk through this answer's steps on the program's window.")
        self.show_me.clicked.connect(self._show_me)
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close")
        self.close_button.clicked.connect(self.close)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        search_row = QHBoxLayout()
        search_row.addWidget(search_label)
        search_row.addWidget(self.search, 1)
        left_layout.addLayout(search_row)
        left_layout.addWidget(self.questions, 1)
        left_layout.addWidget(self.no_match)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.answer_view, 1)
        right_layout.addWidget(self.source)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        buttons = QHBoxLayout()
        buttons.addWidget(self.show_me)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(buttons)
        self.setTabOrder(self.search, self.questions)
        self.setTabOrder(self.questions, self.answer_view)
        self.setTabOrder(self.answer_view, self.source)
        self.setTabOrder(self.source, self.show_me)
        self.setTabOrder(self.show_me, self.close_button)

        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.activated.connect(self.close)
        self.resize(900, 600)
        self.splitter.setSizes([340, 540])
        desktop.restore_window(self, "help_window")
        self.questions.setCurrentRow(0)
        self.questions.setFocus()

    # --- what it shows --------------------------------------------------------------

    def _ids(self) -> list[str]:
        return [*self.faq.ids, LEVELS]

    def current_answer_id(self) -> str | None:
        item = self.questions.currentItem()
        if item is None or item.isHidden():
            return None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def show_answer(self, answer_id: str) -> None:
        """Select ``answer_id``'s question (clearing a search that hides it)."""
        row = self._ids().index(answer_id)
        if self.questions.item(row).isHidden():
            self.search.clear()
        self.questions.setCurrentRow(row)
        self.questions.scrollToItem(self.questions.item(row))

    def _show_current(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is None or item.isHidden():
            self.answer_view.clear()
            self.show_me.setEnabled(False)
            return
        answer_id = str(item.data(Qt.ItemDataRole.UserRole))
        if answer_id == LEVELS:
            self.answer_view.setHtml(f"<h2>{LEVELS_TITLE}</h2>{levels_html()}")
            self.source.setText(LEVELS_SOURCE)
            self.source.setAccessibleName(LEVELS_SOURCE)
            self.show_me.setEnabled(False)
            return
        answer = self.faq.answer(answer_id)
        self.answer_view.setHtml(answer.html())
        self.source.setText(self._source_html)
        self.source.setAccessibleName(self._source_text)
        self.show_me.setEnabled(has_tour(answer.id))

    def _filter(self, query: str) -> None:
        shown = 0
        for row, answer in enumerate(self.faq.answers):
            hidden = not answer.matches(query)
            self.questions.item(row).setHidden(hidden)
            shown += not hidden
        levels = _fold(f"{LEVELS_TITLE}\n{levels_text()}")
        hidden = not all(word in levels for word in _fold(query).split())
        self.questions.item(len(self.faq.answers)).setHidden(hidden)
        shown += not hidden
        if shown == 0:
            self.no_match.setText(f"No answer matches “{query.strip()}”.")
            self.no_match.show()
            self.questions.setCurrentRow(-1)
            self._show_current(None)
            return
        self.no_match.hide()
        current = self.questions.currentItem()
        if current is None or current.isHidden():
            for row in range(self.questions.count()):
                if not self.questions.item(row).isHidden():
                    self.questions.setCurrentRow(row)
                    break
        else:
            self._show_current(current)

    def visible_questions(self) -> list[str]:
        return [
            self.questions.item(row).text()
            for row in range(self.questions.count())
            if not self.questions.item(row).isHidden()
        ]

    # --- commands -------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _show_me(self) -> None:
        answer_id = self.current_answer_id()
        if answer_id is None or not has_tour(answer_id):
            return
        _tours().start_tour(answer_id, home_window(self.owner))

    def closeEvent(self, event: QCloseEvent) -> None:
        desktop.save_window(self, "help_window")
        super().closeEvent(event)


_window: HelpWindow | None = None


def open_window() -> HelpWindow | None:
    """The help window, if one is open."""
    if _window is not None and shiboken6.isValid(_window) and _window.isVisible():
        return _window
    return None


def show_help(origin: QWidget, answer_id: str | None = None) -> HelpWindow:
    """Open the help window (or raise the one open) at ``answer_id``. It belongs to the
    window of ``origin`` (a modal dialog's help must be its own to be usable beside it)."""
    global _window
    owner = QApplication.activeModalWidget() or origin.window()
    window = open_window()
    if window is not None and window.owner is not owner:
        _attach(window, owner)  # the same window, its search and place kept
    if window is None:
        window = HelpWindow(owner)
        _window = window
    if answer_id is not None:
        window.show_answer(answer_id)
    window.show()
    if QApplication.platformName() != "offscreen":  # a headless screen has no stacking order
        window.raise_()
    window.activateWindow()
    return window


def _attach(window: HelpWindow, owner: QWidget) -> None:
    """Make ``owner`` the help window's window: it stays in front of it, goes with it, and
    Show Me acts on it. Where it is on the screen, its search and its answer are kept."""
    geometry = window.geometry()
    shown = window.isVisible()
    window.setParent(owner, window.windowFlags())  # setParent hides a window
    window.owner = owner
    window.setGeometry(geometry)
    if shown:
        window.show()


def follow_to(home: QWidget) -> None:
    """The help window open over the login window goes with the user to ``home``, the main
    window they logged in to (the login window is hidden, not closed)."""
    window = open_window()
    if window is not None and home_window(window.owner) is not home:
        _attach(window, home)


def add_context_help(widget: QWidget, answer_id: str) -> QShortcut:
    """F1 in ``widget``'s window (a dialog) opens the FAQ at ``answer_id``; on an access
    level's drop-down, at the levels explained."""

    def open_help() -> None:
        focused = QApplication.focusWidget()
        on_level = isinstance(focused, QComboBox) and isinstance(focused.currentData(), AccessLevel)
        show_help(widget, LEVELS if on_level else answer_id)

    shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents), widget)
    shortcut.activated.connect(open_help)
    return shortcut
