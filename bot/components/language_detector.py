"""Rasa NLU component: adds `language: {code, confidence}` to every parsed message (and to the
/model/parse output). The work is done by bot.langid; this file only plugs it into Rasa's graph.

When the detection is strong enough to set the conversation's language, it also adds a
`detected_language` entity, which the `language` slot maps from: so the slot follows the user without
a call to the action server on every message, and a weak guess ("ok", an emoji) leaves it unchanged.
Neither does a one-word message that our data lists under several languages: "no" after "are you safe
right now?" in an English conversation is English, however Spanish it looks alone."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.code_fingerprint import FingerprintedByCode
from bot.langid.core import LanguageIdentifier
from bot.langid.training import shared_single_words, single_word, train_in_fresh_interpreter
from contract import ENTITY_DETECTED_LANGUAGE, PARSE_LANGUAGE
from i18n.conversation_language import sets_conversation_language

LANGUAGE_KEY = PARSE_LANGUAGE  # kept for the code and tests that import it from here
OWN_MODEL_FILE = "own_langid.ftz"
SHARED_WORDS_FILE = "shared_words.json"
WEAK_KEY = "weak"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class LanguageDetector(FingerprintedByCode, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # Our NLU data is split by language in folders; Rasa's merged TrainingData forgets which is which.
        return {"nlu_data_dir": "data/nlu"}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        identifier: Optional[LanguageIdentifier] = None,
        shared_words: Optional[frozenset[str]] = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._identifier = identifier
        self._shared_words = shared_words or frozenset()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageDetector":
        with model_storage.read_from(resource) as directory:
            identifier = LanguageIdentifier.load(Path(directory) / OWN_MODEL_FILE)
            shared = frozenset(json.loads((Path(directory) / SHARED_WORDS_FILE).read_text(encoding="utf-8")))
        return cls(config, model_storage, resource, identifier, shared)

    def train(self, training_data: TrainingData) -> Resource:
        with self._model_storage.write_to(self._resource) as directory:
            # Not in this process: next to TensorFlow, fastText training diverged (see the function).
            train_in_fresh_interpreter(Path(self._config["nlu_data_dir"]), Path(directory) / OWN_MODEL_FILE)
            shared = sorted(shared_single_words(Path(self._config["nlu_data_dir"])))
            (Path(directory) / SHARED_WORDS_FILE).write_text(json.dumps(shared, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # The tokenizer after us splits words by each example's language, in training as at run time.
        self.process([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        if self._identifier is None:
            self._identifier = LanguageIdentifier.load()
        for message in messages:
            text = message.get(TEXT) or ""
            detection = self._identifier.identify(text)
            if single_word(text) in self._shared_words:
                # Weak evidence: the reply language comes from the conversation's other messages first.
                message.set(PARSE_LANGUAGE, {**detection.as_output(), WEAK_KEY: True}, add_to_output=True)
                continue
            message.set(PARSE_LANGUAGE, detection.as_output(), add_to_output=True)
            if sets_conversation_language(detection.code, detection.confidence, len(text.split())):
                entity = {"entity": ENTITY_DETECTED_LANGUAGE, "value": detection.code, "start": 0, "end": len(text),
                          "confidence_entity": detection.confidence, "extractor": self.__class__.__name__}
                message.set(ENTITIES, [*message.get(ENTITIES, []), entity], add_to_output=True)
        return messages
