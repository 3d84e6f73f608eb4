"""A returned Client Authorization, read from its PDF: what the taxpayer chose, checked.

DOR staff import the filled-in form a taxpayer returned, confirm what it says, then record
it: the GUI calls :func:`read_returned_form`, shows the :class:`ReturnedForm`, and once
confirmed calls ``requests.record_printed_form(actor, form.number,
form.authorization_code, form.decisions)``.

Reading changes nothing in the database. The file is read by ``forms.reader`` (size
checked, parsed in a separate process with a time limit); then every value goes through
the checks typed input goes through: the authorization code must match the request's, the
request must still be open for a printed form, each of its accounts must be on the form
(and no other), a Give Rights box holds a check mark or nothing, a Granted Rights choice is
one of the five levels, and an account given rights has its level marked.
"""

from __future__ import annotations

import datetime as dt
import hmac
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from mtc_desktop.domain.errors import InvalidInput, MtcError, NotFound, StateConflict
from mtc_desktop.domain.levels import AccessLevel
from mtc_desktop.domain.model import ApprovalMethod, RequestStatus, Role
from mtc_desktop.domain.text import MAX_NAME_LENGTH
from mtc_desktop.forms import reader
from mtc_desktop.forms.fields import (
    DATE_FIELD,
    PRINTED_NAME_FIELD,
    TITLE_FIELD,
    give_rights_field,
    granted_rights_field,
)
from mtc_desktop.services import requests
from mtc_desktop.services.base import Actor, now, reading, require_role
from mtc_desktop.services.requests import LineDecision, LineView, RequestView
from mtc_desktop.store.models import AccessRequest, Logon

MAX_TITLE_LENGTH = 100
MAX_DATE_LENGTH = 40  # the field takes 10 (MM/DD/YYYY); room for "March 5, 2026" and such

# What a check box holds, as PDF viewers write it (pypdf gives names with their slash).
_CHECKED = frozenset({"yes", "on", "true", "1", "x", "checked"})
_UNCHECKED = frozenset({"", "off", "no", "false", "0"})


@dataclass(frozen=True)
class ReturnedForm:
    """What a returned Client Authorization says, checked against its request."""

    number: str
    authorization_code: str  # normalized: letters and digits only
    decisions: tuple[LineDecision, ...]  # one per request line, in the request's order
    printed_name: str  # "" when left blank
    title: str  # "" when left blank or not on the form (individual taxpayers)
    signature_date: str  # as written
    request: RequestView
    notes: tuple[str, ...] = ()  # what DOR staff should look at before recording

    @property
    def approved(self) -> bool:
        return any(d.give_rights for d in self.decisions)

    def summary(self) -> str:
        """The form in a few lines of plain text, for a confirmation or a log."""
        lines = {line.account.id: line for line in self.request.lines}
        rows = [
            f"  {lines[d.account_id].account.label}: "
            + (
                f"Give Rights, {d.granted_level.label}"
                f" (requested {lines[d.account_id].requested_level.label})"
                if d.give_rights
                else "not given"
            )
            for d in self.decisions
        ]
        signer = self.printed_name or "(no printed name)"
        if self.title:
            signer += f", {self.title}"
        verdict = "approves" if self.approved else "denies (no Give Rights box is checked)"
        text = [
            f"Client Authorization for request {self.number}: the taxpayer {verdict}.",
            *rows,
            f"Signed by {signer}, dated {self.signature_date or '(no date)'}.",
            *self.notes,
        ]
        return "\n".join(text)


# --- the values, one by one ----------------------------------------------------------


def _plain(raw: str) -> str:
    """Text from the file, put in a message: short, and with nothing invisible in it."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in raw.strip().lstrip("/"))
    return clean[:40] + ("…" if len(clean) > 40 else "")


def _shown(raw: str) -> str:
    return f"“{_plain(raw)}”"


def give_rights_value(raw: str | None, account: str) -> bool:
    """A Give Rights check box: checked or not; anything else is refused."""
    text = (raw or "").strip().lstrip("/").casefold()
    if text in _CHECKED:
        return True
    if text in _UNCHECKED:
        return False
    raise InvalidInput(
        f"The Give Rights box for account {account} holds {_shown(raw or '')}, which is "
        "neither checked nor blank; the form was not filled in by a PDF viewer as printed. "
        "Record the decision by hand from the paper form.",
        "give_rights",
    )


def granted_level_value(raw: str | None, account: str) -> AccessLevel | None:
    """A Granted Rights choice: one of the five levels (code or label, any case), or none."""
    text = (raw or "").strip().lstrip("/").strip()
    if not text or text.casefold() == "off":
        return None
    for level in AccessLevel:
        if text.casefold() in (level.value, level.label.casefold()):
            return level
    levels = ", ".join(level.label for level in AccessLevel)
    raise InvalidInput(
        f"The Granted Rights for account {account} are {_shown(text)}, which is not an access "
        f"level ({levels}). Record the decision by hand from the paper form.",
        "granted_rights",
    )


def written_text(raw: str | None, what: str, field: str, limit: int) -> str:
    """A text the taxpayer typed on the form (name, title, date): tidied, checked."""
    text = raw or ""
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cf") and char not in "\t\n\r\u200c\u200d":
            raise InvalidInput(
                f"The {what} on the form holds an invisible control character "
                f"(U+{ord(char):04X}). Record the decision by hand from the paper form.",
                field,
            )
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if len(text) > limit:
        raise InvalidInput(
            f"The {what} on the form is {len(text):,} characters long; at most {limit} fit "
            "on the form. Record the decision by hand from the paper form.",
            field,
        )
    return text


# --- the request ---------------------------------------------------------------------


def _day(moment: dt.datetime | None) -> str:
    if moment is None:
        return "an unknown day"
    return f"{moment:%B} {moment.day}, {moment.year}"


def _refuse_unless_open(request: AccessRequest, view: RequestView) -> None:
    """A form counts only for a pending printed-form request within its period."""
    number = request.number
    if view.method is not ApprovalMethod.PRINTED_FORM:
        raise InvalidInput(
            f"Request {number} is for approval on MassTaxConnect, not on a printed form; "
            "the taxpayer decides it online, so this form cannot be recorded.",
            "reference",
        )
    status = view.status
    when = _day(request.decided_at)
    if status in (RequestStatus.APPROVED, RequestStatus.DENIED):
        decider = Logon.get_or_none(Logon.id == request.decided_by_id)
        verdict = status.label.lower()
        if decider is not None and decider.role == Role.DOR_STAFF.value:
            raise StateConflict(
                f"Request {number} was already recorded ({verdict}) on {when}; a form is "
                "recorded once. Nothing was changed."
            )
        raise StateConflict(
            f"Request {number} was already decided online by the taxpayer ({verdict}) on "
            f"{when}, so this printed form no longer counts. Nothing was changed."
        )
    if status is RequestStatus.WITHDRAWN:
        raise StateConflict(
            f"Request {number} was withdrawn by the third party on {when}, so this form "
            "cannot be recorded. Nothing was changed."
        )
    if status is RequestStatus.EXPIRED or now() >= view.expires_at:
        when = _day(view.expires_at)
        raise StateConflict(
            f"Request {number} expired on {when} without a decision, so this form cannot be "
            "recorded. The third party can make a new request. Nothing was changed."
        )


def _decisions(form: reader.AuthorizationFields, view: RequestView) -> tuple[LineDecision, ...]:
    """One decision per request line; the form's accounts must be exactly the request's."""
    # An account's fields are named by its number, as give_rights_field() writes it.
    by_key = {
        give_rights_field(line.account.number).removeprefix(reader.GIVE_RIGHTS_PREFIX): line
        for line in view.lines
    }
    gives = {
        name.removeprefix(reader.GIVE_RIGHTS_PREFIX)
        for name in form.account_fields(reader.GIVE_RIGHTS_PREFIX)
    }
    levels = {
        name.removeprefix(reader.GRANTED_RIGHTS_PREFIX)
        for name in form.account_fields(reader.GRANTED_RIGHTS_PREFIX)
    }
    extra = sorted((gives | levels) - set(by_key))
    if extra:
        many = len(extra) > 1
        listed = ", ".join(_plain(key) for key in extra[:5])
        if len(extra) > 5:
            listed += f" and {len(extra) - 5} more"
        raise InvalidInput(
            f"The form lists account{'s' if many else ''} {listed}, which "
            f"{'are' if many else 'is'} not on request {view.number}: it is not the form "
            "printed for this request. Nothing was recorded.",
            "accounts",
        )
    missing = [line.account.number for key, line in by_key.items() if key not in gives & levels]
    if missing:
        many = len(missing) > 1
        raise InvalidInput(
            f"The form has no Give Rights or Granted Rights for account{'s' if many else ''} "
            f"{', '.join(missing)} of request {view.number}: it is not the whole form printed "
            "for this request. Record the decision by hand from the paper form.",
            "accounts",
        )
    return tuple(_decision(form, line) for line in view.lines)


def _decision(form: reader.AuthorizationFields, line: LineView) -> LineDecision:
    number = line.account.number
    give = give_rights_value(form.value(give_rights_field(number)), number)
    level = granted_level_value(form.value(granted_rights_field(number)), number)
    if give and level is None:
        raise InvalidInput(
            f"Give Rights is checked for account {number}, but no Granted Rights level is "
            "marked. Ask the taxpayer which level they give, or record the decision by hand "
            "from the paper form.",
            "granted_rights",
        )
    # A line not given keeps a level only because LineDecision needs one; it is not stored.
    return LineDecision(line.account.id, give, level or line.requested_level)


def _notes(
    form: reader.AuthorizationFields, view: RequestView, decisions: tuple[LineDecision, ...]
) -> tuple[str, ...]:
    notes = []
    for line, decision in zip(view.lines, decisions, strict=True):
        marked = form.value(granted_rights_field(line.account.number))
        if not decision.give_rights and granted_level_value(marked, line.account.number):
            notes.append(
                f"Account {line.account.number} has a Granted Rights level marked but Give "
                "Rights not checked: it is not given, as the form says."
            )
    return tuple(notes)


# --- the service ---------------------------------------------------------------------


@reading
def read_returned_form(
    actor: Actor,
    data: bytes | Path,
    *,
    expected_number: str | None = None,
    using: reader.FormReader | None = None,
) -> ReturnedForm:
    """Read a returned Client Authorization (PDF bytes or a path) for DOR staff.

    ``expected_number``: the request being recorded, when staff opened one first; a form
    for another request is refused. ``using``: the reader process of a batch. Changes
    nothing; raises ``reader.FormFileRefused`` for a file that cannot be read as a form,
    ``InvalidInput``, ``NotFound`` or ``StateConflict`` for a form that cannot be
    recorded, each with what to do.
    """
    require_role(actor, Role.DOR_STAFF)
    form = reader.read_authorization_fields(data, using=using)
    return _checked(form, expected_number)


@reading
def _checked_form(actor: Actor, form: reader.AuthorizationFields) -> ReturnedForm:
    require_role(actor, Role.DOR_STAFF)
    return _checked(form, None)


def _checked(form: reader.AuthorizationFields, expected_number: str | None) -> ReturnedForm:
    """The form's fields checked against its request."""
    number = form.request_number.strip().upper()
    if expected_number is not None and number != expected_number.strip().upper():
        expected = _plain(expected_number.upper())
        raise InvalidInput(
            f"This form is for request {_plain(number)}, not request {expected}. Choose the "
            f"form of request {expected}, or open request {_plain(number)} to record this one.",
            "file",
        )
    request = AccessRequest.get_or_none(AccessRequest.number == number)
    if request is None:
        raise NotFound(
            f"The form is for request {_shown(number)}, but there is no request with that "
            "number. Check the number printed on the paper form, and find the request by hand."
        )
    code = requests.normalize_code(form.authorization_code)
    # Compared as bytes: compare_digest refuses str beyond ASCII, and a form can hold any.
    if not hmac.compare_digest(code.encode(), request.authorization_code.encode()):
        raise InvalidInput(
            f"The authorization code on the form does not match the one printed for request "
            f"{number}: the form has been altered, or is not the one DOR printed for this "
            "request. Nothing was recorded; check the paper form.",
            "authorization_code",
        )
    view = requests._view(request, with_code=True)
    _refuse_unless_open(request, view)
    decisions = _decisions(form, view)
    return ReturnedForm(
        number=view.number,
        authorization_code=code,
        decisions=decisions,
        printed_name=written_text(
            form.value(PRINTED_NAME_FIELD), "printed name", "printed_name", MAX_NAME_LENGTH
        ),
        title=written_text(form.value(TITLE_FIELD), "title", "title", MAX_TITLE_LENGTH),
        signature_date=written_text(
            form.value(DATE_FIELD), "date signed", "signature_date", MAX_DATE_LENGTH
        ),
        request=view,
        notes=_notes(form, view, decisions),
    )


# --- many forms at once ----------------------------------------------------------------

STOPPED = "Not read: the import was stopped before this file."


@dataclass(frozen=True)
class BatchItem:
    """One file of a batch of returned forms: what it says, or what is wrong with it."""

    path: Path
    number: str = ""  # the request number on the form, when it could be read
    form: ReturnedForm | None = None  # read and checked: it can be recorded
    problem: str = ""  # why it cannot be (or was not) recorded
    recorded: RequestView | None = None

    @property
    def outcome(self) -> str:
        """One line for the report: what was (or will be) recorded, or what is wrong."""
        if self.problem:
            return self.problem
        view = self.recorded
        if view is not None:
            if view.status is RequestStatus.APPROVED:
                given = "; ".join(
                    f"{line.account.label} — {line.granted_level.label}"
                    for line in view.lines
                    if line.give_rights and line.granted_level is not None
                )
                return f"Recorded as approved: {given}."
            return "Recorded as denied."
        assert self.form is not None
        form = self.form
        if form.approved:
            lines = {line.account.id: line for line in form.request.lines}
            given = "; ".join(
                f"{lines[d.account_id].account.label} — {d.granted_level.label}"
                for d in form.decisions
                if d.give_rights
            )
            text = f"Approves: {given}."
        else:
            text = "Denies (no Give Rights box is checked)."
        return " ".join([text, *form.notes])


Progress = Callable[[int, int, BatchItem], object]


def read_returned_forms(
    actor: Actor,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
    using: reader.FormReader | None = None,
) -> list[BatchItem]:
    """Read many returned Client Authorizations; changes nothing.

    One reader process serves the whole batch (``using``, else one made for it), each
    form within the reader's size and time limits; a file that cannot be read, or a form
    that cannot be recorded, gets its reason and the batch goes on. ``progress(done,
    total, item)`` is called after each file; ``stop()`` returning True ends the batch
    (the files left are reported as not read)."""
    return _batch(actor, paths, progress=progress, stop=stop, using=using, record=False)


def import_returned_forms(
    actor: Actor,
    paths: Sequence[Path],
    *,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
    using: reader.FormReader | None = None,
) -> list[BatchItem]:
    """Read many returned forms and record each that reads cleanly as soon as it is read
    (the command line's import), while the reader process parses the next: one item per
    file, in order, each recorded or with its reason."""
    return _batch(actor, paths, progress=progress, stop=stop, using=using, record=True)


def _batch(
    actor: Actor,
    paths: Sequence[Path],
    *,
    progress: Progress | None,
    stop: Callable[[], bool] | None,
    using: reader.FormReader | None,
    record: bool,
) -> list[BatchItem]:
    _checked_role(actor)
    items: list[BatchItem] = []
    seen: dict[str, Path] = {}
    forms = reader.FormReader() if using is None else using
    files = [Path(path) for path in paths]
    found = reader.read_many(files, forms)
    try:
        for path in files:
            if stop is not None and stop():
                break
            item = _read_one(actor, path, next(found), seen)
            if record and item.form is not None:
                item = _record_one(actor, item)
            items.append(item)
            if progress is not None:
                progress(len(items), len(files), item)
    finally:
        found.close()
        if using is None:
            forms.close()
    items += [BatchItem(path, problem=STOPPED) for path in files[len(items) :]]
    return items


@reading
def _checked_role(actor: Actor) -> None:
    require_role(actor, Role.DOR_STAFF)


def _read_one(
    actor: Actor,
    path: Path,
    fields: reader.AuthorizationFields | MtcError,
    seen: dict[str, Path],
) -> BatchItem:
    if isinstance(fields, MtcError):  # a file that cannot be read (or no reader process)
        return BatchItem(path, problem=fields.message)
    number = _plain(fields.request_number.strip().upper())
    first = seen.setdefault(number, path)
    if first != path:
        return BatchItem(
            path,
            number=number,
            problem=f"Another form for request {number} is in this batch ({first.name}); "
            "a form is recorded once, so this one is not. Compare the two paper forms.",
        )
    try:
        form = _checked_form(actor, fields)
    except MtcError as exc:
        return BatchItem(path, number=number, problem=exc.message)
    return BatchItem(path, number=form.number, form=form)


def _record_one(actor: Actor, item: BatchItem) -> BatchItem:
    form = item.form
    assert form is not None
    try:
        view = requests.record_printed_form(
            actor, form.number, form.authorization_code, form.decisions
        )
    except MtcError as exc:
        return replace(item, problem=f"Not recorded: {exc.message}")
    return replace(item, recorded=view)


def record_returned_forms(
    actor: Actor,
    items: Sequence[BatchItem],
    *,
    progress: Progress | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[BatchItem]:
    """Record each form of ``items`` that was read (each in its own transaction, with its
    audit event and emails); the others are passed on as they are. A form refused now (a
    request decided meanwhile) gets its reason; the rest are still recorded."""
    done: list[BatchItem] = []
    for item in items:
        if item.form is not None and stop is not None and stop():
            item = replace(item, form=None, problem="Not recorded: the import was stopped.")
        elif item.form is not None:
            item = _record_one(actor, item)
        done.append(item)
        if progress is not None:
            progress(len(done), len(items), item)
    return done
