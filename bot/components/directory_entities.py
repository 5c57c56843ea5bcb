"""Rasa NLU component: finds `place`, `service_category` and `language` entities by dictionary.

Places come from the deployment gazetteer (read at load time, so new neighbourhoods need no
retraining). Category and language phrases are learnt at training time from the lookup tables
(`category_<id>`), from every annotated entity in the examples, and from Babel's language names.
"""
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
from bot.entity_lexicon import EntityLexicon, build_lexicon_phrases
from settings import get_settings

PHRASES_FILE = "entity_phrases.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class DirectoryEntityExtractor(FingerprintedByCode, GraphComponent):
    def __init__(
        self,
        model_storage: ModelStorage,
        resource: Resource,
        lexicon: Optional[EntityLexicon] = None,
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._lexicon = lexicon

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "DirectoryEntityExtractor":
        return cls(model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "DirectoryEntityExtractor":
        with model_storage.read_from(resource) as directory:
            phrases = json.loads((Path(directory) / PHRASES_FILE).read_text(encoding="utf-8"))
        settings = get_settings()
        lexicon = EntityLexicon(phrases, settings.gazetteer_csv, settings.deployment_country)
        return cls(model_storage, resource, lexicon)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT) or "", m.get(ENTITIES) or []) for m in training_data.training_examples]
        phrases = build_lexicon_phrases(training_data.lookup_tables, examples)
        with self._model_storage.write_to(self._resource) as directory:
            (Path(directory) / PHRASES_FILE).write_text(json.dumps(phrases, ensure_ascii=False), encoding="utf-8")
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._lexicon is None:
            return messages
        for message in messages:
            found = self._lexicon.extract(message.get(TEXT) or "")
            if found:
                entities = [e for e in message.get(ENTITIES, []) if e.get("entity") not in {f["entity"] for f in found}]
                message.set(ENTITIES, entities + [dict(e, extractor=self.__class__.__name__) for e in found], add_to_output=True)
        return messages
