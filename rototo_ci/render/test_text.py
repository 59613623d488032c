"""`rototo test` results for a terminal: a summary table and each failure with its trace."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..testing.runner import TestReport
from .console import StringConsole
from .escape import command_data, command_property, one_line


def render_test_text(
    report: TestReport, color: bool = False, width: int | None = None, quiet: bool = False
) -> str:
    """`width` is the terminal's (the table fits it) or None (nothing is wrapped).

    `quiet` prints nothing when every case passed, and only the failures otherwise.
    """
    if quiet and not report.failed:
        return ""
    console = StringConsole(color, width)
    table = Table(title=Text(f"rototo test {one_line(report.workspace)}"), title_justify="left")
    table.add_column("suite")
    table.add_column("passed", justify="right", style="green")
    table.add_column("failed", justify="right")
    for suite, cases in report.suites().items():
        failed = sum(1 for c in cases if not c.passed)
        table.add_row(
            Text(one_line(suite)),
            str(len(cases) - failed),
            Text(str(failed), style="bold red" if failed else "dim"),
        )
    if not quiet:
        console.print(table)
    for case in report.failed:
        where = f"{case.file}:{case.line}" if case.file and case.line else case.suite
        console.print(
            Text.assemble(
                ("FAIL ", "bold red"),
                one_line(f"{case.suite} :: {case.name}"),
                (f"  ({one_line(where)})", "dim"),
            )
        )
        console.print_line(Text(f"  {one_line(case.message)}"))
        for line in case.details.splitlines():
            console.print_line(Text(f"    {one_line(line)}", style="dim"))
    total, failed = len(report.cases), len(report.failed)
    style = "bold red" if failed else "bold green"
    console.print(Text(f"{total - failed} passed, {failed} failed", style=style))
    return console.text()


def render_test_github(report: TestReport, path_prefix: str = "") -> str:
    lines = []
    for case in report.failed[:50]:
        props = []
        if case.file:
            props.append(f"file={command_property(path_prefix + case.file)}")
            props.append(f"line={case.line or 1}")
        props.append(f"title={command_property(f'rototo test: {case.name}')}")
        lines.append(f"::error {','.join(props)}::{command_data(case.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
