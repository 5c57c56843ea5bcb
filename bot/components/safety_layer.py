"""Rasa NLU component: the safety layer (safety/, Rasa-free) reads every message of every channel and its
verdict overrides whatever the intent models decided.

It sits LAST in the pipeline on purpose: its verdict depends only on the text, and being last means
no later component (the intent model, the fallback, the unsupported-language gate) can overwrite the decision. A
message with a danger signal becomes the `emergency` intent, so the rules answer it first, in the
middle of any flow; the parse result carries `safety: {category, confidence, level}` (DESIGN.md).

A "delete my data" with any risk signal is never carried out straight away: it becomes a gentle check
("are you safe right now?") that offers the deletion as a button (`held_intent`)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.code_fingerprint import FingerprintedByCode
from contract import EMERGENCY, FORGET_ME, PARSE_SAFETY, SAFETY_HELD_INTENT
from safety.categories import CHECK, NONE
from safety.detector import SIGNAL_AT, SafetyDetector, Verdict
from safety.training import data_fingerprint, train, training_set

# Intents whose action cannot be undone: with any risk signal they wait for a confirmation.
DESTRUCTIVE_INTENTS = (FORGET_ME,)
MODEL_DIR = "safety_model"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class SafetyLayer(FingerprintedByCode, GraphComponent):
    @classmethod
    def fingerprint_addon(cls, config: Dict[Text, Any]) -> Optional[str]:
        # Its own data and code too, which the rest of the model does not depend on: a new risk phrase
        # retrains this component alone (Rasa's cache keeps the others).
        return f"{super().fingerprint_addon(config)}-{data_fingerprint()}"

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 detector: Optional[SafetyDetector] = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._detector = detector

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyLayer":
        return cls(model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "SafetyLayer":
        with model_storage.read_from(resource) as directory:
            detector = SafetyDetector.load(Path(directory) / MODEL_DIR)
        return cls(model_storage, resource, detector)

    def train(self, training_data: TrainingData) -> Resource:
        # Trained from safety/training and data/nlu (safety/training.py), not from Rasa's merged data,
        # which has no categories.
        with self._model_storage.write_to(self._resource) as directory:
            train(training_set(), Path(directory) / MODEL_DIR)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._detector is None:
            return messages
        for message in messages:
            verdict = self._detector.assess(message.get(TEXT) or "")
            intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
            output = verdict.as_output()
            if verdict.level == NONE and intent in DESTRUCTIVE_INTENTS and verdict.signal >= SIGNAL_AT:
                output = {**Verdict(verdict.category, verdict.signal, CHECK, "classifier").as_output(),
                          SAFETY_HELD_INTENT: intent}
            message.set(PARSE_SAFETY, output, add_to_output=True)
            if output["level"] != NONE:
                message.set(INTENT, {INTENT_NAME_KEY: EMERGENCY, PREDICTED_CONFIDENCE_KEY: 1.0},
                            add_to_output=True)
        return messages
