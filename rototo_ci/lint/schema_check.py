"""JSON Schema checks without paying for jsonschema when a schema is plainly valid.

`check_schema` against the 2020-12 meta-schema costs the jsonschema import
(~40 ms) plus a meta-schema walk per schema. Most workspace schemas use a small,
well-known subset of keywords; `plainly_valid` recognises that subset and says
True only when the meta-schema certainly accepts the schema. Everything else
(and every invalid schema, for its message) goes to jsonschema, once per
distinct schema. Validators are built on first use, also once per distinct schema.
tests/lint/test_schema_check.py checks `plainly_valid` against jsonschema.
"""

from __future__ import annotations

import json
from typing import Any

_DIALECTS = {"https://json-schema.org/draft/2020-12/schema"}
_SIMPLE_TYPES = {"array", "boolean", "integer", "null", "number", "object", "string"}
_NUMBER_KEYS = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
_COUNT_KEYS = {
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
}
_STRING_KEYS = {"title", "description", "format", "$comment"}
_ANY_KEYS = {"const", "default"}

_errors: dict[str, str | None] = {}
_validators: dict[str, Any] = {}


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unique_strings(value: Any) -> bool:
    return (
        isinstance(value, list)
        and all(isinstance(item, str) for item in value)
        and len(set(value)) == len(value)
    )


def _plain(schema: Any, root: bool) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for key, value in schema.items():
        if key == "type":
            if isinstance(value, str):
                if value not in _SIMPLE_TYPES:
                    return False
            elif not (_unique_strings(value) and value and set(value) <= _SIMPLE_TYPES):
                return False
        elif key == "properties":
            if not isinstance(value, dict):
                return False
            if not all(_plain(sub, False) for sub in value.values()):
                return False
        elif key in ("items", "additionalProperties"):
            if not _plain(value, False):
                return False
        elif key == "required":
            if not _unique_strings(value):
                return False
        elif key in _STRING_KEYS:
            if not isinstance(value, str):
                return False
        elif key in _NUMBER_KEYS:
            if not _number(value):
                return False
        elif key in _COUNT_KEYS:
            if not (type(value) is int and value >= 0):
                return False
        elif key == "multipleOf":
            if not (_number(value) and value > 0):
                return False
        elif key in ("enum", "examples"):
            if not isinstance(value, list):
                return False
        elif key in ("uniqueItems", "deprecated", "readOnly", "writeOnly"):
            if not isinstance(value, bool):
                return False
        elif key == "$schema":
            if not root or not isinstance(value, str) or value not in _DIALECTS:
                return False
        elif key in _ANY_KEYS or key.startswith("x-"):
            continue
        else:
            return False
    return True


def plainly_valid(schema: Any) -> bool:
    """True only when the schema certainly passes its meta-schema (a small known subset)."""
    return _plain(schema, True)


def _key(schema: Any) -> str:
    return json.dumps(schema, sort_keys=True, ensure_ascii=False)


def schema_error(schema: Any) -> str | None:
    """Why a JSON value is not a usable JSON Schema, or None."""
    if not isinstance(schema, (dict, bool)):
        return "a JSON Schema must be an object or a boolean"
    key = _key(schema)
    if key in _errors:
        return _errors[key]
    if plainly_valid(schema):
        _errors[key] = None
        return None
    from jsonschema import Draft202012Validator, SchemaError
    from jsonschema.validators import validator_for

    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)  # type: ignore[arg-type]
        problem = None
    except SchemaError as error:
        from ..engine.schema_messages import describe_schema_error

        problem = describe_schema_error(error)
    _errors[key] = problem
    return problem


def _build(schema: Any) -> Any:
    key = _key(schema)
    built = _validators.get(key)
    if built is None:
        from ..engine.schema_validation import validator_for_schema

        # the reference's type rules; regular expressions in linear time (SPEC §8)
        built = validator_for_schema(schema)
        _validators[key] = built
    return built


class LazyValidator:
    """A jsonschema validator built when first asked to validate."""

    __slots__ = ("schema", "_built")

    def __init__(self, schema: Any) -> None:
        self.schema = schema
        self._built: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._built is None:
            self._built = _build(self.schema)
        return getattr(self._built, name)
