"""Rasa's JSON-schema checks, with each validator built once instead of once per call.

Rasa 3.6 checks data with `jsonschema.validate(instance, schema)`, which re-checks the schema itself
(`check_schema`) before every check of the instance. Two places pay for it on our hot paths:
- `RemoteAction._validate_action_result`, on every action call: a profile at 10 concurrent
  conversations put ~44% of the Rasa process's CPU in `check_schema` of Rasa's events schema;
- `rasa.shared.utils.validation.validate_training_data`, once per entity annotation of the training data
  (~5,000): ~80 s of every `rasa train` from scratch on 2 cores.
The replacements do exactly what `jsonschema.validate` does (same schema, same validator class, same best
error, same messages and exception types) minus the repeated schema check, which cannot fail for
Rasa's own constant schemas. tests/unit/test_schema_validation.py fails if a replaced Rasa function
changes, so that an upgrade is a conscious decision, not a silent divergence."""
from __future__ import annotations

import json
from typing import Any

from jsonschema import ValidationError, exceptions
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared import exceptions as rasa_exceptions
from rasa.shared.constants import DOCS_BASE_URL, DOCS_URL_TRAINING_DATA
from rasa.shared.utils import validation as rasa_validation

# What Rasa's functions were when this adapter was written (sha256 of their source, Rasa 3.6.21).
REPLACED_SOURCE_SHA256 = {
    "RemoteAction._validate_action_result": "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
    "validation.validate_training_data": "32d515372b5d12ca39ad91e23f68f83ee40271c55c5c2e0fc4227bbb20af9f06",
}
RASA_VALIDATE_ACTION_RESULT = RemoteAction._validate_action_result
RASA_VALIDATE_TRAINING_DATA = rasa_validation.validate_training_data

_validators: dict[str, Validator] = {}


def validator_for_schema(schema: dict[str, Any]) -> Validator:
    """One validator per distinct schema (Rasa builds its schemas afresh at each call, equal in content)."""
    key = json.dumps(schema, sort_keys=True, default=str)
    validator = _validators.get(key)
    if validator is None:
        validator_class = validator_for(schema)
        validator_class.check_schema(schema)  # once, as jsonschema.validate would on every call
        validator = _validators[key] = validator_class(schema)
    return validator


def _first_error(instance: Any, validator: Validator) -> ValidationError | None:
    return exceptions.best_match(validator.iter_errors(instance))


_ACTION_RESULT_VALIDATOR: list[Validator] = []


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Drop-in for RemoteAction._validate_action_result: True, or the same ValidationError Rasa raises."""
    if not _ACTION_RESULT_VALIDATOR:  # the schema is a constant: built once per process
        _ACTION_RESULT_VALIDATOR.append(validator_for_schema(RemoteAction.action_response_format_spec()))
    error = _first_error(result, _ACTION_RESULT_VALIDATOR[0])
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def validate_training_data(json_data: dict[str, Any], schema: dict[str, Any]) -> None:
    """Drop-in for rasa.shared.utils.validation.validate_training_data."""
    error = _first_error(json_data, validator_for_schema(schema))
    if error is not None:
        error.message += (
            f". Failed to validate data, make sure your data "
            f"is valid. For more information about the format visit "
            f"{DOCS_URL_TRAINING_DATA}."
        )
        raise rasa_exceptions.SchemaValidationError.create_from(error) from error


def install() -> None:
    """Replaces Rasa's functions in this process: the process guard calls it in `rasa run`, and
    bot/rasa_entry.py before `rasa train`."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    rasa_validation.validate_training_data = validate_training_data
