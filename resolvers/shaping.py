"""Shaping: the merged subgraph results become the client's response in one walk.

The client's selection is compiled once per plan (:func:`compile_shape`) into
:class:`ShapeField` entries. :func:`shape` walks the merged data along them:
it applies ``@skip``/``@include`` with the request's variables and type conditions
with each object's ``__typename``, renames canonical keys to the client's
aliases, answers ``__typename``, and propagates nulls by the API schema's non-null
rules (GraphQL spec 6.4.4, "Handling Field Errors"). Subgraph errors wait in the
data as :class:`Failure` markers and are reported at the client's paths: a
failure that stands in several places (one fetch for many entities or fields) is
reported at each, since every field it nulls is a field error of its own.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.language import ast

from resolvers.selection import Canonical, collect

Condition = tuple[bool, str | None, bool]
"""``(is_include, variable name or None, literal value)`` of ``@include``/``@skip``."""

_META: dict[str, GraphQLField] = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


@dataclass(frozen=True)
class ShapeField:
    """One field of the client's selection as the shaper walks it."""

    response_key: str
    key: str
    name: str
    conditions: tuple[Condition, ...]
    type_conditions: tuple[str, ...]
    type: GraphQLOutputType
    sub: tuple["ShapeField", ...] | None
    plain: bool = field(init=False)
    """True when neither ``@skip``/``@include`` nor a type condition applies."""
    leaf: bool = field(init=False)
    """True for a scalar or enum field that is not a list (nor ``__typename``):
    its value is taken as it is."""

    def __post_init__(self) -> None:
        plain = not self.conditions and not self.type_conditions
        inner = self.type.of_type if is_non_null_type(self.type) else self.type
        object.__setattr__(self, "plain", plain)
        leaf = is_leaf_type(inner) and self.name != "__typename"
        object.__setattr__(self, "leaf", leaf)


class Failure:
    """Errors that stand in the merged data where a value could not be fetched.

    Each entry is an error (a spec-shaped dict without ``path``) and the rest of
    its path below this point, in canonical keys.
    """

    __slots__ = ("entries",)

    def __init__(
        self, entries: list[tuple[dict[str, Any], tuple[str | int, ...]]]
    ) -> None:
        self.entries = entries


def compile_shape(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_set: ast.SelectionSetNode | None,
    fragments: Mapping[str, ast.FragmentDefinitionNode],
    canonical: Canonical,
) -> tuple[ShapeField, ...]:
    """The client's selection on ``parent`` compiled for :func:`shape`."""
    entries = []
    for item in collect(selection_set, fragments, canonical):
        owner = (
            schema.get_type(item.type_conditions[-1])
            if item.type_conditions
            else parent
        )
        definition = _META.get(item.name) or owner.fields[item.name]  # type: ignore[union-attr]
        named = get_named_type(definition.type)
        sub = None
        if not is_leaf_type(named):
            sub = compile_shape(
                schema, named, item.node.selection_set, fragments, canonical
            )
        entries.append(
            ShapeField(
                response_key=item.response_key,
                key=item.key,
                name=item.name,
                conditions=tuple(condition_of(d) for d in item.conditions),
                type_conditions=item.type_conditions,
                type=definition.type,
                sub=sub,
            )
        )
    return tuple(entries)


def condition_of(directive: ast.DirectiveNode) -> Condition:
    """An ``@include`` or ``@skip`` directive as a :data:`Condition`."""
    value = directive.arguments[0].value if directive.arguments else None
    include = directive.name.value == "include"
    if isinstance(value, ast.VariableNode):
        return include, value.name.value, False
    return include, None, isinstance(value, ast.BooleanValueNode) and value.value


def holds(conditions: tuple[Condition, ...], variables: Mapping[str, Any]) -> bool:
    """True when every ``@include`` holds and no ``@skip`` does (spec 3.13)."""
    for include, variable, literal in conditions:
        value = bool(variables.get(variable)) if variable else literal
        if value != include:
            return False
    return True


_BUBBLE = object()
_MISSING = object()

_Path = tuple[Any, str | int] | None
"""A response path as ``(parent path, key)`` links: built only where an error
needs it, since most fields have none."""


def _listed(path: _Path) -> list[str | int]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


class _Shaper:
    def __init__(self, schema: GraphQLSchema, variables: Mapping[str, Any]) -> None:
        self.schema = schema
        self.variables = variables
        self.errors: list[dict[str, Any]] = []
        self.applies_cache: dict[tuple[str, str], bool] = {}

    def included(self, entry: ShapeField) -> bool:
        return holds(entry.conditions, self.variables)

    def applies(self, conditions: tuple[str, ...], type_name: str) -> bool:
        for condition in conditions:
            if condition == type_name:
                continue
            cached = self.applies_cache.get((condition, type_name))
            if cached is None:
                outer = self.schema.get_type(condition)
                inner = self.schema.get_type(type_name)
                cached = (
                    outer is not None
                    and inner is not None
                    and is_abstract_type(outer)
                    and self.schema.is_sub_type(outer, inner)
                )
                self.applies_cache[(condition, type_name)] = cached
            if not cached:
                return False
        return True

    def object(
        self,
        data: Mapping[str, Any],
        entries: tuple[ShapeField, ...],
        type_name: str,
        path: _Path,
    ) -> Any:
        chosen: dict[str, list[ShapeField]] = {}
        for entry in entries:
            if entry.plain or (
                self.included(entry) and self.applies(entry.type_conditions, type_name)
            ):
                group = chosen.get(entry.response_key)
                if group is None:
                    chosen[entry.response_key] = [entry]
                else:
                    group.append(entry)
        result: dict[str, Any] = {}
        for response_key, group in chosen.items():
            first = group[0]
            if first.leaf:
                # Most fields: a value that is there is taken as it is; null,
                # missing and failed values go the long way, for their errors.
                found = data.get(first.key)
                if found is not None and found.__class__ is not Failure:
                    result[response_key] = found
                    continue
            if first.name == "__typename":
                result[response_key] = data.get("__typename") or type_name
                continue
            sub = first.sub
            if len(group) > 1 and sub is not None:
                sub = tuple(e for g in group for e in g.sub or ())
            value = self.value(
                data.get(first.key, _MISSING),
                first.type,
                sub,
                (path, response_key),
                (type_name, first.name),
            )
            if value is _BUBBLE:
                return _BUBBLE
            result[response_key] = value
        return result

    def value(
        self,
        value: Any,
        field_type: GraphQLOutputType,
        sub: tuple[ShapeField, ...] | None,
        path: _Path,
        coordinate: tuple[str, str],
    ) -> Any:
        if is_non_null_type(field_type):
            result = self.value(value, field_type.of_type, sub, path, coordinate)
            if result is None:
                if value is None or value is _MISSING:
                    self.null_error(path, coordinate)
                return _BUBBLE
            return result
        if value is None or value is _MISSING:
            return None
        if isinstance(value, Failure):
            self.report(value, path, sub)
            return None
        if is_list_type(field_type):
            if not isinstance(value, list):
                return None
            items = []
            item_type = field_type.of_type
            for index, item in enumerate(value):
                shaped = self.value(item, item_type, sub, (path, index), coordinate)
                if shaped is _BUBBLE:
                    return None
                items.append(shaped)
            return items
        named = get_named_type(field_type)
        if is_leaf_type(named):
            return value
        if not isinstance(value, dict):
            return None
        type_name = value.get("__typename") or named.name
        shaped = self.object(value, sub or (), type_name, path)
        return None if shaped is _BUBBLE else shaped

    def null_error(self, path: _Path, coordinate: tuple[str, str]) -> None:
        type_name, field_name = coordinate
        self.errors.append(
            {
                "message": (
                    f"The non-null field {type_name}.{field_name} resolved to null."
                ),
                "path": _listed(path),
                "extensions": {"code": "NULL_FOR_NON_NULL"},
            }
        )

    def report(
        self,
        failure: Failure,
        path: _Path,
        sub: tuple[ShapeField, ...] | None,
    ) -> None:
        where = _listed(path)
        for error, rest in failure.entries:
            self.errors.append({**error, "path": [*where, *_client_rest(rest, sub)]})


def _client_rest(
    rest: tuple[str | int, ...], sub: tuple[ShapeField, ...] | None
) -> list[str | int]:
    mapped: list[str | int] = []
    for segment in rest:
        if isinstance(segment, int):
            mapped.append(segment)
            continue
        entry = next((e for e in sub or () if e.key == segment), None)
        if entry is None:
            break
        mapped.append(entry.response_key)
        sub = entry.sub
    return mapped


def shape(
    schema: GraphQLSchema,
    root_type: GraphQLObjectType,
    entries: tuple[ShapeField, ...],
    data: Mapping[str, Any],
    variables: Mapping[str, Any],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The client's ``data`` and the errors found on the way, from merged data."""
    shaper = _Shaper(schema, variables)
    result = shaper.object(data, entries, root_type.name, None)
    return (None if result is _BUBBLE else result), shaper.errors
