"""Hostile workspace input: odd file names, links out, huge integers, YAML bombs, git tree
bombs. Each ends as a diagnostic or one clear line, in bounded time and memory, and the
lint cache changes no verdict (every lint case runs with the cache off and on)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pygit2
import pytest

from ..cli.conftest import run_cli
from ..helpers import commit_all, init_repo
from .inputs_support import CACHE_MODES, copy_example, lint, run_measured

HUGE = "9" * 5000


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return copy_example(tmp_path / "ws")


@pytest.fixture(params=CACHE_MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_non_utf8_file_name(ws: Path, tmp_path: Path, mode: str, monkeypatch) -> None:
    name = os.fsencode(ws / "variables") + b"/bad\xff.toml"
    with open(name, "wb") as out:
        out.write(b"schema_version = 1\n")
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.code == 1
    bad = [d for d in result.diagnostics if "bad" in d["location"]["path"]]
    assert bad and {d["rule"] for d in bad} >= {"rototo/variable-type-source"}
    # the rest of the workspace is still checked: the clean files stay clean
    assert all(d["location"]["path"].startswith("variables/bad") for d in result.diagnostics)


def test_symlink_out_of_the_workspace(ws: Path, tmp_path: Path, mode: str, monkeypatch) -> None:
    secret = tmp_path / "secret.toml"
    secret.write_text('schema_version = 1\ntype = "string"\n[values]\ns = "TOPSECRET"\n')
    os.symlink(secret, ws / "variables" / "leak.toml")
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.code == 1 and "TOPSECRET" not in result.out
    [diagnostic] = [d for d in result.diagnostics if d["location"]["path"] == "variables/leak.toml"]
    assert "escapes" in diagnostic["message"]
    # a link into the same workspace stays an ordinary file
    os.remove(ws / "variables" / "leak.toml")
    os.symlink(ws / "variables" / "checkout-theme.toml", ws / "variables" / "alias.toml")
    again = lint(mode, monkeypatch, tmp_path / "cache2", str(ws))
    assert "variables/leak.toml" not in {d["location"]["path"] for d in again.diagnostics}


def test_cache_key_follows_the_link_target_state(ws: Path, tmp_path: Path, monkeypatch) -> None:
    """A link that stops escaping must not be answered from a stale cache entry."""
    os.symlink(tmp_path / "nowhere.toml", ws / "variables" / "leak.toml")
    first = lint("cache", monkeypatch, tmp_path / "cache", str(ws))
    assert "variables/leak.toml" in {d["location"]["path"] for d in first.diagnostics}
    os.remove(ws / "variables" / "leak.toml")
    second = lint("cache", monkeypatch, tmp_path / "cache", str(ws))
    assert "variables/leak.toml" not in {d["location"]["path"] for d in second.diagnostics}


@pytest.mark.parametrize(
    "literal", [HUGE, "-" + HUGE, "+" + HUGE, "1" + "_1" * 3000, "99999999999999999999"]
)
def test_huge_toml_integer(ws: Path, tmp_path: Path, mode: str, monkeypatch, literal) -> None:
    (ws / "variables" / "big.toml").write_text(
        f'schema_version = 1\ntype = "int"\n[values]\nbig = {literal}\n[resolve]\ndefault = "big"\n'
    )
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.code == 1 and result.seconds < 10
    [diagnostic] = [d for d in result.diagnostics if d["location"]["path"] == "variables/big.toml"]
    assert diagnostic["rule"] == "rototo/variable-parse-failed"
    assert diagnostic["message"].endswith("invalid number")
    # the reference locates `+<digits>` at its digits (after the plus sign)
    start = 7 if literal.startswith("+") else 6
    assert diagnostic["location"]["range"]["start"] == {"line": 3, "character": start}


def test_huge_json_schema_integer(ws: Path, tmp_path: Path, mode: str, monkeypatch) -> None:
    (ws / "schemas" / "big.schema.json").write_text('{"maximum": ' + HUGE + "}")
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.code == 1
    assert result.rules_at("schemas/big.schema.json") == {"rototo/schema-parse-failed"}


@pytest.mark.parametrize(
    "text",
    [
        '{"a": ' + HUGE + "}",
        '{"a": -' + HUGE + "}",
        "a=" + HUGE,
        "a.b=-" + HUGE,
        '{"a": 184467440737095516160}',
    ],
)
def test_huge_context_integer(text: str) -> None:
    from ..cli.conftest import EXAMPLE

    result = run_cli("resolve", str(EXAMPLE), "--variables", "--context", text)
    assert result.code == 2, result
    assert result.err.startswith("rototo: error:") and result.err.count("\n") == 1
    assert "64-bit range" in result.err and len(result.err) < 300


LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(9)
)

YAML_BOMBS = {
    "billion laughs": (LAUGHS, "more than 50000 YAML nodes"),
    "recursive alias": ("a: &x [1, *x]\n", "recursive YAML alias"),
    "recursive mapping": ("a: &x {b: *x}\n", "recursive YAML alias"),
    "merge-key bomb": (
        "a: &a {x: 1, y: 2, z: 3, w: 4}\n"
        + "".join(
            f"m{i}: &m{i} {{"
            + ", ".join(f"k{j}: *{'a' if i == 0 else f'm{i - 1}'}" for j in range(8))
            + "}\n"
            for i in range(9)
        ),
        "more than 50000 YAML nodes",
    ),
    "huge integer": (f"account:\n  id: {HUGE}\n", "5000 digits"),
    "huge hex integer": (f"account:\n  id: 0x{'f' * 5000}\n", "digits"),
}


@pytest.mark.parametrize(
    "name",
    [
        n if n in ("billion laughs", "recursive alias") else pytest.param(n, marks=pytest.mark.slow)
        for n in sorted(YAML_BOMBS)
    ],
)
def test_yaml_context_bombs_in_the_workspace(ws: Path, name: str) -> None:
    text, expected = YAML_BOMBS[name]
    (ws / "contexts" / "bomb.yaml").write_text(text)
    result, peak_kib = run_measured("test", str(ws), "--format", "json")
    assert result.seconds < 10 and peak_kib < 300 * 1024, (result.seconds, peak_kib)
    assert result.code == 1
    failed = [c for c in json.loads(result.out)["cases"] if not c["passed"]]
    assert [c["suite"] for c in failed] == ["contexts/bomb.yaml"]
    assert expected in failed[0]["message"]


@pytest.mark.parametrize("name", sorted(YAML_BOMBS))
def test_yaml_context_bombs_on_the_command_line(tmp_path: Path, name: str) -> None:
    from ..cli.conftest import EXAMPLE

    text, expected = YAML_BOMBS[name]
    (tmp_path / "bomb.yaml").write_text(text)
    result = run_cli(
        "resolve", str(EXAMPLE), "--variables", "--context", f"@{tmp_path / 'bomb.yaml'}"
    )
    assert result.code == 2 and result.err.startswith("rototo: error:")
    assert expected in result.err and result.err.count("\n") == 1


def test_yaml_aliases_within_bounds_still_work(tmp_path: Path) -> None:
    from rototo_ci.engine.context import parse_yaml_context

    value = parse_yaml_context("base: &b {plan: growth}\naccount: *b\nlist: [*b, *b]\n", "x")
    assert value == {
        "base": {"plan": "growth"},
        "account": {"plan": "growth"},
        "list": [{"plan": "growth"}, {"plan": "growth"}],
    }


def _tree_bomb(repo: pygit2.Repository, depth: int, width: int) -> pygit2.Oid:
    """A tree whose every level names the level below `width` times: width**depth files."""
    blob = repo.create_blob(b"schema_version = 1\n")
    builder = repo.TreeBuilder()
    for i in range(width):
        builder.insert(f"f{i}.toml", blob, pygit2.enums.FileMode.BLOB)
    level = builder.write()
    for _ in range(depth):
        builder = repo.TreeBuilder()
        for i in range(width):
            builder.insert(f"d{i}", level, pygit2.enums.FileMode.TREE)
        level = builder.write()
    return level


def _commit_with(repo_dir: Path, name: str, subtree: pygit2.Oid) -> str:
    repo = pygit2.Repository(str(repo_dir))
    head = repo.head.peel(pygit2.Commit)
    builder = repo.TreeBuilder(head.tree)
    cfg = repo.TreeBuilder(repo[head.tree["cfg"].id])
    cfg.insert(name, subtree, pygit2.enums.FileMode.TREE)
    builder.insert("cfg", cfg.write(), pygit2.enums.FileMode.TREE)
    signature = pygit2.Signature("Test", "test@example.invalid")
    oid = repo.create_commit(
        "refs/heads/main", signature, signature, "bomb", builder.write(), [head.id]
    )
    return str(oid)


BOMB_COMMANDS = {
    "git+file": lambda repo: ["lint", f"git+file://{repo}#main:cfg", "--no-cache"],
    "rev": lambda repo: ["lint", str(repo / "cfg"), "--rev", "main", "--no-cache"],
    "diff": lambda repo: ["diff", "main~1..main", "--format", "json"],
}


@pytest.mark.parametrize(
    "shape,command",
    [
        ("wide", "diff"),
        pytest.param("wide", "git+file", marks=pytest.mark.slow),
        pytest.param("wide", "rev", marks=pytest.mark.slow),
        pytest.param("deep", "diff", marks=pytest.mark.slow),
        ("deep", "git+file"),
        pytest.param("deep", "rev", marks=pytest.mark.slow),
    ],
)
def test_git_tree_bomb(tmp_path: Path, shape: str, command: str) -> None:
    repo_dir = tmp_path / "repo"
    repo = init_repo(repo_dir)
    copy_example(repo_dir / "cfg")
    commit_all(repo_dir, "one")
    if shape == "wide":
        bomb = _tree_bomb(repo, depth=9, width=10)  # 10**10 names, a few KiB of objects
    else:
        builder = repo.TreeBuilder()
        level = builder.write()
        for _ in range(300):  # a chain past the depth cap: paths would grow quadratically
            builder = repo.TreeBuilder()
            builder.insert("d", level, pygit2.enums.FileMode.TREE)
            level = builder.write()
        bomb = level
    _commit_with(repo_dir, "resources", bomb)
    args = BOMB_COMMANDS[command](repo_dir)
    result, peak_kib = run_measured(*args, cwd=repo_dir)
    assert result.seconds < 20 and peak_kib < 400 * 1024, (args, result.seconds, peak_kib)
    assert result.code == 2, (args, result)
    assert result.err.startswith("rototo: error: git tree"), result.err
    assert result.err.count("\n") == 1


def test_huge_integer_in_the_manifest(ws: Path, tmp_path: Path, mode: str, monkeypatch) -> None:
    (ws / "rototo-workspace.toml").write_text(f"schema_version = 1\nx = {HUGE}\n")
    result = lint(mode, monkeypatch, tmp_path / "cache", str(ws))
    assert result.code == 1
    assert result.rules_at("rototo-workspace.toml") == {"rototo/workspace-manifest-parse-failed"}


def test_huge_integer_in_fixture_files(tmp_path: Path) -> None:
    from ..cli.conftest import EXAMPLE

    ws = tmp_path / "ws"
    import shutil

    shutil.copytree(EXAMPLE, ws)
    suite = ws / "tests" / "rototo-fixtures.toml"
    fixture_path = next((ws / "tests" / "variables").glob("*.toml"))
    fixture_path.write_text(fixture_path.read_text() + f"\nhuge = {HUGE}\n")
    result = run_cli("test", str(ws), "--format", "json")
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.code == 1 and "not valid TOML" in result.out
    suite.write_text(suite.read_text() + f"\nhuge = {HUGE}\n")
    result = run_cli("test", str(ws), "--format", "json")
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert result.code in (1, 2)


def test_existing_hostile_files_give_the_same_verdict_with_the_cache(
    ws: Path, tmp_path: Path, monkeypatch
) -> None:
    """Every broken file of the older hostile suite, linted with the cache on (cold, warm)."""
    from .test_hostile import WORKSPACE_FILES

    for name, (rel, data, rule) in sorted(WORKSPACE_FILES.items()):
        if name == "huge string":
            continue  # 30 MB: slow here; test_hostile covers it without the cache
        path = ws / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        result = lint("cache", monkeypatch, tmp_path / f"cache-{len(name)}-{name[:4]}", str(ws))
        assert result.code == 1 and rule in result.rules_at(rel), name
        path.unlink()


def test_context_file_linked_out_of_the_workspace(tmp_path: Path, monkeypatch) -> None:
    """`rototo test` reports the link as a failed case; `rototo diff` neither crashes nor reads."""
    secret = tmp_path / "secret.json"
    secret.write_text('{"account": {"id": "TOPSECRET", "plan": "free"}}')
    repo = tmp_path / "repo"
    init_repo(repo)
    ws = copy_example(repo / "cfg")
    commit_all(repo, "one")
    os.symlink(secret, ws / "contexts" / "leak.json")
    result = run_cli("test", str(ws), "--format", "json")
    assert result.code == 1 and "TOPSECRET" not in result.out
    failed = [c for c in json.loads(result.out)["cases"] if not c["passed"]]
    assert [c["suite"] for c in failed] == ["contexts/leak.json"]
    assert "escapes" in failed[0]["message"]
    monkeypatch.chdir(repo)
    diff = run_cli("diff", "--format", "json")
    assert diff.code == 0, diff.err
    assert "TOPSECRET" not in diff.out and "Traceback" not in diff.err


def test_wide_yaml_context_is_bounded_in_memory(tmp_path: Path) -> None:
    from ..cli.conftest import EXAMPLE

    (tmp_path / "wide.yaml").write_text("a:\n" + "- 1\n" * 3_000_000)  # 12 MB, 3M nodes
    result, peak_kib = run_measured(
        "resolve", str(EXAMPLE), "--variables", "--context", f"@{tmp_path / 'wide.yaml'}"
    )
    assert result.code == 2 and "more than 50000 YAML nodes" in result.err
    assert result.seconds < 15 and peak_kib < 300 * 1024, (result.seconds, peak_kib)


@pytest.mark.parametrize("name", sorted(YAML_BOMBS))
def test_yaml_bombs_without_libyaml(name: str, monkeypatch) -> None:
    """The pure-Python loader (no libyaml on the machine) holds the same bounds."""
    import yaml

    from rototo_ci.engine.context import ContextError, parse_yaml_context

    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    text, expected = YAML_BOMBS[name]
    with pytest.raises(ContextError, match=expected.replace("(", r"\(")):
        parse_yaml_context(text, "bomb.yaml")


def test_wide_toml_document_is_bounded(ws: Path, tmp_path: Path) -> None:
    (ws / "variables" / "wide.toml").write_text(
        'schema_version = 1\ntype = "list"\n[values]\nx = ['
        + "1," * 6_000_000
        + ']\n[resolve]\ndefault = "x"\n'
    )
    result, peak_kib = run_measured("lint", str(ws), "--no-cache", "--json")
    assert result.code == 1 and result.seconds < 15 and peak_kib < 300 * 1024
    assert result.rules_at("variables/wide.toml") == {"rototo/variable-parse-failed"}


def test_remote_git_clone_stops_at_its_size_cap(tmp_path: Path, monkeypatch) -> None:
    """A git+https source cannot download without bound (checked while the pack arrives)."""
    from rototo_ci.engine import sources
    from rototo_ci.engine.errors import SourceError

    repo = tmp_path / "repo"
    init_repo(repo)
    copy_example(repo / "cfg")
    commit_all(repo, "one")
    monkeypatch.setattr(sources, "GIT_CLONE_MAX_BYTES", 1024)
    with pytest.raises(SourceError, match="larger than 1024 bytes"):
        sources._clone_remote(repo.as_uri())  # the same transfer path as https, locally
    monkeypatch.setattr(sources, "GIT_CLONE_MAX_BYTES", 64 * 1024 * 1024)
    assert sources._clone_remote(repo.as_uri()).head is not None


@pytest.mark.parametrize("fmt", ["text", "github", "sarif", "gitlab"])
def test_non_utf8_file_name_in_every_lint_format(
    ws: Path, tmp_path: Path, mode: str, monkeypatch, fmt: str
) -> None:
    with open(os.fsencode(ws / "variables") + b"/bad\xff.toml", "wb") as out:
        out.write(b"schema_version = 1\n")
    if mode == "cache":
        monkeypatch.setenv("ROTOTO_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.delenv("ROTOTO_NO_CACHE", raising=False)
    extra = ["--no-cache"] if mode == "no-cache" else []
    for _ in range(2 if mode == "cache" else 1):  # cold, then warm
        result = run_cli("lint", str(ws), "--format", fmt, *extra)
        assert result.code == 1, result.err
        assert "internal error" not in result.err and "Traceback" not in result.err
