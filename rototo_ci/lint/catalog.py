"""The built-in rule catalog: data that `show --lint-rules`, docs and SARIF come from.

Rule ids, severities, catalog entities and stages are those the rototo engine
reports; titles and help texts are ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

AUTHORITY = "rototo"


@dataclass(frozen=True)
class RuleInfo:
    id: str  # without the authority
    severity: str  # "error" | "warning"
    entity: str  # catalog entity: workspace, qualifier, variable, resource, …
    stage: str  # the stage the engine reports it in
    title: str
    help: str

    @property
    def rule(self) -> str:
        return f"{AUTHORITY}/{self.id}"

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "entity": self.entity,
            "stage": self.stage,
            "title": self.title,
            "help": self.help,
        }


E, W = "error", "warning"

_RULES = [
    # workspace and manifest
    RuleInfo(
        "workspace-not-found",
        E,
        "workspace",
        "discover",
        "Workspace root not found",
        "Point the command at a directory holding rototo-workspace.toml.",
    ),
    RuleInfo(
        "workspace-manifest-missing",
        E,
        "workspace",
        "discover",
        "Workspace manifest is missing",
        "Create rototo-workspace.toml with schema_version = 1 at the workspace root.",
    ),
    RuleInfo(
        "workspace-manifest-parse-failed",
        E,
        "workspace",
        "parse",
        "Workspace manifest is not valid TOML",
        "Correct the TOML syntax of rototo-workspace.toml.",
    ),
    RuleInfo(
        "workspace-manifest-schema-failed",
        E,
        "workspace",
        "project",
        "Workspace manifest has an invalid shape",
        "Set schema_version = 1 and, if used, extends to an array of source strings.",
    ),
    RuleInfo(
        "workspace-context-schema-ref",
        E,
        "workspace",
        "project",
        "Context schema cannot be used",
        "Make schemas/context.schema.json a valid JSON Schema, or delete it.",
    ),
    RuleInfo(
        "workspace-context-schema-attribute",
        E,
        "workspace",
        "reference",
        "Qualifier reads a context path the context schema does not declare",
        "Add the path to schemas/context.schema.json or change the qualifier attribute.",
    ),
    RuleInfo(
        "workspace-context-schema-reserved-field",
        E,
        "workspace",
        "project",
        "Context schema declares the reserved field `qualifier`",
        "Rename the field: `qualifier` is reserved for qualifier.<id> references.",
    ),
    RuleInfo(
        "workspace-context-schema-missing",
        W,
        "workspace",
        "reference",
        "Qualifiers read context but no context schema exists",
        "Add schemas/context.schema.json describing the context applications pass.",
    ),
    # qualifiers
    RuleInfo(
        "qualifier-parse-failed",
        E,
        "qualifier",
        "parse",
        "Qualifier file is not valid TOML",
        "Correct the TOML syntax of the qualifier file.",
    ),
    RuleInfo(
        "qualifier-schema-version",
        E,
        "qualifier",
        "project",
        "Qualifier lacks schema_version = 1",
        "Add schema_version = 1 to the qualifier file.",
    ),
    RuleInfo(
        "qualifier-predicate-missing",
        E,
        "qualifier",
        "project",
        "Qualifier has no predicates",
        "Add at least one [[predicate]] table.",
    ),
    RuleInfo(
        "qualifier-predicate-shape",
        E,
        "qualifier",
        "project",
        "Predicate is malformed",
        "Write each predicate as a [[predicate]] table with attribute, op and value.",
    ),
    RuleInfo(
        "qualifier-predicate-unknown-op",
        E,
        "qualifier",
        "project",
        "Predicate operator is not supported",
        "Use eq, neq, in, not_in, gt, gte, lt, lte or bucket.",
    ),
    RuleInfo(
        "qualifier-predicate-unknown-qualifier",
        E,
        "qualifier",
        "reference",
        "Predicate reads a qualifier that does not exist",
        "Create the qualifier or correct the qualifier.<id> attribute.",
    ),
    RuleInfo(
        "qualifier-predicate-bucket",
        E,
        "qualifier",
        "project",
        "Bucket predicate is malformed",
        "Give bucket predicates a salt and range = [start, end], 0 <= start < end <= 10000.",
    ),
    RuleInfo(
        "qualifier-predicate-value",
        E,
        "qualifier",
        "project",
        "Predicate value does not fit its operator",
        "in/not_in take a list, gt/gte/lt/lte a number, eq/neq any value; bucket takes none.",
    ),
    RuleInfo(
        "qualifier-predicate-context-type-mismatch",
        E,
        "qualifier",
        "reference",
        "Predicate disagrees with the context schema's type",
        "Change the operator or value to match the type the context schema declares.",
    ),
    RuleInfo(
        "qualifier-predicate-duplicate",
        W,
        "qualifier",
        "graph",
        "Predicate repeats an earlier one",
        "Delete the repeated predicate.",
    ),
    RuleInfo(
        "qualifier-cycle",
        E,
        "qualifier",
        "graph",
        "Qualifiers reference each other in a cycle",
        "Break the cycle of qualifier.<id> references.",
    ),
    RuleInfo(
        "qualifier-unreferenced",
        W,
        "qualifier",
        "graph",
        "Qualifier is never used",
        "Use the qualifier in a variable rule or another qualifier, or delete it.",
    ),
    RuleInfo(
        "qualifier-unreachable",
        W,
        "qualifier",
        "graph",
        "Qualifier never influences a variable",
        "Connect the qualifier to a variable rule, or delete it.",
    ),
    # variables
    RuleInfo(
        "variable-parse-failed",
        E,
        "variable",
        "parse",
        "Variable file is not valid TOML",
        "Correct the TOML syntax of the variable file.",
    ),
    RuleInfo(
        "variable-schema-version",
        E,
        "variable",
        "project",
        "Variable lacks schema_version = 1",
        "Add schema_version = 1 to the variable file.",
    ),
    RuleInfo(
        "variable-type-source",
        E,
        "variable",
        "project",
        "Variable type is missing or declared the old way",
        'Declare type = "<primitive>" or type = "resource:<id>" (no schema field).',
    ),
    RuleInfo(
        "variable-unknown-type",
        E,
        "variable",
        "value",
        "Variable type is not recognised",
        "Use bool, int, number, string, list or resource:<id>.",
    ),
    RuleInfo(
        "variable-unknown-resource",
        E,
        "variable",
        "reference",
        "Variable selects from a resource that does not exist",
        "Create resources/<id>.toml or correct the resource:<id> type.",
    ),
    RuleInfo(
        "variable-values-disallowed",
        E,
        "variable",
        "project",
        "Resource-backed variable declares [values]",
        "Delete [values]: the resource's object files are the values.",
    ),
    RuleInfo(
        "variable-values-missing",
        E,
        "variable",
        "project",
        "Primitive variable has no [values] table",
        "Add a [values] table.",
    ),
    RuleInfo(
        "variable-unknown-value",
        E,
        "variable",
        "reference",
        "Default or rule names a value that does not exist",
        "Add the value (or object file) or correct the reference.",
    ),
    RuleInfo(
        "variable-value-type-mismatch",
        E,
        "variable",
        "value",
        "Value does not match the variable type",
        "Change the value to the declared type, or change the type.",
    ),
    # resources
    RuleInfo(
        "resource-parse-failed",
        E,
        "resource",
        "parse",
        "Resource file is not valid TOML",
        "Correct the TOML syntax of the resource file.",
    ),
    RuleInfo(
        "resource-object-parse-failed",
        E,
        "resource_object",
        "parse",
        "Resource object file is not valid TOML",
        "Correct the TOML syntax of the object file.",
    ),
    RuleInfo(
        "resource-schema-version",
        E,
        "resource",
        "project",
        "Resource lacks schema_version = 1",
        "Add schema_version = 1 to the resource file.",
    ),
    RuleInfo(
        "resource-schema-ref",
        E,
        "resource",
        "project",
        "Resource schema reference is unusable",
        "Point schema at a valid JSON Schema under schemas/, relative to the resource file.",
    ),
    RuleInfo(
        "resource-object-schema-mismatch",
        E,
        "resource_object",
        "value",
        "Resource object does not match its schema",
        "Change the object, or the resource schema, so that they agree.",
    ),
    RuleInfo(
        "resource-object-unknown-reference",
        E,
        "resource_object",
        "value",
        "Resource object references an object that does not exist",
        "Create the referenced object or correct the x-rototo-resource field.",
    ),
    RuleInfo(
        "variable-resolve-missing-default",
        E,
        "variable",
        "project",
        "Variable has no default",
        "Set [resolve] default to a value key.",
    ),
    RuleInfo(
        "variable-resolve-shape",
        E,
        "variable",
        "project",
        "Variable [resolve] is malformed",
        "Write [resolve] as a table with default and optional [[resolve.rule]] tables.",
    ),
    RuleInfo(
        "variable-rule-shape",
        E,
        "variable",
        "project",
        "Resolve rule is malformed",
        "Write each rule as a [[resolve.rule]] table with qualifier and value strings.",
    ),
    RuleInfo(
        "variable-rule-unknown-qualifier",
        E,
        "variable",
        "reference",
        "Resolve rule names a qualifier that does not exist",
        "Create the qualifier or correct the rule's qualifier.",
    ),
    RuleInfo(
        "variable-rule-shadowed",
        W,
        "rule",
        "graph",
        "Resolve rule can never win",
        "An earlier rule uses the same qualifier: delete or reorder this one.",
    ),
    RuleInfo(
        "variable-rule-selects-default-value",
        W,
        "rule",
        "graph",
        "Resolve rule selects the default anyway",
        "Delete the rule or make it select a value other than the default.",
    ),
    RuleInfo(
        "variable-value-unused",
        W,
        "value",
        "graph",
        "Value is never selected",
        "Select the value from the default or a rule, or delete it.",
    ),
    # custom lint
    RuleInfo(
        "custom-lint-failed",
        E,
        "workspace",
        "register",
        "Custom lint could not run",
        "Fix the Lua file (or the data it reads) so registration and handlers succeed.",
    ),
    RuleInfo(
        "custom-lint-registration-invalid",
        E,
        "workspace",
        "register",
        "Custom lint registration is malformed",
        "Register with a valid stage, entity, field, rule metadata and handler name.",
    ),
    RuleInfo(
        "custom-lint-rule-conflict",
        E,
        "workspace",
        "register",
        "Custom rule declared twice with different metadata",
        "Give every declaration of a rule id the same title, help and severity.",
    ),
    RuleInfo(
        "custom-lint-file-unregistered",
        W,
        "workspace",
        "register",
        "Custom lint file registers nothing",
        "Register a handler in register(lint) or delete the file.",
    ),
    RuleInfo(
        "custom-lint-registration-duplicate",
        W,
        "workspace",
        "register",
        "Custom lint registration repeats an earlier one",
        "Delete the repeated lint:on registration.",
    ),
    # schemas
    RuleInfo(
        "schema-parse-failed",
        E,
        "schema",
        "parse",
        "Schema file is not valid JSON",
        "Correct the JSON syntax of the schema file.",
    ),
    RuleInfo(
        "schema-invalid",
        E,
        "schema",
        "project",
        "Schema is not a valid JSON Schema",
        "Correct the schema so it compiles.",
    ),
    RuleInfo(
        "schema-unreferenced",
        W,
        "schema",
        "reference",
        "Schema is never used",
        "Use it as schemas/context.schema.json or from a resource, or delete it.",
    ),
]

RULES: dict[str, RuleInfo] = {info.rule: info for info in _RULES}
assert len(RULES) == 51, len(RULES)


def rule(rule_id: str) -> RuleInfo:
    """Look up a built-in rule by its full id (`rototo/...`)."""
    return RULES[rule_id]


def catalog() -> list[RuleInfo]:
    """Every built-in rule, sorted by id."""
    return sorted(RULES.values(), key=lambda info: info.rule)
