"""Start-up stays light: what `rototo --help` and the pre-commit hook import, and that
building commands on demand gives the same help as building them all.

The imports are checked in a fresh interpreter (sys.modules after the run), not timed:
a module that should not load on a path is the regression these tests catch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.generate import generate
from rototo_ci.cli import app, usage

# Never needed to print help or to lint a plain workspace before a commit.
HEAVY = ("rich", "jsonschema", "pygit2", "lupa", "tomlkit", "yaml", "re2")
COMMAND_MODULES = {f"rototo_ci.cli.{module}" for _, module in app.COMMANDS}

_PROBE = r"""
import json, os, sys
out, kind, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
if kind == "cli":
    from rototo_ci.cli.app import main
else:
    from rototo_ci.hook import main
code = main(argv)
sys.stdout.flush()
with open(out, "w") as handle:
    json.dump({"code": code, "modules": sorted(sys.modules)}, handle)
"""


def _modules_after(tmp_path: Path, kind: str, *argv: str, cwd: Path | None = None) -> set[str]:
    out = tmp_path / "modules.json"
    env = {"ROTOTO_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, str(out), kind, *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(out.read_text())
    assert result["code"] == 0, proc.stdout
    return set(result["modules"])


def test_version_imports_neither_typer_nor_typing(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "cli", "--version")
    assert not {"typer", "typing", *HEAVY} & modules


def test_help_builds_no_command(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "cli", "--help")
    # the root page is fixed text, written without typer (tests/cli/test_root_help.py)
    assert "typer" not in modules and "rototo_ci.cli.root_help" in modules
    assert not set(HEAVY) & modules
    assert not COMMAND_MODULES & modules
    assert not {m for m in modules if m.startswith("rototo_ci.engine")}


def test_command_help_builds_that_command_only(tmp_path: Path) -> None:
    modules = _modules_after(tmp_path, "cli", "lint", "--help")
    assert "typer" in modules  # typer stays the framework; it just builds less
    assert "rototo_ci.cli.lint" in modules
    others = COMMAND_MODULES - {"rototo_ci.cli.lint"}
    # lint's own module may share helpers (selectors, common); no other command loads
    assert not others & modules, others & modules
    assert not set(HEAVY) & modules


def test_hook_after_an_edit_stays_off_typer_rich_and_git(tmp_path: Path) -> None:
    """The pre-commit row of the benchmark: a plain workspace, an empty lint cache."""
    root = generate(tmp_path / "ws", variables=4, qualifiers=3, resources=0, objects=0, contexts=0)
    modules = _modules_after(tmp_path, "hook", "lint", "variables/v0.toml", cwd=root)
    assert "rototo_ci.lint.run" in modules  # it did lint
    assert not {"typer", "click", *HEAVY} & modules, {"typer", "click", *HEAVY} & modules
    assert not {m for m in modules if m.startswith("rototo_ci.cli")}


def _eager_group():  # type: ignore[no-untyped-def]
    """Every command built up front, polished as before commands were built on demand."""
    import typer

    group = typer.main.get_command(app.build_app())
    usage.polish(group)
    for name, command in group.commands.items():
        usage.polish_command(command, name)
    return group


def _help(command, name: str, parent=None) -> str:  # type: ignore[no-untyped-def]
    from typer._click.core import Context

    ctx = Context(command, info_name=name, parent=parent, **(command.context_settings or {}))
    return str(command.get_help(ctx))


@pytest.fixture(scope="module")
def groups():  # type: ignore[no-untyped-def]
    return app.build_command(), _eager_group()


def test_the_command_list_is_what_the_built_commands_say(groups) -> None:  # type: ignore[no-untyped-def]
    lazy, eager = groups
    assert list(lazy.commands) == list(eager.commands) == [n for n, _ in app.COMMANDS]
    assert not lazy.commands.built  # listing the names built nothing
    assert _help(lazy, "rototo") == _help(eager, "rototo")
    assert not lazy.commands.built  # nor did the overview
    for name, command in eager.commands.items():
        assert not command.hidden and command.short_help == usage.SHORT_HELP[name]


@pytest.mark.parametrize("name", [n for n, _ in app.COMMANDS])
def test_each_command_help_is_unchanged(groups, name: str) -> None:  # type: ignore[no-untyped-def]
    from typer._click.core import Context

    lazy, eager = groups
    lazy_root = Context(lazy, info_name="rototo", **(lazy.context_settings or {}))
    eager_root = Context(eager, info_name="rototo", **(eager.context_settings or {}))
    assert _help(lazy.commands[name], name, lazy_root) == _help(
        eager.commands[name], name, eager_root
    )
    assert [p.opts for p in lazy.commands[name].params] == [
        p.opts for p in eager.commands[name].params
    ]


def test_unknown_names_are_not_commands(groups) -> None:  # type: ignore[no-untyped-def]
    lazy, _ = groups
    assert "lnit" not in lazy.commands
    assert lazy.commands.get("lnit") is None
    with pytest.raises(KeyError):
        lazy.commands["lnit"]


@pytest.mark.parametrize(
    "argv",
    [
        ["lint"],
        ["lint", "a.toml"],
        ["test", "x/y z.toml", "", "ü/ñ.json", "a=b", "@args", "lint"],
        ["fixtures-check", "a", "b", "c"],
        ["test", "a", "--x"],
        ["fixtures-check", "-"],
        ["lint", "--", "-a"],
        ["lint", "--", "--help", "b.toml"],
        ["test", "--", "--he"],
        ["lint", "--"],
        ["lint", "--", "a", "--", "b"],
        ["fixtures-check", "--", "-", "x.json"],
        ["lint", "-1"],
        ["lint", "a", "-h"],
        ["lnt", "a"],
        [],
        ["-h"],
    ],
)
def test_hook_reads_its_command_line_as_argparse_does(argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    from rototo_ci import hook

    def outcome(parse) -> object:  # type: ignore[no-untyped-def]
        try:
            return parse(), capsys.readouterr()
        except SystemExit as stop:
            return stop.code, capsys.readouterr()

    def by_argparse() -> tuple[str, list[str]]:
        args = hook.argument_parser().parse_args(argv)
        return args.check, args.files

    assert outcome(lambda: hook.parse_args(list(argv))) == outcome(by_argparse)


def test_entry_points_that_skip_the_teardown_deliver_all_their_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`rototo --help` and `rototo-hook` end with os._exit: everything printed arrives."""
    from rototo_ci import hook

    from .conftest import run_cli

    entry = "import sys; from rototo_ci.{} import entry; sys.argv[0] = 'x'; entry()"
    helped = subprocess.run(
        [sys.executable, "-c", entry.format("cli.app"), "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout == run_cli("--help").out

    root = generate(tmp_path / "ws", variables=4, qualifiers=3, resources=0, objects=0, contexts=0)
    edited = root / "variables" / "v0.toml"
    edited.write_text(edited.read_text().replace('default = "k0"', 'default = "nope"'))
    hooked = subprocess.run(
        [sys.executable, "-c", entry.format("hook"), "lint", "variables/v0.toml"],
        cwd=root,
        env={"ROTOTO_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    monkeypatch.chdir(root)
    monkeypatch.setenv("ROTOTO_NO_CACHE", "1")
    capsys.readouterr()
    assert hook.main(["lint", "variables/v0.toml"]) == hooked.returncode == 1
    expected = capsys.readouterr().out
    assert " error: " in expected and expected.endswith(" warning(s)\n")
    assert hooked.stdout == expected


def test_a_command_run_does_not_import_pydantic(tmp_path: Path) -> None:
    """Typer's per-parameter pydantic adapters are built only for values it must judge."""
    root = generate(tmp_path / "ws", variables=4, qualifiers=3, resources=0, objects=0, contexts=0)
    modules = _modules_after(tmp_path, "cli", "lint", str(root), "--format", "json", "-q")
    assert "rototo_ci.cli.lint" in modules
    assert "pydantic" not in modules
    assert not set(HEAVY) & modules


SAMPLES = [
    None, "", "x", "text", "json", "JSON", "Json ", "never", "any-change", "bash", "0", "-0",
    "-1", "7", "007", "1.5", "-2.25", "1.", ".5", "1e3", " 2", "2 ", "nan", "inf", "1_000",
    "٣", "9" * 120, "a/b", "/abs/p", ".", "-", "~", "a\udc80b", "x" * 300,
    0, 1, -3, 1.0, 2.5, True, False, Path("p"),
]  # fmt: skip


def _outcome(runtime, value, param, ctx) -> tuple[str, object]:  # type: ignore[no-untyped-def]
    try:
        value = runtime.coerce(value, param=param, ctx=ctx)
    except Exception as error:  # noqa: BLE001 - the error itself is compared
        return "error", (type(error).__name__, str(getattr(error, "message", error)))
    shape = [type(v) for v in value] if isinstance(value, list) else type(value)
    return "value", (value, shape)


@pytest.mark.parametrize("name", [n for n, _ in app.COMMANDS])
def test_quick_coercion_agrees_with_typer_on_every_parameter(groups, name: str) -> None:  # type: ignore[no-untyped-def]
    """Each parameter's values coerced without pydantic equal typer's own coercion."""
    from typer._click.core import Context
    from typer._coercion import build_runtime_param

    lazy, _ = groups
    command = lazy.commands[name]
    ctx = Context(command, info_name=name)
    params = [p for p in command.params if hasattr(p, "type_descriptor")]
    params.append(command.get_help_option(ctx))
    for param in params:
        quick = param.get_runtime_param()
        assert type(quick).__name__ == "QuickRuntimeParam", param.name
        typer_own = build_runtime_param(param.type_descriptor)
        samples = [*SAMPLES, param.default]
        if param.multiple or param.nargs == -1:
            samples = [(), ("x",), ("a/b", "json"), ("1", "-2"), *[(s,) for s in SAMPLES[1:]]]
        for value in samples:
            ours = _outcome(quick, value, param, ctx)
            theirs = _outcome(typer_own, value, param, ctx)
            assert ours == theirs, (name, param.name, value)
