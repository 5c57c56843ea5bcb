"""Numbers and inserted values that keep their order inside right-to-left text.

In Arabic, Persian or Pashto text the Unicode bidi algorithm treats spaces and "+" as neutral, so
"+351 210 001 101" next to RTL words is shown as "101 001 210 351+" (on WhatsApp, in the widget, in any
plain-text view). Each number run is wrapped in LEFT-TO-RIGHT ISOLATE ... POP DIRECTIONAL ISOLATE and each
inserted value in FIRST STRONG ISOLATE ... POP, so the surrounding text cannot reorder them; the marks are
invisible and every channel keeps them."""
from __future__ import annotations

import re

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
ISOLATED = re.compile(f"[{LRI}{FSI}][^{PDI}]*{PDI}")
# Digits joined by the separators of phone numbers, times, dates and decimals: "+351 210 001 101",
# "9:00–17:00", "1.2", "24/7". A lone space between digit groups belongs to the number.
NUMBER = re.compile(r"\+?\d+(?:[ \u00a0.,:/\-–]\d+)*")


def isolate_value(value: str) -> str:
    """An inserted value (a number, a name in Latin letters): left-to-right if it starts like a number,
    else in the direction of its own first letter."""
    if not value:
        return value
    mark = LRI if value.lstrip()[:1] in "+0123456789" else FSI
    return f"{mark}{value}{PDI}"


def isolate_numbers(text: str) -> str:
    """Wraps every number run that is not already inside an isolate."""
    pieces, last = [], 0
    for match in ISOLATED.finditer(text):
        pieces.append(NUMBER.sub(lambda number: f"{LRI}{number.group(0)}{PDI}", text[last:match.start()]))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(NUMBER.sub(lambda number: f"{LRI}{number.group(0)}{PDI}", text[last:]))
    return "".join(pieces)


def strip_isolates(text: str) -> str:
    """The text without the marks (for comparisons and for channels' own number detection)."""
    return text.translate({ord(LRI): None, ord(FSI): None, ord(PDI): None})
