"""Rasa NLU component: tokenises each message with the spaCy blank pipeline of its detected language
(the `language` set by LanguageDetector), so that "l'école" splits as French and Arabic keeps its own
rules. Languages spaCy has no rules for (Pashto, Somali) use its multi-language tokenizer."""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.components.code_fingerprint import FingerprintedByCode
from contract import PARSE_LANGUAGE
from services_db.text_normalise import fold

SPACY_HAS_NO_RULES = frozenset({"ps", "so"})
MULTI_LANGUAGE = "xx"


@lru_cache(maxsize=None)
def spacy_tokenizer(language: str) -> Any:
    import spacy  # heavy: loaded on first use, once per language

    code = MULTI_LANGUAGE if language in SPACY_HAS_NO_RULES else language
    try:
        return spacy.blank(code).tokenizer
    except ImportError:
        return spacy.blank(MULTI_LANGUAGE).tokenizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class MultilingualTokenizer(FingerprintedByCode, Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"intent_tokenization_flag": False, "intent_split_symbol": "_", "token_pattern": None,
                "prefix_separator_symbol": None}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "MultilingualTokenizer":
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        language = (message.get(PARSE_LANGUAGE) or {}).get("code") or MULTI_LANGUAGE
        words = [
            (token.text, token.idx)
            for token in spacy_tokenizer(language if len(language) == 2 else MULTI_LANGUAGE)(text)
            if not token.is_space and not (token.is_punct and len(token.text) == 1)
        ]
        if not words:
            return [Token(text, 0)]
        # The lemma is what a count featurizer would count: folded, so a word typed without its accents or
        # Turkish letters ("cocuk" for "çocuk") is the same feature.
        return self._apply_token_pattern([Token(word, start, lemma=fold(word)) for word, start in words])
