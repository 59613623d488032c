"""Context inputs: parsing `{json}`, `@file` and `a.b=value`, deep merging, checking."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import ContextError

MAX_CONTEXT_DEPTH = 64
MAX_CONTEXT_BYTES = 16 * 1024 * 1024
INT_MIN, UINT_MAX = -(2**63), 2**64 - 1
# a YAML context may share nodes through aliases; what it expands to is bounded
MAX_YAML_NODES = 50_000
# digits beyond any 64-bit value, well short of Python's int/str conversion limit
MAX_INT_DIGITS = 64


def _short_int(value: int) -> str:
    """An integer for a message: huge ones by their size (str() of one may itself fail)."""
    if value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    return str(value)


class IntegerTooLarge(ContextError):
    """A context integer far beyond 64 bits, refused before conversion."""


def _parse_int(literal: str) -> int:
    if len(literal.lstrip("+-")) > MAX_INT_DIGITS:
        raise IntegerTooLarge(
            f"context holds an integer of {len(literal.lstrip('+-'))} digits, "
            "outside the 64-bit range"
        )
    return int(literal)


def deep_merge(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Merge `overlay` into a copy of `base`: objects merge, anything else replaces."""
    merged = dict(base)
    for key, value in overlay.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def check_json_value(value: Any, where: str = "context", depth: int = 0) -> None:
    """Refuse what JSON cannot hold: deep nesting, NaN/inf, integers beyond 64 bits."""
    if depth > MAX_CONTEXT_DEPTH:
        raise ContextError(f"{where} is nested deeper than {MAX_CONTEXT_DEPTH} levels")
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if not INT_MIN <= value <= UINT_MAX:
            raise ContextError(
                f"{where} holds an integer outside the 64-bit range: {_short_int(value)}"
            )
        return
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ContextError(f"{where} holds a non-finite number")
        return
    if isinstance(value, list):
        for item in value:
            check_json_value(item, where, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ContextError(f"{where} has a non-string key: {key!r}")
            check_json_value(item, where, depth + 1)
        return
    raise ContextError(f"{where} holds a value JSON cannot represent: {type(value).__name__}")


def _reject_constant(name: str) -> Any:
    raise ContextError(f"context holds {name}, which is not JSON")


def _loads(text: str, where: str) -> Any:
    depth = 0
    for ch in text:  # refuse absurd nesting before the parser recurses
        if ch in "[{":
            depth += 1
            if depth > MAX_CONTEXT_DEPTH * 4:
                raise ContextError(f"{where} is nested too deeply")
        elif ch in "]}":
            depth -= 1
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        from .schema_messages import describe_json_error

        raise ContextError(f"{where} is not valid JSON: {describe_json_error(exc)}") from None
    except RecursionError:
        raise ContextError(f"{where} is nested too deeply") from None


def read_context_file(path: Path, where: str | None = None) -> dict[str, Any]:
    """Read one JSON (or YAML, by extension) context object from a file."""
    label = where or str(path)
    if "\x00" in str(path):
        raise ContextError(f"context file name contains a NUL byte: {label!r}")
    try:
        size = path.stat().st_size
        if size > MAX_CONTEXT_BYTES:
            raise ContextError(f"context file is larger than {MAX_CONTEXT_BYTES} bytes: {label}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContextError(f"context file not found: {label}") from None
    except IsADirectoryError:
        raise ContextError(f"context file is a directory: {label}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ContextError(f"cannot read context file {label}: {exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        value = parse_yaml_context(text, label)
    else:
        value = _loads(text, f"context file {label}")
    return as_context(value, f"context file {label}")


def parse_yaml_context(text: str, label: str) -> Any:
    """One YAML document, safely: aliases may not expand past MAX_YAML_NODES nodes."""
    import yaml

    fast = getattr(yaml, "__with_libyaml__", False)
    try:
        if fast:  # count with libyaml's events first: composing is then bounded too
            _check_yaml_events(text, label)
    except yaml.YAMLError as exc:
        from .schema_messages import describe_yaml_error

        raise ContextError(
            f"context file {label} is not valid YAML: {describe_yaml_error(exc)}"
        ) from None
    loader = _bounded_loader(fast)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_yaml_expansion(node, label)
        try:
            return loader.construct_document(node)
        except IntegerTooLarge as exc:
            raise ContextError(f"context file {label}: {exc}") from None
    except yaml.YAMLError as exc:
        from .schema_messages import describe_yaml_error

        raise ContextError(
            f"context file {label} is not valid YAML: {describe_yaml_error(exc)}"
        ) from None
    except RecursionError:
        raise ContextError(f"context file {label} is nested too deeply") from None
    except ValueError as exc:  # a YAML integer Python refuses to convert
        raise ContextError(f"context file {label} holds an unusable value: {exc}") from None
    finally:
        loader.dispose()


_LOADERS: dict[bool, Any] = {}


def _check_yaml_events(text: str, label: str) -> None:
    """Count distinct and alias-expanded nodes from the event stream, before any composing."""
    import yaml

    sizes: dict[str, int] = {}  # anchor -> expanded size of its node
    open_nodes: list[list[Any]] = []  # [anchor, expanded size so far]
    distinct = 0

    def add(count: int) -> None:
        if open_nodes:
            open_nodes[-1][1] += count
            if open_nodes[-1][1] > MAX_YAML_NODES:
                raise ContextError(
                    f"context file {label} expands to more than {MAX_YAML_NODES} YAML nodes "
                    "(aliases included)"
                )

    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_nodes):
                raise ContextError(f"context file {label} holds a recursive YAML alias")
            add(sizes.get(event.anchor or "", 1))
            continue
        if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
            distinct += 1
            if distinct > MAX_YAML_NODES:
                raise ContextError(
                    f"context file {label} holds more than {MAX_YAML_NODES} YAML nodes"
                )
            if isinstance(event, yaml.ScalarEvent):
                if event.anchor:
                    sizes[event.anchor] = 1
                add(1)
            else:
                open_nodes.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent) and open_nodes:
            anchor, size = open_nodes.pop()
            if anchor:
                sizes[anchor] = size
            add(size)


def _bounded_loader(fast: bool = False) -> Any:
    """A safe loader whose integers are refused past MAX_INT_DIGITS before conversion.

    `fast`: libyaml composes (the event count was checked first); else the pure
    Python loader counts nodes as it composes.
    """
    if fast not in _LOADERS:
        import yaml

        class CBoundedLoader(yaml.CSafeLoader if fast else yaml.SafeLoader):  # type: ignore[misc]
            def construct_yaml_int(self, node: Any) -> int:
                digits = "".join(ch for ch in str(node.value) if ch.isalnum())
                if len(digits) > MAX_INT_DIGITS:
                    raise IntegerTooLarge(
                        f"context holds an integer of {len(digits)} digits, "
                        "outside the 64-bit range"
                    )
                return int(super().construct_yaml_int(node))

        CBoundedLoader.add_constructor("tag:yaml.org,2002:int", CBoundedLoader.construct_yaml_int)
        if fast:
            _LOADERS[fast] = CBoundedLoader
            return CBoundedLoader

        class BoundedLoader(CBoundedLoader):
            composed = 0

            def compose_node(self, parent: Any, index: Any) -> Any:
                # distinct nodes are bounded while composing, so memory is too
                self.composed += 1
                if self.composed > MAX_YAML_NODES:
                    raise ContextError(f"context holds more than {MAX_YAML_NODES} YAML nodes")
                return super().compose_node(parent, index)

        _LOADERS[fast] = BoundedLoader
    return _LOADERS[fast]


def _check_yaml_expansion(root: Any, label: str) -> None:
    """Count the nodes a composed YAML graph expands to, aliases included, in linear time."""
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        children: list[Any] = (
            [item for pair in node.value for item in pair]
            if isinstance(node, yaml.MappingNode)
            else list(node.value)
        )
        if done:
            active.discard(key)
            total = 1 + sum(sizes[id(child)] for child in children)
            if total > MAX_YAML_NODES:
                raise ContextError(
                    f"context file {label} expands to more than {MAX_YAML_NODES} YAML nodes "
                    "(aliases included)"
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in active:
            raise ContextError(f"context file {label} holds a recursive YAML alias")
        active.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in active:
                raise ContextError(f"context file {label} holds a recursive YAML alias")
            if id(child) not in sizes:
                stack.append((child, False))


def as_context(value: Any, where: str = "context") -> dict[str, Any]:
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        raise ContextError(f"{where} must be a JSON object, got {kind}")
    check_json_value(value, where)
    return value


def parse_assignment(text: str) -> dict[str, Any]:
    """`a.b=value`: the right side is JSON when it parses, else a string."""
    path, _, raw = text.partition("=")
    parts = path.split(".")
    if not path or any(not part for part in parts):
        raise ContextError(f"context assignment needs a dotted path before '=': {text!r}")
    try:
        value: Any = json.loads(raw, parse_constant=_reject_constant, parse_int=_parse_int)
    except IntegerTooLarge:
        raise
    except (json.JSONDecodeError, ContextError, RecursionError):
        value = raw
    result: dict[str, Any] = {}
    cursor = result
    for part in parts[:-1]:
        cursor[part] = {}
        cursor = cursor[part]
    cursor[parts[-1]] = value
    return result


def parse_context_input(text: str, cwd: Path | None = None) -> dict[str, Any]:
    """One `--context` value: a JSON object, `@file`, or `a.b=value`."""
    stripped = text.strip()
    if stripped.startswith("@"):
        name = stripped[1:]
        if not name:
            raise ContextError("context '@' needs a file name")
        path = Path(name)
        if cwd is not None and not path.is_absolute():
            path = cwd / path
        return read_context_file(path, name)
    if stripped.startswith("{") or stripped.startswith("["):
        return as_context(_loads(stripped, "context"), "context")
    if "=" in text:
        value = parse_assignment(text)
        check_json_value(value)
        return value
    raise ContextError(f"context must be a JSON object, @file.json or path=value: {text[:80]!r}")


def merge_context_inputs(inputs: Iterable[str], cwd: Path | None = None) -> dict[str, Any]:
    """Parse and deep-merge repeated `--context` inputs left to right."""
    merged: dict[str, Any] = {}
    for text in inputs:
        merged = deep_merge(merged, parse_context_input(text, cwd))
    return merged
