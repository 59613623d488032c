"""Custom Lua lint parity: random registrations, fields, handlers and returns on generated
workspaces, compared with the reference engine."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from ..helpers import write_files
from ..oracle.lint import compare, lint_problems, ours_lint, reference_lint
from . import generator, mutations

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


# Wider shapes: failing, spinning and malformed handlers, every kind of return, invalid
# and duplicate registrations, conflicting metadata, several files, broken files.
WIDE_RETURNS = [
    'return {{ {{ message = "m{i}"{ret} }} }}',
    "return nil",
    "return {{}}",
    'return "not a list"',
    "return 42",
    'return {{ "a string, not a table" }}',
    'return {{ {{ field = "value" }} }}',
    "return {{ {{ message = 7 }} }}",
    "return {{ {{ message = true }} }}",
    'return {{ {{ message = "a" }}, {{ message = "b"{ret} }} }}',
    'error("failed {i}")',
    "local t = nil; return t.x",
    "while true do end",
    'return {{ {{ message = ctx.stage .. ":" .. ctx.entity }} }}',
    "return {{ {{ message = tostring(ctx.target.kind) }} }}",
    "return {{ {{ message = os.time() }} }}",
    'return {{ {{ message = string.format("%d", #ctx.target) }} }}',
    "local n = 0; for _ in pairs(ctx.target) do n = n + 1 end; "
    'return {{ {{ message = "k" .. n }} }}',
    'return {{ {{ message = "x", field = "value.a.b" }} }}',
    'return {{ {{ message = "" }} }}',
]
WIDE_IDS = ["Team/r{i}", "team", "rototo/r{i}", "team/r_{i}", "a/b/c", "team/r0"]
WIDE_SEVERITIES = ["", ', severity = "warning"', ', severity = "error"', ', severity = "info"']
ODD_FIELDS = ["bogus", "value.Bad Path", "json.a-b.c_d"]


def wide_registration(rng: random.Random, i: int, handler: str) -> str:
    entities = [*FIELDS, "resource"] if rng.random() < 0.1 else list(FIELDS)
    entity = rng.choice(entities)
    fields = FIELDS.get(entity, [None]) + (ODD_FIELDS if rng.random() < 0.2 else [])
    field = rng.choice(fields)
    stages = ["project", "reference", "value", "graph", "policy"]
    stage = rng.choice([*stages, "later"] if rng.random() < 0.1 else stages)
    rule_id = rng.choice(WIDE_IDS).format(i=i) if rng.random() < 0.2 else f"team/r{i}"
    title = "T0" if rng.random() < 0.1 else f"T{i}"
    rule = f'rule = {{ id = "{rule_id}", title = "{title}"'
    rule += " }" if rng.random() < 0.05 else f', help = "H"{rng.choice(WIDE_SEVERITIES)} }}'
    parts = [f'stage = "{stage}"', f'entity = "{entity}"', rule, f'handler = "{handler}"']
    if field:
        parts.append(f'field = "{field}"')
    rng.shuffle(parts)
    return "  lint:on({ " + ", ".join(parts) + " })"


def wide_lua_file(rng: random.Random, tag: int) -> str:
    registrations, handlers = [], []
    for i in range(rng.randrange(1, 5)):
        name = f"h{tag}_{i}"
        registrations.append(wide_registration(rng, i, "absent" if rng.random() < 0.05 else name))
        if rng.random() < 0.3:
            registrations.append(registrations[-1])
        returned = rng.choice(RETURNED)
        body = rng.choice(WIDE_RETURNS).format(
            i=i, ret=f', field = "{returned}"' if returned else ""
        )
        condition = rng.choice(CONDITIONS)
        handlers.append(f"function {name}(ctx) if {condition} then {body} end return {{}} end")
    text = (
        "function register(lint)\n"
        + "\n".join(registrations)
        + "\nend\n"
        + "\n".join(handlers)
        + "\n"
    )
    roll = rng.random()
    if roll < 0.03:
        return text.replace("function register", "function enroll")
    if roll < 0.06:
        return text + "\nthis is not lua\n"
    if roll < 0.08:
        return "function register(lint) end\n"
    if roll < 0.10:
        return 'error("at the top")\n' + text
    return text


def run_seeds(seeds: range, tmp_path: Path, wide: bool = False) -> list[str]:
    roots = []
    for seed in seeds:
        rng = random.Random(seed)
        files = dict(generator.generate(rng).files)
        if wide:
            for tag in range(rng.choice([1, 1, 2, 3])):
                files[f"lint/t{tag}.lua"] = wide_lua_file(rng, tag)
        else:
            files["lint/team.lua"] = lua_file(rng)
        roots.append(write_files(tmp_path / f"w{seed}", files))
    problems = []
    for root, reference in zip(roots, reference_lint(roots), strict=True):
        mine = ours_lint(root)
        missing, extra = compare(mine, reference)
        problems += [f"{root.name}: missing {k}" for k in missing]
        problems += [f"{root.name}: extra {k}" for k in extra]
    return problems


def _lint_file(registrations: list[str], handlers: str) -> str:
    return "function register(lint)\n" + "\n".join(registrations) + "\nend\n" + handlers


def _on(stage: str, entity: str, field: str | None, handler: str) -> str:
    selector = f', field = "{field}"' if field else ""
    return (
        f'  lint:on({{ stage = "{stage}", entity = "{entity}"{selector},'
        ' rule = { id = "team/probe", title = "Probe", help = "Probe." },'
        f' handler = "{handler}" }})'
    )


# Shapes the random generator rarely reached, each once against the reference engine.
HANDMADE: dict[str, str] = {
    # the same registration twice: reported as a duplicate, and the handler still runs twice
    "registered-twice": _lint_file(
        [_on("value", "value", "key", "flag")] * 2,
        'function flag(ctx) return { { message = "seen " .. ctx.target.name } } end\n',
    ),
    # a handler that fails on a variable target selected by a field: the failure sits on
    # that field, as a finding of the handler would
    "fails-on-a-field": _lint_file(
        [_on("policy", "variable", "type", "boom"), _on("graph", "qualifier", "predicates", "bad")],
        'function boom(ctx) error("no") end\nfunction bad(ctx) return { "not a table" } end\n',
    ),
    # a handler past the instruction limit on a variable's values
    "spins-on-values": _lint_file(
        [_on("project", "variable", "values", "spin")],
        "function spin(ctx) while true do end end\n",
    ),
}


def test_handmade_custom_lint_matches_the_reference(tmp_path: Path) -> None:
    roots = []
    for name, text in HANDMADE.items():
        files = dict(generator.generate(random.Random(3)).files)
        files["lint/team.lua"] = text
        roots.append(write_files(tmp_path / name, files))
    problems = []
    for root, theirs in zip(roots, reference_lint(roots), strict=True):
        assert "error" not in theirs, root.name
        problems += lint_problems(root, theirs)
    assert not problems, "\n".join(problems)


def test_a_duplicate_registration_runs_again(tmp_path: Path) -> None:
    files = dict(generator.generate(random.Random(3)).files)
    files["lint/team.lua"] = HANDMADE["registered-twice"]
    found = ours_lint(write_files(tmp_path / "ws", files))["diagnostics"]
    rules = Counter(d["rule"] for d in found)
    values = Counter(
        json.dumps(d["entity"], sort_keys=True) for d in found if d["rule"] == "team/probe"
    )
    assert rules["rototo/custom-lint-registration-duplicate"] == 1
    assert values and set(values.values()) == {2}  # every value target, twice


def test_a_failing_handler_is_located_on_its_registered_field(tmp_path: Path) -> None:
    files = dict(generator.generate(random.Random(3)).files)
    files["lint/team.lua"] = HANDMADE["fails-on-a-field"]
    found = ours_lint(write_files(tmp_path / "ws", files))["diagnostics"]
    failed = [d for d in found if d["rule"] == "rototo/custom-lint-failed"]
    assert {d["entity"]["kind"] for d in failed} == {"variable", "qualifier"}
    assert all(d["location"].get("range") for d in failed)


def test_custom_lint_parity(tmp_path: Path) -> None:
    problems = run_seeds(range(120), tmp_path)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.slow
def test_custom_lint_parity_sweep(tmp_path: Path) -> None:
    problems = run_seeds(range(120, 1120), tmp_path)
    assert not problems, "\n".join(problems[:20])


def test_custom_lint_parity_wide(tmp_path: Path) -> None:
    problems = run_seeds(range(40), tmp_path, wide=True)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.slow
def test_custom_lint_parity_wide_sweep(tmp_path: Path) -> None:
    problems = run_seeds(range(40, 1040), tmp_path, wide=True)
    assert not problems, "\n".join(problems[:20])


# Handler data: every selector reports a number of findings that depends on everything its
# handler sees (a digest of ctx.target, ctx.stage and ctx.entity), so any difference in the
# data handed to Lua shows up as a count difference. `uri` and `root` are left out: we name
# files by workspace-relative URIs (a git tree has no file path), the reference by absolute
# file URIs.
DIGEST_HANDLER = r"""
local function canon(v)
  if type(v) ~= "table" then return math.type(v) or type(v), tostring(v) end
  local keys = {}
  for k in pairs(v) do
    if k ~= "uri" and k ~= "root" then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  local out = {}
  for _, k in ipairs(keys) do
    local kind, text = canon(v[k])
    out[#out + 1] = type(k) .. ":" .. tostring(k) .. "=" .. kind .. ":" .. text
  end
  return "table", "{" .. table.concat(out, ",") .. "}"
end
function probe(ctx)
  local _, text = canon(ctx.target)
  text = text .. "|" .. ctx.stage .. "|" .. ctx.entity
  local h = 0
  for i = 1, #text do h = (h * 31 + text:byte(i)) % 1000003 end
  local out = {}
  for i = 1, h % 5 do out[i] = { message = "d" .. i } end
  return out
end
"""
PROBE_FIELDS = {
    **FIELDS,
    "value": [*FIELDS["value"], "value.a", "value.limit.x", "value.name"],
    "schema": [*FIELDS["schema"], "json.type", "json.properties.plan", "json.default"],
}


def probe_file(rng: random.Random) -> str:
    registrations, index = [], 0
    for entity, fields in PROBE_FIELDS.items():
        for field in fields:
            stage = rng.choice(["project", "reference", "value", "graph", "policy"])
            selector = f', field = "{field}"' if field else ""
            registrations.append(
                f'  lint:on({{ stage = "{stage}", entity = "{entity}"{selector}, rule = '
                f'{{ id = "team/p{index}", title = "P", help = "H" }}, handler = "probe" }})'
            )
            index += 1
    return "function register(lint)\n" + "\n".join(registrations) + "\nend\n" + DIGEST_HANDLER


def probe_roots(seeds: range, tmp_path: Path) -> list[Path]:
    roots = []
    for seed in seeds:
        rng = random.Random(50_000 + seed)
        files = dict(generator.generate(rng).files)
        if seed % 2:
            files, _ = mutations.mutate(rng, files)
        files["lint/team.lua"] = probe_file(rng)
        roots.append(write_files(tmp_path / f"p{seed}", files))
    return roots


def handmade_probe_roots(tmp_path: Path) -> list[Path]:
    rng = random.Random(9)
    files = dict(generator.generate(rng).files)
    files["lint/team.lua"] = probe_file(rng)
    # JSON nulls at every depth of a schema (an array keeps its length)
    nulls = dict(files)
    nulls["schemas/nulls.json"] = (
        '{"type": "object", "default": null, "enum": [1, null, 2], "properties": '
        '{"plan": {"default": null}}}'
    )
    # a workspace that extends a parent
    write_files(tmp_path / "base", {"rototo-workspace.toml": "schema_version = 1\n"})
    child = dict(files)
    child["rototo-workspace.toml"] = 'schema_version = 1\nextends = ["../base"]\n'
    return [write_files(tmp_path / "nulls", nulls), write_files(tmp_path / "child", child)]


def probe_problems(roots: list[Path]) -> tuple[int, list[str]]:
    problems, findings = [], 0
    for root, theirs in zip(roots, reference_lint(roots), strict=True):
        if "error" in theirs:
            continue
        findings += sum(d["rule"].startswith("team/") for d in theirs["diagnostics"])
        problems += lint_problems(root, theirs)
    return findings, problems


def test_handler_data_matches_the_reference(tmp_path: Path) -> None:
    roots = handmade_probe_roots(tmp_path) + probe_roots(range(16), tmp_path)
    findings, problems = probe_problems(roots)
    assert not problems, "\n".join(problems[:20])
    assert findings > 1000


@pytest.mark.slow
def test_handler_data_sweep(tmp_path: Path) -> None:
    findings, problems = probe_problems(probe_roots(range(16, 616), tmp_path))
    assert not problems, "\n".join(problems[:20])


# The instruction limit, at the instruction: an empty numeric for-loop runs one instruction
# per turn, so these loop lengths are the last the reference engine allows in a handler, at
# a file's top level and in register(lint) (its wrappers differ in length).
LIMIT_LOOPS = {"handler": 1_000_985, "top": 1_000_978, "register": 1_000_991}


def _loop_file(where: str, turns: int) -> str:
    loop = f"for i = 1, {turns} do end"
    on = (
        '  lint:on({ stage = "value", entity = "workspace", rule = { id = "team/n", '
        'title = "T", help = "H" }, handler = "h" })'
    )
    if where == "register":  # no registration: success is custom-lint-file-unregistered
        return f"function register(lint)\n  {loop}\nend\n"
    handler = 'function h(ctx)\n  return { { message = "ok" } }\nend\n'
    if where == "handler":
        handler = f'function h(ctx)\n  {loop}\n  return {{ {{ message = "ok" }} }}\nend\n'
    top = loop + "\n" if where == "top" else ""
    return f"{top}function register(lint)\n{on}\nend\n{handler}"


def test_instruction_limit_is_the_reference_s_to_the_instruction(tmp_path: Path) -> None:
    roots, cases = [], []
    for where, last in LIMIT_LOOPS.items():
        for turns in (last, last + 1):
            root = write_files(
                tmp_path / f"{where}{turns}",
                {
                    "rototo-workspace.toml": "schema_version = 1\n",
                    "lint/a.lua": _loop_file(where, turns),
                },
            )
            roots.append(root)
            cases.append((where, turns))

    def passed(report: dict) -> bool:
        rules = {d["rule"] for d in report["diagnostics"]}
        assert rules <= {
            "team/n",
            "rototo/custom-lint-file-unregistered",
            "rototo/custom-lint-failed",
        }
        return "rototo/custom-lint-failed" not in rules

    for (where, turns), root, theirs in zip(cases, roots, reference_lint(roots), strict=True):
        expected = turns == LIMIT_LOOPS[where]
        assert passed(theirs) is expected, (where, turns)  # the reference's own limit
        assert passed(ours_lint(root)) is expected, (where, turns)
