"""The plain-TOML fast path builds exactly the full parser's tree, or declines.

Generated workspace-like files and random mutants of them: wherever the fast
path returns a tree, the full parser must return an identical one (every span,
origin, header span, key span, value and TOML type); wherever the full parser
fails, the fast path must decline so the error comes from the full parser.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from rototo_ci.engine.tomlfast import parse_plain, parse_toml_fast
from rototo_ci.engine.tomlspan import TArray, TNode, TomlError, TScalar, TTable, parse_toml


def shape(node: TNode) -> Any:
    """Everything a tree carries, as comparable data (value types included: 1 != True)."""
    if isinstance(node, TScalar):
        return ("S", node.start, node.end, type(node.value).__name__, node.value, node.toml_type)
    if isinstance(node, TArray):
        return ("A", node.start, node.end, node.of_tables, [shape(i) for i in node.items])
    assert isinstance(node, TTable)
    return (
        "T",
        node.start,
        node.end,
        node.origin,
        node.header_start,
        node.header_end,
        [(k, e.key_start, e.key_end, shape(e.node)) for k, e in node.entries.items()],
    )


KEYS = ["schema_version", "type", "default", "value", "op", "a", "b-c", "k_1", "0", "qualifier"]
STRINGS = ['"x"', '""', '"user.id"', '"héllo wörld"', '"tab\there"', '"a,b]"', '"# not"']
SCALARS = [*STRINGS, "0", "7", "-12", "123456789012345678", "true", "false"]


def _value(rng: random.Random) -> str:
    if rng.random() < 0.2:
        items = [rng.choice(SCALARS) for _ in range(rng.randrange(0, 4))]
        sep = rng.choice([",", ", ", " ,  "])
        trailing = rng.choice(["", ","]) if items else ""
        return "[" + rng.choice(["", " "]) + sep.join(items) + trailing + "]"
    return rng.choice(SCALARS)


def _keyvals(rng: random.Random, count: int) -> list[str]:
    keys = rng.sample(KEYS, k=min(count, len(KEYS)))
    comment = ["", "", " # note", "\t#"]
    equals = [" = ", "=", "  =\t"]
    return [
        rng.choice(["", " "]) + key + rng.choice(equals) + _value(rng) + rng.choice(comment)
        for key in keys
    ]


def generate(rng: random.Random) -> str:
    lines: list[str] = []
    if rng.random() < 0.3:
        lines.append("# a workspace file")
    lines += _keyvals(rng, rng.randrange(0, 4))
    names = ["resolve", "values", "predicate", "resolve.rule", "a.b.c", "a", "x . y"]
    for _ in range(rng.randrange(0, 5)):
        name = rng.choice(names)
        header = f"[[{name}]]" if rng.random() < 0.4 else f"[{name}]"
        lines.append(rng.choice(["", "\n"]) + header + rng.choice(["", "  ", " # h"]))
        lines += _keyvals(rng, rng.randrange(0, 4))
    text = "\n".join(lines)
    return text + rng.choice(["", "\n", "\n\n"])


def mutate(rng: random.Random, text: str) -> str:
    alphabet = " \t\n\r\"'=[].,#{}\\x1_-+:eE0\x00\x7fé"
    chars = list(text)
    for _ in range(rng.randrange(1, 4)):
        op = rng.randrange(3)
        at = rng.randrange(len(chars) + 1)
        if op == 0 or not chars:
            chars.insert(at, rng.choice(alphabet))
        elif op == 1:
            del chars[min(at, len(chars) - 1)]
        else:
            chars[min(at, len(chars) - 1)] = rng.choice(alphabet)
    return "".join(chars)


def _full(text: str) -> Any:
    try:
        return shape(parse_toml(text))
    except TomlError as error:
        return ("error", error.message, error.offset, error.end)
    except RecursionError:
        return ("recursion",)


def _check(text: str) -> bool:
    """True when the fast path took the text (and agreed); asserts identity."""
    fast = parse_plain(text)
    expected = _full(text)
    if fast is None:
        return False
    assert expected[0] != "error", f"fast path accepted invalid TOML {text!r}: {expected}"
    assert shape(fast) == expected, text
    return True


@pytest.mark.parametrize("seed", range(4))
def test_generated_files_and_mutants_parse_identically(seed: int) -> None:
    rng = random.Random(seed)
    valid = taken = mutants_taken = 0
    for _ in range(1250):
        text = generate(rng)
        valid += _full(text)[0] != "error"
        taken += _check(text)
        for _ in range(6):
            mutants_taken += _check(mutate(rng, text))
    # every valid generated file (plain by construction) takes the fast path
    assert taken == valid > 800
    assert mutants_taken > 1000


def test_fast_entry_point_falls_back_for_everything_else() -> None:
    text = 'a = 1.5\nb = 0x1F\n[c]\nd = { e = "f" }\ng = """\nh"""\n'
    assert parse_plain(text) is None
    assert shape(parse_toml_fast(text)) == shape(parse_toml(text))
    with pytest.raises(TomlError):
        parse_toml_fast("a = 1\na = 2\n")


def test_bench_workspace_files_take_the_fast_path(tmp_path: Any) -> None:
    from bench.generate import generate as generate_workspace

    root = generate_workspace(tmp_path / "ws", variables=60, qualifiers=30, contexts=0)
    files = sorted(root.rglob("*.toml"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert _check(text), path
