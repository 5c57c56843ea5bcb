"""Folding of user text so that 'Graça', 'graca' and 'GRACA', or 'ألفاما' and 'الفاما', compare equal."""
from __future__ import annotations

import re
import unicodedata

_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ك": "ک", "ـ": None,
})
WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_ARABIC_FOLD)


def words(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) with offsets into the original text."""
    return [(fold(match.group()), match.start(), match.end()) for match in WORD.finditer(text)]
