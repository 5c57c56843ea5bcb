"""No log line may carry what a user wrote or who they are, whichever library writes it.

Rasa, Sanic, socket.io and rasa-sdk log from hundreds of places, some with the user's text (Rasa's
message parser logs a "/" message word for word, its DEBUG lines carry whole parse results). Filtering
logger by logger would miss the next one, so this works on every log record the process creates:
- while a channel handles a message, the message text and the sender's raw id are "in flight" (a
  context variable, so concurrent conversations do not see each other's values); any record created
  in that context has those values, and every longer word of them, replaced;
- always, whatever the context: things that look like phone numbers, e-mail addresses, document
  numbers and coordinates are replaced (a record logged outside the message's context, say from a
  thread, is still covered for the worst cases);
- the same goes for the text of exceptions attached to a record.
Python warnings are routed through logging so that they are covered too."""
from __future__ import annotations

import json
import logging
import re
import traceback
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any, Iterator

REDACTED = "[redacted]"
# Words shorter than this are too common to hide without destroying every log line ("the", "de").
MIN_WORD_CHARS = 4
_WORD = re.compile(r"[\w@.+'-]+", re.UNICODE)
_ALWAYS = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+"                    # e-mail addresses
    r"|\+?\d[\d ()./-]{6,}\d"                     # phone numbers, long digit runs, dates with seconds
    r"|\b[A-Z]{1,3}\d{6,9}\b"                     # passport and document numbers
    r"|-?\d{1,3}\.\d{4,}"                         # coordinates with street-level precision
)
_in_flight: ContextVar[tuple[str, ...]] = ContextVar("sensitive_values_in_flight", default=())


_SCRIPT_RUN = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")


def _fragments(value: str) -> list[str]:
    """The value itself and each of its words long enough to identify someone, each also as JSON writes
    it (Rasa's structured DEBUG lines escape non-ASCII letters: "Silva\\u043e\\u0432\\u0430"), and each
    run of one script within a word ("Benformoso" inside "Benformosoова", an inflected name)."""
    value = value.strip()
    if not value:
        return []
    words = [word.strip(".'-") for word in _WORD.findall(value)]
    runs = [run for word in words for run in _SCRIPT_RUN.findall(word)]
    found = [value, *[piece for piece in (*words, *runs) if len(piece) >= MIN_WORD_CHARS]]
    return [*found, *[escaped for piece in found if (escaped := json.dumps(piece)[1:-1]) != piece]]


@contextmanager
def sensitive_values(*values: str) -> Iterator[None]:
    """Within this block (this task or thread only), log records never contain these values."""
    token = mark_sensitive(*values)
    try:
        yield
    finally:
        forget_sensitive(token)


def redact(text: str, fragments: tuple[str, ...] = ()) -> str:
    for fragment in fragments:
        if fragment in text:
            text = text.replace(fragment, REDACTED)
    return _ALWAYS.sub(REDACTED, text)


class RedactedLogRecord(logging.LogRecord):
    """A log record whose message and exception text are redacted when they are formatted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Captured now: the record may be formatted later, on another thread (a queue handler).
        self._fragments = _in_flight.get()
        if self.exc_info and self.exc_info[0] is not None:
            # Formatters cache exc_text and use it instead of exc_info: give them the redacted one.
            self.exc_text = redact("".join(traceback.format_exception(*self.exc_info)).rstrip(), self._fragments)
        if self.stack_info:
            self.stack_info = redact(self.stack_info, self._fragments)

    def getMessage(self) -> str:  # noqa: N802 - logging's name
        try:
            message = super().getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not lose the line, nor raise
            message = str(self.msg)
        return redact(message, self._fragments)


def install_log_redaction() -> None:
    """Every record this process creates from now on is redacted. Idempotent; call it first thing."""
    if logging.getLogRecordFactory() is not RedactedLogRecord:
        logging.setLogRecordFactory(RedactedLogRecord)
    logging.captureWarnings(True)


def debug_logging_enabled() -> bool:
    """Whether any logger would write DEBUG lines: Rasa's carry whole parse results at that level."""
    loggers = [logging.getLogger(), *[logging.getLogger(name) for name in ("rasa", "rasa_sdk", "sanic", "socketio",
                                                                            "engineio", "aiohttp")]]
    return any(logger.isEnabledFor(logging.DEBUG) for logger in loggers)


def mark_sensitive(*values: str) -> Token[tuple[str, ...]]:
    """Like sensitive_values, for servers whose request and response hooks are separate functions:
    pass the token to forget_sensitive when the request ends (a keep-alive connection serves its
    next request in the same task, which must not inherit these values)."""
    fragments = tuple(f for value in values if isinstance(value, str) for f in _fragments(value))
    # Longest first, so that a whole sentence is replaced before its words are.
    return _in_flight.set(tuple(sorted({*_in_flight.get(), *fragments}, key=len, reverse=True)))


def forget_sensitive(token: Token[tuple[str, ...]]) -> None:
    try:
        _in_flight.reset(token)
    except ValueError:  # set in another context: that context ended with its task
        pass


def tracker_texts(tracker: object) -> list[str]:
    """The user's words a Rasa tracker carries to the action server or the NLG endpoint."""
    if not isinstance(tracker, dict):
        return []
    texts = [(tracker.get("latest_message") or {}).get("text")]
    texts += [event.get("text") for event in tracker.get("events") or [] if isinstance(event, dict)]
    return [text for text in texts if isinstance(text, str) and text]
