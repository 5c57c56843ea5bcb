"""Risk phrases per language (safety/lexicon/<lang>.yml): a phrase found anywhere in a message decides
its category at once. Written for precision; the classifier (safety/classifier.py) covers the wording
no list can foresee.

Phrase syntax, matched on folded text (safety/text.py: lower case, no accents, Arabic and Persian letter
variants merged, Ge'ez spelling variants merged):
- words separated by spaces; whole words unless `*` says otherwise;
- `*` inside a word = any letters, zero or more (`kill*`, `*قتل*`);
- a lone `~` = up to three words of anything in between (`took ~ passport*`).

`idioms:` lists figurative uses ("kill for a coffee", "phone is dead") that are blanked out of the
message before anything is scored, by the lexicon or the classifier.

Speed: the phrases of all twelve languages (over 12,000) are checked on every message: people mix
languages, and language detection is least sure on exactly the short, hurried messages that matter here.
Trying them all at every position would take many milliseconds, so each phrase is indexed by the first
two or three letters of its first word and tried only where a word of the message starts with them;
phrases that start with `*` are tried only when their longest literal piece occurs in the text."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from safety.categories import CATEGORIES
from safety.text import fold

LEXICON_DIR = Path(__file__).resolve().parent / "lexicon"
IDIOMS = "idioms"
GAP = "~"
_WORD_START = re.compile(r"(?<!\w)\w")
_INDEX_LETTERS = 3  # a phrase is indexed by the first 2 or 3 letters of its first word
_MIN_INDEX_LETTERS = 2
_MAX_GAP_WORDS = 3


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Phrase:
    language: str
    category: str
    text: str
    pattern: re.Pattern[str]
    index_key: str | None  # the first 2-3 letters of its first word, or None when it starts with `*`
    anchor: str  # the longest literal piece, for phrases that cannot be indexed


def _word_regex(token: str) -> str:
    return r"\w*".join(re.escape(piece) for piece in token.split("*"))


def compile_phrase(phrase: str) -> tuple[re.Pattern[str], str | None, str]:
    """The regular expression of one phrase, its index key and its longest literal piece."""
    tokens = fold(phrase).split()
    if not tokens or all(token == GAP for token in tokens):
        raise LexiconError(f"empty phrase {phrase!r}")
    if tokens[0] == GAP or tokens[-1] == GAP:
        raise LexiconError(f"a phrase cannot start or end with {GAP}: {phrase!r}")
    parts: list[str] = []
    gap_before = False
    for token in tokens:
        if token == GAP:
            gap_before = True
            continue
        if not token.replace("*", ""):
            raise LexiconError(f"a word needs at least one letter: {phrase!r}")
        if parts:
            parts.append(r"\W+" + (rf"(?:\w+\W+){{0,{_MAX_GAP_WORDS}}}" if gap_before else ""))
        parts.append(_word_regex(token))
        gap_before = False
    pattern = re.compile(r"(?<!\w)" + "".join(parts) + r"(?!\w)")
    first = tokens[0]
    literal_start = first.split("*")[0]
    index_key = literal_start[:_INDEX_LETTERS] if len(literal_start) >= _MIN_INDEX_LETTERS else None
    anchor = max((piece for token in tokens if token != GAP for piece in token.split("*")), key=len)
    return pattern, index_key, anchor


def _load_file(path: Path) -> tuple[list[Phrase], list[Phrase]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    language = str(document.get("language") or path.stem)
    phrases, idioms = [], []
    for key, entries in document.items():
        if key == "language":
            continue
        if key != IDIOMS and key not in CATEGORIES:
            raise LexiconError(f"{path.name}: unknown key {key!r} (categories: {', '.join(CATEGORIES)}, {IDIOMS})")
        if not isinstance(entries, list):
            raise LexiconError(f"{path.name}: {key} must be a list of phrases")
        for entry in entries:
            if not isinstance(entry, str):
                raise LexiconError(f"{path.name}: {key}: every phrase must be a string, not {entry!r}")
            try:
                pattern, index_key, anchor = compile_phrase(entry)
            except LexiconError as error:
                raise LexiconError(f"{path.name}: {key}: {error}") from None
            target = idioms if key == IDIOMS else phrases
            target.append(Phrase(language, key, entry, pattern, index_key, anchor))
    return phrases, idioms


def _distinct(phrases: list[Phrase]) -> list[Phrase]:
    """One phrase per pattern and category: spellings that fold alike (ሓ/ሀ, é/e) are the same phrase."""
    kept: dict[tuple[str, str], Phrase] = {}
    for phrase in phrases:
        kept.setdefault((phrase.category, phrase.pattern.pattern), phrase)
    return list(kept.values())


class _PhraseIndex:
    def __init__(self, phrases: list[Phrase]) -> None:
        self._by_key: dict[str, list[Phrase]] = defaultdict(list)
        self._floating_by_pair: dict[str, list[Phrase]] = defaultdict(list)
        self._unanchored: list[Phrase] = []
        for phrase in phrases:
            if phrase.index_key:
                self._by_key[phrase.index_key].append(phrase)
            elif len(phrase.anchor) >= 2:
                self._floating_by_pair[phrase.anchor[:2]].append(phrase)
            else:
                self._unanchored.append(phrase)
        self._key_lengths = sorted({len(key) for key in self._by_key})

    def find(self, folded: str) -> list[tuple[Phrase, int, int]]:
        found = []
        for word_start in _WORD_START.finditer(folded):
            position = word_start.start()
            for length in self._key_lengths:
                for phrase in self._by_key.get(folded[position : position + length], ()):
                    match = phrase.pattern.match(folded, position)
                    if match:
                        found.append((phrase, match.start(), match.end()))
        # Phrases that start with `*`: only those whose literal piece occurs in the text are tried.
        pairs = {folded[i : i + 2] for i in range(len(folded) - 1)}
        candidates = [p for pair in pairs & self._floating_by_pair.keys() for p in self._floating_by_pair[pair]]
        for phrase in candidates + self._unanchored:
            if phrase.anchor in folded and (match := phrase.pattern.search(folded)):
                found.append((phrase, match.start(), match.end()))
        return found


class Lexicon:
    def __init__(self, phrases: list[Phrase], idioms: list[Phrase]) -> None:
        self.phrases = phrases
        self.idioms = idioms
        self._phrases = _PhraseIndex(phrases)
        self._idioms = _PhraseIndex(idioms)

    @classmethod
    def load(cls, directory: Path = LEXICON_DIR) -> "Lexicon":
        phrases: list[Phrase] = []
        idioms: list[Phrase] = []
        for path in sorted(directory.glob("*.yml")):
            found, figurative = _load_file(path)
            phrases += found
            idioms += figurative
        return cls(_distinct(phrases), _distinct(idioms))

    def without_idioms(self, folded: str) -> str:
        """The folded text with figurative uses blanked out (same length, so offsets stay valid)."""
        for _, start, end in self._idioms.find(folded):
            folded = folded[:start] + " " * (end - start) + folded[end:]
        return folded

    def matches(self, folded: str) -> dict[str, list[str]]:
        """The phrases found in already folded, idiom-free text, by category."""
        found: dict[str, list[str]] = defaultdict(list)
        for phrase, _, _ in self._phrases.find(folded):
            found[phrase.category].append(phrase.text)
        return dict(found)


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    return Lexicon.load()
