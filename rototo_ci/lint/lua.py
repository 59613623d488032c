"""Custom Lua lint: `lint/*.lua` files register handlers that run behind a process boundary.

The host validates registrations, builds plain handler data from the model and turns
answers into diagnostics; the Lua itself runs in a worker process (`lua_worker`,
driven by `lua_client`) with the limits of the reference engine per task (16 MiB,
1,000,000 instructions, 2 seconds), rlimits on the process and a wall-clock kill
from here. A lint run as a whole has a budget of time, diagnostics and message bytes.
Files run one after the other, each completely (registration, then its handlers in
stage order); handler data does not depend on the built-in stages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..engine.diagnostics import Collector, Diagnostic, Related, node_range
from ..engine.documents import Document, Range
from ..engine.model import Model
from ..engine.tomlspan import TArray, TNode, TTable
from .catalog import AUTHORITY, RULES

STAGES = ("project", "reference", "value", "graph", "policy")
ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "workspace": ("extends",),
    "qualifier": ("id", "description", "predicates"),
    "variable": ("id", "description", "type", "schema", "values", "resolve"),
    "value": ("key", "value"),
    "schema": ("json",),
}
PATH_FIELD = {"value": "value.", "schema": "json."}
SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
RULE_PART = re.compile(r"^[a-z0-9-]+$")
# budget of one lint run, across every rule file
MAX_RUN_DIAGNOSTICS = 10_000
MAX_RUN_MESSAGE_BYTES = 16 * 1024 * 1024
JSON_NULL = object()  # a null selected field in handler data
_ABSENT = object()  # a field that is not given to the handler at all


class _BudgetSpent(Exception):
    """The run's budget of diagnostics or message bytes is spent."""


@dataclass
class Registration:
    path: str
    stage: str
    entity: str
    field: str | None
    rule: str
    title: str
    help: str
    severity: str
    handler: str

    def key(self) -> tuple[Any, ...]:
        return (self.stage, self.entity, self.field, self.rule, self.handler)


@dataclass
class Target:
    entity: dict[str, Any]
    doc: Document | None
    path: str
    data: dict[str, Any]
    fields: dict[str, TNode | None]  # field name -> node for locations
    default_node: TNode | None = None


def rule_id_problem(rule_id: str) -> str | None:
    parts = rule_id.split("/")
    if len(parts) != 2 or not all(parts):
        return "custom rule id must use <authority>/<rule-id>"
    if parts[0] == AUTHORITY:
        return "rototo is reserved for built-in diagnostic rules"
    if not all(RULE_PART.match(part) for part in parts):
        return "rule id segments must use lowercase ASCII letters, digits, and hyphen"
    return None


def field_problem(entity: str, field: str) -> bool:
    if field in ENTITY_FIELDS[entity]:
        return False
    prefix = PATH_FIELD.get(entity)
    if prefix and field.startswith(prefix):
        segments = field[len(prefix) :].split(".")
        return not all(SEGMENT.match(s) for s in segments)
    return True


def _span_node(node: TNode | None) -> TNode | None:
    """An array of tables is located on its first table, as the rototo engine does."""
    if isinstance(node, TArray) and node.of_tables and node.items:
        return node.items[0]
    return node


def _select(value: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


_DISCOVERY_ORDER = {"manifest": 0, "qualifier": 1, "variable": 2, "resource": 3, "schema": 4}


def reference_document_numbers(model: Model) -> dict[str, int]:
    """Document numbers as the rototo engine gives them (handlers see them as a value's
    `origin.doc`): the manifest, then qualifiers, variables, each resource followed by its
    objects, schemas and lint files, each folder in name order."""

    def order(doc: Document) -> tuple[Any, ...]:
        if doc.kind == "resource_object":
            return (3, doc.resource or "", 1, doc.path)
        if doc.kind == "resource":
            return (3, doc.name, 0, doc.path)
        return (_DISCOVERY_ORDER.get(doc.kind, 5), "", 0, doc.path)

    ranked = sorted(model.documents, key=order)
    return {doc.path: number for number, doc in enumerate(ranked)}


class CustomLint:
    """Runs `lint/*.lua` files one by one in a worker process and collects their findings."""

    def __init__(self, model: Model, out: Collector, run_time_s: float | None = None) -> None:
        self.model = model
        self.out = out
        self.run_time_s = run_time_s
        self.registrations: list[Registration] = []
        self._rules: dict[str, Registration] = {}
        self._targets: dict[str, list[Target]] = {}
        self._diagnostics_left = MAX_RUN_DIAGNOSTICS
        self._bytes_left = MAX_RUN_MESSAGE_BYTES
        self._stopped: str | None = None  # why no further file runs
        self._pending: tuple[Registration, list[Target]] | None = None
        # handler findings wait for their stage: built-in checks of later stages see only
        # the findings of earlier ones, as when handlers ran inside their stage
        self._held: dict[str, list[Diagnostic]] = {stage: [] for stage in STAGES}

    # -- registration ------------------------------------------------------
    def _fail(
        self, doc: Document, rule: str, message: str, related: list[Related] | None = None
    ) -> None:
        self.out.add(rule, doc, {"kind": "custom_lint", "path": doc.path}, message, related=related)

    def run(self) -> None:
        """Register and run every file; the worker starts only when a file needs it."""
        from .lua_client import LuaWorker

        worker: LuaWorker | None = None
        try:
            for doc in self.model.custom_lint:
                if doc.failure is not None:
                    self._fail(
                        doc,
                        "custom-lint-failed",
                        f"failed to read custom lint {doc.path}: {doc.failure.message}",
                    )
                    continue
                if self._stopped is not None:
                    reason = f"custom lint was not run: {self._stopped}"
                    self._fail(doc, "custom-lint-failed", reason)
                    continue
                if worker is None:
                    worker = LuaWorker(self.run_time_s)
                self._run_file(worker, doc)
        finally:
            if worker is not None:
                worker.close()

    def _run_file(self, worker: Any, doc: Document) -> None:
        from .lua_client import BudgetExhausted, FileAbandoned

        try:
            registrations = self._register_file(worker, doc)
            order = {stage: index for index, stage in enumerate(STAGES)}
            for registration in sorted(registrations, key=lambda r: order[r.stage]):
                self._run_registration(worker, registration)
        except BudgetExhausted as spent:
            self._apply_partial(spent)
            self._stopped = (
                f"the lint run's time budget for custom Lua ({worker.budget_s:g} s) is spent"
            )
            self._fail(doc, "custom-lint-failed", f"custom lint stopped: {self._stopped}")
        except FileAbandoned as abandoned:
            self._apply_partial(abandoned)
            self._fail(
                doc,
                "custom-lint-failed",
                "custom lint stopped: its tasks exceeded Lua execution limits too often; "
                "the rest of this file was not run",
            )
        except _BudgetSpent:
            self._stopped = (
                f"the lint run's budget for custom lint findings ({MAX_RUN_DIAGNOSTICS} "
                f"diagnostics, {MAX_RUN_MESSAGE_BYTES} message bytes) is spent"
            )
            self._fail(doc, "custom-lint-failed", f"custom lint stopped: {self._stopped}")

    def _register_file(self, worker: Any, doc: Document) -> list[Registration]:
        answer = worker.load(doc.path, doc.text or "")
        status = answer.get("status")
        if status == "failed":
            reason = str(answer.get("reason"))
            if answer.get("phase") == "register":
                message = f"custom lint registration failed: {reason}"
            else:
                message = f"failed to execute custom lint: {reason}"
            self._fail(doc, "custom-lint-failed", message)
            return []
        if status == "no-register":
            self._fail(doc, "custom-lint-failed", "custom lint must define register(lint)")
            return []
        items = answer.get("registrations") or []
        if not items:
            self._fail(
                doc,
                "custom-lint-file-unregistered",
                f"custom lint file registers no handlers: {doc.path}",
            )
            return []
        if answer.get("more"):
            self._fail(
                doc,
                "custom-lint-failed",
                f"custom lint registers more than {len(items)} handlers; the rest are ignored",
            )
        accepted: list[Registration] = []
        seen: dict[tuple[Any, ...], Registration] = {}
        for item in items:
            registration = self._validate(doc, item)
            if registration is None:
                continue
            if registration.key() in seen:
                self._fail(
                    doc,
                    "custom-lint-registration-duplicate",
                    "custom lint registration duplicates an earlier registration: "
                    f"{registration.handler}",
                    [Related(doc.path, None, "first matching registration")],
                )
            else:
                seen[registration.key()] = registration
            # the rototo engine reports a duplicate and still runs it: its handler runs twice
            accepted.append(registration)
        self.registrations.extend(accepted)
        return accepted

    def _validate(self, doc: Document, item: dict[str, Any]) -> Registration | None:
        def invalid(message: str) -> Registration | None:
            self._fail(
                doc, "custom-lint-registration-invalid", f"custom lint registration {message}"
            )
            return None

        if item["stage"] not in STAGES:
            return invalid(f"has unsupported stage: {item['stage']}")
        if item["entity"] not in ENTITY_FIELDS:
            return invalid(f"has unsupported entity: {item['entity']}")
        field = item.get("field")
        if field is not None and field_problem(item["entity"], field):
            return invalid(f"has unsupported field: {field}")
        problem = rule_id_problem(item["id"])
        if problem is not None:
            return invalid(f"rule id is invalid: {item['id']}: {problem}")
        severity = item.get("severity") or "error"
        if severity not in ("error", "warning"):
            return invalid(f"rule severity is unsupported: {severity}")
        if not item.get("callable"):
            return invalid(f"handler is not callable: {item['handler']}")
        registration = Registration(
            doc.path,
            item["stage"],
            item["entity"],
            field,
            item["id"],
            item["title"],
            item["help"],
            severity,
            item["handler"],
        )
        known = self._rules.get(registration.rule)
        if known is not None and (known.title, known.help, known.severity) != (
            registration.title,
            registration.help,
            registration.severity,
        ):
            self._fail(
                doc,
                "custom-lint-rule-conflict",
                f"custom lint rule metadata conflicts: {registration.rule}",
            )
            return None
        self._rules.setdefault(registration.rule, registration)
        return registration

    def registration_data(self) -> list[dict[str, Any]]:
        """Every accepted registration as plain data, in registration order."""
        return [
            {
                "path": r.path,
                "stage": r.stage,
                "entity": r.entity,
                "field": r.field,
                "rule": r.rule,
                "handler": r.handler,
            }
            for r in self.registrations
        ]

    def rules(self) -> list[dict[str, Any]]:
        """The workspace-scoped catalog entries of custom rules."""
        return [
            {"rule": r.rule, "severity": r.severity, "title": r.title, "help": r.help}
            for r in sorted(self._rules.values(), key=lambda r: r.rule)
        ]

    # -- targets ------------------------------------------------------------
    def _uri(self, path: str) -> str:
        return f"workspace:///{path}"

    def targets(self, entity: str) -> list[Target]:
        model = self.model
        found: list[Target] = []
        if entity == "workspace" and model.manifest is not None and model.manifest.toml:
            manifest = model.manifest
            table = manifest.toml
            assert table is not None
            data = {
                "kind": "workspace",
                "root": ".",
                "extends": list(model.extends),
                "manifest": {
                    "path": manifest.path,
                    "uri": self._uri(manifest.path),
                    "toml": table.plain(),
                },
            }
            found.append(
                Target(
                    {"kind": "workspace"},
                    manifest,
                    manifest.path,
                    data,
                    {"extends": table.get("extends")},
                )
            )
        elif entity == "qualifier":
            for q in model.qualifiers.values():
                table = q.doc.toml
                assert table is not None
                data = {
                    "kind": "qualifier",
                    "id": q.id,
                    "path": q.path,
                    "uri": self._uri(q.path),
                    "toml": table.plain(),
                }
                found.append(
                    Target(
                        {"kind": "qualifier", "id": q.id},
                        q.doc,
                        q.path,
                        data,
                        {
                            "id": None,
                            "description": table.get("description"),
                            "predicates": _span_node(table.get("predicate")),
                        },
                    )
                )
        elif entity == "variable":
            for v in model.variables.values():
                table = v.doc.toml
                assert table is not None
                toml = table.plain()
                # `values` holds the variable's inline values, the same ones value handlers
                # see: always present, empty for a resource variable or a malformed table
                values = table.get("values")
                toml["values"] = (
                    {key: entry.node.plain() for key, entry in values.entries.items()}
                    if isinstance(values, TTable)
                    else {}
                )
                data = {
                    "kind": "variable",
                    "id": v.id,
                    "path": v.path,
                    "uri": self._uri(v.path),
                    "toml": toml,
                }
                fields = {
                    name: _span_node(table.get(name))
                    for name in ("description", "type", "schema", "values", "resolve")
                }
                fields["id"] = None
                found.append(Target({"kind": "variable", "id": v.id}, v.doc, v.path, data, fields))
        elif entity == "value":
            numbers = reference_document_numbers(model)
            for v in model.variables.values():
                table = v.doc.toml
                values = table.get("values") if table is not None else None
                if not isinstance(values, TTable):
                    continue
                for key, entry in values.entries.items():
                    data = {
                        "kind": "value",
                        "name": key,
                        "value": entry.node.plain(),
                        "origin": {"kind": "inline", "doc": numbers.get(v.doc.path, v.doc.id)},
                        "variable": {"id": v.id, "path": v.path, "uri": self._uri(v.path)},
                    }
                    found.append(
                        Target(
                            {"kind": "value", "variable": v.id, "key": key},
                            v.doc,
                            v.path,
                            data,
                            {"key": entry.node, "value": entry.node},
                            default_node=entry.node,
                        )
                    )
        elif entity == "schema":
            for schema in model.schemas.values():
                data = {
                    "kind": "schema",
                    "path": schema.path,
                    "uri": self._uri(schema.path),
                    "json": schema.value,
                }
                found.append(
                    Target(
                        {"kind": "schema", "path": schema.path},
                        schema.doc,
                        schema.path,
                        data,
                        {"json": None},
                    )
                )
        return found

    def _selected(self, registration: Registration, target: Target) -> Any:
        field = registration.field
        data = target.data
        if registration.entity == "value":
            if field is None or not field.startswith("value."):
                return data["value"]  # `key` and `value` select the whole value too
            return _select(data["value"], field[len("value.") :].split("."))
        if registration.entity == "schema":
            if field is None or field == "json":
                return data["json"]
            return _select(data["json"], field[len("json.") :].split("."))
        # workspace, qualifier and variable handlers get no `selected`, whatever the field:
        # they read ctx.target.extends or ctx.target.toml
        return _ABSENT

    def _location(self, target: Target, field: str | None) -> Range | None:
        if target.doc is None:
            return None
        if field is not None and field in target.fields:
            return node_range(target.doc, target.fields[field])
        if (
            field is not None
            and target.default_node is not None
            and (field.startswith("value.") or field in ("key", "value"))
        ):
            return node_range(target.doc, target.default_node)
        if target.default_node is not None:
            return node_range(target.doc, target.default_node)
        return None

    def release(self, stage: str) -> None:
        """Add the findings of handlers registered for `stage` to the lint output."""
        self.out.items.extend(self._held[stage])
        self._held[stage] = []

    # -- running ------------------------------------------------------------
    def _entity_targets(self, entity: str) -> list[Target]:
        if entity not in self._targets:
            self._targets[entity] = self.targets(entity)
        return self._targets[entity]

    def _task(self, registration: Registration, target: Target) -> dict[str, Any]:
        data = dict(target.data)
        null = False
        if registration.entity in ("value", "schema") or registration.field is not None:
            selected = self._selected(registration, target)
            if selected is not _ABSENT:
                if selected is None:
                    null = True
                else:
                    data["selected"] = selected
        return {
            "stage": registration.stage,
            "entity": registration.entity,
            "target": data,
            "null": null,
        }

    def _run_registration(self, worker: Any, registration: Registration) -> None:
        targets = self._entity_targets(registration.entity)
        if not targets:
            return
        self._pending = (registration, targets)
        tasks = [self._task(registration, target) for target in targets]
        answers = worker.run(registration.handler, tasks)
        self._pending = None
        for target, answer in zip(targets, answers, strict=False):
            self._apply(registration, target, answer)

    def _apply_partial(self, stopped: Exception) -> None:
        """Keep the answers a registration got before its file or the run was stopped."""
        pending = self._pending
        answers = getattr(stopped, "answers", None)
        self._pending = None
        if pending is None or not answers:
            return
        registration, targets = pending
        try:
            for target, answer in zip(targets, answers, strict=False):
                self._apply(registration, target, answer)
        except _BudgetSpent:
            pass

    def _spend(self, message: str) -> None:
        self._diagnostics_left -= 1
        self._bytes_left -= len(message)
        if self._diagnostics_left < 0 or self._bytes_left < 0:
            raise _BudgetSpent()

    def _apply(self, registration: Registration, target: Target, answer: dict[str, Any]) -> None:
        status = answer.get("status")
        if status != "ok":
            reason = str(answer.get("reason"))
            self._handler_failed(registration, target, f"custom lint failed: {reason}")
            return
        kind = answer.get("kind")
        if kind == "nil":
            return
        if kind != "list":
            self._handler_failed(
                registration,
                target,
                f"custom lint must return a list of diagnostics, got {answer.get('type')}",
            )
            return
        for item in answer.get("items") or []:
            problem = item.get("problem")
            if problem == "table":
                self._handler_failed(
                    registration,
                    target,
                    "custom lint returned an invalid "
                    "diagnostic: error converting Lua value to table",
                )
                continue
            if problem == "missing":
                self._handler_failed(
                    registration, target, "custom lint diagnostic must contain message"
                )
                continue
            if problem == "type":
                self._handler_failed(
                    registration,
                    target,
                    "custom lint message is invalid: expected a string or a number, "
                    f"got a {item.get('type')} value",
                )
                continue
            if problem is not None:
                self._handler_failed(
                    registration, target, "custom lint message is invalid: not valid UTF-8"
                )
                continue
            message = str(item.get("message"))
            if int(item.get("size") or 0) > len(message.encode("utf-8", "surrogatepass")):
                message += " [truncated]"
            field = item.get("field")
            if target.default_node is not None:  # values are always located on the value
                where = node_range(target.doc, target.default_node) if target.doc else None
            elif field is not None and field in target.fields:
                where = self._location(target, field)
            else:  # no usable returned field: the registered field locates it
                where = self._location(target, registration.field)
            self._spend(message)
            self._held[registration.stage].append(
                Diagnostic(
                    rule=registration.rule,
                    severity=registration.severity,
                    stage=registration.stage,
                    entity=dict(target.entity),
                    message=message,
                    help=registration.help,
                    path=target.path,
                    range=where,
                )
            )
        length = int(answer.get("length") or 0)
        kept = len(answer.get("items") or [])
        if length > kept:
            self._handler_failed(
                registration,
                target,
                f"custom lint returned {length} diagnostics for one target; "
                f"only the first {kept} are kept",
            )

    def _handler_failed(self, registration: Registration, target: Target, reason: str) -> None:
        info = RULES["rototo/custom-lint-failed"]
        message = f"custom lint handler failed in {registration.path}: {reason}"
        self._spend(message)
        self._held[registration.stage].append(
            Diagnostic(
                rule=info.rule,
                severity=info.severity,
                stage=registration.stage,
                entity=dict(target.entity),
                message=message,
                help=info.help,
                path=target.path,
                # located as the handler's own findings would be without a returned field
                range=self._location(target, registration.field),
            )
        )
