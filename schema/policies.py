"""Access policies in a supergraph: ``@policy`` per field, and how they changed.

Subgraphs print the rule of a field as ``@policy(policies: [[...]])`` (the
Federation policy spec, ``policy/v0.1``): the outer list is OR, each inner list is
AND of policy names. Composition carries the directive into the supergraph, where
:func:`read_policies` finds it per schema coordinate, whatever name the
supergraph's ``@link`` gives the directive. :func:`policy_changes` compares two
supergraphs for the schema check: a policy that is added, removed or means
something else is DANGEROUS (every operation still validates, but who sees the
field changes); the same clauses in another order are no change at all.
"""

import json
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLObjectType, GraphQLSchema
from graphql.language import ast

from schema.diff import SchemaChange, Severity
from schema.supergraph import directive_args

POLICY_SPEC = "https://specs.apollo.dev/policy/"
"""The URL prefix under which a supergraph links the policy spec."""

Policies = list[list[str]]
"""The ``policies`` argument: clauses (OR) of policy names (AND)."""


def read_policies(document: ast.DocumentNode) -> dict[str, Policies]:
    """Every object field's ``@policy`` of a supergraph, by ``Type.field``."""
    name = _policy_name(document)
    found: dict[str, Policies] = {}
    if name is None:
        return found
    for definition in document.definitions:
        if not isinstance(
            definition, ast.ObjectTypeDefinitionNode | ast.ObjectTypeExtensionNode
        ):
            continue
        for item in definition.fields or ():
            for directive in item.directives or ():
                if directive.name.value == name:
                    policies = directive_args(directive).get("policies") or []
                    coordinate = f"{definition.name.value}.{item.name.value}"
                    found[coordinate] = [[str(n) for n in c] for c in policies]
    return found


def _policy_name(document: ast.DocumentNode) -> str | None:
    for definition in document.definitions:
        if not isinstance(
            definition, ast.SchemaDefinitionNode | ast.SchemaExtensionNode
        ):
            continue
        for directive in definition.directives or ():
            args = directive_args(directive)
            url = str(args.get("url", ""))
            if directive.name.value == "link" and url.startswith(POLICY_SPEC):
                return _imported_name(args) or str(args.get("as") or "policy")
    return None


def _imported_name(args: Mapping[str, Any]) -> str | None:
    for item in args.get("import") or ():
        if item == "@policy":
            return "policy"
        if isinstance(item, dict) and item.get("name") == "@policy":
            return str(item.get("as") or "@policy").lstrip("@")
    return None


def _meaning(policies: Policies) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(clause) for clause in policies)


def _shown(policies: Policies | None) -> str:
    if policies is None:
        return "none"
    return json.dumps(policies)


def policy_changes(
    old: ast.DocumentNode,
    new: ast.DocumentNode,
    old_api: GraphQLSchema,
    new_api: GraphQLSchema,
) -> list[SchemaChange]:
    """The fields of both public schemas whose access policy changed meaning."""
    before, after = read_policies(old), read_policies(new)
    changes = []
    for coordinate in dict.fromkeys([*before, *after]):
        if not (_public(old_api, coordinate) and _public(new_api, coordinate)):
            continue
        was, now = before.get(coordinate), after.get(coordinate)
        if was is not None and now is not None and _meaning(was) == _meaning(now):
            continue
        code = (
            "POLICY_ADDED"
            if was is None
            else "POLICY_REMOVED"
            if now is None
            else "POLICY_CHANGED"
        )
        message = (
            f'The access policy of "{coordinate}" changed from {_shown(was)} '
            f"to {_shown(now)}."
        )
        changes.append(SchemaChange(Severity.DANGEROUS, code, coordinate, message))
    return changes


def _public(schema: GraphQLSchema, coordinate: str) -> bool:
    type_name, field_name = coordinate.split(".", 1)
    owner = schema.get_type(type_name)
    return isinstance(owner, GraphQLObjectType) and field_name in owner.fields
