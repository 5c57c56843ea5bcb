"""Folding of user text so that 'Graça', 'graca' and 'GRACA', 'çocuğum' and 'cocugum', or 'ألفاما' and 'الفاما',
compare equal: people on phones often type without accents, Turkish letters or hamza."""
from __future__ import annotations

import re
import unicodedata

# Turkish dotless ı has no decomposition, so NFKD alone would keep "ışık" apart from "isik".
_LETTER_FOLD = str.maketrans({
    "ı": "i", "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "ك": "ک", "ـ": None,
})
WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.translate(_LETTER_FOLD)


def words(text: str) -> list[tuple[str, int, int]]:
    """(folded word, start, end) with offsets into the original text."""
    return [(fold(match.group()), match.start(), match.end()) for match in WORD.finditer(text)]
