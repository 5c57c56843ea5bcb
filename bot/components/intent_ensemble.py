"""Rasa NLU component: sets the intent and ranking from the linear model (bot/intent_ensemble.py), mixed
with an earlier classifier's ranking if the pipeline has one (`diet_weight`; none since DIET left), before
the FallbackClassifier looks at the confidence."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.components.code_fingerprint import FingerprintedByCode
from bot.intent_ensemble import DIET_WEIGHT, LinearIntentModel, combine

MODEL_FILE = "linear_intents.pkl"
RANKING_LENGTH = 10


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentEnsemble(FingerprintedByCode, GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"diet_weight": DIET_WEIGHT}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[LinearIntentModel] = None) -> None:
        self._diet_weight = float(config.get("diet_weight", DIET_WEIGHT))
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentEnsemble":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "IntentEnsemble":
        with model_storage.read_from(resource) as directory:
            model = LinearIntentModel.load(Path(directory) / MODEL_FILE)
        return cls(config, model_storage, resource, model)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(m.get(TEXT), m.get(INTENT)) for m in training_data.intent_examples if m.get(TEXT)]
        model = LinearIntentModel().fit(examples)
        with self._model_storage.write_to(self._resource) as directory:
            model.save(Path(directory) / MODEL_FILE)
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        if self._model is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            diet = {r[INTENT_NAME_KEY]: float(r[PREDICTED_CONFIDENCE_KEY]) for r in message.get(INTENT_RANKING_KEY) or []}
            ranking = combine(diet, self._model.probabilities(text), self._diet_weight)
            if not ranking:
                continue
            best, confidence = ranking[0]
            message.set(INTENT, {INTENT_NAME_KEY: best, PREDICTED_CONFIDENCE_KEY: confidence}, add_to_output=True)
            message.set(INTENT_RANKING_KEY,
                        [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: score} for name, score in ranking[:RANKING_LENGTH]],
                        add_to_output=True)
        return messages
