"""`rototo inspect`: how rototo sees a workspace after loading and layering.

Documents, runtime status, diagnostics, schemas, resources, variables (type, values,
resolve rules), qualifiers (predicates), what each depends on and what consumes it,
the lint rule catalog and custom linters; with `--context`, resolution traces for the
selected variables and qualifiers. The JSON shape follows upstream's `inspect --json`.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from .selectors import (
    AllowExternalOpt,
    AuthoritiesOpt,
    AuthorityOpt,
    ColorOpt,
    LinterOpt,
    LintersOpt,
    LintRuleOpt,
    LintRulesOpt,
    QualifierOpt,
    QualifiersOpt,
    ResourceOpt,
    ResourcesOpt,
    RevOpt,
    SourceArg,
    VariableOpt,
    VariablesOpt,
    make_selection,
)


class InspectFormat(StrEnum):
    text = "text"
    json = "json"


def _location(doc: Any, node: Any = None) -> dict[str, Any]:
    location: dict[str, Any] = {"path": doc.path}
    if node is not None:
        from ..engine.diagnostics import node_range

        found = node_range(doc, node)
        if found is not None:
            location["range"] = found.to_json()
    return location


def _entity_ids(d: Any) -> tuple[str | None, str | None, str | None]:
    entity, kind = d.entity, d.entity.get("kind")
    variable = entity.get("variable") or (entity.get("id") if kind == "variable" else None)
    qualifier = entity.get("qualifier") or (entity.get("id") if kind == "qualifier" else None)
    resource = entity.get("resource") or (entity.get("id") if kind == "resource" else None)
    return variable, qualifier, resource


def _context_paths(model: Any, qualifier_ids: list[str]) -> list[str]:
    paths: list[str] = []
    for qid in qualifier_ids:
        qualifier = model.qualifiers.get(qid)
        for p in qualifier.predicates if qualifier else []:
            if not p.qualifier_ref and p.attribute not in paths:
                paths.append(p.attribute)
    return paths


def _dependencies(
    qualifiers: list[str], paths: list[str], schemas: list[str], resources: list[str]
) -> dict[str, list[str]]:
    return {
        "qualifiers": qualifiers,
        "context_paths": paths,
        "schemas": schemas,
        "resources": resources,
    }


def _predicate(doc: Any, p: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"index": p.index, "attribute": p.attribute, "op": p.op}
    if p.op == "bucket":
        item["salt"] = p.salt
        item["range"] = list(p.value) if isinstance(p.value, (list, tuple)) else None
    else:
        item["value"] = p.value
    item["location"] = _location(doc, p.node)
    return item


def inspect_data(workspace: Any, selection: Any, context: dict[str, Any] | None) -> dict[str, Any]:
    """The inspect report for the selected targets (everything when nothing is selected)."""
    from ..engine.errors import RototoError
    from ..lint.catalog import catalog

    model = workspace.model
    diagnostics = list(workspace.diagnostics)
    inventory = selection.empty
    runtime: dict[str, Any] = {"status": "available"}
    try:
        workspace.runtime()
    except RototoError as error:
        runtime = {"status": "unavailable", "reason": str(error)}

    def chosen(all_flag: bool, ids: list[str], available: list[str]) -> list[str]:
        if inventory or all_flag:
            return available
        return [i for i in available if i in ids]

    # consumers: who reads each qualifier, resource and schema
    qualifier_users: dict[str, list[dict[str, Any]]] = {}
    for vid, variable in model.variables.items():
        for rule in variable.rules:
            qualifier_users.setdefault(rule.qualifier, []).append(
                {
                    "kind": "variable",
                    "label": f"variable://{vid}",
                    "location": _location(variable.doc, rule.node),
                }
            )
    for qid, qualifier in model.qualifiers.items():
        for p in qualifier.predicates:
            if p.qualifier_ref:
                qualifier_users.setdefault(p.qualifier_ref, []).append(
                    {
                        "kind": "qualifier",
                        "label": f"qualifier://{qid}",
                        "location": _location(qualifier.doc, p.node),
                    }
                )

    variables = []
    for vid in chosen(selection.all_variables, selection.variables, list(model.variables)):
        v = model.variables[vid]
        closure = model.reached_qualifiers([rule.qualifier for rule in v.rules])
        values_node = v.doc.toml.get("values") if v.doc.toml is not None else None
        values = []
        if v.resource:
            resource = model.resources.get(v.resource)
            for key, obj in (resource.objects if resource else {}).items():
                values.append(
                    {
                        "key": key,
                        "origin": f"resource:{v.resource}",
                        "value": obj.value,
                        "location": _location(obj.doc),
                    }
                )
        for key, value in (v.values or {}).items():
            node = values_node.get(key) if hasattr(values_node, "get") else None
            values.append(
                {"key": key, "origin": "inline", "value": value, "location": _location(v.doc, node)}
            )
        resource_schema = (
            model.resources[v.resource].schema_path
            if v.resource and v.resource in model.resources
            else None
        )
        item: dict[str, Any] = {
            "id": vid,
            "uri": f"variable://{vid}",
            "path": v.path,
            "type_source": f"resource:{v.resource}" if v.resource else v.type,
            "description": v.description,
            "values": values,
            "resolve": {
                "default_value": v.default,
                "rules": [
                    {
                        "index": rule.index,
                        "qualifier": rule.qualifier,
                        "value": rule.value,
                        "location": _location(v.doc, rule.node),
                    }
                    for rule in v.rules
                ],
            },
            "dependencies": _dependencies(
                closure,
                _context_paths(model, closure),
                [resource_schema] if resource_schema else [],
                [v.resource] if v.resource else [],
            ),
            "diagnostics": [d.to_json() for d in diagnostics if _entity_ids(d)[0] == vid],
        }
        if context is not None and runtime["status"] == "available":
            item["trace"] = workspace.trace_variable(vid, context).to_json()
        variables.append(item)

    qualifiers = []
    for qid in chosen(selection.all_qualifiers, selection.qualifiers, list(model.qualifiers)):
        q = model.qualifiers[qid]
        refs = [p.qualifier_ref for p in q.predicates if p.qualifier_ref]
        item = {
            "id": qid,
            "uri": f"qualifier://{qid}",
            "path": q.path,
            "description": q.description,
            "predicates": [_predicate(q.doc, p) for p in q.predicates],
            "dependencies": _dependencies(
                list(dict.fromkeys(refs)), _context_paths(model, [qid]), [], []
            ),
            "consumers": qualifier_users.get(qid, []),
            "diagnostics": [d.to_json() for d in diagnostics if _entity_ids(d)[1] == qid],
        }
        if context is not None and runtime["status"] == "available":
            item["trace"] = workspace.trace_qualifier(qid, context).to_json()
        qualifiers.append(item)

    resources = []
    for rid in chosen(selection.all_resources, selection.resources, list(model.resources)):
        r = model.resources[rid]
        resources.append(
            {
                "id": rid,
                "uri": f"resource://{rid}",
                "path": r.doc.path,
                "description": r.description,
                "schema": r.schema_path,
                "objects": [
                    {"key": key, "value": obj.value, "location": _location(obj.doc)}
                    for key, obj in r.objects.items()
                ],
                "dependencies": _dependencies([], [], [r.schema_path] if r.schema_path else [], []),
                "consumers": [
                    {
                        "kind": "variable",
                        "label": f"variable://{vid}",
                        "location": _location(
                            v.doc, v.doc.toml.get("type") if v.doc.toml else None
                        ),
                    }
                    for vid, v in model.variables.items()
                    if v.resource == rid
                ],
                "diagnostics": [d.to_json() for d in diagnostics if _entity_ids(d)[2] == rid],
            }
        )

    schemas = []
    if inventory:
        for path, schema in model.schemas.items():
            problems = [d for d in diagnostics if d.path == path]
            invalid = next((d for d in problems if d.rule == "rototo/schema-invalid"), None)
            users = [
                {"kind": "resource", "label": f"resource://{rid}", "location": _location(r.doc)}
                for rid, r in model.resources.items()
                if r.schema_path == path
            ]
            schemas.append(
                {
                    "id": path.rsplit("/", 1)[-1].split(".", 1)[0],
                    "path": path,
                    "status": "valid" if schema.valid else "invalid",
                    "error": invalid.message if invalid else None,
                    "consumers": users,
                    "diagnostics": [d.to_json() for d in problems],
                }
            )

    rules = [info.to_json() for info in catalog()]
    rules += [dict(rule, entity="custom_lint") for rule in model.custom_rules]
    for rule in rules:
        rule["diagnostics"] = [d.to_json() for d in diagnostics if d.rule == rule["rule"]]
    lint_rules = [
        r
        for r in rules
        if selection.all_lint_rules
        or r["rule"] in selection.lint_rules
        or (r["rule"].split("/", 1)[0] in selection.lint_authorities)
    ]
    authorities = sorted({r["rule"].split("/", 1)[0] for r in rules})
    if not (inventory or selection.all_lint_authorities):
        authorities = [a for a in authorities if a in selection.lint_authorities]
    lint_authorities = [
        {"authority": a, "rules": [r for r in rules if r["rule"].split("/", 1)[0] == a]}
        for a in authorities
    ]
    linters = [
        {
            "id": doc.name,
            "path": doc.path,
            "registrations": [
                {key: value for key, value in r.items() if key != "path"}
                for r in model.custom_registrations
                if r["path"] == doc.path
            ],
            "diagnostics": [d.to_json() for d in diagnostics if d.path == doc.path],
        }
        for doc in model.custom_lint
        if inventory or selection.all_linters or doc.name in selection.linters
    ]
    root_uri = workspace.source.root.resolve().as_uri() if workspace.source.root else ""
    return {
        "workspace": workspace.root,
        "documents": [doc.to_json(root_uri) for doc in workspace.documents],
        "runtime": runtime,
        "diagnostics": [
            d.to_json() for d in diagnostics if inventory or selection.selects_diagnostic(d)
        ],
        "schemas": schemas,
        "resources": resources,
        "variables": variables,
        "qualifiers": qualifiers,
        "lint_rules": lint_rules,
        "lint_authorities": lint_authorities,
        "linters": linters,
    }


def command(
    source: SourceArg = None,
    variable: VariableOpt = None,
    variables: VariablesOpt = False,
    qualifier: QualifierOpt = None,
    qualifiers: QualifiersOpt = False,
    resource: ResourceOpt = None,
    resources: ResourcesOpt = False,
    lint_rule: LintRuleOpt = None,
    lint_rules: LintRulesOpt = False,
    lint_authority: AuthorityOpt = None,
    lint_authorities: AuthoritiesOpt = False,
    linter: LinterOpt = None,
    linters: LintersOpt = False,
    context: Annotated[list[str] | None, typer.Option("--context", "-c", metavar="CONTEXT")] = None,
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    json_: Annotated[bool, typer.Option("--json", help="Short for --format json.")] = False,
    format_: Annotated[
        InspectFormat, typer.Option("--format", "-f", help="Output format.")
    ] = InspectFormat.text,
    color: ColorOpt = "auto",
) -> int:
    """Explain how rototo sees a workspace: entities, dependencies, consumers, traces."""
    from ..engine.errors import NotFoundError
    from ..engine.workspace import Workspace
    from ..lint.catalog import catalog
    from .common import fail, merge_contexts, output_width, use_color

    selection = make_selection(
        variable,
        variables,
        qualifier,
        qualifiers,
        resource,
        resources,
        lint_rule,
        lint_rules,
        lint_authority,
        linter,
        linters,
        lint_authorities,
    )
    if context and not (variable or variables or qualifier or qualifiers):
        fail(
            "--context traces selected targets: add --variable ID, --variables, "
            "--qualifier ID or --qualifiers"
        )
    workspace = Workspace.inspect(source, rev=rev, allow_external_extends=allow_external_extends)
    known = {info.rule for info in catalog()} | {r["rule"] for r in workspace.model.custom_rules}
    missing = selection.unknown(workspace.documents, known)
    if missing is not None:
        raise NotFoundError(f"not found: {missing}")
    authorities = {rule.split("/", 1)[0] for rule in known}
    for authority in lint_authority or []:
        if authority not in authorities:
            raise NotFoundError(f"not found: lint authority {authority}")
    ctx = merge_contexts(context, workspace) if context else None
    data = inspect_data(workspace, selection, ctx)
    if ctx is not None and data["runtime"]["status"] != "available":
        print(
            "rototo: warning: no traces: the workspace has lint errors, so nothing resolves",
            file=sys.stderr,
        )
    if json_ or format_ is InspectFormat.json:
        from ..render.json_text import indented

        sys.stdout.write(indented(data) + "\n")
        return 0
    from ..render.inspect_text import render_inspect_text

    sys.stdout.write(
        render_inspect_text(
            data, color=use_color(color, sys.stdout), width=output_width(sys.stdout)
        )
    )
    return 0
