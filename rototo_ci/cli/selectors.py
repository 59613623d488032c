"""Selectors shared by lint and show: which targets' diagnostics or entities to report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Selection:
    variables: list[str] = field(default_factory=list)
    all_variables: bool = False
    qualifiers: list[str] = field(default_factory=list)
    all_qualifiers: bool = False
    resources: list[str] = field(default_factory=list)
    all_resources: bool = False
    lint_rules: list[str] = field(default_factory=list)
    all_lint_rules: bool = False
    lint_authorities: list[str] = field(default_factory=list)
    all_lint_authorities: bool = False
    linters: list[str] = field(default_factory=list)
    all_linters: bool = False

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.variables,
                self.all_variables,
                self.qualifiers,
                self.all_qualifiers,
                self.resources,
                self.all_resources,
                self.lint_rules,
                self.all_lint_rules,
                self.lint_authorities,
                self.all_lint_authorities,
                self.linters,
                self.all_linters,
            )
        )

    def selects_diagnostic(self, diagnostic: Any) -> bool:
        """Whether a diagnostic concerns one of the selected targets."""
        if self.empty:
            return True
        entity = diagnostic.entity
        kind = entity.get("kind")
        variable = entity.get("variable") or (entity.get("id") if kind == "variable" else None)
        qualifier = entity.get("qualifier") or (entity.get("id") if kind == "qualifier" else None)
        resource = entity.get("resource") or (entity.get("id") if kind == "resource" else None)
        if variable and (self.all_variables or variable in self.variables):
            return True
        if qualifier and (self.all_qualifiers or qualifier in self.qualifiers):
            return True
        if resource and (self.all_resources or resource in self.resources):
            return True
        if self.all_lint_rules or self.all_lint_authorities or diagnostic.rule in self.lint_rules:
            return True
        if diagnostic.rule.split("/", 1)[0] in self.lint_authorities:
            return True
        if kind == "custom_lint" or diagnostic.path.startswith("lint/"):
            stem = diagnostic.path.rsplit("/", 1)[-1].removesuffix(".lua")
            if self.all_linters or stem in self.linters:
                return True
        return False

    def unknown(self, documents: list[Any], rule_ids: set[str]) -> str | None:
        """The first selected id the workspace does not have, as `kind://id` (None when all exist).

        `documents` are the workspace documents (kind, name); `rule_ids` the known rules.
        Rules of authorities other than rototo are custom and only checked against
        `rule_ids` when a custom lint file exists to define them.
        """
        names: dict[str, set[str]] = {}
        for doc in documents:
            names.setdefault(doc.kind, set()).add(doc.name)
        for kind, wanted in (
            ("variable", self.variables),
            ("qualifier", self.qualifiers),
            ("resource", self.resources),
            ("custom_lint", self.linters),
        ):
            for ident in wanted:
                if ident not in names.get(kind, set()):
                    label = "linter" if kind == "custom_lint" else kind
                    return f"{label}://{ident}"
        for rule in self.lint_rules:
            if rule in rule_ids:
                continue
            builtin = rule.startswith("rototo/") or "/" not in rule
            if builtin or not names.get("custom_lint"):
                return f"lint rule {rule}"
        return None


# Typer option declarations shared by the commands that take selectors.
from enum import StrEnum  # noqa: E402
from typing import Annotated  # noqa: E402

import typer  # noqa: E402

VariableOpt = Annotated[
    list[str] | None,
    typer.Option("--variable", metavar="ID", help="Select a variable by id (repeatable)."),
]
VariablesOpt = Annotated[bool, typer.Option("--variables", help="Select every variable.")]
QualifierOpt = Annotated[
    list[str] | None,
    typer.Option("--qualifier", metavar="ID", help="Select a qualifier by id (repeatable)."),
]
QualifiersOpt = Annotated[bool, typer.Option("--qualifiers", help="Select every qualifier.")]
ResourceOpt = Annotated[
    list[str] | None,
    typer.Option("--resource", metavar="ID", help="Select a resource by id (repeatable)."),
]
ResourcesOpt = Annotated[bool, typer.Option("--resources", help="Select every resource.")]
LintRuleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lint-rule",
        metavar="ID",
        help="Select a lint rule by id, e.g. rototo/qualifier-cycle (repeatable).",
    ),
]
LintRulesOpt = Annotated[bool, typer.Option("--lint-rules", help="Select every lint rule.")]
AuthorityOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lint-authority",
        metavar="ID",
        help="Select rules of an authority, e.g. rototo (repeatable).",
    ),
]
AuthoritiesOpt = Annotated[
    bool, typer.Option("--lint-authorities", help="Select rules of every authority.")
]
LinterOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--linter", metavar="ID", help="Select a custom Lua linter by file stem (repeatable)."
    ),
]
LintersOpt = Annotated[bool, typer.Option("--linters", help="Select every custom linter.")]
SourceArg = Annotated[
    str | None,
    typer.Argument(
        metavar="SOURCE",
        help="Workspace source: a path, file://, git+file://PATH#REF:DIR, "
        "git+https://…, https://…archive; default: search upward.",
    ),
]
AllowExternalOpt = Annotated[
    bool,
    typer.Option(
        "--allow-external-extends",
        help="Follow extends that leave the workspace's git repository or name a remote "
        "source (refused by default: a pull request must not make rototo read elsewhere).",
    ),
]
RevOpt = Annotated[
    str | None,
    typer.Option(
        "--rev",
        metavar="REV",
        help="Read the local workspace from this git revision instead of the working tree.",
    ),
]


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


JsonOpt = Annotated[bool, typer.Option("--json", help="Short for --format json.")]
TextJsonFormatOpt = Annotated[TextOrJson, typer.Option("--format", "-f", help="Output format.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing when all is well.")]
COLOR_CHOICES = ("auto", "always", "never")


def _check_color(value: str) -> str:
    if value not in COLOR_CHOICES:
        raise typer.BadParameter(f"{value!r} is not one of auto, always, never")
    return value


ColorOpt = Annotated[
    str,
    typer.Option("--color", metavar="WHEN", callback=_check_color, help="auto, always or never."),
]


def make_selection(
    variable: list[str] | None,
    variables: bool,
    qualifier: list[str] | None,
    qualifiers: bool,
    resource: list[str] | None,
    resources: bool,
    lint_rule: list[str] | None,
    lint_rules: bool,
    lint_authority: list[str] | None,
    linter: list[str] | None,
    linters: bool,
    lint_authorities: bool = False,
) -> Selection:
    return Selection(
        variable or [],
        variables,
        qualifier or [],
        qualifiers,
        resource or [],
        resources,
        lint_rule or [],
        lint_rules,
        lint_authority or [],
        lint_authorities,
        linter or [],
        linters,
    )
