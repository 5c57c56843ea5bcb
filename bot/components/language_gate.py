"""Rasa NLU component: a message in a language we do not support, or with no letters at all (emoji,
punctuation), becomes nlu_fallback whatever the intent model guessed: it has nothing to go on there, and the
fallback action answers with the list of supported languages or a plain "I did not understand"."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.components.code_fingerprint import FingerprintedByCode
from bot.langid.core import OTHER, UNDETERMINED
from contract import PARSE_LANGUAGE


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class UnsupportedLanguageGate(FingerprintedByCode, GraphComponent):
    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "UnsupportedLanguageGate":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            language = message.get(PARSE_LANGUAGE) or {}
            if language.get("code") in (OTHER, UNDETERMINED):
                message.set(
                    INTENT,
                    {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME, PREDICTED_CONFIDENCE_KEY: 1.0},
                    add_to_output=True,
                )
        return messages
