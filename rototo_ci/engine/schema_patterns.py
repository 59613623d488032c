"""JSON Schema validators whose regular expressions run in linear time.

jsonschema matches `pattern`, `patternProperties` (and, through them,
`additionalProperties` and `unevaluatedProperties`) with Python's backtracking
`re`, so a schema from a pull request such as `^(a+)+$` can spin for hours on a
short string. Validators built here replace those keywords with RE2 (the
`google-re2` binding: automata, no backtracking, bounded memory). A pattern RE2
cannot express (backreferences, lookaround) is reported by `pattern_problem`,
and lint refuses such a schema instead of matching it unsafely.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# RE2 compiles into an automaton of at most this many bytes; larger patterns are refused
MAX_PATTERN_MEMORY = 8 * 1024 * 1024
MAX_PATTERN_LENGTH = 10_000

_compiled: dict[str, Any] = {}


class PatternError(ValueError):
    """A schema regular expression that cannot be matched in linear time."""


def _options() -> Any:
    import re2

    options = re2.Options()
    options.max_mem = MAX_PATTERN_MEMORY
    options.log_errors = False
    return options


def compile_pattern(pattern: str) -> Any:
    """The RE2 program for a schema pattern (cached); PatternError when RE2 refuses it."""
    found = _compiled.get(pattern)
    if found is not None:
        return found
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        import re2
    except ImportError:  # pragma: no cover - a dependency; refuse rather than backtrack
        raise PatternError("no linear-time regular expression engine is installed") from None
    try:
        found = re2.compile(pattern, _options())
    except Exception as error:  # re2.error and the binding's own error types
        reason = error.args[0] if error.args else error
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(
            f"pattern {pattern!r} cannot be matched in linear time: {reason}"
        ) from None
    if len(_compiled) > 4096:
        _compiled.clear()
    _compiled[pattern] = found
    return found


def search(pattern: str, text: str) -> bool:
    return compile_pattern(pattern).search(text) is not None


def _schema_nodes(schema: Any) -> Iterator[Any]:
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def pattern_problem(schema: Any) -> str | None:
    """Why some `pattern` / `patternProperties` key of a schema cannot be used, or None."""
    for node in _schema_nodes(schema):
        candidates: list[Any] = []
        if isinstance(node.get("pattern"), str):
            candidates.append(node["pattern"])
        properties = node.get("patternProperties")
        if isinstance(properties, dict):
            candidates.extend(properties)
        for pattern in candidates:
            try:
                compile_pattern(pattern)
            except PatternError as error:
                return str(error)
    return None


# -- keyword implementations: jsonschema's semantics, RE2 matching ------------


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError

    if validator.is_type(instance, "string") and not search(patrn, instance):
        yield ValidationError(f"{instance!r} does not match {patrn!r}")


def _pattern_properties(
    validator: Any, pattern_properties: dict[str, Any], instance: Any, schema: Any
) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in pattern_properties.items():
        for key, value in instance.items():
            if search(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional(instance: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    patterns = list(schema.get("patternProperties", {}))
    return [
        key
        for key in instance
        if key not in properties and not any(search(p, key) for p in patterns)
    ]


def _additional_properties(
    validator: Any, additional: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    from jsonschema._utils import extras_msg
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    extras = set(_additional(instance, schema))
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        if "patternProperties" in schema:
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras))
            patterns = ", ".join(repr(each) for each in sorted(schema["patternProperties"]))
            yield ValidationError(f"{joined} {verb} not match any of the regexes: {patterns}")
        else:
            error = "Additional properties are not allowed (%s %s unexpected)"
            yield ValidationError(error % extras_msg(sorted(extras, key=str)))


def _valid(errors: Iterator[Any]) -> bool:
    return next(errors, None) is None


def _evaluated_keys(validator: Any, instance: dict[str, Any], schema: Any) -> set[str]:
    """The instance keys some keyword of `schema` evaluates (for unevaluatedProperties)."""
    if not isinstance(schema, dict):
        return set()
    keys: set[str] = set()
    for keyword in ("$ref", "$dynamicRef"):
        reference = schema.get(keyword)
        if isinstance(reference, str):
            resolved = validator._resolver.lookup(reference)
            keys |= _evaluated_keys(
                validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                instance,
                resolved.contents,
            )
    properties = schema.get("properties")
    if isinstance(properties, dict):
        keys |= properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            keys |= {k for k, v in instance.items() if _valid(validator.descend(v, subschema))}
    pattern_properties = schema.get("patternProperties")
    if isinstance(pattern_properties, dict):
        keys |= {k for k in instance if any(search(p, k) for p in pattern_properties)}
    dependent = schema.get("dependentSchemas")
    if isinstance(dependent, dict):
        for name, subschema in dependent.items():
            if name in instance:
                keys |= _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if _valid(validator.descend(instance, subschema)):
                keys |= _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys |= _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys |= _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys |= _evaluated_keys(validator, instance, schema["else"])
    return keys


def _unevaluated_properties(
    validator: Any, unevaluated: Any, instance: Any, schema: Any
) -> Iterator[Any]:
    from jsonschema._utils import extras_msg
    from jsonschema.exceptions import ValidationError

    if not validator.is_type(instance, "object"):
        return
    evaluated = _evaluated_keys(validator, instance, schema)
    failing = [
        key
        for key in instance
        if key not in evaluated
        and not _valid(validator.descend(instance[key], unevaluated, path=key, schema_path=key))
    ]
    if failing:
        if unevaluated is False:
            error = "Unevaluated properties are not allowed (%s %s unexpected)"
            yield ValidationError(error % extras_msg(sorted(failing, key=str)))
        else:
            error = (
                "Unevaluated properties are not valid under the given schema "
                "(%s %s unevaluated and invalid)"
            )
            yield ValidationError(error % extras_msg(failing))


def _refusing(keyword: Any) -> Any:
    """A keyword whose unusable pattern is a validation error, never an exception."""

    def run(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
        from jsonschema.exceptions import ValidationError

        try:
            yield from keyword(validator, value, instance, schema)
        except PatternError as error:
            yield ValidationError(str(error))

    return run


_KEYWORDS = {
    "pattern": _refusing(_pattern),
    "patternProperties": _refusing(_pattern_properties),
    "additionalProperties": _refusing(_additional_properties),
    "unevaluatedProperties": _refusing(_unevaluated_properties),
}
_classes: dict[Any, Any] = {}


def linear_validator_class(schema: Any) -> Any:
    """The jsonschema validator class for `schema`'s draft, with RE2 regex keywords."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend, validator_for

    base = validator_for(schema, default=Draft202012Validator)
    found = _classes.get(base)
    if found is None:
        keywords = {k: v for k, v in _KEYWORDS.items() if k in base.VALIDATORS}
        found = extend(base, keywords)  # type: ignore[no-untyped-call]
        _classes[base] = found
    return found


def linear_validator(schema: Any) -> Any:
    """A validator instance for `schema` whose regular expressions run in linear time."""
    return linear_validator_class(schema)(schema)
