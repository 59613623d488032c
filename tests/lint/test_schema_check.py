"""`plainly_valid` never vouches for a schema jsonschema's meta-schema check rejects."""

from __future__ import annotations

import random
from typing import Any

from jsonschema import Draft202012Validator, SchemaError
from jsonschema.validators import validator_for

from rototo_ci.lint.schema_check import LazyValidator, plainly_valid, schema_error

VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    3,
    2.5,
    -0.5,
    0.0,
    1.0,
    "",
    "string",
    "integer",
    "nope",
    [],
    ["a"],
    ["a", "a"],
    ["string", "null"],
    ["string", "string"],
    [1, "a"],
    {},
    {"type": "string"},
    {"type": 3},
    "https://json-schema.org/draft/2020-12/schema",
    "http://json-schema.org/draft-07/schema#",
]
KEYS = [
    "type",
    "properties",
    "items",
    "additionalProperties",
    "required",
    "title",
    "description",
    "format",
    "$comment",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
    "multipleOf",
    "enum",
    "examples",
    "uniqueItems",
    "deprecated",
    "readOnly",
    "writeOnly",
    "$schema",
    "const",
    "default",
    "x-rototo-resource",
    "pattern",
    "$ref",
    "allOf",
    "definitions",
    "dependencies",
]


def random_schema(rng: random.Random, depth: int = 0) -> Any:
    if rng.random() < 0.1:
        return rng.choice([True, False])
    schema: dict[str, Any] = {}
    for key in rng.sample(KEYS, k=rng.randrange(0, 5)):
        if key in ("items", "additionalProperties") and depth < 3 and rng.random() < 0.7:
            schema[key] = random_schema(rng, depth + 1)
        elif key == "properties" and depth < 3 and rng.random() < 0.7:
            schema[key] = {
                f"p{i}": random_schema(rng, depth + 1) for i in range(rng.randrange(0, 3))
            }
        elif key == "$schema":  # jsonschema itself fails on a non-string $schema
            schema[key] = rng.choice([v for v in VALUES if isinstance(v, str)])
        elif key == "type" and rng.random() < 0.6:
            schema[key] = rng.choice(["string", "object", ["integer", "null"], "array"])
        else:
            schema[key] = rng.choice(VALUES)
    return schema


def jsonschema_accepts(schema: Any) -> bool:
    try:
        validator_for(schema, default=Draft202012Validator).check_schema(schema)
    except SchemaError:
        return False
    return True


def test_plainly_valid_agrees_with_jsonschema() -> None:
    rng = random.Random(5)
    vouched = 0
    for _ in range(2000):
        schema = random_schema(rng)
        if plainly_valid(schema):
            vouched += 1
            assert jsonschema_accepts(schema), schema
    assert vouched > 200  # the fast path is taken, not vacuous


def test_schema_error_matches_jsonschema_verdicts() -> None:
    rng = random.Random(9)
    for _ in range(300):
        schema = random_schema(rng)
        assert (schema_error(schema) is None) == jsonschema_accepts(schema), schema
    assert schema_error([1]) == "a JSON Schema must be an object or a boolean"
    assert schema_error({"type": 3}) is not None


def test_lazy_validator_validates() -> None:
    check = LazyValidator({"type": "object", "required": ["limit"]})
    assert [e.message for e in check.iter_errors({"label": "x"})] == [
        "'limit' is a required property"
    ]
    assert list(check.iter_errors({"limit": 1})) == []
