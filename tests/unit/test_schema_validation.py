"""The validators built once behave exactly as Rasa's own functions they replace, and notice when Rasa changes."""
from __future__ import annotations

import hashlib
import inspect
from typing import Any

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.exceptions import SchemaValidationError

from bot import schema_validation as adapter

VALID = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "place", "value": "Alfama", "timestamp": None}],
     "responses": [{"response": "utter_service_results", "results": [{"distance_m": 1}]}]},
    {"events": [{"event": "action", "name": "action_listen"}, {"event": "followup", "name": "action_fallback"}]},
]
INVALID = [
    {"events": "not a list"},
    {"responses": [1, 2]},
    {"events": [{"event": "slot"}]},                      # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot", "name": 5, "value": 1}]},
]


def outcome(validate: Any, result: dict[str, Any]) -> tuple[bool, str]:
    try:
        return validate(RemoteAction("action_x", None), result), ""
    except ValidationError as error:
        return False, error.message


@pytest.mark.parametrize("name, replaced, call", [
    ("RemoteAction._validate_action_result", adapter.RASA_VALIDATE_ACTION_RESULT,
     "validate(result, self.action_response_format_spec())"),
    ("validation.validate_training_data", adapter.RASA_VALIDATE_TRAINING_DATA, "validate(json_data, schema)"),
])
def test_each_replaced_rasa_function_is_the_one_this_adapter_was_written_for(name: str, replaced: Any, call: str) -> None:
    source = inspect.getsource(replaced)
    assert hashlib.sha256(source.encode()).hexdigest() == adapter.REPLACED_SOURCE_SHA256[name], (
        f"Rasa's {name} changed: compare it with bot/schema_validation.py, update the adapter, then "
        "REPLACED_SOURCE_SHA256")
    assert call in source


@pytest.mark.parametrize("result", VALID + INVALID)
def test_the_adapter_accepts_and_refuses_exactly_what_rasa_does(result: dict[str, Any]) -> None:
    ours, rasa = outcome(adapter.validate_action_result, result), outcome(adapter.RASA_VALIDATE_ACTION_RESULT, result)
    assert ours == rasa
    assert ours[0] is (result in VALID)


ENTITY_ANNOTATIONS = [
    {"entity": "place", "value": "Alfama"},
    {"entity": "service_category", "value": "health", "role": "wanted", "group": "1"},
    {"entity": "place"},
    {"value": "Alfama"},                     # no entity name
    {"entity": 5},
    {"entity": "place", "surprise": True},
]


def training_outcome(validate: Any, annotation: dict[str, Any]) -> tuple[bool, str, str]:
    from rasa.shared.nlu.training_data.schemas import data_schema

    try:
        validate(annotation, data_schema.entity_dict_schema())
        return True, "", ""
    except SchemaValidationError as error:
        return False, type(error).__name__, error.message


@pytest.mark.parametrize("annotation", ENTITY_ANNOTATIONS)
def test_training_data_annotations_are_judged_exactly_as_rasa_does(annotation: dict[str, Any]) -> None:
    assert training_outcome(adapter.validate_training_data, annotation) == training_outcome(
        adapter.RASA_VALIDATE_TRAINING_DATA, annotation)


def test_install_replaces_both_and_each_schema_is_checked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.shared.nlu.training_data import entities_parser
    from rasa.shared.utils import validation

    monkeypatch.setattr(RemoteAction, "_validate_action_result", adapter.RASA_VALIDATE_ACTION_RESULT)
    monkeypatch.setattr(validation, "validate_training_data", adapter.RASA_VALIDATE_TRAINING_DATA)
    adapter.install()
    assert RemoteAction._validate_action_result is adapter.validate_action_result
    assert validation.validate_training_data is adapter.validate_training_data
    assert RemoteAction("action_y", None)._validate_action_result({"events": []}) is True
    # What Rasa's training-data reader calls for '[Alfama]{"entity": "place"}' goes through ours.
    assert entities_parser.get_validated_dict('"entity": "place", "value": "Alfama"') == {"entity": "place",
                                                                                          "value": "Alfama"}
    checked = []
    original_check = type(adapter.validator_for_schema(RemoteAction.action_response_format_spec())).check_schema
    monkeypatch.setattr(type(adapter.validator_for_schema(RemoteAction.action_response_format_spec())), "check_schema",
                        classmethod(lambda cls, schema: checked.append(schema) or original_check(schema)))
    for _ in range(3):
        RemoteAction("action_y", None)._validate_action_result({"events": []})
        entities_parser.get_validated_dict('"entity": "place"')
    assert checked == []  # both schemas were checked before, once; never again per call
