"""Typed workspace entities, projected from parsed documents.

Projection is lint's `project` stage: it builds every entity it can and
records a diagnostic for every shape problem, so one broken file never hides
the rest of the workspace.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from posixpath import dirname, normpath
from typing import Any

from .diagnostics import Collector
from .documents import CONTEXT_SCHEMA, Document
from .tomlspan import TArray, TNode, TScalar, TTable

OPERATORS = ("eq", "neq", "in", "not_in", "gt", "gte", "lt", "lte", "bucket")
NUMERIC_OPS = ("gt", "gte", "lt", "lte")
PRIMITIVE_TYPES = ("bool", "int", "number", "string", "list")
BUCKET_SPACE = 10_000
QUALIFIER_PREFIX = "qualifier."


@dataclass
class Predicate:
    index: int
    attribute: str
    op: str
    value: Any = None
    salt: str | None = None
    start: int = 0
    end: int = 0
    node: TTable | None = None

    @property
    def qualifier_ref(self) -> str | None:
        if self.attribute.startswith(QUALIFIER_PREFIX):
            return self.attribute[len(QUALIFIER_PREFIX) :]
        return None

    @property
    def path(self) -> list[str]:
        return self.attribute.split(".")


@dataclass
class Qualifier:
    id: str
    doc: Document
    description: str | None
    predicates: list[Predicate]
    valid: bool = True
    # (predicate index, referenced qualifier id, attribute node) for every predicate table
    # reading `qualifier.<id>`, well-formed or not
    references: list[tuple[int, str, TNode]] = field(default_factory=list)
    # bucket predicates with a bad salt, range or value: still typed against the context
    # schema by their attribute, as the reference does
    unsound_buckets: list[Predicate] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.doc.path


@dataclass
class Rule:
    index: int
    qualifier: str
    value: str
    node: TTable | None = None


@dataclass
class Variable:
    id: str
    doc: Document
    description: str | None
    type: str
    resource: str | None
    values: dict[str, Any] | None
    default: str | None
    rules: list[Rule]
    valid: bool = True
    # every value key a default or rule names, including rules that are otherwise malformed
    referenced_keys: set[str] = field(default_factory=set)

    @property
    def path(self) -> str:
        return self.doc.path


@dataclass
class ResourceObject:
    key: str
    doc: Document
    value: Any


@dataclass
class Resource:
    id: str
    doc: Document
    description: str | None
    schema_path: str | None
    objects: dict[str, ResourceObject] = field(default_factory=dict)
    valid: bool = True
    schema_node: TNode | None = None


@dataclass
class Schema:
    path: str
    doc: Document
    value: Any
    valid: bool = True


@dataclass
class Model:
    """Everything a workspace declares, by id, in discovery order."""

    documents: list[Document]
    manifest: Document | None
    extends: list[str]
    qualifiers: dict[str, Qualifier]
    variables: dict[str, Variable]
    resources: dict[str, Resource]
    schemas: dict[str, Schema]
    custom_lint: list[Document]
    # catalog entries of the custom rules `lint/*.lua` registered (filled by lint)
    custom_rules: list[dict[str, Any]] = field(default_factory=list)
    # what each rule file registered: {path, stage, entity, field, rule, handler}
    custom_registrations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def context_schema(self) -> Schema | None:
        return self.schemas.get(CONTEXT_SCHEMA)

    def reached_qualifiers(self, start: list[str]) -> list[str]:
        """The qualifiers `start` names and, transitively, those their predicates read
        (`qualifier.<id>`), each once, depth first in declaration order; an id no
        qualifier declares is listed but not followed."""
        seen: set[str] = set()
        found: list[str] = []
        stack = list(reversed(start))
        while stack:
            qid = stack.pop()
            if qid in seen:
                continue
            seen.add(qid)
            found.append(qid)
            qualifier = self.qualifiers.get(qid)
            if qualifier is not None:
                stack.extend(
                    reversed([p.qualifier_ref for p in qualifier.predicates if p.qualifier_ref])
                )
        return found


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and not (
        isinstance(value, float) and (math.isnan(value) or math.isinf(value))
    )


def _schema_version_ok(table: TTable) -> bool:
    node = table.get("schema_version")
    return isinstance(node, TScalar) and node.toml_type == "integer" and node.value == 1


def _string_field(table: TTable, key: str) -> str | None:
    node = table.get(key)
    if isinstance(node, TScalar) and isinstance(node.value, str):
        return node.value
    return None


class Projector:
    """Builds the model from documents, collecting project-stage diagnostics."""

    def __init__(self, documents: list[Document], out: Collector) -> None:
        self.documents = documents
        self.out = out
        self._unsound_bucket: Predicate | None = None

    def project(self) -> Model:
        manifest = next((d for d in self.documents if d.kind == "manifest"), None)
        model = Model(self.documents, manifest, [], {}, {}, {}, {}, [])
        if manifest is not None and manifest.toml is not None:
            model.extends = self._manifest(manifest)
        for doc in self.documents:
            if doc.kind == "schema" and doc.parsed:
                model.schemas[doc.path] = Schema(doc.path, doc, doc.json)
            elif doc.kind == "custom_lint":
                model.custom_lint.append(doc)
        for doc in self.documents:
            if doc.toml is None:
                continue
            if doc.kind == "qualifier":
                model.qualifiers[doc.name] = self._qualifier(doc)
            elif doc.kind == "variable":
                model.variables[doc.name] = self._variable(doc)
            elif doc.kind == "resource":
                model.resources[doc.name] = self._resource(doc)
        for doc in self.documents:
            if doc.kind == "resource_object" and doc.toml is not None and doc.resource:
                owner = model.resources.get(doc.resource)
                if owner is not None:
                    owner.objects[doc.name] = ResourceObject(doc.name, doc, doc.toml.plain())
        return model

    # -- manifest ----------------------------------------------------------
    def _manifest(self, doc: Document) -> list[str]:
        """Extends sources; the first manifest problem is one diagnostic on the whole file
        (no range), worded as the reference words it."""
        table = doc.toml
        assert table is not None
        problem, sources = _manifest_problem(table)
        if problem is not None:
            self.out.add("workspace-manifest-schema-failed", doc, {"kind": "manifest"}, problem)
        return sources

    # -- qualifiers --------------------------------------------------------
    def _qualifier(self, doc: Document) -> Qualifier:
        table = doc.toml
        assert table is not None
        entity = {"kind": "qualifier", "id": doc.name}
        qualifier = Qualifier(doc.name, doc, _string_field(table, "description"), [])
        if not _schema_version_ok(table):
            self.out.add(
                "qualifier-schema-version",
                doc,
                entity,
                "qualifier must declare schema_version = 1",
                table.get("schema_version"),
            )
            qualifier.valid = False
        node = table.get("predicate")
        if node is None:
            self.out.add(
                "qualifier-predicate-missing",
                doc,
                entity,
                "qualifier must contain at least one [[predicate]]",
            )
            qualifier.valid = False
            return qualifier
        if not isinstance(node, TArray):
            self.out.add(
                "qualifier-predicate-shape",
                doc,
                entity,
                "predicate must be an array of tables",
                node,
            )
            qualifier.valid = False
            return qualifier
        if not node.items:
            self.out.add(
                "qualifier-predicate-missing",
                doc,
                entity,
                "qualifier must contain at least one [[predicate]]",
                node,
            )
            qualifier.valid = False
            return qualifier
        for index, item in enumerate(node.items):
            attribute = item.get("attribute") if isinstance(item, TTable) else None
            if (
                isinstance(attribute, TScalar)
                and isinstance(attribute.value, str)
                and attribute.value.startswith(QUALIFIER_PREFIX)
            ):
                qualifier.references.append(
                    (index, attribute.value[len(QUALIFIER_PREFIX) :], attribute)
                )
            self._unsound_bucket = None
            predicate = self._predicate(doc, index, item)
            if predicate is None:
                qualifier.valid = False
                if self._unsound_bucket is not None:
                    qualifier.unsound_buckets.append(self._unsound_bucket)
            else:
                qualifier.predicates.append(predicate)
        return qualifier

    def _predicate(self, doc: Document, index: int, item: TNode) -> Predicate | None:
        entity = {"kind": "predicate", "qualifier": doc.name, "index": index}
        if not isinstance(item, TTable):
            self.out.add(
                "qualifier-predicate-shape", doc, entity, "predicate must be a table", item
            )
            return None
        attribute_node = item.get("attribute")
        op_node = item.get("op")
        if attribute_node is None:
            self.out.add(
                "qualifier-predicate-shape", doc, entity, "predicate must contain attribute", item
            )
            return None
        if not isinstance(attribute_node, TScalar) or not isinstance(attribute_node.value, str):
            self.out.add(
                "qualifier-predicate-shape",
                doc,
                entity,
                "predicate attribute must be a string",
                attribute_node,
            )
            return None
        attribute = attribute_node.value
        if not attribute or any(part == "" for part in attribute.split(".")):
            self.out.add(
                "qualifier-predicate-shape",
                doc,
                entity,
                "predicate attribute must be a dotted path",
                attribute_node,
            )
            return None
        if op_node is None:
            self.out.add(
                "qualifier-predicate-shape", doc, entity, "predicate must contain op", item
            )
            return None
        if not isinstance(op_node, TScalar) or not isinstance(op_node.value, str):
            self.out.add(
                "qualifier-predicate-shape", doc, entity, "predicate op must be a string", op_node
            )
            return None
        op = op_node.value
        value_node = item.get("value")
        problems = False
        if op not in OPERATORS:
            self.out.add(
                "qualifier-predicate-unknown-op",
                doc,
                entity,
                f"predicate has unknown op: {op}",
                op_node,
            )
            problems = True
        if op != "bucket" and value_node is None:
            self.out.add(
                "qualifier-predicate-value", doc, entity, "predicate must contain value", item
            )
            problems = True
        if problems:
            return None
        predicate = Predicate(index, attribute, op, start=item.start, end=item.end, node=item)
        if op == "bucket":
            checked = self._bucket(doc, entity, item, predicate)
            if checked is None:
                self._unsound_bucket = predicate
            return checked
        assert value_node is not None
        value = value_node.plain()
        if op in ("in", "not_in") and not isinstance(value, list):
            self.out.add(
                "qualifier-predicate-value",
                doc,
                entity,
                f"{op} predicate value must be a list",
                value_node,
            )
            return None
        if op in NUMERIC_OPS and not _is_number(value):
            self.out.add(
                "qualifier-predicate-value",
                doc,
                entity,
                f"{op} predicate value must be a number",
                value_node,
            )
            return None
        predicate.value = value
        return predicate

    def _bucket(
        self, doc: Document, entity: dict[str, Any], item: TTable, predicate: Predicate
    ) -> Predicate | None:
        value_node = item.get("value")
        if value_node is not None:
            self.out.add(
                "qualifier-predicate-bucket",
                doc,
                entity,
                "bucket predicate must not contain value",
                value_node,
            )
            return None
        salt_node = item.get("salt")
        if not isinstance(salt_node, TScalar) or not isinstance(salt_node.value, str):
            self.out.add(
                "qualifier-predicate-bucket",
                doc,
                entity,
                "bucket predicate must contain a string salt",
                salt_node or item,
            )
            return None
        range_node = item.get("range")
        bounds = range_node.plain() if range_node is not None else None
        if not (
            isinstance(bounds, list)
            and len(bounds) == 2
            and all(_is_int(b) for b in bounds)
            and 0 <= bounds[0] < bounds[1] <= BUCKET_SPACE
        ):
            self.out.add(
                "qualifier-predicate-bucket",
                doc,
                entity,
                "bucket range must satisfy 0 <= start < end <= 10000",
                range_node or item,
            )
            return None
        predicate.salt = salt_node.value
        predicate.value = (bounds[0], bounds[1])
        return predicate

    # -- variables ---------------------------------------------------------
    def _variable(self, doc: Document) -> Variable:
        table = doc.toml
        assert table is not None
        entity = {"kind": "variable", "id": doc.name}
        variable = Variable(
            doc.name, doc, _string_field(table, "description"), "", None, None, None, []
        )
        if not _schema_version_ok(table):
            self.out.add(
                "variable-schema-version",
                doc,
                entity,
                "variable must declare schema_version = 1",
                table.get("schema_version"),
            )
            variable.valid = False
        schema_node = table.get("schema")
        type_node = table.get("type")
        if schema_node is not None:
            self.out.add(
                "variable-type-source",
                doc,
                entity,
                "variable schemas are no longer supported; declare type instead",
                schema_node,
            )
            variable.valid = False
        elif type_node is None:
            self.out.add("variable-type-source", doc, entity, "variable must declare type")
            variable.valid = False
        elif not isinstance(type_node, TScalar) or not isinstance(type_node.value, str):
            self.out.add(
                "variable-type-source", doc, entity, "variable type must be a string", type_node
            )
            variable.valid = False
        else:
            variable.type = type_node.value
            if variable.type.startswith("resource:"):
                variable.resource = variable.type[len("resource:") :]
        values_node = table.get("values")
        if variable.resource is not None:
            if values_node is not None:
                self.out.add(
                    "variable-values-disallowed",
                    doc,
                    entity,
                    "resource-backed variables must not contain [values]",
                    values_node,
                )
                variable.valid = False
        elif variable.type or type_node is None:
            if values_node is None:
                self.out.add(
                    "variable-values-missing",
                    doc,
                    entity,
                    "primitive variable must contain [values]",
                )
                variable.valid = False
            elif not isinstance(values_node, TTable):
                self.out.add(
                    "variable-values-missing",
                    doc,
                    entity,
                    "variable values must be a table",
                    values_node,
                )
                variable.valid = False
            else:
                variable.values = values_node.plain()
        self._resolve(doc, table, variable)
        return variable

    def _resolve(self, doc: Document, table: TTable, variable: Variable) -> None:
        entity = {"kind": "variable", "id": doc.name}
        node = table.get("resolve")
        if node is None:
            self.out.add(
                "variable-resolve-missing-default", doc, entity, "variable must contain [resolve]"
            )
            variable.valid = False
            return
        if not isinstance(node, TTable):
            self.out.add("variable-resolve-shape", doc, entity, "resolve must be a table", node)
            variable.valid = False
            return
        default_node = node.get("default")
        if default_node is None:
            self.out.add(
                "variable-resolve-missing-default",
                doc,
                entity,
                "resolve must reference a default value",
                node,
            )
            variable.valid = False
        elif not isinstance(default_node, TScalar) or not isinstance(default_node.value, str):
            self.out.add(
                "variable-resolve-shape",
                doc,
                entity,
                "resolve default must be a value key string",
                default_node,
            )
            variable.valid = False
        else:
            variable.default = default_node.value
            variable.referenced_keys.add(default_node.value)
        rules_node = node.get("rule")
        if rules_node is None:
            return
        if not isinstance(rules_node, TArray):
            self.out.add(
                "variable-resolve-shape",
                doc,
                entity,
                "resolve rule must be an array of tables",
                rules_node,
            )
            variable.valid = False
            return
        for index, item in enumerate(rules_node.items):
            rule_entity = {"kind": "rule", "variable": doc.name, "index": index}
            if not isinstance(item, TTable):
                self.out.add("variable-rule-shape", doc, rule_entity, "rule must be a table", item)
                variable.valid = False
                continue
            qualifier_node = item.get("qualifier")
            value_node = item.get("value")
            if isinstance(value_node, TScalar) and isinstance(value_node.value, str):
                variable.referenced_keys.add(value_node.value)
            problem = None
            where: TNode = item
            if qualifier_node is None:
                problem = "rule must reference a qualifier"
            elif not isinstance(qualifier_node, TScalar) or not isinstance(
                qualifier_node.value, str
            ):
                problem, where = "rule must reference a qualifier", qualifier_node
            elif value_node is None:
                problem = "rule must contain value"
            elif not isinstance(value_node, TScalar) or not isinstance(value_node.value, str):
                problem, where = "rule value must be a value key string", value_node
            if problem is not None:
                self.out.add("variable-rule-shape", doc, rule_entity, problem, where)
                variable.valid = False
                continue
            assert isinstance(qualifier_node, TScalar) and isinstance(value_node, TScalar)
            variable.rules.append(Rule(index, qualifier_node.value, value_node.value, item))

    # -- resources ---------------------------------------------------------
    def _resource(self, doc: Document) -> Resource:
        table = doc.toml
        assert table is not None
        entity = {"kind": "resource", "id": doc.name}
        resource = Resource(doc.name, doc, _string_field(table, "description"), None)
        if not _schema_version_ok(table):
            self.out.add(
                "resource-schema-version",
                doc,
                entity,
                "resource must declare schema_version = 1",
                table.get("schema_version"),
            )
            resource.valid = False
        node = table.get("schema")
        if not isinstance(node, TScalar) or not isinstance(node.value, str) or not node.value:
            self.out.add("resource-schema-ref", doc, entity, "resource must declare schema", node)
            resource.valid = False
            return resource
        resource.schema_node = node
        resource.schema_path = resolve_relative(doc.path, node.value)
        return resource


def _manifest_problem(table: TTable) -> tuple[str | None, list[str]]:
    """(the first schema problem or None, the usable extends sources)."""
    version = table.get("schema_version")
    problem: str | None = None
    if not isinstance(version, TScalar) or version.toml_type != "integer":
        problem = "workspace manifest must declare schema_version = 1"
    elif version.value != 1:
        problem = f"unsupported workspace schema_version: {version.value}"
    extends_node = table.get("extends")
    if extends_node is None:
        return problem, []
    if not isinstance(extends_node, TArray):
        return problem or "workspace extends must be an array of sources", []
    sources = []
    for item in extends_node.items:
        value = item.plain()
        if not isinstance(value, str):
            problem = problem or "workspace extends sources must be strings"
        elif not value.strip():
            problem = problem or "workspace extends source must not be blank"
        elif value != value.strip():
            problem = problem or "workspace extends source must not contain surrounding whitespace"
        else:
            sources.append(value)
    return problem, sources


def resolve_relative(from_path: str, reference: str) -> str | None:
    """A path relative to a workspace file, normalized; None when it leaves the workspace."""
    if reference.startswith("/") or "\\" in reference:
        return None
    joined = (
        normpath(f"{dirname(from_path)}/{reference}") if dirname(from_path) else normpath(reference)
    )
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


def project(documents: list[Document], out: Collector) -> Model:
    """Project parsed documents into the typed model (lint's project stage)."""
    return Projector(documents, out).project()
