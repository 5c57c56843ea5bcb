"""Which writing system a message uses, and what its letters alone tell about the language."""
from __future__ import annotations

# Letters that only Pashto uses among ar / fa / ps, and those Persian (and Pashto) use but Arabic does not.
PASHTO_LETTERS = frozenset("ټډړږښګڼېۍځڅ")
PERSIAN_LETTERS = frozenset("پچژگکی")
ARABIC_ONLY_LETTERS = frozenset("ةىكي")
UKRAINIAN_LETTERS = frozenset("іїєґ")
RUSSIAN_LETTERS = frozenset("ыэъё")

SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "arabic": ("ar", "fa", "ps"),
    "ethiopic": ("ti",),
    "cyrillic": ("ru", "uk"),
    # Arabic, Persian, Pashto and Tigrinya are often typed in Latin letters on phones without their keyboard.
    "latin": ("en", "fr", "es", "pt", "tr", "so", "ar", "fa", "ps", "ti"),
}


def script_of(character: str) -> str | None:
    code = ord(character)
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF:
        return "ethiopic"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if character.isalpha() and code < 0x0250:
        return "latin"
    if character.isalpha():
        return "other"
    return None


def dominant_script(text: str) -> str | None:
    counts: dict[str, int] = {}
    for character in text:
        script = script_of(character)
        if script:
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else None


def arabic_script_candidates(text: str) -> tuple[str, ...]:
    """The languages the letters leave possible. Pashto-only letters prove Pashto. Persian letters rule
    out Arabic but not Pashto, which writes پ چ ژ ک ی too (and گ on a Persian keyboard): the models
    decide between the two."""
    letters = set(text)
    if letters & PASHTO_LETTERS:
        return ("ps",)
    if letters & PERSIAN_LETTERS and not letters & ARABIC_ONLY_LETTERS:
        return ("fa", "ps")
    return SCRIPT_LANGUAGES["arabic"]


def cyrillic_script_hint(text: str) -> str | None:
    letters = set(text)
    if letters & UKRAINIAN_LETTERS and not letters & RUSSIAN_LETTERS:
        return "uk"
    if letters & RUSSIAN_LETTERS and not letters & UKRAINIAN_LETTERS:
        return "ru"
    return None
