"""Which writing system a message uses, and what its letters alone tell about the language."""
from __future__ import annotations

# Letters that only Pashto uses among ar / fa / ps, and those Persian (and Pashto) use but Arabic does not.
PASHTO_LETTERS = frozenset("ټډړږښګڼېۍځڅ")
PERSIAN_LETTERS = frozenset("پچژگکی")
ARABIC_ONLY_LETTERS = frozenset("ةىكي")
UKRAINIAN_LETTERS = frozenset("іїєґ")
RUSSIAN_LETTERS = frozenset("ыэъё")
# Ge'ez script is Tigrinya or Amharic (which we do not support). Amharic shows itself in common words and
# verb endings (-ለሁ "I do", -ኝም "not me", -ችሁ "you all"); Tigrinya in its own letters (ቐ, ኸ), the ኣ it
# starts words with, and its own common words. None of these Amharic marks occurs in our 1,250 Tigrinya
# messages (training and held-out).
AMHARIC_WORDS = frozenset(
    "ነው ነኝ ናችሁ ነበር የለም የለኝም የለንም እባክህ እባክሽ እባክዎ እባካችሁ እንዴት ምን አዎ ይችላል እኔ አለ አለኝ አይደለም በጣም".split()
)
AMHARIC_ENDINGS = ("ለሁ", "ኝም", "ችሁ", "ዎት")
TIGRINYA_WORDS = frozenset(
    "ኣሎ ኣሎኒ እዩ ከመይ እንታይ ኣብ ናይ ዶ የለን እየ ኢየ ይኽእል ኣይፋል እወ የብለይን ኣለኹ ኣለኹም ኣለኻ ኣሎና ብጣዕሚ".split()
)
TIGRINYA_LETTERS = frozenset(chr(code) for code in (*range(0x1250, 0x1257), *range(0x12B8, 0x12BF))) | {"ኣ"}

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


def looks_amharic(text: str) -> bool:
    """More Amharic marks than Tigrinya ones in a Ge'ez-script message."""
    words = [word.strip(".,!?፡።፣፤") for word in text.split()]
    amharic = sum(word in AMHARIC_WORDS or word.endswith(AMHARIC_ENDINGS) for word in words)
    tigrinya = sum(word in TIGRINYA_WORDS for word in words) + sum(ch in TIGRINYA_LETTERS for ch in text)
    return amharic > tigrinya


def cyrillic_script_hint(text: str) -> str | None:
    letters = set(text)
    if letters & UKRAINIAN_LETTERS and not letters & RUSSIAN_LETTERS:
        return "uk"
    if letters & RUSSIAN_LETTERS and not letters & UKRAINIAN_LETTERS:
        return "ru"
    return None
