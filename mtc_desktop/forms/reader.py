"""Reading a returned Client Authorization: the values of its form fields, safely.

A returned form is a file from outside: it may be empty, not a PDF at all, cut off,
password-protected, a scan with no fields, someone else's form, or built to hang or crash
a PDF parser. So:

- the file is size-checked before anything parses it (:data:`MAX_FORM_BYTES`), and its
  first bytes must be a PDF header;
- pypdf parses it in a separate process, started with ``spawn`` (no state of the GUI
  process is shared, and it works the same on every OS and, once
  ``multiprocessing.freeze_support()`` runs first, in a frozen program); the process is
  killed when it takes longer than :data:`TIME_LIMIT` seconds, and where the OS allows
  its memory is capped (:data:`MEMORY_LIMIT`);
- only the AcroForm field values and the document keywords are read: no JavaScript is
  run, no page is rendered;
- each refusal is a :class:`FormFileRefused` whose :class:`Refusal` says which, and whose
  message says what is wrong and what to do.

:func:`read_authorization_fields` returns the raw field values by name; what they mean
(which account, which level) is for ``services.returned_forms`` to check against the
request.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import enum
import io
import json
import logging
import multiprocessing
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from mtc_desktop.domain.errors import EnvironmentProblem, MtcError

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 10 * 1024 * 1024  # a Client Authorization is well under 1 MB
TIME_LIMIT = 15.0  # seconds for the parsing process, its start included
MEMORY_LIMIT = 1024 * 1024 * 1024  # address space of the parsing process, where settable
MAX_FIELDS = 2000  # a form for every account type twice over has well under 100
MAX_VALUE_LENGTH = 1000  # characters kept of one field's value
MAX_ANSWER_BYTES = 16 * 1024 * 1024  # of the parsing process's answer

GIVE_RIGHTS_PREFIX = "give_rights_"
GRANTED_RIGHTS_PREFIX = "granted_rights_"
QR_PREFIX = "MTC-AUTH|"

_HEADER = b"%PDF-"
_HEADER_WINDOW = 1024  # the header may follow some junk, within the first 1024 bytes
_EOF_MARKER = b"%%EOF"
_EOF_WINDOW = 2048  # a whole file ends with %%EOF (some writers add a little after it)

BY_HAND = "Record the decision by hand from the paper form instead."


class Refusal(enum.Enum):
    """Why a file was not read as a returned Client Authorization."""

    UNREADABLE = "unreadable"  # the file could not be opened
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    TRUNCATED = "truncated"
    DAMAGED = "damaged"
    ENCRYPTED = "encrypted"
    NO_FIELDS = "no_fields"
    NOT_OURS = "not_ours"
    NO_REFERENCE = "no_reference"  # ours, but without its request number and code
    TIMED_OUT = "timed_out"
    CRASHED = "crashed"  # the reader ended while reading the file
    READER_STOPPED = "reader_stopped"  # the reader ended before it had the file


class FormFileRefused(MtcError):
    """The file cannot be read as a returned Client Authorization; ``reason`` says why."""

    def __init__(self, reason: Refusal, message: str) -> None:
        self.reason = reason
        super().__init__(message)


@dataclass(frozen=True)
class PdfFields:
    """What the parsing process found: plain values only, so they cross processes."""

    encrypted: bool = False
    values: dict[str, str | None] = field(default_factory=dict)  # by field name
    keywords: str = ""  # the document's /Keywords (a Client Authorization's QR text)
    field_count: int = 0  # before MAX_FIELDS cut the values short
    broken_fields: int = 0  # listed in the form but not there: a damaged file


@dataclass(frozen=True)
class AuthorizationFields:
    """The fields of a returned Client Authorization, as written on it."""

    request_number: str
    authorization_code: str
    values: Mapping[str, str | None]  # every field by name; None when unset

    def value(self, name: str) -> str | None:
        return self.values.get(name)

    def text(self, name: str) -> str:
        """A text field's value; "" when absent or unset."""
        return self.values.get(name) or ""

    def account_fields(self, prefix: str) -> set[str]:
        """The names of the fields starting with ``prefix`` (one per account on the form)."""
        return {name for name in self.values if name.startswith(prefix)}


# --- the checks before parsing --------------------------------------------------------


def _megabytes(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _too_large(size: int, limit: int) -> FormFileRefused:
    return FormFileRefused(
        Refusal.TOO_LARGE,
        f"This file is {_megabytes(size)}; files over {_megabytes(limit)} are not read (a "
        "Client Authorization PDF is well under 1 MB). Check that you chose the form the "
        f"taxpayer returned. {BY_HAND}",
    )


def load(source: bytes | Path, *, max_bytes: int = MAX_FORM_BYTES) -> bytes:
    """The bytes of ``source``, never more than ``max_bytes`` of them read."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_large(len(data), max_bytes)
        return data
    path = Path(source)
    try:
        with path.open("rb") as file:
            size = path.stat().st_size
            if size > max_bytes:
                raise _too_large(size, max_bytes)
            data = file.read(max_bytes + 1)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise FormFileRefused(
            Refusal.UNREADABLE,
            f"The file {path.name} could not be opened ({reason}). Check that it is still "
            "there and that you may read it, then try again.",
        ) from exc
    if len(data) > max_bytes:  # it grew while being read
        raise _too_large(len(data), max_bytes)
    return data


# The first bytes of the files most often picked by mistake, and what they are.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a Word document or another zipped file (.docx, .xlsx, .zip)"),
    (b"\xd0\xcf\x11\xe0", "an older Word or Excel document (.doc, .xls)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "a rich text document (.rtf)"),
)


def _looks_like(data: bytes) -> str:
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            return what
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "a web page"
    if head.startswith(b"<"):
        return "an XML or web document"
    return ""


def check_pdf_bytes(data: bytes) -> None:
    """Refuse what is plainly not a whole PDF, before anything parses it."""
    if not data:
        raise FormFileRefused(
            Refusal.EMPTY,
            "This file is empty (0 bytes): it may not have finished downloading or copying. "
            f"Ask for the file again. {BY_HAND}",
        )
    if _HEADER not in data[:_HEADER_WINDOW]:
        what = _looks_like(data)
        it_is = f": it is {what}" if what else ""
        if "image" in what:
            advice = (
                "A scanned or photographed form cannot be read: record the decision by hand "
                "from the paper form."
            )
        else:
            advice = f"Choose the Client Authorization PDF the taxpayer returned. {BY_HAND}"
        raise FormFileRefused(Refusal.NOT_PDF, f"This file is not a PDF{it_is}. {advice}")
    if _EOF_MARKER not in data[-_EOF_WINDOW:]:
        # Cut off: and a filled form's choices are often its last part (an incremental
        # update), so what is left could read as a blank form.
        raise FormFileRefused(
            Refusal.TRUNCATED,
            "This PDF is incomplete: its end is missing, as when a file is cut off while "
            f"downloading or copying. Ask for the file again. {BY_HAND}",
        )


# --- the parsing process --------------------------------------------------------------


def _value(raw: object) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bytes):
        raw = raw.decode("latin-1")
    text = raw if isinstance(raw, str) else repr(raw)
    return str(text)[:MAX_VALUE_LENGTH]


def parse_pdf(data: bytes) -> PdfFields:
    """Read ``data``'s AcroForm field values with pypdf (in the parsing process).

    Raises whatever pypdf raises on a damaged file."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, DictionaryObject

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        # An empty user password (only an owner password, against editing) opens in any
        # viewer without asking, so it is read; a file that asks for a password is not.
        if reader.is_encrypted and not _decrypt_without_password(reader):
            return PdfFields(encrypted=True)
        catalog = reader.trailer["/Root"].get_object()
    except Exception:
        # pypdf cannot even open some encrypted files (AES without `cryptography`).
        if b"/Encrypt" in data:
            return PdfFields(encrypted=True)
        raise
    acro_form = catalog.get("/AcroForm") if isinstance(catalog, DictionaryObject) else None
    acro_form = acro_form.get_object() if acro_form is not None else None
    listed = acro_form.get("/Fields") if isinstance(acro_form, DictionaryObject) else None
    listed = listed.get_object() if listed is not None else None
    refs = list(listed)[:MAX_FIELDS] if isinstance(listed, ArrayObject) else []
    broken = sum(1 for ref in refs if not isinstance(ref.get_object(), DictionaryObject))
    fields = reader.get_fields() or {}
    metadata = reader.metadata
    keywords = _value(metadata.get("/Keywords")) if metadata else None
    values = {
        str(name): _value(item.get("/V"))
        for name, item in list(fields.items())[:MAX_FIELDS]
        if isinstance(name, str)
    }
    return PdfFields(
        values=values, keywords=keywords or "", field_count=len(fields), broken_fields=broken
    )


def _decrypt_without_password(reader: object) -> bool:
    """Open an encrypted PDF with the empty user password; False if it needs another."""
    from pypdf import PasswordType, PdfReader

    assert isinstance(reader, PdfReader)
    try:
        return reader.decrypt("") is not PasswordType.NOT_DECRYPTED
    except Exception:  # e.g. AES without the library it needs
        return False


Parser = Callable[[bytes], PdfFields]


def _limit_memory(limit: int) -> None:
    try:
        import resource
    except ImportError:  # Windows
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        if soft == resource.RLIM_INFINITY or soft > limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):  # not settable here (macOS): the time limit still holds
        pass


_READING = b"reading"  # the parsing process has the whole file
FORMS_PER_READER = 200  # a reader process is replaced after this many forms


def _child(
    data_conn: Connection, conn: Connection, size: int, parse: Parser, memory_limit: int
) -> None:
    """The parsing process: take a file, say so, parse, send back one result as JSON; then
    the next file, until the pipe closes. ``size`` caps each file it takes."""
    # pypdf warns and logs about every quirk of a damaged file; the result says enough.
    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    if parse is parse_pdf:
        import pypdf  # noqa: F401  (loaded while the first file is on its way)
    _limit_memory(memory_limit)
    while True:
        try:
            data = data_conn.recv_bytes(size)
        except (EOFError, OSError):  # no more forms
            break
        conn.send_bytes(_READING)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result: dict[str, object] = {"ok": dataclasses.asdict(parse(data))}
            except MemoryError:
                result = {"error": "it needs more memory than a form can"}
            except BaseException:  # anything pypdf raises on a damaged file
                result = {"error": traceback.format_exc(limit=-3)}
        del data
        conn.send_bytes(json.dumps(result).encode())
    data_conn.close()
    conn.close()


def _decode(message: bytes) -> PdfFields | str:
    """The parsing process's answer: its fields, or what went wrong. The answer is JSON,
    never a pickle, and is checked item by item: the process read a hostile file."""
    try:
        answer = json.loads(message)
    except ValueError:
        return "the answer is not JSON"
    if not isinstance(answer, dict) or len(answer) != 1:
        return "the answer is not one result"
    if "error" in answer:
        return str(answer["error"])
    found = answer.get("ok")
    if not isinstance(found, dict):
        return "the answer holds no fields"
    values = found.get("values")
    keywords = found.get("keywords")
    count = found.get("field_count")
    broken = found.get("broken_fields")
    encrypted = found.get("encrypted")
    if (
        not isinstance(values, dict)
        or not all(
            isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in values.items()
        )
        or not isinstance(keywords, str)
        or not isinstance(count, int)
        or not isinstance(broken, int)
        or not isinstance(encrypted, bool)
    ):
        return "the answer's fields are malformed"
    return PdfFields(encrypted, values, keywords, count, broken)


def _feed(conn: Connection, data: bytes) -> None:
    """Send a file to the parsing process (on a thread of its own: a process that does not
    read would block the send; killing it ends the send)."""
    with contextlib.suppress(OSError):  # the process ended: the answer's end says how
        conn.send_bytes(data)


def _reader_stopped() -> FormFileRefused:
    return FormFileRefused(
        Refusal.READER_STOPPED,
        "The form could not be read: the reader stopped unexpectedly before it had the "
        "file. Try again; if it happens again, restart MTC Desktop, or "
        f"{BY_HAND[0].lower()}{BY_HAND[1:]}",
    )


def _answer(receiver: Connection, deadline: float) -> bytes | None:
    """The next message of the parsing process; None if it ended without one (or said too
    much). Raises TimeoutError at ``deadline``."""
    try:
        ready = receiver.poll(max(0.0, deadline - time.monotonic()))
        message = receiver.recv_bytes(MAX_ANSWER_BYTES) if ready else None
    except (EOFError, OSError):
        return None
    if not ready:
        raise TimeoutError
    return message


@dataclass
class _Sent:
    """A file given to the parsing process, whose answer is still to come."""

    data: bytes
    sent_at: float
    feeder: threading.Thread


class FormReader:
    """One parsing process that reads form after form (a batch), each within its limits.

    Each form has its own deadline of ``time_limit`` seconds, counted from when it is sent
    (or, when it waits behind the form before it, from that form's answer): when the
    process has to be started for it (the first form, or after a failure), its start and
    the sending of the file fall within that limit too. A process that hangs, dies, fails
    to parse or answers wrongly is killed, that form is refused with its reason, and the
    next form goes to a new process; so does the form after :data:`FORMS_PER_READER`.
    :meth:`submit` may send the next file before :meth:`result` is asked for the one
    before, so that the process parses while the caller works on the last answer. Use it
    as a context manager (the process ends with it).

    ``parse`` must be importable by name (a module-level function): the process is new.
    """

    def __init__(
        self,
        *,
        time_limit: float = TIME_LIMIT,
        parse: Parser = parse_pdf,
        memory_limit: int = MEMORY_LIMIT,
        max_bytes: int = MAX_FORM_BYTES,
        forms_per_process: int = FORMS_PER_READER,
    ) -> None:
        self.time_limit = time_limit
        self.parse_function = parse
        self.memory_limit = memory_limit
        self.max_bytes = max_bytes
        self.forms_per_process = forms_per_process
        self.processes_started = 0
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receiver: Connection | None = None
        self._data_sender: Connection | None = None
        self._served = 0
        self._sent: collections.deque[_Sent] = collections.deque()
        self._answered_at = 0.0
        self._lost: list[MtcError] = []  # for files that could not be sent again

    def __enter__(self) -> FormReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        """The process ID of the parsing process now running; None when there is none."""
        process = self._process
        return process.pid if process is not None and process.is_alive() else None

    @property
    def waiting(self) -> int:
        """How many files were sent whose answer has not been asked for."""
        return len(self._sent)

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        receiver, sender = context.Pipe(duplex=False)
        data_receiver, data_sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_child,
            args=(data_receiver, sender, self.max_bytes, self.parse_function, self.memory_limit),
            name="mtc-form-reader",
            daemon=True,
        )
        try:
            try:
                process.start()
            except BrokenPipeError as exc:  # it ended before taking its start-up message
                data_sender.close()
                receiver.close()
                self._end(process)
                raise _reader_stopped() from exc
            except OSError as exc:  # out of processes or memory: not the file's fault
                data_sender.close()
                receiver.close()
                raise EnvironmentProblem(
                    "The program could not start its PDF reader "
                    f"({exc.strerror or type(exc).__name__}). Close some programs and try "
                    "again."
                ) from exc
        finally:
            # Only the child holds these now: its end means EOF here, and a broken pipe
            # for the file.
            sender.close()
            data_receiver.close()
        self._process, self._receiver, self._data_sender = process, receiver, data_sender
        self._served = 0
        self.processes_started += 1

    @staticmethod
    def _end(process: multiprocessing.process.BaseProcess) -> None:
        if process.is_alive():
            process.kill()
        if process.pid is not None:
            process.join(5.0)
            if process.exitcode is not None:
                process.close()

    def _stop_process(self, *, kill: bool) -> None:
        process, self._process = self._process, None
        if kill and process is not None and process.is_alive():
            process.kill()
        for sent in self._sent:  # the process is gone: their sends have ended
            sent.feeder.join(5.0)
        for conn in (self._data_sender, self._receiver):
            if conn is not None:
                conn.close()
        self._receiver = self._data_sender = None
        if process is not None:
            if process.is_alive():
                process.join(1.0)  # it ends at the closed pipe; killed if it does not
            self._end(process)

    def close(self) -> None:
        """End the parsing process; files sent and not asked for are dropped."""
        self._stop_process(kill=bool(self._sent))
        self._sent.clear()
        self._lost.clear()

    def _send(self, data: bytes, sent_at: float) -> None:
        if (
            self._process is not None
            and not self._sent
            and (not self._process.is_alive() or self._served >= self.forms_per_process)
        ):
            self._stop_process(kill=False)
        if self._process is None:
            self._start()
        assert self._data_sender is not None
        self._served += 1
        feeder = threading.Thread(
            target=_feed, args=(self._data_sender, data), name="mtc-form-feeder", daemon=True
        )
        feeder.start()
        self._sent.append(_Sent(data, sent_at, feeder))

    def submit(self, data: bytes) -> None:
        """Send ``data`` (a PDF of at most ``max_bytes``) to the parsing process; its
        fields come from :meth:`result`, in the order the files were sent."""
        if len(data) > self.max_bytes:
            raise _too_large(len(data), self.max_bytes)
        self._send(data, time.monotonic())

    def result(self) -> PdfFields:
        """The fields of the oldest file sent; raises :class:`FormFileRefused` for it."""
        if not self._sent and self._lost:
            raise self._lost.pop()
        sent = self._sent[0]
        deadline = max(sent.sent_at, self._answered_at) + self.time_limit
        receiver = self._receiver
        assert receiver is not None
        healthy = False
        try:
            try:
                reading = _answer(receiver, deadline)
                message = _answer(receiver, deadline) if reading == _READING else None
            except TimeoutError:
                log.warning("form reader: no answer in %.1f s; killed", self.time_limit)
                raise FormFileRefused(
                    Refusal.TIMED_OUT,
                    f"Reading this PDF took longer than {self.time_limit:g} seconds and was "
                    f"stopped; the file may be damaged, or made to slow readers down. {BY_HAND}",
                ) from None
            if message is None:
                process = self._process
                assert process is not None
                process.join(max(0.0, min(1.0, deadline - time.monotonic())))
                log.warning("form reader: the process ended with code %s", process.exitcode)
                if reading != _READING:  # it never had the file: not the file's fault
                    raise _reader_stopped()
                raise FormFileRefused(
                    Refusal.CRASHED,
                    "The PDF reader stopped unexpectedly on this file, which is probably "
                    f"damaged. Ask for the file again. {BY_HAND}",
                )
            result = _decode(message)
            healthy = isinstance(result, PdfFields)
        finally:
            self._answered_at = time.monotonic()
            self._sent.popleft()
            if healthy:
                sent.feeder.join(5.0)
            else:  # this one's process is killed; the files sent after it go to a new one
                self._sent.appendleft(sent)
                self._stop_process(kill=True)
                self._sent.popleft()
                again, self._sent = self._sent, collections.deque()
                try:
                    for later in again:
                        self._send(later.data, self._answered_at)
                except MtcError as exc:  # no new process: the files left get its reason
                    self._lost = [exc] * (len(again) - len(self._sent))
        if isinstance(result, str):
            log.info("form reader: pypdf could not read the file: %s", result)
            raise _damaged()
        if not result.broken_fields:
            return result
        log.info("form reader: %d form fields are missing", result.broken_fields)
        raise _damaged()

    def parse(self, data: bytes) -> PdfFields:
        """Parse ``data`` (a PDF of at most ``max_bytes``) in the parsing process."""
        if self._sent:
            raise RuntimeError("parse() with answers still to come: use result()")
        self.submit(data)
        return self.result()


def _damaged() -> FormFileRefused:

    return FormFileRefused(
        Refusal.DAMAGED,
        f"This PDF is damaged and cannot be read. Ask for the file again. {BY_HAND}",
    )


def parse_in_process(
    data: bytes,
    *,
    time_limit: float = TIME_LIMIT,
    parse: Parser = parse_pdf,
    memory_limit: int = MEMORY_LIMIT,
) -> PdfFields:
    """Run ``parse(data)`` in a spawned process of its own; kill it after ``time_limit``
    seconds (its start, the sending of the file and the parsing all fall within it)."""
    with FormReader(
        time_limit=time_limit,
        parse=parse,
        memory_limit=memory_limit,
        max_bytes=max(len(data), 1),
    ) as one:
        return one.parse(data)


# --- the Client Authorization ---------------------------------------------------------


def _from_keywords(keywords: str) -> tuple[str, str]:
    """(number, code) from a form's keywords, the QR code's text; ("", "") if not."""
    if not keywords.upper().startswith(QR_PREFIX):
        return "", ""
    parts = keywords.split("|")
    if len(parts) != 3:
        return "", ""
    return parts[1].strip(), parts[2].strip()


def authorization_fields(found: PdfFields) -> AuthorizationFields:
    """Check that ``found`` is a Client Authorization of this program, and name its parts."""
    # Here, not at the top: the parsing process imports this module, and would take
    # ReportLab along for nothing.
    from mtc_desktop.forms.fields import CODE_FIELD, REQUEST_NUMBER_FIELD

    if found.encrypted:
        raise FormFileRefused(
            Refusal.ENCRYPTED,
            "This PDF is password-protected, so its fields cannot be read. Ask the taxpayer "
            f"to save the form again without a password. {BY_HAND}",
        )
    if not found.values:
        raise FormFileRefused(
            Refusal.NO_FIELDS,
            "This PDF has no form fields to read: it is probably a scan, or a printout "
            "saved as PDF. Record the decision by hand from the paper form: find the "
            "request by its number, then enter what the taxpayer marked.",
        )
    names = set(found.values)
    ours = REQUEST_NUMBER_FIELD in names or any(
        name.startswith((GIVE_RIGHTS_PREFIX, GRANTED_RIGHTS_PREFIX)) for name in names
    )
    if not ours or found.field_count > MAX_FIELDS:
        raise FormFileRefused(
            Refusal.NOT_OURS,
            "This PDF's form is not a Client Authorization printed by MTC Desktop: it has "
            "none of its Give Rights and Granted Rights fields. Choose the form the "
            f"taxpayer returned. {BY_HAND}",
        )
    number = (found.values.get(REQUEST_NUMBER_FIELD) or "").strip()
    code = (found.values.get(CODE_FIELD) or "").strip()
    if not number or not code:
        number, code = _from_keywords(found.keywords)
    if not number or not code:
        raise FormFileRefused(
            Refusal.NO_REFERENCE,
            "This Client Authorization does not carry its request number and authorization "
            "code, so its request cannot be found from the file. Find the request by the "
            "number printed on the form, and record the decision by hand.",
        )
    return AuthorizationFields(number, code, dict(found.values))


def read_authorization_fields(
    source: bytes | Path,
    *,
    max_bytes: int = MAX_FORM_BYTES,
    time_limit: float = TIME_LIMIT,
    parse: Parser = parse_pdf,
    using: FormReader | None = None,
) -> AuthorizationFields:
    """The fields of the returned Client Authorization in ``source`` (PDF bytes or a path).

    ``using``: the parsing process of a batch (:class:`FormReader`, whose limits then
    apply); without it, the form gets a process of its own. Raises
    :class:`FormFileRefused` when the file cannot be read as one.
    """
    if using is not None:
        data = load(source, max_bytes=using.max_bytes)
        check_pdf_bytes(data)
        return authorization_fields(using.parse(data))
    data = load(source, max_bytes=max_bytes)
    check_pdf_bytes(data)
    return authorization_fields(parse_in_process(data, time_limit=time_limit, parse=parse))


def read_many(
    sources: Iterable[bytes | Path], using: FormReader
) -> Generator[AuthorizationFields | MtcError, None, None]:
    """The fields of each returned Client Authorization in ``sources``, in order, or why it
    cannot be read. The next file is sent to the reader process before this one's fields
    are handed over, so that it parses while the caller checks or records."""
    pending = iter(sources)
    ahead: collections.deque[MtcError | None] = collections.deque()  # None: sent

    def send_next() -> bool:
        source = next(pending, None)
        if source is None:
            return False
        try:
            data = load(source, max_bytes=using.max_bytes)
            check_pdf_bytes(data)
            using.submit(data)
        except MtcError as exc:  # refused before parsing, or no reader process
            ahead.append(exc)
        else:
            ahead.append(None)
        return True

    try:
        send_next()
        while ahead:
            while sum(1 for item in ahead if item is None) < 2 and send_next():
                pass
            item = ahead.popleft()
            if item is not None:
                yield item
                continue
            try:
                found = authorization_fields(using.result())
            except MtcError as exc:
                yield exc
            else:
                yield found
    finally:
        if using.waiting:  # stopped early: what was sent is dropped with its process
            using.close()
