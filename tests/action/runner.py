"""A small local runner for the composite action: runs its `run:` steps with bash as
GitHub would (env evaluated from `${{ }}` expressions, `if:` conditions, step outputs
through $GITHUB_OUTPUT, one job summary file) and records what `uses:` steps receive.

It understands the expression subset action.yml uses: contexts (inputs, steps, runner,
github), string literals, `==`, `!=`, `&&`, `||`, `!`, parentheses, `always()`,
`success()`, `failure()`. An unknown construct raises, so the action cannot drift
past what this runner checks.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<id>[A-Za-z_][\w.-]*))"
)


class Expression:
    def __init__(self, text: str, context: dict[str, Any], job_ok: bool) -> None:
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        text = text.strip()
        while pos < len(text):
            match = TOKEN.match(text, pos)
            if not match or match.end() == pos:
                raise ValueError(f"unsupported expression: {text!r} at {pos}")
            kind = match.lastgroup or ""
            self.tokens.append((kind, match.group(kind)))
            pos = match.end()
            while pos < len(text) and text[pos].isspace():
                pos += 1
        self.pos = 0
        self.context = context
        self.job_ok = job_ok
        self.status_called = False

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Any:
        value = self.or_()
        if self.peek() is not None:
            raise ValueError(f"trailing tokens: {self.tokens[self.pos :]}")
        return value

    def or_(self) -> Any:
        value = self.and_()
        while self.peek() == ("op", "||"):
            self.take()
            right = self.and_()
            value = value if truthy(value) else right
        return value

    def and_(self) -> Any:
        value = self.compare()
        while self.peek() == ("op", "&&"):
            self.take()
            right = self.compare()
            value = right if truthy(value) else value
        return value

    def compare(self) -> Any:
        left = self.unary()
        token = self.peek()
        if token in (("op", "=="), ("op", "!=")):
            self.take()
            right = self.unary()
            equal = str(left).lower() == str(right).lower()  # GitHub ignores case
            return equal if token == ("op", "==") else not equal
        return left

    def unary(self) -> Any:
        if self.peek() == ("op", "!"):
            self.take()
            return not truthy(self.unary())
        return self.primary()

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if (kind, text) == ("op", "("):
            value = self.or_()
            if self.take() != ("op", ")"):
                raise ValueError("missing )")
            return value
        if kind == "id":
            if self.peek() == ("op", "("):
                self.take()
                if self.take() != ("op", ")"):
                    raise ValueError(f"{text}() takes no arguments here")
                self.status_called = True
                if text == "always":
                    return True
                if text == "success":
                    return self.job_ok
                if text == "failure":
                    return not self.job_ok
                raise ValueError(f"unsupported function {text}()")
            value: Any = self.context
            for part in text.split("."):
                value = value.get(part, "") if isinstance(value, dict) else ""
            return value
        raise ValueError(f"unexpected token {text!r}")


def truthy(value: Any) -> bool:
    return value not in ("", None, False, 0)


def as_text(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def substitute(text: str, context: dict[str, Any]) -> str:
    return re.sub(
        r"\$\{\{(.*?)\}\}", lambda m: as_text(Expression(m.group(1), context, True).parse()), text
    )


def condition(text: str | None, context: dict[str, Any], job_ok: bool) -> bool:
    if text is None:
        return job_ok
    text = str(text).strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    expression = Expression(text, context, job_ok)
    value = truthy(expression.parse())
    # without a status function GitHub adds an implicit success()
    return value if expression.status_called else (job_ok and value)


def parse_output_file(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            i += 1
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values


@dataclass
class StepResult:
    name: str
    ran: bool
    outcome: str  # success | failure | skipped
    stdout: str = ""
    stderr: str = ""
    outputs: dict[str, str] = field(default_factory=dict)
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class Run:
    steps: list[StepResult]
    outputs: dict[str, str]
    summary: str
    ok: bool

    def step(self, name: str) -> StepResult:
        return next(s for s in self.steps if s.name == name)


UsesHandler = Callable[[dict[str, str]], dict[str, str]]


def run_action(
    action: dict[str, Any],
    inputs: dict[str, str],
    *,
    workdir: Path,
    temp: Path,
    env: dict[str, str],
    github: dict[str, Any],
    uses: dict[str, UsesHandler],
    skip: set[str] = frozenset(),  # type: ignore[assignment]
) -> Run:
    """Run the composite action's steps in `workdir`; `skip` names steps to pretend done."""
    declared = action.get("inputs", {})
    resolved = {name: str(spec.get("default", "")) for name, spec in declared.items()}
    for name, value in inputs.items():
        if name not in declared:
            raise ValueError(f"undeclared input {name}")
        resolved[name] = value
    summary = temp / "step-summary.md"
    summary.touch()
    context: dict[str, Any] = {
        "inputs": resolved,
        "steps": {},
        "runner": {"temp": str(temp), "os": "Linux"},
        "github": github,
    }
    results: list[StepResult] = []
    job_ok = True
    for index, step in enumerate(action["runs"]["steps"]):
        name = step.get("name", f"step {index}")
        sid = step.get("id")
        if name in skip:
            results.append(StepResult(name, False, "success"))
            if sid:
                context["steps"][sid] = {"outputs": {}, "outcome": "success"}
            continue
        if not condition(step.get("if"), context, job_ok):
            results.append(StepResult(name, False, "skipped"))
            if sid:
                context["steps"][sid] = {"outputs": {}, "outcome": "skipped"}
            continue
        if "uses" in step:
            given = {k: substitute(str(v), context) for k, v in (step.get("with") or {}).items()}
            action_name = step["uses"].split("@")[0]
            outputs = uses[action_name](given)
            results.append(StepResult(name, True, "success", outputs=outputs, with_=given))
            if sid:
                context["steps"][sid] = {"outputs": outputs, "outcome": "success"}
            continue
        output_file = temp / f"output-{index}"
        output_file.write_text("")
        step_env = {
            **env,
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary),
            "RUNNER_TEMP": str(temp),
        }
        for key, value in (step.get("env") or {}).items():
            step_env[key] = substitute(str(value), context)
        proc = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workdir,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        outputs = parse_output_file(output_file.read_text())
        outcome = "success" if proc.returncode == 0 else "failure"
        results.append(StepResult(name, True, outcome, proc.stdout, proc.stderr, outputs))
        if sid:
            context["steps"][sid] = {"outputs": outputs, "outcome": outcome}
        if proc.returncode != 0 and not step.get("continue-on-error"):
            job_ok = False
    outputs = {
        name: substitute(str(spec["value"]), context)
        for name, spec in action.get("outputs", {}).items()
    }
    return Run(results, outputs, summary.read_text(), job_ok)


def fake_venv(directory: Path, python: Path) -> Path:
    """A stand-in for the action's virtual environment: the test interpreter's tools."""
    bin_dir = directory / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in ("python", "rototo"):
        target = python if tool == "python" else python.parent / tool
        script = bin_dir / tool
        script.write_text(f'#!/bin/sh\nexec "{target}" "$@"\n')
        script.chmod(0o755)
    return directory


def clean_env(home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TMPDIR")}
    return {**keep, "HOME": str(home), "NO_COLOR": "1", "XDG_CACHE_HOME": str(home / ".cache")}
