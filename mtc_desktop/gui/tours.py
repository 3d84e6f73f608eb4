"""*Show Me*: an FAQ answer walked through on the live window, one control at a time.

Each tour is data (``resources/help/tours.json``): the FAQ answer it shows, the mode and
demo logon it runs as, and its steps. A step names the control to activate — an action of
the registry (gui/actions.py), a control by its accessible name or label (``"Give Rights"``
finds "Give Rights for <account>"), optionally in the table row showing ``row``, or a table
row itself — with the FAQ's own sentence for it. The tour finds the control in the window
in front (a page of the main window, or the dialog the last step opened), draws a
highlight around it with the sentence in a callout beside it (:class:`TourOverlay`, which
takes neither the focus nor a click), and waits until the user activates that control by
mouse or keyboard; then it moves on. If the user goes where the control is not, the
callout says where to go back. Escape ends the tour.

A tour runs in its logon's mode: from the login window, or from a logon of another mode
or another demo logon, it offers to log in as the tour's demo logon. On a database that is
not a demo it never changes data: it does not log in for the user, and it stops before the
step that would write (a trainee practises on the demo; real taxpayers' access is not a
training ground).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMenu,
    QMessageBox,
    QRadioButton,
    QTabBar,
    QWidget,
)

from mtc_desktop.domain.model import Role
from mtc_desktop.gui.widgets import LinkButton
from mtc_desktop.resources import resource
from mtc_desktop.services.demo_logons import DEMO_PASSWORD, demo_logons

TICK_MS = 150
ESCAPE_HINT = "Escape ends the tour."


# --- the data ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    say: str
    action: str = ""  # an action id of the registry
    label: str = ""  # a control's accessible name or text (or its start)
    row: str = ""  # the table row holding the control, or the row to select
    view: str = ""  # with ``row`` alone: the table's accessible name
    input: str = ""  # what to type or choose
    checked: bool = True  # a check box's state that completes the step
    writes: bool = False  # activating it changes data
    only_if_missing: str = ""  # an action id: the step is done only when it is not shown
    faq: bool = True  # the sentence is the FAQ's (False: the program's, e.g. Next)

    @property
    def name(self) -> str:
        """The control in words, for the callout and the tests."""
        if self.action:
            from mtc_desktop.gui.actions import SPEC_BY_ID

            return SPEC_BY_ID[self.action].text
        if self.label:
            return self.label
        return f"the row of {self.row}"


@dataclass(frozen=True)
class Tour:
    answer: str
    mode: Role
    logon: str
    steps: tuple[Step, ...]
    outcome: str = ""
    intro: str = ""
    writes: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "writes", any(s.writes for s in self.steps))


@cache
def load_tours() -> dict[str, Tour]:
    data = json.loads(resource("help", "tours.json").read_text("utf-8"))
    raw = {t["answer"]: t for t in data["tours"]}
    tours: dict[str, Tour] = {}
    for answer, item in raw.items():
        steps_data = raw[item["steps_of"]]["steps"] if "steps_of" in item else item["steps"]
        outcome = item.get("outcome") or raw.get(item.get("steps_of", ""), {}).get("outcome", "")
        tours[answer] = Tour(
            answer=answer,
            mode=Role(item["mode"]),
            logon=item["logon"],
            steps=tuple(Step(**s) for s in steps_data),
            outcome=outcome,
            intro=item.get("intro", ""),
        )
    return tours


def has_tour(answer_id: str) -> bool:
    return answer_id in load_tours()


def demo_logon_line(username: str) -> str:
    for logon in demo_logons():
        if logon.username == username:
            return f"{username} ({logon.name}: {logon.what})"
    return username


def is_demo_database() -> bool:
    """Whether the database open is a demo (the demo builder marks it), where a tour may
    log in for the user and change data. When the database cannot say, it is not one."""
    from mtc_desktop.gui import ops
    from mtc_desktop.services.demo_logons import is_demo_database as marked_demo

    demo, _refusal = ops.outcome(marked_demo)
    return bool(demo)


# --- finding a step's control --------------------------------------------------------------


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def _names(widget: QWidget) -> list[str]:
    names = [widget.accessibleName()]
    if isinstance(widget, QAbstractButton):
        names.append(_plain(widget.text()))
    return [n for n in names if n]


def _matches(name: str, label: str) -> bool:
    return name == label or name.startswith(label + " ")


def _row_text(widget: QWidget) -> str | None:
    """The text of the table row ``widget`` is placed in, or None outside a table."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractItemView):
        parent = parent.parentWidget()
    if parent is None:
        return None
    view = parent
    point = view.viewport().mapFromGlobal(widget.mapToGlobal(widget.rect().center()))
    index = view.indexAt(point)
    model = view.model()
    if not index.isValid() or model is None:
        return None
    return " ".join(
        str(model.index(index.row(), c).data() or "") for c in range(model.columnCount())
    )


@dataclass
class Target:
    """Where a step's control is: a widget, and within it a tab or a row (or all of it)."""

    widget: QWidget
    tab: int = -1
    row: int = -1

    def rect_in(self, other: QWidget) -> QRect:
        w = self.widget
        if isinstance(w, QTabBar) and self.tab >= 0:
            local = w.tabRect(self.tab)
        elif isinstance(w, QAbstractItemView) and self.row >= 0:
            model = w.model()
            first = w.visualRect(model.index(self.row, 0))
            last = w.visualRect(model.index(self.row, model.columnCount() - 1))
            local = first.united(last).intersected(w.viewport().rect())
            w = w.viewport()
        else:
            local = w.rect()
            if isinstance(w, LinkButton):
                # A link stretched across its panel: around its text, not the panel.
                hint = w.sizeHint().width()
                if hint < local.width() and w.layoutDirection() == Qt.LayoutDirection.LeftToRight:
                    local.setWidth(hint)
        return QRect(other.mapFromGlobal(w.mapToGlobal(local.topLeft())), local.size())

    def same(self, other: Target | None) -> bool:
        return (
            other is not None
            and other.widget is self.widget
            and other.tab == self.tab
            and other.row == self.row
        )


def _visible(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisibleTo(root) and widget.isVisible() and widget.width() > 0


def find_target(step: Step, root: QWidget, main: Any | None, *, rows: bool = True) -> Target | None:
    """The visible control of ``step`` in the window ``root`` (None when it is not there).
    Without ``rows`` a control's row is not checked (the row names the demo's data)."""
    if step.action:
        if main is None or step.action not in main.user_actions:
            return None
        action = main.user_actions[step.action]
        from mtc_desktop.gui.actions import ActionLink

        links = [
            link
            for link in root.findChildren(ActionLink)
            if link.action is action and _visible(link, root)
        ]
        # The page's own link before the header's (the FAQ's step is on the page).
        page = getattr(main, "current_page", None)
        links.sort(key=lambda link: 0 if page is not None and page.isAncestorOf(link) else 1)
        return Target(links[0]) if links else None
    if step.label:
        for bar in root.findChildren(QTabBar):
            if not _visible(bar, root):
                continue
            for index in range(bar.count()):
                if _matches(_plain(bar.tabText(index)), step.label):
                    return Target(bar, tab=index)
        kinds = (QAbstractButton, QComboBox, QLineEdit)
        for widget in root.findChildren(QWidget):
            if not isinstance(widget, kinds) or not _visible(widget, root):
                continue
            if not any(_matches(name, step.label) for name in _names(widget)):
                continue
            if rows and step.row and step.row not in (_row_text(widget) or ""):
                continue
            return Target(widget)
        return None
    if step.row and step.view:
        for view in root.findChildren(QAbstractItemView):
            if view.accessibleName() != step.view or not _visible(view, root):
                continue
            model = view.model()
            for row in range(model.rowCount()):
                text = " ".join(
                    str(model.index(row, c).data() or "") for c in range(model.columnCount())
                )
                if step.row in text or (not rows and model.rowCount()):
                    return Target(view, row=row)
    return None


# --- the highlight and its callout ---------------------------------------------------------


class TourOverlay(QWidget):
    """A transparent layer over a window: a ring around the control to activate and the
    FAQ's sentence in a callout beside it. It takes no focus and lets every click through."""

    RING = QColor("#d9480f")
    CALLOUT_WIDTH = 340
    MARGIN = 10

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("tourOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target: Target | None = None
        self.guide: Target | None = None  # where to go back to, when the control is away
        self.heading = ""
        self.text = ""
        self.footer = ""
        self.setGeometry(window.rect())
        self.show()
        self.raise_()

    def point_at(
        self,
        target: Target | None,
        heading: str,
        text: str,
        footer: str,
        guide: Target | None = None,
    ) -> None:
        self.target = target
        self.guide = guide if target is None else None
        self.heading, self.text, self.footer = heading, text, footer
        self.setAccessibleName(f"{heading}: {text}")
        parent = self.parentWidget()
        if parent is not None and self.geometry() != parent.rect():
            self.setGeometry(parent.rect())
        self.raise_()
        self.update()

    def ring_rect(self) -> QRect | None:
        """Around the control to activate, or else the way back (``guide``)."""
        shown = self.target or self.guide
        if shown is None or not shiboken6.isValid(shown.widget):
            return None
        return shown.rect_in(self).adjusted(-5, -5, 5, 5)

    def _other_controls(self) -> list[QRect]:
        """Where the window's other controls are, which the callout should not cover."""
        window = self.parentWidget()
        shown = self.target or self.guide
        if window is None:
            return []
        kinds = (QAbstractButton, QComboBox, QLineEdit, QTabBar)
        return [
            Target(w).rect_in(self)
            for w in window.findChildren(QWidget)
            if isinstance(w, kinds)
            and w.isVisible()
            and (shown is None or w is not shown.widget)
            and not w.isAncestorOf(self)
        ]

    def _fonts(self) -> tuple[QFont, QFont]:
        body = QFont(self.font())
        heading = QFont(body)
        heading.setBold(True)
        return heading, body

    def callout_rect(self) -> QRect:
        heading_font, body_font = self._fonts()
        width = min(self.CALLOUT_WIDTH, max(200, self.width() - 2 * self.MARGIN))
        inner = width - 24
        flags = int(Qt.TextFlag.TextWordWrap)
        height = 20
        for font, text in (
            (heading_font, self.heading),
            (body_font, self.text),
            (body_font, self.footer),
        ):
            if text:
                height += QFontMetrics(font).boundingRect(0, 0, inner, 2000, flags, text).height()
                height += 6
        size = QSize(width, height)
        area = self.rect().adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, -self.MARGIN)
        ring = self.ring_rect()
        if ring is None:
            return QRect(QPoint(area.center().x() - width // 2, area.top() + 60), size).intersected(
                area
            )
        gap = 14

        def across(x: int) -> int:  # as near as fits to x, inside the window
            return max(area.left(), min(x, area.right() - width))

        def down(y: int) -> int:
            return max(area.top(), min(y, area.bottom() - height))

        # Beside the control, not over the row or text it is about: right, then below
        # (further down past other controls, such as the next field), then left, above.
        candidates = [QRect(QPoint(ring.right() + gap, down(ring.top())), size)]
        candidates += [
            QRect(QPoint(across(ring.left()), ring.bottom() + gap + step), size)
            for step in range(0, 400, 12)
        ]
        candidates.append(QRect(QPoint(ring.left() - gap - width, down(ring.top())), size))
        candidates.append(QRect(QPoint(across(ring.left()), ring.top() - gap - height), size))
        fitting = [r for r in candidates if area.contains(r) and not r.intersects(ring)]
        others = self._other_controls()
        for rect in fitting:
            if not any(rect.intersects(other) for other in others):
                return rect
        if fitting:
            return fitting[0]
        # Clamped inside the window, below the control if there is room, else above.
        rect = QRect(candidates[1])
        if rect.bottom() > area.bottom():
            rect.moveBottom(min(area.bottom(), ring.top() - gap))
        rect.moveLeft(max(area.left(), min(rect.left(), area.right() - width)))
        rect.moveTop(max(area.top(), rect.top()))
        return rect

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ring = self.ring_rect()
        box = self.callout_rect()
        if ring is not None:
            halo = QColor(self.RING)
            halo.setAlpha(60)
            painter.setPen(QPen(halo, 9))
            painter.drawRoundedRect(ring, 6, 6)
            # Solid around the control to activate; dashed around the way back to it.
            style = Qt.PenStyle.SolidLine if self.target else Qt.PenStyle.DashLine
            painter.setPen(QPen(self.RING, 3, style))
            painter.drawRoundedRect(ring, 6, 6)
            painter.setPen(QPen(self.RING, 3))
            # A line from the callout to the ring.
            painter.drawLine(_nearest(box, ring.center()), _nearest(ring, box.center()))
        path = QPainterPath()
        path.addRoundedRect(box.toRectF(), 8, 8)
        painter.fillPath(path, QColor("#fff8e1"))
        painter.setPen(QPen(self.RING, 2))
        painter.drawPath(path)
        heading_font, body_font = self._fonts()
        inner = box.adjusted(12, 10, -12, -10)
        flags = int(Qt.TextFlag.TextWordWrap)
        y = inner.top()
        for font, text, colour in (
            (heading_font, self.heading, QColor("#7a2c06")),
            (body_font, self.text, QColor("#1a1a1a")),
            (body_font, self.footer, QColor("#555555")),
        ):
            if not text:
                continue
            painter.setFont(font)
            painter.setPen(colour)
            bounds = QFontMetrics(font).boundingRect(0, 0, inner.width(), 2000, flags, text)
            painter.drawText(QRect(inner.left(), y, inner.width(), bounds.height()), flags, text)
            y += bounds.height() + 6
        painter.end()


def _nearest(rect: QRect, point: QPoint) -> QPoint:
    return QPoint(
        max(rect.left(), min(point.x(), rect.right())),
        max(rect.top(), min(point.y(), rect.bottom())),
    )


# --- running a tour ------------------------------------------------------------------------

_running: TourRun | None = None


def running() -> TourRun | None:
    """The tour in progress, if any (one at a time)."""
    return _running


class TourRun(QObject):
    """One tour in progress on a main window."""

    def __init__(self, tour: Tour, main: Any, *, demo: bool) -> None:
        super().__init__(QApplication.instance())
        self.tour = tour
        self.main = main
        self.demo = demo
        self.index = -1
        self.finished = False
        self.completed = False
        self.overlay: TourOverlay | None = None
        self.target: Target | None = None
        # step -> the page (key, title) its control was seen on
        self._seen_page: dict[int, tuple[str, str]] = {}
        self._disconnect: list[Callable[[], None]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    @property
    def step(self) -> Step | None:
        steps = self.tour.steps
        return steps[self.index] if 0 <= self.index < len(steps) else None

    def begin(self) -> None:
        self._timer.start()
        self.advance(-1)

    # --- moving on ---------------------------------------------------------------------

    def advance(self, from_index: int) -> None:
        """The step ``from_index`` is done: on to the next one (ignored if stale)."""
        if self.finished or from_index != self.index:
            return
        self._unhook()
        self.index += 1
        self.target = None
        while (step := self.step) is not None and self._skipped(step):
            self.index += 1
        step = self.step
        if step is None:
            self.completed = True
            self.end(f"Show Me finished. {self.tour.outcome}".strip())
            return
        if step.writes and not self.demo:
            self._refuse_write(step)
            return
        self.tick()

    def _find(self, step: Step, root: QWidget) -> Target | None:
        return find_target(step, root, self.main, rows=self.demo)

    def _skipped(self, step: Step) -> bool:
        if step.only_if_missing:
            shown = find_target(Step(say="", action=step.only_if_missing), self._root(), self.main)
            return shown is not None
        if step.label and not step.action:
            target = self._find(step, self._root())
            if target is not None and isinstance(target.widget, QCheckBox):
                return target.widget.isChecked() == step.checked  # already as it should be
        return False

    def _refuse_write(self, step: Step) -> None:
        self.end("")
        parent = self._root()
        QMessageBox.information(
            parent,
            "Show Me stops here",
            f"The next step, {step.name}, would change data, and this is not a demo "
            "database: Show Me never changes real taxpayers' access.",
            QMessageBox.StandardButton.Ok,
        )

    def end(self, message: str = "") -> None:
        global _running
        if self.finished:
            return
        self.finished = True
        self._unhook()
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        if self.overlay is not None and shiboken6.isValid(self.overlay):
            self.overlay.hide()
            self.overlay.deleteLater()
        self.overlay = None
        self.target = None
        if _running is self:
            _running = None
        if message and shiboken6.isValid(self.main) and self.main.isVisible():
            self.main.statusBar().showMessage(message, 15000)
        self.deleteLater()

    # --- where the user is -------------------------------------------------------------

    def _root(self) -> QWidget:
        """The window the next control is in: the dialog in front, or the main window."""
        modal = QApplication.activeModalWidget()
        if modal is not None and modal.isVisible():
            return modal
        return self.main

    def tick(self) -> None:
        if self.finished:
            return
        if not shiboken6.isValid(self.main) or not self.main.isVisible():
            self.end()
            return
        step = self.step
        if step is None:
            return
        root = self._root()
        target = self._find(step, root)
        if target is None:
            # Followed on another way (the click opened a dialog before we heard of it):
            # the next step's control is in front, so this one was done.
            following = self.index + 1
            if following < len(self.tour.steps):
                after = self.tour.steps[following]
                if self._find(after, root) and not self._skipped(after):
                    self.advance(self.index)
                    return
        page = self.main.current_page
        if target is not None and page is not None and root is self.main:
            self._seen_page[self.index] = (page.key, page.title)
        if not target_same(target, self.target):
            self._unhook()
            self.target = target
            if target is not None:
                self._hook(target)
        self._show(root, self.target)

    def _show(self, root: QWidget, target: Target | None) -> None:
        step = self.step
        assert step is not None
        if self.overlay is None or not shiboken6.isValid(self.overlay):
            self.overlay = TourOverlay(root)
        elif self.overlay.parentWidget() is not root:
            self.overlay.setParent(root)
            self.overlay.setGeometry(root.rect())
            self.overlay.show()
        heading = f"Show Me — step {self.index + 1} of {len(self.tour.steps)}"
        if target is not None:
            text = step.say
            if self.index == 0 and self.tour.intro:
                text = f"{self.tour.intro}\n\n{text}"
            if step.input:
                text += f"\n{'Type' if isinstance(target.widget, QLineEdit) else 'Choose'}: "
                text += step.input
            guide = None
        else:
            text = self._where_to_go(step)
            back: QWidget | None = getattr(self.main, "back_link", None)
            by_back = "Back (Alt+Left)" in text and root is self.main
            guide = Target(back) if by_back and back is not None else None
        self.overlay.point_at(target, heading, text, ESCAPE_HINT, guide)

    def _where_to_go(self, step: Step) -> str:
        """What the callout says when the step's control is not in the window in front."""
        expected = self._seen_page.get(self.index) or self._seen_page.get(self.index - 1)
        if expected is None:
            return f"{step.name} is not on this page. Go back to the page you were on."
        key, title = expected
        history = list(getattr(self.main, "_history", []))
        current = history[-1] if history else None
        if current is not None and current.key == key:
            return f"{step.name} is not in view: select the tab or panel it was on."
        if any(page.key == key for page in history[:-1]):
            return f"{step.name} is not on this page. Go back to {title} with Back (Alt+Left)."
        return f"{step.name} is not on this page. Go back to {title} to go on."

    # --- hearing the user's activation -------------------------------------------------

    def _connect(self, signal: Any, slot: Callable[..., None], owner: QObject) -> None:
        signal.connect(slot)

        def undo() -> None:
            if shiboken6.isValid(owner):
                with warnings.catch_warnings(), suppress(RuntimeError, TypeError):
                    warnings.simplefilter("ignore")
                    signal.disconnect(slot)

        self._disconnect.append(undo)

    def _unhook(self) -> None:
        undo, self._disconnect = self._disconnect, []
        for fn in undo:
            fn()

    def _hook(self, target: Target) -> None:
        step = self.step
        assert step is not None
        index = self.index
        widget = target.widget

        def done(*_args: Any) -> None:
            self.advance(index)

        if step.action:
            action = self.main.user_actions[step.action]
            self._connect(action.triggered, done, action)
            return
        if isinstance(widget, QTabBar):
            tab = target.tab

            def tab_chosen(chosen: int) -> None:
                if chosen == tab:
                    self.advance(index)

            self._connect(widget.tabBarClicked, tab_chosen, widget)
            self._connect(widget.currentChanged, tab_chosen, widget)
        elif isinstance(widget, QAbstractItemView):
            selection = widget.selectionModel()
            row = target.row

            def row_chosen(current: Any, _previous: Any = None) -> None:
                if current.isValid() and current.row() == row:
                    self.advance(index)

            self._connect(selection.currentChanged, row_chosen, selection)
            self._connect(widget.clicked, row_chosen, widget)
        elif isinstance(widget, QCheckBox | QRadioButton):
            want = step.checked if isinstance(widget, QCheckBox) else True

            def toggled(on: bool) -> None:
                if on == want:
                    self.advance(index)

            self._connect(widget.toggled, toggled, widget)
        elif isinstance(widget, QAbstractButton):
            self._connect(widget.clicked, done, widget)
        elif isinstance(widget, QComboBox):
            # Chosen with the mouse or the keyboard (arrow keys change it in place).
            self._connect(widget.activated, done, widget)
            self._connect(widget.currentIndexChanged, done, widget)
        elif isinstance(widget, QLineEdit):
            line = widget

            def typed(_text: str = "") -> None:
                # Done once it holds what the step suggests, or when the user leaves it.
                text = line.text().strip()
                if text and (not step.input or text == step.input or _text == ""):
                    self.advance(index)

            self._connect(line.textChanged, typed, line)
            self._connect(line.editingFinished, typed, line)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if (
            kind == QEvent.Type.ShortcutOverride
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Escape
        ):
            event.accept()  # Escape is the tour's while it runs, not a shortcut's
            return True
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape and not self.finished:
                self.end("Show Me ended.")
                return True
            # A tab already showing is "selected again" with Space or Enter on its bar.
            target = self.target
            if (
                target is not None
                and watched is target.widget
                and isinstance(watched, QTabBar)
                and watched.currentIndex() == target.tab
                and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
            ):
                QTimer.singleShot(0, self, lambda i=self.index: self.advance(i))
                return True
        return False


def target_same(a: Target | None, b: Target | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.same(b)


# --- starting a tour -----------------------------------------------------------------------


def _is_main_window(window: QWidget | None) -> bool:
    return window is not None and hasattr(window, "user_actions") and hasattr(window, "actor")


def _login_window() -> Any | None:
    from mtc_desktop.gui.login import LoginWindow

    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, LoginWindow) and shiboken6.isValid(widget) and widget.isVisible():
            return widget
    return None


def _main_window_of(username: str) -> Any | None:
    for widget in QApplication.topLevelWidgets():
        if (
            _is_main_window(widget) and widget.isVisible() and widget.actor.username == username  # type: ignore[attr-defined]
        ):
            return widget
    return None


def start_tour(answer_id: str, window: QWidget) -> None:
    """Start the tour of ``answer_id`` from ``window`` (the login window or a main
    window): on that main window if its logon fits, else after offering the tour's demo
    logon."""
    global _running
    tour = load_tours()[answer_id]
    if _running is not None:
        _running.end()
    demo = is_demo_database()
    main = window if _is_main_window(window) else None
    actor = getattr(main, "actor", None)
    fits = actor is not None and actor.role is tour.mode
    if actor is not None and fits and actor.username != tour.logon and demo:
        fits = False  # the tour's story needs its own demo logon's data
    if fits:
        _run(tour, main, demo=demo)
        return
    mode = tour.mode.label.lower()
    if not demo:
        QMessageBox.information(
            window,
            "Show Me",
            f"This tour runs in {mode} mode. Show Me logs in with the demo logons only on a "
            f"demo database: log in with a {mode} logon of your own, then select Show Me "
            "again.",
            QMessageBox.StandardButton.Ok,
        )
        return
    _offer_logon(tour, window, main)


def _offer_logon(tour: Tour, window: QWidget, main: Any | None) -> None:
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Show Me")
    mode = tour.mode.label.lower()
    if main is None:
        box.setText(f"This tour runs in {mode} mode, as the demo logon {tour.logon}.")
    else:
        box.setText(
            f"This tour runs in {mode} mode, as the demo logon {tour.logon}. You are "
            f"logged in as {main.actor.username}."
        )
    box.setInformativeText(
        f"Log in as {demo_logon_line(tour.logon)}? MTC Desktop fills in the login with the "
        "demo password."
    )
    yes = box.addButton(f"Log In as {tour.logon}", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(yes)
    box.exec()
    chosen = box.clickedButton() is yes
    box.deleteLater()
    if not chosen:
        return
    if main is not None:
        main.switch_logon()
    login = _login_window()
    if login is None:
        return
    _log_in(tour, login)


def _log_in(tour: Tour, login: Any) -> None:
    def logged_in(_actor: Any) -> None:
        login.logged_in.disconnect(logged_in)
        main = _main_window_of(tour.logon)
        if main is not None:
            _run(tour, main, demo=True)

    login.logged_in.connect(logged_in)
    login.form.usernameEdit.setText(tour.logon)
    login.form.passwordEdit.setText(DEMO_PASSWORD)
    login.form.logInButton.click()
    if _running is None or _running.main is None:
        # Refused (the login window says why): nothing to wait for.
        with warnings.catch_warnings(), suppress(RuntimeError, TypeError):
            warnings.simplefilter("ignore")
            login.logged_in.disconnect(logged_in)


def _run(tour: Tour, main: Any, *, demo: bool) -> TourRun:
    global _running
    run = TourRun(tour, main, demo=demo)
    _running = run
    run.begin()
    return run


# --- Help → Show Me ------------------------------------------------------------------------


def add_menu(menu: QMenu, main: QWidget) -> QMenu:
    """*Help → Show Me*: every tour by its FAQ question, started on ``main``."""
    from mtc_desktop.gui.help import load_faq

    faq = load_faq()
    submenu = menu.addMenu("Show &Me")
    submenu.setObjectName("showMeMenu")
    submenu.setToolTipsVisible(True)
    for answer_id in faq.ids:
        tour = load_tours().get(answer_id)
        if tour is None:
            continue
        action = submenu.addAction(faq.answer(answer_id).question)
        action.setToolTip(f"A tour in {tour.mode.label.lower()} mode, as {tour.logon}.")
        action.setObjectName(f"showMe:{answer_id}")
        action.triggered.connect(lambda _=False, a=answer_id: start_tour(a, main))
    return submenu
