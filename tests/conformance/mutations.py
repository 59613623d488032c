"""Random defects applied to generated workspaces, for lint differential tests."""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable

Files = dict[str, str]


def _pick(rng: random.Random, files: Files, prefix: str) -> str | None:
    paths = sorted(p for p in files if p.startswith(prefix))
    return rng.choice(paths) if paths else None


def _edit(rng: random.Random, files: Files, prefix: str, change: Callable[[str], str]) -> None:
    path = _pick(rng, files, prefix)
    if path is not None:
        files[path] = change(files[path])


def broken_toml(rng: random.Random, files: Files) -> None:
    def cut(text: str) -> str:
        spots = [m.start() for m in re.finditer(r'[\]"=]', text)]
        if not spots:
            return text + "\n[broken\n"
        at = rng.choice(spots)
        return text[:at] + text[at + 1 :]

    _edit(rng, files, rng.choice(["qualifiers/", "variables/", "resources/"]), cut)


def broken_json(rng: random.Random, files: Files) -> None:
    _edit(rng, files, "schemas/", lambda t: t[: max(1, len(t) // 2)])


def malformed_token(rng: random.Random, files: Files) -> None:
    """A malformed token of some kind (from the malformed-file battery) written into a
    random line of a TOML file, or a malformed JSON text in place of a schema."""
    from .malformed import JSON_CASES, TOML_CASES

    if rng.random() < 0.25:
        _edit(rng, files, "schemas/", lambda t: rng.choice(list(JSON_CASES.values())))
        return

    def insert(text: str) -> str:
        lines = text.split("\n")
        at = rng.randrange(len(lines) + 1)
        defect = rng.choice(list(TOML_CASES.values())).rstrip("\n")
        return "\n".join(lines[:at] + [defect] + lines[at:])

    _edit(rng, files, rng.choice(["qualifiers/", "variables/", "resources/", "rototo-"]), insert)


def date_time_value(rng: random.Random, files: Files) -> None:
    """A date or time value: valid TOML 1.0, refused by the reference's reader."""
    literal = rng.choice(["1979-05-27", "1979-05-27T07:32:00Z", "07:32:00", "1979-05-27 07:32"])
    _edit(
        rng,
        files,
        rng.choice(["qualifiers/", "variables/", "resources/"]),
        lambda t: t.replace("schema_version = 1\n", f"schema_version = 1\nwhen = {literal}\n", 1),
    )


def invalid_schema(rng: random.Random, files: Files) -> None:
    path = rng.choice(["schemas/extra.schema.json", "schemas/context.schema.json"])
    if path in files or rng.random() < 0.5:
        files[path] = json.dumps({"type": "no-such-type", "properties": {}})


def unknown_qualifier(rng: random.Random, files: Files) -> None:
    _edit(rng, files, "variables/", lambda t: t.replace('qualifier = "', 'qualifier = "ghost-', 1))


def unknown_value(rng: random.Random, files: Files) -> None:
    key = rng.choice(['default = "', 'value = "'])
    _edit(rng, files, "variables/", lambda t: t.replace(key, key + "missing-", 1))


def bad_op(rng: random.Random, files: Files) -> None:
    op = rng.choice(["contains", "EQ", "between", ""])
    _edit(rng, files, "qualifiers/", lambda t: re.sub(r'op = "\w+"', f'op = "{op}"', t, count=1))


def bad_bucket(rng: random.Random, files: Files) -> None:
    files["qualifiers/bucket-bad.toml"] = (
        'schema_version = 1\n\n[[predicate]]\nattribute = "user.id"\nop = "bucket"\n'
        + rng.choice(
            [
                'salt = "s"\nrange = [5, 5]\n',
                "range = [0, 10]\n",
                'salt = "s"\nrange = [0, 20000]\n',
                'salt = "s"\nrange = [1]\n',
                'salt = "s"\nrange = [0, 10]\nvalue = 1\n',
                "salt = 3\nrange = [0, 1]\n",
            ]
        )
    )


def cycle(rng: random.Random, files: Files) -> None:
    qualifiers = sorted(p for p in files if p.startswith("qualifiers/"))
    if len(qualifiers) < 2:
        return
    a, b = rng.sample(qualifiers, 2)
    for src, dst in ((a, b), (b, a)):
        target = dst.split("/")[1][:-5]
        files[src] += (
            f'\n[[predicate]]\nattribute = "qualifier.{target}"\nop = "eq"\nvalue = true\n'
        )


def duplicate_predicate(rng: random.Random, files: Files) -> None:
    def dup(text: str) -> str:
        blocks = text.split("[[predicate]]")
        return text + "\n[[predicate]]" + blocks[1] if len(blocks) > 1 else text

    _edit(rng, files, "qualifiers/", dup)


def object_mismatch(rng: random.Random, files: Files) -> None:
    _edit(
        rng,
        files,
        "resources/obj-objects/",
        lambda t: rng.choice(['limit = "many"\n', 'label = "no limit"\n', "limit = 1.5\n"]),
    )


def context_mismatch(rng: random.Random, files: Files) -> None:
    files["qualifiers/typed.toml"] = "schema_version = 1\n\n[[predicate]]\n" + rng.choice(
        [
            'attribute = "user.age"\nop = "eq"\nvalue = "old"\n',
            'attribute = "user.tier"\nop = "gt"\nvalue = 3\n',
            'attribute = "request.tags"\nop = "bucket"\nsalt = "s"\nrange = [0, 1]\n',
            'attribute = "user.nickname"\nop = "eq"\nvalue = "x"\n',
            'attribute = "account.score"\nop = "in"\nvalue = [1, "two"]\n',
        ]
    )
    _edit(
        rng,
        files,
        "variables/",
        lambda t: t + '\n[[resolve.rule]]\nqualifier = "typed"\nvalue = "k0"\n',
    )


def missing_field(rng: random.Random, files: Files) -> None:
    pattern = rng.choice(
        [
            r"schema_version = 1\n",
            r'type = "[^"]+"\n',
            r"\[resolve\]\n",
            r'default = "[^"]+"\n',
            r"\[values\]\n",
            r'attribute = "[^"]+"\n',
        ]
    )
    _edit(
        rng,
        files,
        rng.choice(["qualifiers/", "variables/", "resources/"]),
        lambda t: re.sub(pattern, "", t, count=1),
    )


def wrong_type(rng: random.Random, files: Files) -> None:
    swap = rng.choice(
        [
            ("schema_version = 1", 'schema_version = "1"'),
            ("schema_version = 1", "schema_version = 2"),
            ('type = "', 'type = "text'),
            ("[resolve]", "[resolve]\ndefault = 5"),
            ('schema = "', 'schema = "../../outside/'),
            ("[[resolve.rule]]", "[[resolve.rule]]\nvalue = 3"),
        ]
    )
    _edit(
        rng,
        files,
        rng.choice(["variables/", "resources/", "qualifiers/"]),
        lambda t: t.replace(swap[0], swap[1], 1),
    )


def unused_things(rng: random.Random, files: Files) -> None:
    files["qualifiers/lonely.toml"] = (
        'schema_version = 1\n\n[[predicate]]\nattribute = "region"\nop = "eq"\nvalue = "FR"\n'
    )
    _edit(rng, files, "variables/", lambda t: t.replace("[values]\n", "[values]\nspare = 1\n"))


def value_type(rng: random.Random, files: Files) -> None:
    _edit(
        rng,
        files,
        "variables/",
        lambda t: re.sub(r"(\nk0 = )[^\n]+", r'\1{ nested = "table" }', t, count=1),
    )


def custom_lua(rng: random.Random, files: Files) -> None:
    stage = rng.choice(["project", "reference", "value", "graph", "policy", "parse"])
    entity = rng.choice(["workspace", "qualifier", "variable", "value", "schema", "rule"])
    field = rng.choice(
        [
            "",
            'field = "id",',
            'field = "value",',
            'field = "description",',
            'field = "json.properties",',
            'field = "bad field",',
        ]
    )
    body = rng.choice(
        [
            'return {{ message = "flagged" }}',
            'return {{ message = "flagged", field = "type" }}',
            "return {}",
            "return nil",
            "return 3",
            'error("handler failed")',
            "while true do end",
            'if ctx.target.id ~= nil and string.find(ctx.target.id, "1") then '
            'return {{ message = "id has a one" }} end return {}',
        ]
    )
    severity = rng.choice(["", 'severity = "warning",', 'severity = "error",'])
    files[f"lint/rule{rng.randrange(3)}.lua"] = (
        "function register(lint)\n"
        f'  lint:on({{ stage = "{stage}", entity = "{entity}", {field}\n'
        f'    rule = {{ id = "team/check-{rng.randrange(3)}", title = "Check", help = "Fix it.",'
        f" {severity} }},\n"
        '    handler = "check" })\nend\n\n'
        f"function check(ctx)\n  {body}\nend\n"
    )


MUTATIONS = [
    broken_toml,
    broken_json,
    malformed_token,
    date_time_value,
    invalid_schema,
    unknown_qualifier,
    unknown_value,
    bad_op,
    bad_bucket,
    cycle,
    duplicate_predicate,
    object_mismatch,
    context_mismatch,
    missing_field,
    wrong_type,
    unused_things,
    value_type,
    custom_lua,
]


def mutate(rng: random.Random, files: Files) -> tuple[Files, list[str]]:
    result = dict(files)
    applied = []
    for mutation in rng.sample(MUTATIONS, k=rng.randrange(1, 4)):
        mutation(rng, result)
        applied.append(mutation.__name__)
    return result, applied
