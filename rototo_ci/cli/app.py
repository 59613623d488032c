"""The `rototo` application. Commands register here with one line each."""

from __future__ import annotations

import os
import sys


def _version() -> str:
    from .. import __version__

    return f"rototo-ci {__version__}"


def build_app():  # type: ignore[no-untyped-def]
    import typer

    from . import (
        comment,
        completions,
        diff,
        fixtures,
        init,
        lint,
        lint_changed,
        resolve,
        show,
        test,
    )
    from . import inspect as inspect_cmd
    from . import workspaces as workspaces_cmd

    app = typer.Typer(
        name="rototo",
        help="Review toolchain for rototo workspaces: lint, test, resolve and diff.",
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def root(
        version: bool = typer.Option(False, "--version", "-V", help="Print the version."),
    ) -> None:
        """Review toolchain for rototo workspaces: lint, test, resolve and diff."""
        if version:
            print(_version())
            raise typer.Exit(0)

    app.command("lint")(lint.command)
    app.command("resolve")(resolve.command)
    app.command("show")(show.command)
    app.command("init")(init.command)
    app.command("diff")(diff.command)
    app.command("fixtures")(fixtures.command)
    app.command("test")(test.command)
    app.command("comment")(comment.command)
    app.command("inspect")(inspect_cmd.command)
    app.command("completions")(completions.command)
    app.command("lint-changed")(lint_changed.command)
    app.command("workspaces")(workspaces_cmd.command)
    app.command("render")(__import__("rototo_ci.cli.render", fromlist=["command"]).command)
    return app


def build_command():  # type: ignore[no-untyped-def]
    """The click command tree with word metavars, examples, -h and validated --color."""
    import typer

    from .usage import polish

    group = typer.main.get_command(build_app())
    polish(group)
    return group


def main(argv: list[str] | None = None) -> int:
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
        return _run(args)


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
    sys.exit(main())


if __name__ == "__main__":
    entry()
