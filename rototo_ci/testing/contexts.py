"""Declared test contexts: the contexts a review and the test runner judge a workspace on.

Sources: `contexts/*.json|yaml|yml` in the workspace root (read from the tree, so a
git revision works too), the `context` of every fixture case, `--contexts DIR` and
`--context VALUE`. Each is named by its path relative to the workspace.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine.context import as_context, parse_yaml_context
from ..engine.documents import parse_json_text
from ..engine.errors import ContextError, RototoError
from ..engine.tree import Tree

CONTEXT_DIR = "contexts/"
EXTENSIONS = (".json", ".yaml", ".yml")


@dataclass
class DeclaredContext:
    name: str
    context: dict[str, Any] | None
    error: str | None = None
    raw: str | None = None
    # a fixture case's target (`variable:<id>` / `qualifier:<id>`): the context judges it alone
    target: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def parse_context_text(name: str, text: str) -> dict[str, Any]:
    """One context object from JSON or YAML text (by the name's extension)."""
    if name.lower().endswith((".yaml", ".yml")):
        value = parse_yaml_context(text, name)
    else:
        try:
            value = parse_json_text(text)
        except json.JSONDecodeError as exc:
            raise ContextError(
                f"{name} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
            ) from None
        except (ValueError, RecursionError) as exc:
            raise ContextError(f"{name}: {exc}") from None
    return as_context(value, name)


def declared_contexts(tree: Tree) -> list[DeclaredContext]:
    """Context files directly under contexts/ of a workspace tree, sorted by name."""
    found = []
    for path in tree.files():
        if not path.startswith(CONTEXT_DIR) or "/" in path[len(CONTEXT_DIR) :]:
            continue
        if not path.lower().endswith(EXTENSIONS):
            continue
        try:
            raw = tree.read(path).decode("utf-8")
            found.append(DeclaredContext(path, parse_context_text(path, raw), raw=raw))
        except UnicodeDecodeError:
            found.append(DeclaredContext(path, None, f"{path} is not valid UTF-8"))
        except RototoError as error:  # unparsable, or unreadable (a link out of the workspace)
            found.append(DeclaredContext(path, None, str(error)))
    return found


def directory_contexts(directory: Path) -> list[DeclaredContext]:
    """Context files of a `--contexts DIR`, named by the directory as given."""
    if not directory.is_dir():
        raise ContextError(f"--contexts {directory} is not a directory")
    found = []
    for path in sorted(directory.iterdir()):
        if not path.is_file() or not path.name.lower().endswith(EXTENSIONS):
            continue
        name = f"{directory.as_posix().rstrip('/')}/{path.name}"
        try:
            raw = path.read_text(encoding="utf-8")
            found.append(DeclaredContext(name, parse_context_text(name, raw), raw=raw))
        except (OSError, UnicodeDecodeError) as exc:
            found.append(DeclaredContext(name, None, f"cannot read {name}: {exc}"))
        except ContextError as error:
            found.append(DeclaredContext(name, None, str(error)))
    return found


def context_set(tree: Tree) -> tuple[dict[str, Any], dict[str, str], dict[str, str]]:
    """Valid declared contexts (files and fixture cases) by name, their raw text, and the
    target each fixture-case context is scoped to (SPEC §2: it judges that target alone)."""
    from .suite import fixture_contexts

    contexts: dict[str, Any] = {}
    raw: dict[str, str] = {}
    targets: dict[str, str] = {}
    for declared in [*declared_contexts(tree), *fixture_contexts(tree)]:
        if declared.context is not None:
            contexts[declared.name] = declared.context
            if declared.target is not None:
                targets[declared.name] = declared.target
            raw[declared.name] = (
                declared.raw
                if declared.raw is not None
                else json.dumps(declared.context, sort_keys=True)
            )
    return contexts, raw, targets
