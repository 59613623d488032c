"""`rototo show`: configured entities and the lint rule catalog."""

from __future__ import annotations

import json
import sys
from typing import Any

from .selectors import (
    AllowExternalOpt,
    AuthoritiesOpt,
    AuthorityOpt,
    JsonOpt,
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
    TextJsonFormatOpt,
    TextOrJson,
    VariableOpt,
    VariablesOpt,
    make_selection,
)


def _entity(kind: str, ident: str, path: str, content: Any) -> dict[str, Any]:
    return {"id": ident, "uri": f"{kind}://{ident}", "path": path, "content": content}


def show_data(workspace: Any, selection: Any) -> dict[str, Any]:
    from ..lint.catalog import catalog

    model = workspace.model if workspace is not None else None
    show_all = selection.empty
    data: dict[str, Any] = {
        "command": "show",
        "workspace": workspace.root if workspace else None,
        "schemas": [],
        "resources": [],
        "variables": [],
        "qualifiers": [],
        "lint_rules": [],
        "lint_authorities": [],
        "linters": [],
    }
    if model is not None:
        for vid, v in model.variables.items():
            if show_all or selection.all_variables or vid in selection.variables:
                data["variables"].append(_entity("variable", vid, v.path, v.doc.toml.plain()))
        for qid, q in model.qualifiers.items():
            if show_all or selection.all_qualifiers or qid in selection.qualifiers:
                data["qualifiers"].append(_entity("qualifier", qid, q.path, q.doc.toml.plain()))
        for rid, r in model.resources.items():
            if show_all or selection.all_resources or rid in selection.resources:
                item = _entity("resource", rid, r.doc.path, r.doc.toml.plain())
                item["objects"] = {k: o.value for k, o in r.objects.items()}
                data["resources"].append(item)
        if show_all:
            data["schemas"] = [{"path": s.path, "content": s.value} for s in model.schemas.values()]
        for doc in model.custom_lint:
            if show_all or selection.all_linters or doc.name in selection.linters:
                data["linters"].append({"id": doc.name, "path": doc.path})
    rules = [info.to_json() for info in catalog()]
    if model is not None:
        rules += [dict(rule, entity="custom_lint") for rule in model.custom_rules]
    if (
        selection.all_lint_rules
        or selection.lint_rules
        or selection.lint_authorities
        or selection.all_lint_authorities
    ):
        data["lint_rules"] = [
            r
            for r in rules
            if selection.all_lint_rules
            or selection.all_lint_authorities
            or r["rule"] in selection.lint_rules
            or r["rule"].split("/", 1)[0] in selection.lint_authorities
        ]
        data["lint_authorities"] = sorted({r["rule"].split("/", 1)[0] for r in rules})
    return data


def _short(value: Any, limit: int = 100) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _details(kind: str, item: dict[str, Any]) -> list[str]:
    """What a selected entity says: a variable's type, values, default and rules; a
    qualifier's predicates; a resource's objects."""
    content = item["content"] if isinstance(item["content"], dict) else {}
    out: list[str] = []
    if content.get("description"):
        out.append(f"    {content['description']}")
    if kind == "variables":
        out.append(f"    type: {content.get('type', '(missing)')}")
        values = content.get("values")
        if isinstance(values, dict):
            out.append("    values:")
            out += [f"      {key} = {_short(value)}" for key, value in values.items()]
        resolve = content.get("resolve") if isinstance(content.get("resolve"), dict) else {}
        rules = resolve.get("rule") if isinstance(resolve.get("rule"), list) else []
        out.append("    resolve:")
        for index, rule in enumerate(rules):
            rule = rule if isinstance(rule, dict) else {}
            out.append(
                f"      rule {index}: if {rule.get('qualifier', '(missing)')} -> "
                f"{rule.get('value', '(missing)')}"
            )
        out.append(f"      default -> {resolve.get('default', '(missing)')}")
    elif kind == "qualifiers":
        predicates = content.get("predicate") if isinstance(content.get("predicate"), list) else []
        out.append("    predicates:")
        for index, p in enumerate(predicates):
            p = p if isinstance(p, dict) else {}
            if p.get("op") == "bucket":
                detail = f"bucket {_short(p.get('salt'))} range {_short(p.get('range'))}"
            else:
                detail = f"{p.get('op', '(missing)')} {_short(p.get('value'))}"
            out.append(f"      #{index} {p.get('attribute', '(missing)')} {detail}")
    elif kind == "resources":
        if content.get("schema"):
            out.append(f"    schema: {content['schema']}")
        objects = item.get("objects") or {}
        if objects:
            out.append("    objects:")
            out += [f"      {key} = {_short(value)}" for key, value in objects.items()]
    return out


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
    rev: RevOpt = None,
    allow_external_extends: AllowExternalOpt = False,
    json_: JsonOpt = False,
    format_: TextJsonFormatOpt = TextOrJson.text,
) -> int:
    """Show configured variables, qualifiers, resources, schemas and the lint rule catalog."""
    from ..engine.errors import NotFoundError
    from ..engine.workspace import Workspace
    from ..lint.catalog import catalog

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
    catalog_only = (
        source is None
        and not (
            variable
            or variables
            or qualifier
            or qualifiers
            or resource
            or resources
            or linter
            or linters
        )
        and (lint_rules or lint_rule or lint_authority or lint_authorities)
    )
    workspace = (
        None
        if catalog_only
        else Workspace.inspect(source, rev=rev, allow_external_extends=allow_external_extends)
    )
    data = show_data(workspace, selection)
    known_rules = {r["rule"] for r in data["lint_rules"]} | {i.rule for i in catalog()}
    missing = selection.unknown(workspace.documents if workspace else [], known_rules)
    if missing is not None:
        raise NotFoundError(f"not found: {missing}")
    authorities = set(data["lint_authorities"])
    for authority in lint_authority or []:
        if authority not in authorities:
            raise NotFoundError(f"not found: lint authority {authority}")
    if json_ or format_ is TextOrJson.json:
        from ..render.json_text import indented

        sys.stdout.write(indented(data) + "\n")
        return 0
    lines: list[str] = []
    if data["workspace"]:
        lines.append(f"workspace {data['workspace']}")
    detailed = not selection.empty
    for key in ("variables", "qualifiers", "resources"):
        if data[key]:
            lines.append(f"{key}:")
            for item in data[key]:
                content = item["content"] if isinstance(item["content"], dict) else {}
                summary = content.get("type") or ("" if detailed else content.get("description"))
                lines.append(f"  {item['id']:<32} {item['path']}  {summary or ''}".rstrip())
                if detailed:
                    lines += _details(key, item)
    if data["schemas"]:
        lines.append("schemas:")
        lines += [f"  {s['path']}" for s in data["schemas"]]
    if data["linters"]:
        lines.append("linters:")
        lines += [f"  {linter_['id']:<32} {linter_['path']}" for linter_ in data["linters"]]
    if data["lint_rules"]:
        lines.append("lint rules:")
        lines += [f"  {r['rule']:<52} {r['severity']:<8} {r['title']}" for r in data["lint_rules"]]
    from rich.text import Text

    from ..render.console import StringConsole
    from .common import output_width

    console = StringConsole(False, output_width(sys.stdout))
    from ..render.escape import one_line

    for line in lines:  # entity text is untrusted: one line each, controls made visible
        console.print_line(Text(one_line(line)))
    sys.stdout.write(console.text())
    return 0
