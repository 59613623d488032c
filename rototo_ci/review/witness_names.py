"""Suggested file names for witness contexts (SPEC §5 view 5): `contexts/<name>.json`.

Kept apart from the witness search so renderers can name a saved report's witnesses
without importing the engine.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_UNSAFE = re.compile(r"[^a-z0-9_]+")
MAX_STEM = 48
SAFE_FILE = re.compile(r"contexts/[a-z0-9][a-z0-9_-]*\.json")


def suggested_file(item: dict[str, Any]) -> str | None:
    """An uncovered entry's `context_file`, recomputed when a (saved, hostile) report
    holds anything but a name `witness_file_name` could have made."""
    if item.get("context") is None:
        return None
    name = item.get("context_file")
    if isinstance(name, str) and SAFE_FILE.fullmatch(name):
        return name
    return witness_file_name(str(item.get("variable")), item["context"])


def witness_file_name(variable_id: str, context: Any) -> str:
    """A suggested `contexts/<name>.json` for a witness: stable and safe as a file name.

    The variable id is hostile text (a file stem can hold anything but `/`): it is
    reduced to lower-case letters, digits, `_` and single `-` (never `.`, so no `..`,
    hidden file or second extension; never a leading `-`, so it reads as no option),
    then a short hash of the context's canonical JSON keeps two witnesses apart and
    gives the same witness the same name on every run.
    """
    text = json.dumps(context, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    digest = hashlib.sha256(text.encode()).hexdigest()[:8]
    stem = _UNSAFE.sub("-", str(variable_id).lower()).strip("-_")[:MAX_STEM].strip("-_")
    return f"contexts/{stem or 'variable'}-{digest}.json"
