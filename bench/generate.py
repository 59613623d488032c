"""Large, lint-clean workspaces for benchmarks (deterministic for a given seed)."""

from __future__ import annotations

import json
import os
import random
from pathlib import Path

PLANS = ["free", "growth", "enterprise", "edu"]
COUNTRIES = ["DE", "FR", "US", "IN", "BR", "JP"]


def _qualifier(rng: random.Random, index: int) -> str:
    kind = index % 5
    if kind == 0:
        lo = rng.randrange(0, 9000)
        return (
            f'schema_version = 1\n\n[[predicate]]\nattribute = "user.id"\nop = "bucket"\n'
            f'salt = "rollout-{index}"\nrange = [{lo}, {lo + rng.randrange(100, 1000)}]\n'
        )
    if kind == 1:
        plans = json.dumps(rng.sample(PLANS, 2))
        return (
            f'schema_version = 1\n\n[[predicate]]\nattribute = "account.plan"\nop = "in"\n'
            f"value = {plans}\n"
        )
    if kind == 2:
        return (
            f'schema_version = 1\n\n[[predicate]]\nattribute = "account.seats"\n'
            f'op = "gte"\nvalue = {rng.randrange(1, 500)}\n\n[[predicate]]\n'
            f'attribute = "request.country"\nop = "neq"\nvalue = "{rng.choice(COUNTRIES)}"\n'
        )
    if kind == 3 and index > 5:
        ref = f"q{index - rng.randrange(1, 5)}"
        return (
            f'schema_version = 1\n\n[[predicate]]\nattribute = "qualifier.{ref}"\n'
            f'op = "eq"\nvalue = true\n\n[[predicate]]\nattribute = "user.beta"\n'
            f'op = "eq"\nvalue = {rng.choice(["true", "false"])}\n'
        )
    return (
        f'schema_version = 1\n\n[[predicate]]\nattribute = "request.country"\nop = "eq"\n'
        f'value = "{rng.choice(COUNTRIES)}"\n'
    )


CONTEXT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "user": {
            "type": "object",
            "properties": {"id": {"type": "string"}, "beta": {"type": "boolean"}},
        },
        "account": {
            "type": "object",
            "properties": {"plan": {"type": "string"}, "seats": {"type": "integer"}},
        },
        "request": {"type": "object", "properties": {"country": {"type": "string"}}},
    },
}


def context_for(index: int) -> dict[str, object]:
    rng = random.Random(index)
    return {
        "user": {"id": f"user-{index}", "beta": rng.random() < 0.3},
        "account": {"plan": rng.choice(PLANS), "seats": rng.randrange(1, 1000)},
        "request": {"country": rng.choice(COUNTRIES)},
    }


def generate(
    root: Path,
    variables: int = 1000,
    qualifiers: int = 300,
    resources: int = 10,
    objects: int = 10,
    contexts: int = 21,
    seed: int = 7,
) -> Path:
    """Write a workspace under root; returns root."""
    rng = random.Random(seed)
    files: dict[str, str] = {
        "rototo-workspace.toml": "schema_version = 1\n",
        "schemas/context.schema.json": json.dumps(CONTEXT_SCHEMA, indent=2),
    }
    for q in range(qualifiers):
        files[f"qualifiers/q{q}.toml"] = _qualifier(rng, q)
    for r in range(resources):
        files[f"schemas/res{r}.schema.json"] = json.dumps(
            {
                "type": "object",
                "required": ["limit"],
                "properties": {"limit": {"type": "integer"}, "label": {"type": "string"}},
            }
        )
        files[f"resources/res{r}.toml"] = (
            f'schema_version = 1\ndescription = "Resource {r}"\n'
            f'schema = "../schemas/res{r}.schema.json"\n'
        )
        for o in range(objects):
            files[f"resources/res{r}-objects/o{o}.toml"] = f'limit = {o * 10}\nlabel = "o{o}"\n'
    used: set[int] = set()
    for v in range(variables):
        rules = rng.sample(range(qualifiers), k=min(qualifiers, rng.randrange(1, 4)))
        used.update(rules)
        if v % 10 == 0 and resources:
            r = v % resources
            keys = [f"o{k}" for k in rng.sample(range(objects), k=len(rules) + 1)]
            header = f'type = "resource:res{r}"\n'
            values = ""
        else:
            keys = [f"k{k}" for k in range(len(rules) + 1)]
            header = 'type = "int"\n'
            values = "\n[values]\n" + "".join(f"{k} = {i * 7 + v}\n" for i, k in enumerate(keys))
        body = f'schema_version = 1\ndescription = "Variable {v}"\n{header}{values}\n'
        body += f'[resolve]\ndefault = "{keys[0]}"\n'
        for q, key in zip(rules, keys[1:], strict=False):
            body += f'\n[[resolve.rule]]\nqualifier = "q{q}"\nvalue = "{key}"\n'
        files[f"variables/v{v}.toml"] = body
    # keep every qualifier referenced so lint stays quiet
    for q in sorted(set(range(qualifiers)) - used):
        files[f"variables/extra-q{q}.toml"] = bool_variable(f"q{q}")
    for c in range(contexts):
        files[f"contexts/c{c:03d}.json"] = json.dumps(context_for(c), indent=2)
    return write_files(root, files)


def bool_variable(qualifier: str) -> str:
    """A bool variable that is `on` where `qualifier` matches (keeps the qualifier used)."""
    return (
        'schema_version = 1\ntype = "bool"\n\n[values]\noff = false\non = true\n\n'
        f'[resolve]\ndefault = "off"\n\n[[resolve.rule]]\nqualifier = "{qualifier}"\nvalue = "on"\n'
    )


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write `files` (relative path -> text) under root and sync them: measured runs then
    read settled files, not ones still being written back. Returns root."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    os.sync()
    return root
