"""Help and usage errors that read as words: metavars, examples, one-line errors, global flags.

Every command is registered with typer; this module polishes the resulting click
command tree in one place, so commands added later get the same treatment.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

CONTEXT_HELP = (
    "A context: a JSON object, @FILE (JSON or YAML) or a.b=VALUE; repeat to merge left to right."
)
COLOR_CHOICES = ("auto", "always", "never")
COLOR_HELP = "Colour: auto (a terminal, unless NO_COLOR is set or FORCE_COLOR asks), always, never."

# Options accepted before the command name (`rototo --json lint`), as upstream accepts them.
GLOBAL_FLAGS = ("--json", "--quiet", "-q")

# Metavars for options declared without one, by option name.
METAVARS = {
    "--workspace": "DIR",
    "--contexts": "DIR",
    "--context": "CONTEXT",
    "--output": "FORMAT=FILE",
    "--fixtures": "PATH",
    "--junit-xml": "FILE",
    "--coverage": "FILE",
    "--body-file": "FILE",
    "--out": "DIR",
    "--pr": "N",
    "--repo": "OWNER/NAME",
    "--author": "LOGIN",
    "--marker": "ID",
    "--rev": "REV",
    "--fail-under": "PCT",
}

# One or two real examples per command, shown at the end of its --help.
EXAMPLES: dict[str, list[str]] = {
    "": [
        "rototo lint config",
        "rototo resolve config --variable max-projects -c account.plan=enterprise",
    ],
    "lint": ["rototo lint config", "rototo lint config --format github --quiet"],
    "resolve": [
        "rototo resolve config --variable max-projects -c account.plan=enterprise",
        "rototo resolve config --variables --context @contexts/example.json --json",
    ],
    "show": ["rototo show config --variable max-projects", "rototo show --lint-rules"],
    "inspect": [
        "rototo inspect config",
        "rototo inspect config --variable max-projects -c account.plan=enterprise",
    ],
    "init": [
        "rototo init config --qualifier paid-plan --variable max-projects --context",
        "rototo init config --resource theme --dry-run",
    ],
    "fixtures": [
        "rototo fixtures config --out config/tests --variables --qualifiers",
        "rototo fixtures config --out config/tests --check",
    ],
    "test": ["rototo test config", "rototo test config --junit-xml junit.xml --format github"],
    "diff": [
        "rototo diff main...HEAD",
        "rototo diff main...HEAD --format markdown --fail-on any-change",
    ],
    "render": ["rototo render diff-a.json diff-b.json --format markdown"],
    "workspaces": ["rototo workspaces origin/main...HEAD --changed --json"],
    "comment": ["rototo comment --pr 42 --body-file diff.md"],
    "lint-changed": ["rototo lint-changed config/variables/max-projects.toml"],
    "completions": [
        "rototo completions bash > ~/.local/share/bash-completion/completions/rototo",
        "rototo completions fish > ~/.config/fish/completions/rototo.fish",
    ],
}


# One line per command in `rototo --help` (click would cut the docstring at 45 characters).
SHORT_HELP = {
    "lint": "Lint a workspace: built-in and custom Lua rules.",
    "resolve": "Resolve variables or qualifiers for a context, with traces.",
    "show": "Show configured entities and the lint rule catalog.",
    "inspect": "Explain how rototo sees a workspace; traces with --context.",
    "init": "Create a workspace or add entity templates.",
    "fixtures": "Write resolution fixture suites, or check they are fresh.",
    "test": "Run the lint gate, fixture cases and declared contexts.",
    "diff": "Review a git range behaviourally.",
    "render": "Render saved diff reports (several merge into one).",
    "workspaces": "List workspace directories, e.g. for a CI matrix.",
    "comment": "Create or update the sticky pull request comment.",
    "lint-changed": "Lint the workspaces holding the given files (pre-commit).",
    "completions": "Print a shell completion script (bash, zsh, fish).",
}


def _epilog(lines: list[str]) -> str:
    # "\b" keeps click from re-wrapping the example lines
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


_HELP_SETTINGS = {"help_option_names": ["-h", "--help"]}


def polish(group: Any) -> None:
    """Give the group word metavars, examples, -h and validated --color.

    Its commands get the same from `polish_command` as each is built (the group of
    `rototo_ci.cli.app` builds a command only when a run needs it).
    """
    group.context_settings = {**(group.context_settings or {}), **_HELP_SETTINGS}
    group.__class__ = _quick_help_option_class(type(group))
    _polish_command(group, "")


def polish_command(command: Any, name: str) -> None:
    """Give one command word metavars, examples, -h and validated --color."""
    command.context_settings = {**(command.context_settings or {}), **_HELP_SETTINGS}
    command.__class__ = _quick_help_option_class(type(command))
    _polish_command(command, name)


_QUICK_CLASSES: dict[type, type] = {}


def _quick_get_runtime_param(self: Any) -> Any:
    if self._runtime_param is None:
        self._runtime_param = quick_runtime_param(self.type_descriptor)
    return self._runtime_param


def _quick_class(base: type) -> type:
    """A parameter class that coerces plain values without pydantic (`quick_runtime_param`)."""
    if base not in _QUICK_CLASSES:
        members = {"get_runtime_param": _quick_get_runtime_param}
        _QUICK_CLASSES[base] = type("Quick" + base.__name__, (base,), members)
    return _QUICK_CLASSES[base]


def _quick_help_option_class(base: type) -> type:
    """A command class whose -h/--help option coerces without pydantic too."""
    if base not in _QUICK_CLASSES:

        def get_help_option(self: Any, ctx: Any) -> Any:
            option = base.get_help_option(self, ctx)  # type: ignore[attr-defined]
            if option is not None and "get_runtime_param" not in type(option).__dict__:
                option.__class__ = _quick_class(type(option))
            return option

        members = {"get_help_option": get_help_option}
        _QUICK_CLASSES[base] = type(base.__name__, (base,), members)
    return _QUICK_CLASSES[base]


def _choices(param: Any) -> list[str]:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or not getattr(descriptor, "is_choice", False):
        return []
    return [str(getattr(c, "value", c)) for c in descriptor.choices or ()]


def _polish_command(command: Any, name: str) -> None:
    if not command.epilog and name in EXAMPLES:
        command.epilog = _epilog(EXAMPLES[name])
    if name in SHORT_HELP:
        command.short_help = SHORT_HELP[name]
    for param in command.params:
        if param.param_type_name == "argument":
            if param.metavar:
                param.metavar = param.metavar.strip("[]{}<>").removesuffix("...").rstrip("…")
            else:
                param.metavar = (param.name or "ARG").upper()
            param.__class__ = _word_class(type(param), argument=True)
            continue
        opts = list(param.opts)
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.__class__ = _quick_class(type(param))
            continue
        param.__class__ = _word_class(type(param), argument=False)
        if "--color" in opts:
            param.metavar = "WHEN"
            param.help = COLOR_HELP
            param.show_default = False
            continue
        if "--context" in opts:
            param.help = CONTEXT_HELP
            param.metavar = "CONTEXT"
            continue
        if param.metavar and any(c in param.metavar for c in "<>[]{}"):
            param.metavar = param.metavar.strip("[]{}<>")
        if not param.metavar:
            choices = _choices(param)
            if choices:
                param.metavar = "|".join(choices)
            else:
                long = next((o for o in opts if o.startswith("--")), opts[0])
                param.metavar = METAVARS.get(long, long.lstrip("-").upper().replace("-", "_"))


_WORD_CLASSES: dict[tuple[type, bool], type] = {}


def _word_class(base: type, argument: bool) -> type:
    """A parameter class whose help shows its metavar only (no Python type, no braces).

    Options named --color also refuse anything but auto, always and never.
    """
    key = (base, argument)
    if key in _WORD_CLASSES:
        return _WORD_CLASSES[key]

    def display_type(self: Any, ctx: Any = None) -> str | None:
        return None if argument else str(self.metavar)

    def usage_name(self: Any) -> str:
        name = self.metavar or (self.name or "").upper()
        if self.nargs != 1:
            name += "…"
        return name if self.required else f"[{name}]"

    def get_usage_pieces(self: Any, ctx: Any) -> list[str]:
        return [usage_name(self)]

    def process_value(self: Any, ctx: Any, value: Any) -> Any:
        value = base.process_value(self, ctx, value)  # type: ignore[attr-defined]
        if "--color" in self.opts and value not in COLOR_CHOICES:
            from typer._click.exceptions import BadParameter

            raise BadParameter(
                f"{value!r} is not one of {', '.join(COLOR_CHOICES)}", ctx=ctx, param=self
            )
        return value

    members: dict[str, Any] = {
        "display_type_rich": display_type,
        "display_type": display_type,
        "process_value": process_value,
        "get_runtime_param": _quick_get_runtime_param,
    }
    if argument:
        members["_usage_display_name"] = usage_name
        members["get_usage_pieces"] = get_usage_pieces
    cls = type("Word" + base.__name__, (base,), members)
    _WORD_CLASSES[key] = cls
    return cls


class _Decline(Exception):
    """The value is not one `quick_value` converts; typer's own coercion decides."""


def quick_runtime_param(descriptor: Any) -> Any:
    """Typer's runtime coercion for one parameter, without pydantic for plain values.

    Typer coerces every value through a pydantic TypeAdapter it builds per parameter:
    importing pydantic and building the adapters cost each command about 0.1 s. For the
    annotations our commands use, the adapters wrap typer's own functions (choices,
    paths) or a plain conversion (str, int, float, lists of those); `quick_value` calls
    those directly. Anything else, and every value that fails, goes through typer's own
    coercion, so errors read exactly as before (tests/cli/test_startup.py compares).
    """
    from typer._coercion import RuntimeParam, build_runtime_param

    class QuickRuntimeParam(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            try:
                return quick_value(descriptor, value, param, ctx)
            except Exception:  # noqa: BLE001 - typer's path raises its own error for it
                pass
            runtime = build_runtime_param(descriptor)
            return runtime._coerce_value(value, param=param, ctx=ctx)

    return QuickRuntimeParam(
        parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
    )


_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")


def quick_value(descriptor: Any, value: Any, param: Any, ctx: Any) -> Any:
    """What typer's adapter for `descriptor` makes of `value`, or _Decline."""
    from typing import get_args, get_origin

    info = descriptor.parameter_info
    if info.parser is not None or descriptor.file_annotation is not None:
        raise _Decline
    annotation = descriptor.annotation
    if get_origin(annotation) is list:
        (item,) = get_args(annotation)
        items = value if isinstance(value, (list, tuple)) else [value]
        return [_quick_leaf(item, info, one, param, ctx) for one in items]
    return _quick_leaf(annotation, info, value, param, ctx)


def _quick_leaf(annotation: Any, info: Any, value: Any, param: Any, ctx: Any) -> Any:
    # the order of typer's build_leaf_adapter: parser, Enum, Literal, datetime, number,
    # bool, str, path; a type it would hand to pydantic whole is declined
    from enum import Enum
    from pathlib import Path

    from typer._param_types import coerce_cli_choice, coerce_cli_path, routes_to_path

    if not isinstance(annotation, type):
        raise _Decline
    if issubclass(annotation, Enum):  # the adapter is this function, for any value
        return coerce_cli_choice(
            value, choices=list(annotation), case_sensitive=info.case_sensitive, ctx=ctx
        )
    if annotation in (int, float):
        if info.min is not None or info.max is not None or info.clamp:
            raise _Decline
        if type(value) is annotation:
            return value
        pattern = _INTEGER if annotation is int else _DECIMAL
        if type(value) is not str or len(value) > 100 or pattern.fullmatch(value) is None:
            raise _Decline
        return annotation(value)
    if annotation is str:
        if type(value) is not str:
            raise _Decline
        return value
    if annotation is not bool and routes_to_path(annotation, info):
        path_type = info.path_type  # the adapter is this function, for any value
        if path_type is None and issubclass(annotation, Path):
            path_type = annotation
        return coerce_cli_path(value, info, path_type=path_type, param=param, ctx=ctx)
    raise _Decline


def quick_help(group: Any, args: list[str]) -> str | None:
    """The help text `args` ask for, built without parsing any parameter (None: not help).

    Parsing would import typer's value coercion (pydantic), tripling the time --help takes.
    """
    head = args[: args.index("--")] if "--" in args else args
    if not any(a in ("-h", "--help") for a in head):
        return None
    from typer._click.core import Context

    root = Context(group, info_name="rototo", **(group.context_settings or {}))
    words = [a for a in head if not a.startswith("-")]
    if not words or head[0] in ("-h", "--help"):
        return str(group.get_help(root))
    command = getattr(group, "commands", {}).get(head[0])
    if command is None:
        return None
    taking_values = {
        opt
        for param in command.params
        if param.param_type_name == "option" and not getattr(param, "is_flag", False)
        for opt in param.opts
    }
    index = 1
    while index < len(head):
        arg = head[index]
        if arg in ("-h", "--help"):
            ctx = Context(
                command, info_name=head[0], parent=root, **(command.context_settings or {})
            )
            return str(command.get_help(ctx))
        index += 2 if arg in taking_values else 1
    return None


def hoist_global_flags(group: Any, args: list[str]) -> list[str]:
    """Move `--json`/`--quiet` given before the command name to after it.

    A flag the command does not take is dropped, as upstream ignores `--json` for
    commands without JSON output.
    """
    leading: list[str] = []
    index = 0
    while index < len(args) and args[index] in GLOBAL_FLAGS:
        leading.append(args[index])
        index += 1
    if not leading or index >= len(args):
        return args
    name = args[index]
    command = getattr(group, "commands", {}).get(name)
    if command is None:
        return args[index:]
    accepted = {opt for param in command.params for opt in getattr(param, "opts", [])}
    moved = [flag for flag in dict.fromkeys(leading) if flag in accepted]
    if "-q" in leading and "--quiet" in accepted and "--quiet" not in moved:
        moved.append("--quiet")
    if "--quiet" in leading and "-q" in moved:
        moved.remove("-q")
    return [name, *moved, *args[index + 1 :]]


def usage_error_lines(error: Any, command: str | None = None) -> tuple[str, str]:
    """A click usage error as our one error line and one hint line."""
    ctx = getattr(error, "ctx", None)
    path = ctx.command_path if ctx is not None else "rototo"
    if path == "rototo" and command:
        path = f"rototo {command}"
    from ..render.escape import one_line

    # the words of the command line (a file name, a pre-commit argument) are untrusted
    return (
        f"rototo: error: {one_line(describe_usage_error(error))}",
        f"rototo: hint: see '{one_line(path)} --help'",
    )


def describe_usage_error(error: Any) -> str:
    name = type(error).__name__
    if name == "NoSuchOption":
        option = error.option_name
        close = sorted(error.possibilities or [])
        if not close:
            ctx = getattr(error, "ctx", None)
            known = [o for p in ctx.command.params for o in getattr(p, "opts", [])] if ctx else []
            close = difflib.get_close_matches(option, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown option {option}{hint}"
    if name == "NoSuchCommand" or (
        name == "UsageError" and str(error.message).startswith("No such command")
    ):
        import re

        found = re.match(r"No such command '([^']*)'", str(error.message))
        wanted = found.group(1) if found else str(error.message)
        ctx = getattr(error, "ctx", None)
        commands = list(getattr(ctx.command, "commands", {})) if ctx else []
        close = difflib.get_close_matches(wanted, commands, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        return f"unknown command '{wanted}'{hint}"
    if name == "MissingParameter":
        param = error.param
        if param is not None and getattr(param, "param_type_name", "") == "argument":
            return f"missing {param.metavar or param.name.upper()}"
        hint = _param_hint(error)
        return f"missing option {hint}" if hint else "a required value is missing"
    if name == "BadParameter":
        hint = _param_hint(error)
        message = _reword(str(error.message))
        return f"{hint}: {message}" if hint else message
    return _reword(str(error.message))


def _param_hint(error: Any) -> str:
    param = getattr(error, "param", None)
    if param is None:
        hint = getattr(error, "param_hint", None)
        return str(hint) if hint else ""
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.metavar or (param.name or "").upper())
    longs = [o for o in param.opts if o.startswith("--")]
    return (longs or list(param.opts))[0]


def _reword(message: str) -> str:
    """Click and typer phrasing in our own words."""
    import re

    message = message.removeprefix("Value error, ")
    match = re.match(r"[Ii]nput should be (?:a valid |an? )?(\w+)", message)
    if match:  # pydantic's phrasing, from typer's value coercion
        wanted = {
            "integer": "a whole number",
            "number": "a number",
            "boolean": "true or false",
            "string": "text",
        }.get(match.group(1), f"a valid {match.group(1)}")
        return f"expected {wanted}"
    match = re.fullmatch(r"'(.*)' is not one of (.*)\.?", message, re.S)
    if match:
        choices = [c.strip(" '.") for c in match.group(2).split(",")]
        return f"{match.group(1)!r} is not one of {', '.join(choices)}"
    match = re.fullmatch(r"Option '(.*)' requires an argument\.", message)
    if match:
        return f"option {match.group(1)} needs a value"
    match = re.fullmatch(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)", message)
    if match:
        return f"unexpected argument {match.group(1)}"
    match = re.fullmatch(r"Option '(.*)' does not take a value\.", message)
    if match:
        return f"option {match.group(1)} takes no value"
    match = re.fullmatch(r"'(.*)' is not a valid (integer|float)( range)?\.?", message)
    if match:
        return f"{match.group(1)!r} is not a number"
    return message[:1].lower() + message[1:].rstrip(".")
