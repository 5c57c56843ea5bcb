"""Finds known phrases (place names, category words) in user text, whatever the case, accents or script
variants, longest match first."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from services_db.text_normalise import words

T = TypeVar("T")
MAX_WORDS_IN_PHRASE = 4
MIN_PHRASE_LENGTH = 2
# One-letter Arabic prefixes glued to a word: "بألفاما" (in Alfama), "لألفاما" (to Alfama), "والفاما".
ARABIC_PREFIXES = ("ب", "ل", "و", "ف", "ك")


def phrase_key(text: str) -> str:
    """Folded words joined by single spaces: the form both the index and the lookups use."""
    return " ".join(word for word, _, _ in words(text))


@dataclass(frozen=True)
class Mention(Generic[T]):
    start: int
    end: int
    text: str
    value: T


class PhraseIndex(Generic[T]):
    def __init__(self, min_length: int = MIN_PHRASE_LENGTH) -> None:
        self._by_key: dict[str, list[T]] = {}
        self._min_length = min_length

    def __contains__(self, phrase: str) -> bool:
        return phrase_key(phrase) in self._by_key

    def add(self, phrase: str, value: T) -> None:
        key = phrase_key(phrase)
        if len(key) < self._min_length:
            return
        bucket = self._by_key.setdefault(key, [])
        if value not in bucket:
            bucket.append(value)

    def values(self) -> list[list[T]]:
        return list(self._by_key.values())

    def lookup(self, phrase: str) -> list[T]:
        return list(self._lookup_key(phrase_key(phrase)))

    def _lookup_key(self, key: str) -> list[T]:
        found = self._by_key.get(key)
        if found is None and key[:1] in ARABIC_PREFIXES:
            found = self._by_key.get(key[1:])
        return found or []

    def find_in_text(self, text: str) -> list[Mention[T]]:
        tokens = words(text)
        mentions: list[Mention[T]] = []
        i = 0
        while i < len(tokens):
            for size in range(min(MAX_WORDS_IN_PHRASE, len(tokens) - i), 0, -1):
                span = tokens[i : i + size]
                values = self._lookup_key(" ".join(word for word, _, _ in span))
                if values:
                    start, end = span[0][1], span[-1][2]
                    mentions.append(Mention(start, end, text[start:end], values[0]))
                    i += size
                    break
            else:
                i += 1
        return mentions
