"""The `rototo` application. Commands register here with one line each."""

from __future__ import annotations

import sys


def _version() -> str:
    from .. import __version__

    return f"rototo-ci {__version__}"


def build_app():  # type: ignore[no-untyped-def]
    import typer

    from . import comment, diff, fixtures, init, lint, lint_changed, resolve, show, test

    app = typer.Typer(
        name="rototo",
        help="Review toolchain for rototo workspaces: lint, test, resolve and diff.",
        no_args_is_help=True,
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
    app.command("lint-changed")(lint_changed.command)
    return app


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):  # answer before importing anything heavy
        print(_version())
        return 0
    from ..render.escape import guarded_streams

    # every line this run writes to stdout or stderr passes the workflow-command guard;
    # only `escape.write_commands` issues commands (SPEC §8, inert text)
    with guarded_streams():
        return _run(args)


def _run(args: list[str]) -> int:
    from ..render.escape import one_line

    app = build_app()
    try:
        result = app(args=args, prog_name="rototo", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except SystemExit as exc:
        if isinstance(exc.code, str):
            print(one_line(exc.code), file=sys.stderr)
            return 2
        return int(exc.code or 0)
    except KeyboardInterrupt:
        print("rototo: interrupted", file=sys.stderr)
        return 130
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
        if hasattr(error, "show") and hasattr(error, "exit_code"):
            error.show()
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
