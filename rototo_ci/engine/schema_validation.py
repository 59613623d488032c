"""JSON Schema validators that judge instances as the rototo engine does.

One difference from python-jsonschema matters to users: under a `type` naming several
types (`["string", "integer"]`), the reference engine counts only a JSON integer as an
"integer" and refuses a whole-number float (2.0, 0.0, 1e21). A lone `"integer"` (or a
one-element list) still accepts 2.0, as JSON Schema says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

__all__ = ["first_error_text", "validator_for_schema"]


def _type_keyword(validator: Any, types: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema import ValidationError

    names = [types] if isinstance(types, str) else list(types)
    strict = len(names) > 1

    def matches(name: str) -> bool:
        if strict and name == "integer":
            return isinstance(instance, int) and not isinstance(instance, bool)
        return bool(validator.is_type(instance, name))

    if not any(matches(name) for name in names):
        yield ValidationError(f"{instance!r} is not of type {', '.join(map(repr, names))}")


@cache
def _flavoured(base: Any) -> Any:
    from jsonschema.validators import extend

    return extend(base, {"type": _type_keyword})  # type: ignore[no-untyped-call]


def validator_for_schema(schema: Any) -> Any:
    """A validator instance for `schema` (its $schema dialect, 2020-12 by default), with
    the reference's type rules and regular expressions that run in linear time."""
    from .schema_patterns import linear_validator_class

    return _flavoured(linear_validator_class(schema))(schema)


def first_error_text(validator: Any, instance: Any, describe: Callable[[Any], str]) -> str | None:
    """`describe` of the first error `validator` finds in `instance`, or None when valid.

    An error under `anyOf`, `oneOf` and the like holds its branches' errors, each pointing
    back at it: cyclic garbage only the collector frees (200 branches: 1,200 objects an
    instance). The links are cut once the error is described, so reference counting
    frees them at once, also while a command has the collector paused.
    """
    error = next(iter(validator.iter_errors(instance)), None)
    if error is None:
        return None
    try:
        return describe(error)
    finally:
        pending = [error]
        while pending:
            found = pending.pop()
            pending.extend(found.context or ())
            found.context = []
            found.parent = None
