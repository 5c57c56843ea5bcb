"""Rasa-free core of the dictionary entity extractor (see bot/components/directory_entities.py)."""
from __future__ import annotations

from typing import Any, Iterable

from contract import ENTITY_LANGUAGE, ENTITY_PLACE, ENTITY_SERVICE_CATEGORY, ENTITY_TOPIC_MENTION
from i18n.languages import SUPPORTED
from services_db.categories import CATEGORIES
from services_db.phrases import PhraseIndex, phrase_key
from services_db.text_normalise import words
from services_db.places import cached_gazetteer

CATEGORY_TABLE_PREFIX = "category_"
TOPIC_TABLE_PREFIX = "topic_"
PLACE, CATEGORY, LANGUAGE = ENTITY_PLACE, ENTITY_SERVICE_CATEGORY, ENTITY_LANGUAGE
# A rights topic named in the message ("asylum", "order to leave"): which answer of the intent to give.
TOPIC = ENTITY_TOPIC_MENTION
# Words people use in ordinary sentences ("ajuda" is help in Portuguese, and a Lisbon parish): a place
# of that name only counts when it is the whole message, e.g. the answer to "where are you?".
COMMON_WORDS = "common_words"


def build_lexicon_phrases(
    lookup_tables: Iterable[dict[str, Any]], examples: Iterable[tuple[str, list[dict[str, Any]]]]
) -> dict[str, dict[str, str]]:
    """{entity type: {phrase: value}} learnt from the training data and Babel's language names."""
    phrases: dict[str, dict[str, str]] = {CATEGORY: {}, LANGUAGE: {}, PLACE: {}, TOPIC: {}, COMMON_WORDS: {}}
    for table in lookup_tables:
        name = str(table.get("name", ""))
        category = name.removeprefix(CATEGORY_TABLE_PREFIX)
        if category in CATEGORIES:
            for element in table.get("elements", []):
                phrases[CATEGORY].setdefault(str(element), category)
        elif name.startswith(TOPIC_TABLE_PREFIX):
            for element in table.get("elements", []):
                phrases[TOPIC].setdefault(str(element), name.removeprefix(TOPIC_TABLE_PREFIX))
    for text, entities in examples:
        place_spans = [(e["start"], e["end"]) for e in entities if e.get("entity") == PLACE and "start" in e]
        for word, start, end in words(text):
            if not any(s <= start and end <= e for s, e in place_spans):
                phrases[COMMON_WORDS][word] = ""
        for entity in entities:
            kind = entity.get("entity")
            if kind in (CATEGORY, LANGUAGE, PLACE) and "start" in entity:
                phrases[kind].setdefault(text[entity["start"] : entity["end"]], str(entity.get("value")))
    from babel import Locale

    for code in SUPPORTED:
        for reader in SUPPORTED:
            name = Locale.parse(reader).languages.get(code)
            if name:
                phrases[LANGUAGE].setdefault(name, code)
    return phrases


class EntityLexicon:
    def __init__(self, phrases: dict[str, dict[str, str]], gazetteer_csv: str | None, country: str) -> None:
        self._gazetteer = cached_gazetteer(gazetteer_csv, country)
        self._indexes: dict[str, PhraseIndex[str]] = {}
        for kind in (CATEGORY, LANGUAGE, TOPIC):
            index: PhraseIndex[str] = PhraseIndex()
            for phrase, value in phrases.get(kind, {}).items():
                index.add(phrase, value)
            self._indexes[kind] = index
        # Annotated spellings ("graca" for Graça) resolve to the gazetteer's place of that name.
        self._common_words = set(phrases.get(COMMON_WORDS, {}))
        self._place_aliases: PhraseIndex[str] = PhraseIndex(min_length=3)
        for phrase, value in phrases.get(PLACE, {}).items():
            self._place_aliases.add(phrase, value)

    def extract(self, text: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        taken: list[tuple[int, int]] = []

        def free(start: int, end: int) -> bool:
            return all(end <= s or start >= e for s, e in taken)

        message_words = len(words(text))
        for mention in self._gazetteer.find_in_text(text):
            if message_words > 1 and phrase_key(mention.text) in self._common_words:
                continue
            found.append(_entity(PLACE, mention.value.name, mention.start, mention.end))
            taken.append((mention.start, mention.end))
        for mention in self._place_aliases.find_in_text(text):
            if free(mention.start, mention.end) and self._gazetteer.lookup(mention.value):
                found.append(_entity(PLACE, self._gazetteer.lookup(mention.value)[0].name, mention.start, mention.end))
                taken.append((mention.start, mention.end))
        for kind in (CATEGORY, LANGUAGE):
            for mention in self._indexes[kind].find_in_text(text):
                if free(mention.start, mention.end):
                    found.append(_entity(kind, mention.value, mention.start, mention.end))
                    taken.append((mention.start, mention.end))
        # A topic may share its words with a category ("shelter"): both are kept, they answer different
        # questions (which answer, which kind of place).
        found += [_entity(TOPIC, mention.value, mention.start, mention.end)
                  for mention in self._indexes[TOPIC].find_in_text(text)]
        return sorted(found, key=lambda entity: entity["start"])


def _entity(kind: str, value: str, start: int, end: int) -> dict[str, Any]:
    return {"entity": kind, "value": value, "start": start, "end": end, "confidence_entity": 1.0}
