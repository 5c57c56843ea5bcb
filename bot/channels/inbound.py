"""What every channel does with a message before Rasa sees it: a text that looks like a button payload
("/intent{...}") passes only if it is one our own replies offer, anything else is plain text; and the
user's text and raw ids are registered with the log filter for as long as the message is handled."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from bot.channels.payload_guard import screen_payload
from privacy.log_redaction import sensitive_values


def screen_text(text: str) -> str:
    """The text Rasa may see: our own payloads unchanged, any other leading "/" removed."""
    return screen_payload(text)


@contextmanager
def handling(*sensitive: str) -> Iterator[None]:
    """Within this block no log line of this task can carry these values (the text, a phone number)."""
    with sensitive_values(*sensitive):
        yield
