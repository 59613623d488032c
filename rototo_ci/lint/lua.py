"""Custom Lua lint: `lint/*.lua` files register handlers that run in a restricted VM.

Each file gets its own Lua 5.4 runtime with only the table, string, utf8 and math
libraries (plus basic functions), 16 MiB of memory, and per task a budget of
1,000,000 instructions and 2 seconds. Handlers see plain Lua tables built from
workspace data; no Python object is ever reachable from Lua.
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
MEMORY_LIMIT = 16 * 1024 * 1024
INSTRUCTION_LIMIT = 1_000_000
TIME_LIMIT_S = 2.0
HOOK_EVERY = 1000
LIMIT_MESSAGE = "custom lint exceeded Lua execution limits"

# Installed before the sandbox closes: keeps private references to debug.sethook and
# os.clock, exposes one function to arm the per-task budget, then removes every
# unsafe global. Handlers cannot reach `arm` (it is returned to the host only).
_PRELUDE = """
local sethook, clock, error_fn = debug.sethook, os.clock, error
local limit_message = ...
local function arm(instructions, seconds, every)
  local count, deadline = 0, clock() + seconds
  sethook(function()
    count = count + every
    if count > instructions or clock() > deadline then
      sethook()
      error_fn(limit_message, 2)
    end
  end, "", every)
end
local function disarm() sethook() end
for _, name in ipairs({"os", "io", "package", "require", "dofile", "loadfile", "load",
                       "loadstring", "collectgarbage", "debug", "coroutine", "print",
                       "python"}) do
  _G[name] = nil
end
string.dump = nil
return arm, disarm
"""

_LINT_API = """
local registrations = {}
local lint = {}
function lint:on(spec)
  if type(spec) ~= "table" then error("registration must be a table", 2) end
  for _, key in ipairs({"stage", "entity", "rule", "handler"}) do
    local missing = spec[key] == nil or (key == "handler" and spec[key] == "")
    if missing then error("registration must contain " .. key, 2) end
  end
  if type(spec.rule) ~= "table" then error("registration rule must be a table", 2) end
  for _, key in ipairs({"id", "title", "help"}) do
    if spec.rule[key] == nil then error("registration must contain " .. key, 2) end
  end
  registrations[#registrations + 1] = {
    stage = tostring(spec.stage), entity = tostring(spec.entity),
    field = spec.field ~= nil and tostring(spec.field) or nil,
    id = tostring(spec.rule.id), title = tostring(spec.rule.title),
    help = tostring(spec.rule.help),
    severity = spec.rule.severity ~= nil and tostring(spec.rule.severity) or nil,
    handler = tostring(spec.handler),
    callable = type(_G[tostring(spec.handler)]) == "function",
  }
end
return lint, registrations
"""


class _NullMarker:
    def __repr__(self) -> str:
        return "null"


JSON_NULL = object()  # a null selected field in handler data
_ABSENT = object()  # a field that is not given to the handler at all


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


class LuaFile:
    """One lint file in its own sandboxed runtime."""

    def __init__(self, doc: Document) -> None:
        from lupa import lua54

        self.doc = doc
        self.runtime = lua54.LuaRuntime(
            register_eval=False,
            register_builtins=False,
            unpack_returned_tuples=False,
            max_memory=MEMORY_LIMIT,
            attribute_filter=self._deny,
        )
        prelude = self.runtime.execute(_PRELUDE, LIMIT_MESSAGE)
        # JSON null is an opaque userdata (not nil), as the rototo engine passes it; the
        # attribute filter keeps it opaque
        self.null = _NullMarker()
        self.arm, self.disarm = prelude[0], prelude[1]

    @staticmethod
    def _deny(obj: Any, name: Any, is_setting: bool) -> Any:
        raise AttributeError("Python objects are not accessible from custom lint")

    def call(self, fn: Any, *args: Any) -> Any:
        self.arm(INSTRUCTION_LIMIT, TIME_LIMIT_S, HOOK_EVERY)
        try:
            return fn(*args)
        finally:
            self.disarm()

    def to_lua(self, value: Any) -> Any:
        if value is JSON_NULL:
            return self.null
        if isinstance(value, dict):
            table = self.runtime.table()
            for key, item in value.items():
                table[key] = self.to_lua(item)
            return table
        if isinstance(value, list):
            table = self.runtime.table()
            for index, item in enumerate(value, start=1):
                table[index] = self.to_lua(item)
            return table
        return value


def _lua_error_text(error: BaseException) -> str:
    from lupa import lua54

    if isinstance(error, lua54.LuaMemoryError):
        return "memory error: not enough memory"
    text = str(error)
    if LIMIT_MESSAGE in text:
        return LIMIT_MESSAGE
    if isinstance(error, lua54.LuaSyntaxError):
        return f"syntax error: {text}"
    return f"runtime error: {text}"


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


class CustomLint:
    """Registers `lint/*.lua` handlers after the project stage and runs them per stage."""

    def __init__(self, model: Model, out: Collector) -> None:
        self.model = model
        self.out = out
        self.files: dict[str, LuaFile] = {}
        self.registrations: list[Registration] = []
        self._rules: dict[str, Registration] = {}

    # -- registration ------------------------------------------------------
    def _fail(
        self, doc: Document, rule: str, message: str, related: list[Related] | None = None
    ) -> None:
        self.out.add(rule, doc, {"kind": "custom_lint", "path": doc.path}, message, related=related)

    def register(self) -> None:
        for doc in self.model.custom_lint:
            self._register_file(doc)

    def _register_file(self, doc: Document) -> None:
        from lupa import lua54

        if doc.failure is not None:
            self._fail(
                doc,
                "custom-lint-failed",
                f"failed to read custom lint {doc.path}: {doc.failure.message}",
            )
            return
        try:
            lua = LuaFile(doc)
            lua.call(lua.runtime.execute, doc.text or "")
        except lua54.LuaError as error:
            self._fail(
                doc,
                "custom-lint-failed",
                f"failed to execute custom lint: {_lua_error_text(error)}",
            )
            return
        register = lua.runtime.globals()["register"]
        if lua.runtime.eval("type")(register) != "function":
            self._fail(doc, "custom-lint-failed", "custom lint must define register(lint)")
            return
        api = lua.runtime.execute(_LINT_API)
        lint, collected = api[0], api[1]
        try:
            lua.call(register, lint)
        except lua54.LuaError as error:
            self._fail(
                doc,
                "custom-lint-failed",
                f"custom lint registration failed: {_lua_error_text(error)}",
            )
            return
        items = [dict(collected[i].items()) for i in range(1, len(collected) + 1)]
        if not items:
            self._fail(
                doc,
                "custom-lint-file-unregistered",
                f"custom lint file registers no handlers: {doc.path}",
            )
            return
        self.files[doc.path] = lua
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
                continue
            seen[registration.key()] = registration
            self.registrations.append(registration)

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
                data = {
                    "kind": "variable",
                    "id": v.id,
                    "path": v.path,
                    "uri": self._uri(v.path),
                    "toml": table.plain(),
                }
                fields = {
                    name: _span_node(table.get(name))
                    for name in ("description", "type", "schema", "values", "resolve")
                }
                fields["id"] = None
                found.append(Target({"kind": "variable", "id": v.id}, v.doc, v.path, data, fields))
        elif entity == "value":
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
                        "origin": {"kind": "inline", "doc": v.doc.id},
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
            if field is None or field == "value":
                return data["value"]
            if field == "key":
                return data["name"]
            return _select(data["value"], field[len("value.") :].split("."))
        if registration.entity == "schema":
            if field is None or field == "json":
                return data["json"]
            return _select(data["json"], field[len("json.") :].split("."))
        if registration.entity == "workspace" and field == "extends":
            extends = data["manifest"]["toml"].get("extends")
            return _ABSENT if extends is None else extends
        return _ABSENT  # qualifier and variable handlers read ctx.target.toml instead

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

    # -- running ------------------------------------------------------------
    def run_stage(self, stage: str) -> None:
        for registration in self.registrations:
            if registration.stage != stage:
                continue
            lua = self.files[registration.path]
            handler = lua.runtime.globals()[registration.handler]
            for target in self.targets(registration.entity):
                self._run(lua, handler, registration, target)

    def _run(self, lua: LuaFile, handler: Any, registration: Registration, target: Target) -> None:
        from lupa import lua54

        data = dict(target.data)
        if registration.entity in ("value", "schema") or registration.field is not None:
            selected = self._selected(registration, target)
            if selected is not _ABSENT:
                data["selected"] = JSON_NULL if selected is None else selected
        ctx = lua.to_lua(
            {"stage": registration.stage, "entity": registration.entity, "target": data}
        )
        try:
            result = lua.call(handler, ctx)
        except lua54.LuaError as error:
            self._handler_failed(
                registration, target, f"custom lint failed: {_lua_error_text(error)}"
            )
            return
        if result is None:
            return
        lua_type = lua.runtime.globals()["type"](result)
        if lua_type != "table":
            kind = {"number": "integer" if isinstance(result, int) else "number"}.get(
                lua_type, lua_type
            )
            self._handler_failed(
                registration, target, f"custom lint must return a list of diagnostics, got {kind}"
            )
            return
        for index in range(1, len(result) + 1):
            item = result[index]
            if lua.runtime.globals()["type"](item) != "table":
                self._handler_failed(
                    registration,
                    target,
                    "custom lint returned an invalid "
                    "diagnostic: error converting Lua value to table",
                )
                continue
            message = item["message"]
            if message is None:
                self._handler_failed(
                    registration, target, "custom lint diagnostic must contain message"
                )
                continue
            field = item["field"]
            if target.default_node is not None:  # values are always located on the value
                where = node_range(target.doc, target.default_node) if target.doc else None
            elif field is not None and str(field) in target.fields:
                where = self._location(target, str(field))
            else:  # no usable returned field: the registered field locates it
                where = self._location(target, registration.field)
            self.out.items.append(
                Diagnostic(
                    rule=registration.rule,
                    severity=registration.severity,
                    stage=registration.stage,
                    entity=dict(target.entity),
                    message=str(message),
                    help=registration.help,
                    path=target.path,
                    range=where,
                )
            )

    def _handler_failed(self, registration: Registration, target: Target, reason: str) -> None:
        info = RULES["rototo/custom-lint-failed"]
        self.out.items.append(
            Diagnostic(
                rule=info.rule,
                severity=info.severity,
                stage=registration.stage,
                entity=dict(target.entity),
                message=f"custom lint handler failed in {registration.path}: {reason}",
                help=info.help,
                path=target.path,
                range=node_range(target.doc, target.default_node) if target.doc else None,
            )
        )
