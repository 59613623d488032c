"""Custom Lua lint parity: random registrations, fields, handlers and returns on generated
workspaces, compared with the reference engine."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ..helpers import write_files
from ..oracle.lint import compare, ours_lint, reference_lint
from . import generator

FIELDS = {
    "workspace": ["extends", None],
    "qualifier": ["id", "description", "predicates", None],
    "variable": ["id", "description", "type", "schema", "values", "resolve", None],
    "value": ["key", "value", "value.limit", None],
    "schema": ["json", "json.properties", None],
}
RETURNED = [
    "id",
    "description",
    "predicates",
    "type",
    "values",
    "resolve",
    "schema",
    "extends",
    "json",
    "key",
    "value",
    "nonsense",
    None,
]
CONDITIONS = [
    "true",
    "ctx.target.id ~= nil",
    "ctx.target.selected ~= nil",
    "type(ctx.target.value) == 'number'",
    "ctx.target.kind == 'schema'",
    "ctx.target.toml ~= nil and ctx.target.toml.type == 'int'",
]


def lua_file(rng: random.Random) -> str:
    registrations, handlers = [], []
    for i in range(rng.randrange(1, 4)):
        entity = rng.choice(list(FIELDS))
        field = rng.choice(FIELDS[entity])
        stage = rng.choice(["project", "reference", "value", "graph", "policy"])
        returned = rng.choice(RETURNED)
        severity = rng.choice(["", ', severity = "warning"'])
        registrations.append(
            f'  lint:on({{ stage = "{stage}", entity = "{entity}"'
            + (f', field = "{field}"' if field else "")
            + f', rule = {{ id = "team/r{i}", title = "T{i}", help = "H"{severity} }},'
            f' handler = "h{i}" }})'
        )
        ret = f', field = "{returned}"' if returned else ""
        handlers.append(
            f"function h{i}(ctx) if {rng.choice(CONDITIONS)} then "
            f'return {{ {{ message = "m{i}"{ret} }} }} end return {{}} end'
        )
    return (
        "function register(lint)\n"
        + "\n".join(registrations)
        + "\nend\n"
        + "\n".join(handlers)
        + "\n"
    )


def run_seeds(seeds: range, tmp_path: Path) -> list[str]:
    roots = []
    for seed in seeds:
        rng = random.Random(seed)
        files = dict(generator.generate(rng).files)
        files["lint/team.lua"] = lua_file(rng)
        roots.append(write_files(tmp_path / f"w{seed}", files))
    problems = []
    for root, reference in zip(roots, reference_lint(roots), strict=True):
        mine = ours_lint(root)
        missing, extra = compare(mine, reference)
        problems += [f"{root.name}: missing {k}" for k in missing]
        problems += [f"{root.name}: extra {k}" for k in extra]
    return problems


def test_custom_lint_parity(tmp_path: Path) -> None:
    problems = run_seeds(range(120), tmp_path)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.slow
def test_custom_lint_parity_sweep(tmp_path: Path) -> None:
    problems = run_seeds(range(120, 1120), tmp_path)
    assert not problems, "\n".join(problems[:20])
