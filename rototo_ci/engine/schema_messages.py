"""JSON Schema validation errors in our own words (jsonschema's text never reaches users).

`describe(error)` takes a jsonschema ValidationError or SchemaError and says what is
wrong and where: "at seats: expected an integer, got the string \"many\"".
"""

from __future__ import annotations

import json
from typing import Any

TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}
SHOWN = 60


def _show(value: Any) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "the boolean " + _show(value)
    if isinstance(value, int):
        return "the integer " + _show(value)
    if isinstance(value, float):
        return "the number " + _show(value)
    if isinstance(value, str):
        return "the string " + _show(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return _show(value)


def _types(expected: Any) -> str:
    names = expected if isinstance(expected, list) else [expected]
    words = [TYPE_NAMES.get(str(n), str(n)) for n in names]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def where(error: Any) -> str:
    """The failing value's place as a dotted path ('' at the top)."""
    parts = [str(p) for p in getattr(error, "absolute_path", []) or []]
    return ".".join(parts)


def describe(error: Any) -> str:
    """What a jsonschema error means, without its place (see `where`)."""
    keyword = getattr(error, "validator", None)
    expected: Any = getattr(error, "validator_value", None)
    value: Any = getattr(error, "instance", None)
    try:
        if keyword == "type":
            return f"expected {_types(expected)}, got {kind_of(value)}"
        if keyword == "required":
            missing = [name for name in expected if isinstance(value, dict) and name not in value]
            names = ", ".join(_show(n) for n in missing or expected)
            return f"missing required propert{'y' if len(missing) == 1 else 'ies'} {names}"
        if keyword == "enum":
            return f"{_show(value)} is not one of {', '.join(_show(v) for v in expected)}"
        if keyword == "const":
            return f"expected {_show(expected)}, got {_show(value)}"
        if keyword == "additionalProperties":
            extra = sorted(
                k for k in (value or {}) if k not in (error.schema.get("properties") or {})
            )
            return f"unexpected propert{'y' if len(extra) == 1 else 'ies'} " + ", ".join(
                _show(k) for k in extra
            )
        if keyword in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            relation = {
                "minimum": "at least",
                "exclusiveMinimum": "greater than",
                "maximum": "at most",
                "exclusiveMaximum": "less than",
            }[keyword]
            return f"expected a value {relation} {_show(expected)}, got {_show(value)}"
        if keyword in ("minLength", "maxLength"):
            bound = "at least" if keyword == "minLength" else "at most"
            return f"expected {bound} {expected} characters, got {_show(value)}"
        if keyword in ("minItems", "maxItems"):
            bound = "at least" if keyword == "minItems" else "at most"
            return f"expected {bound} {expected} items, got {len(value)}"
        if keyword == "pattern":
            return f"{_show(value)} does not match the pattern {_show(expected)}"
        if keyword == "format":
            return f"{_show(value)} is not a valid {expected}"
        if keyword in ("anyOf", "oneOf"):
            return f"{_show(value)} matches none of the allowed shapes"
        if keyword == "not":
            return f"{_show(value)} matches a shape the schema forbids"
        if keyword == "uniqueItems":
            return "expected items to be unique"
        if keyword == "multipleOf":
            return f"expected a multiple of {_show(expected)}, got {_show(value)}"
        if keyword is False or expected is False:
            return "no value is allowed here"
    except (TypeError, AttributeError, KeyError):
        pass
    return f"fails the schema's {keyword!s} rule" if keyword else "does not satisfy the schema"


def describe_at(error: Any) -> str:
    """`describe` prefixed with the place of the failing value, when not the top."""
    place = where(error)
    return f"at {place}: {describe(error)}" if place else describe(error)


def describe_schema_error(error: Any) -> str:
    """Why a JSON Schema document is not a valid schema (a SchemaError)."""
    place = ".".join(str(p) for p in getattr(error, "absolute_path", []) or [])
    keyword = getattr(error, "validator", None)
    value: Any = getattr(error, "instance", None)
    expected: Any = getattr(error, "validator_value", None)
    if keyword == "type":
        text = f"expected {_types(expected)}, got {kind_of(value)}"
    elif keyword == "enum":
        text = f"{_show(value)} is not one of {', '.join(_show(v) for v in expected)}"
    else:
        text = describe(error)
    return f"keyword {place}: {text}" if place else text


# Python's json module phrases, in our words.
_JSON_PHRASES = {
    "Expecting property name enclosed in double quotes": "expected a property name in double "
    "quotes (no trailing commas, no single quotes)",
    "Expecting value": "expected a value",
    "Expecting ',' delimiter": "expected ',' between items",
    "Expecting ':' delimiter": "expected ':' after a property name",
    "Extra data": "unexpected text after the JSON value",
    "Unterminated string starting at": "a string is not closed",
    "Invalid control character at": "a string holds a raw control character",
    "Invalid \\escape": "a string holds an invalid backslash escape",
}


def describe_json_error(exc: Any) -> str:
    """A json.JSONDecodeError as `what, at line L column C`."""
    msg = str(getattr(exc, "msg", exc))
    text = _JSON_PHRASES.get(msg, msg[:1].lower() + msg[1:])
    return f"{text}, at line {getattr(exc, 'lineno', '?')} column {getattr(exc, 'colno', '?')}"


def describe_yaml_error(exc: Any) -> str:
    """A yaml.YAMLError as one line: what the parser expected, and where."""
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None)
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    text = " ".join(str(problem or "the text cannot be parsed").split())
    if mark is not None:
        text += f", at line {mark.line + 1} column {mark.column + 1}"
    return text
