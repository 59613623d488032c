"""The `rototo` application. Commands register here with one line each."""

from __future__ import annotations

import importlib
import os
import sys

# no `typing` here: `rototo --version` answers before anything else is imported


def _version() -> str:
    from .. import __version__

    return f"rototo-ci {__version__}"


# Every command, in the order `rototo --help` lists them: (name, module under rototo_ci.cli).
# Each module defines `command`; its one-line help is usage.SHORT_HELP[name].
COMMANDS: tuple[tuple[str, str], ...] = (
    ("lint", "lint"),
    ("resolve", "resolve"),
    ("show", "show"),
    ("init", "init"),
    ("diff", "diff"),
    ("fixtures", "fixtures"),
    ("test", "test"),
    ("comment", "comment"),
    ("inspect", "inspect"),
    ("completions", "completions"),
    ("lint-changed", "lint_changed"),
    ("workspaces", "workspaces"),
    ("render", "render"),
)
_MODULES = dict(COMMANDS)

HELP = "Review toolchain for rototo workspaces: lint, test, resolve and diff."
VERSION_HELP = "Print the version."


def _new_app(cls=None):  # type: ignore[no-untyped-def]
    import typer

    app = typer.Typer(
        name="rototo",
        help=HELP,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        **({"cls": cls} if cls is not None else {}),
    )

    @app.callback()
    def root(
        version: bool = typer.Option(False, "--version", "-V", help=VERSION_HELP),
    ) -> None:
        """Review toolchain for rototo workspaces: lint, test, resolve and diff."""
        if version:
            print(_version())
            raise typer.Exit(0)

    return app


def _command_function(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"rototo_ci.cli.{_MODULES[name]}").command


def build_app():  # type: ignore[no-untyped-def]
    """The typer application with every command registered (imports every command module)."""
    app = _new_app()
    for name, _ in COMMANDS:
        app.command(name)(_command_function(name))
    return app


def build_command():  # type: ignore[no-untyped-def]
    """The click command tree with word metavars, examples, -h and validated --color.

    A command is built (its module imported, its signature turned into click
    parameters) only when a run needs it: `rototo --help` lists the commands from
    their one-line help, `rototo lint …` builds `lint` alone.
    """
    from collections.abc import Iterator, MutableMapping
    from typing import Any

    import typer

    from .usage import SHORT_HELP, polish, polish_command

    class LazyCommands(MutableMapping[str, Any]):
        """The group's command table: every name is known, a command is built when read."""

        def __init__(self) -> None:
            self.built: dict[str, Any] = {}

        def __getitem__(self, name: str) -> Any:
            if name not in self.built:
                if name not in _MODULES:
                    raise KeyError(name)
                app = _new_app()
                app.command(name)(_command_function(name))
                command = typer.main.get_command_from_info(
                    app.registered_commands[0],
                    pretty_exceptions_short=app.pretty_exceptions_short,
                    rich_markup_mode=app.rich_markup_mode,
                )
                polish_command(command, name)
                self.built[name] = command
            return self.built[name]

        def __contains__(self, name: object) -> bool:
            return name in _MODULES

        def __iter__(self) -> Iterator[str]:
            return iter(_MODULES)

        def __len__(self) -> int:
            return len(COMMANDS)

        def __setitem__(self, name: str, command: Any) -> None:
            raise TypeError("commands are registered in rototo_ci.cli.app.COMMANDS")

        def __delitem__(self, name: str) -> None:
            raise TypeError("commands are registered in rototo_ci.cli.app.COMMANDS")

    class LazyGroup(typer.core.TyperGroup):
        def list_commands(self, ctx: Any) -> list[str]:
            return list(self.commands)

        def format_commands(self, ctx: Any, formatter: Any) -> None:
            # what click prints from each built command (its short help, no command is
            # hidden), read from the table so that no command is built for the listing
            rows = [(name, SHORT_HELP[name]) for name in self.commands]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    group = typer.main.get_command(_new_app(LazyGroup))
    group.commands = LazyCommands()
    polish(group)
    return group


# set when the run only printed a help page (`entry` then skips the interpreter's teardown)
_ONLY_PRINTED = False


def main(argv: list[str] | None = None) -> int:
    global _ONLY_PRINTED
    _ONLY_PRINTED = False
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answer before importing anything heavy
        print(_version())
        return 0
    from ..process import tune_gc
    from ..render.escape import guarded_streams

    tune_gc()
    # every line this run writes to stdout or stderr passes the workflow-command guard;
    # only `escape.write_commands` issues commands (SPEC §8, inert text)
    with guarded_streams():
        if args in (["--help"], ["-h"]) and not os.environ.get("_ROTOTO_COMPLETE"):
            print(_root_page())  # the root page needs no command and no typer
            _ONLY_PRINTED = True  # read by `entry`
            return 0
        return _run(args)


def _root_page() -> str:
    """`rototo --help`, as typer would print it (tests/cli/test_root_help.py)."""
    import shutil

    from .root_help import HELP_OPTION, root_help
    from .usage import EXAMPLES, SHORT_HELP, _epilog

    return root_help(
        shutil.get_terminal_size().columns,
        HELP,
        [("-V, --version", VERSION_HELP), HELP_OPTION],
        [(name, SHORT_HELP[name]) for name, _ in COMMANDS],
        _epilog(EXAMPLES[""]),
    )


def _run(args: list[str]) -> int:
    from ..render.escape import one_line

    group = None
    try:
        group = build_command()
        from .usage import hoist_global_flags, quick_help

        args = hoist_global_flags(group, list(args))
        if os.environ.get("_ROTOTO_COMPLETE"):  # a shell asks for completions
            from typer._completion_classes import completion_init

            completion_init()
        help_text = quick_help(group, args)
        if help_text is not None:
            print(help_text)
            global _ONLY_PRINTED
            _ONLY_PRINTED = True  # read by `entry`
            return 0
        result = group.main(args=args, prog_name="rototo", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(one_line(exc.code), file=sys.stderr)
            return 2
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("rototo: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `rototo lint | head`: the reader left; say nothing more
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except OSError as error:  # a file we were told to read or write
        reason = (error.strerror or str(error) or type(error).__name__).lower()
        where = f"{error.filename}: " if error.filename else ""
        print(f"rototo: error: {one_line(str(where))}{one_line(reason)}", file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 - a traceback is a bug; say so in one line
        # imported here: the engine stays out of --help
        from ..engine.errors import RototoError

        if isinstance(error, RototoError):
            print(f"rototo: error: {one_line(str(error))}", file=sys.stderr)
            return error.exit_code
        # typer ships its own click: recognise its exceptions by shape, not by import
        name = type(error).__name__
        if name == "Exit":
            return int(getattr(error, "exit_code", 0))
        if name == "Abort":
            print("rototo: interrupted", file=sys.stderr)
            return 130
        if name == "NoArgsIsHelpError":  # bare `rototo`: the overview, as click would
            print(error.format_message(), file=sys.stderr)  # type: ignore[attr-defined]
            return 2
        if hasattr(error, "format_message") and hasattr(error, "exit_code"):
            from .usage import usage_error_lines

            if hasattr(error, "ctx") or name in ("UsageError", "BadParameter"):
                known = getattr(group, "commands", {})
                command = next((a for a in args if not a.startswith("-")), None)
                for line in usage_error_lines(error, command if command in known else None):
                    print(line, file=sys.stderr)
            else:
                print(f"rototo: error: {one_line(error.format_message())}", file=sys.stderr)
            return int(error.exit_code)
        print(
            f"rototo: internal error: {type(error).__name__}: {one_line(str(error))}",
            file=sys.stderr,
        )
        return 2


def entry() -> None:
    code = main()
    if _ONLY_PRINTED:  # a help page: nothing to close, so no interpreter teardown either
        from ..process import exit_now

        exit_now(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
