"""Changes between two public schemas, each classified for the clients.

BREAKING changes can make a valid operation invalid or change the shape of a
result a client relies on (a removed field, a type that no longer fits, a new
required argument); DANGEROUS ones keep operations valid but may change what
clients see (a new enum value, a changed default); SAFE ones cannot hurt.
Output positions may become stricter (nullable to non-null is safe), input
positions may become looser (non-null to nullable is safe), never the reverse.
"""

from dataclasses import dataclass
from enum import StrEnum

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
    Undefined,
    ast_from_value,
    print_ast,
)


class Severity(StrEnum):
    """How a change affects clients."""

    BREAKING = "BREAKING"
    DANGEROUS = "DANGEROUS"
    SAFE = "SAFE"


@dataclass(frozen=True)
class SchemaChange:
    """One change of the public schema.

    Attributes:
        severity: BREAKING, DANGEROUS or SAFE.
        code: a stable code, e.g. ``FIELD_REMOVED``.
        coordinate: the schema coordinate, e.g. ``Person.payslips(last:)``.
        message: a sentence that says what changed.
    """

    severity: Severity
    code: str
    coordinate: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The change as JSON-ready data."""
        return {
            "severity": self.severity.value,
            "code": self.code,
            "coordinate": self.coordinate,
            "message": self.message,
        }


KIND_WORDS = {
    GraphQLObjectType: "an object type",
    GraphQLInterfaceType: "an interface",
    GraphQLUnionType: "a union",
    GraphQLEnumType: "an enum",
    GraphQLInputObjectType: "an input type",
}


def _kind(named: GraphQLNamedType) -> str:
    return KIND_WORDS.get(type(named), "a scalar")


def _public_types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {n: t for n, t in schema.type_map.items() if not n.startswith("__")}


def diff_schemas(old: GraphQLSchema, new: GraphQLSchema) -> list[SchemaChange]:
    """Every change from ``old`` to ``new``, in the order of the old types."""
    changes: list[SchemaChange] = []
    old_types, new_types = _public_types(old), _public_types(new)
    for name, old_type in old_types.items():
        new_type = new_types.get(name)
        if new_type is None:
            changes.append(_change("BREAKING", "TYPE_REMOVED", name, "was removed"))
        elif type(old_type) is not type(new_type):
            changes.append(
                _change(
                    "BREAKING",
                    "TYPE_KIND_CHANGED",
                    name,
                    f"changed from {_kind(old_type)} to {_kind(new_type)}",
                )
            )
        else:
            changes += _diff_type(old_type, new_type)
    for name in [n for n in new_types if n not in old_types]:
        changes.append(_change("SAFE", "TYPE_ADDED", name, "was added"))
    return changes


WORDS = {
    "TYPE": "Type",
    "UNION": "Type",
    "IMPLEMENTATION": "Type",
    "FIELD": "Field",
    "ARGUMENT": "Argument",
    "INPUT": "Input field",
    "ENUM": "Enum value",
}


def _change(severity: str, code: str, coordinate: str, what: str) -> SchemaChange:
    word = WORDS[code.split("_")[0]]
    return SchemaChange(
        Severity(severity), code, coordinate, f'{word} "{coordinate}" {what}.'
    )


def _diff_type(old: GraphQLNamedType, new: GraphQLNamedType) -> list[SchemaChange]:
    if isinstance(old, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(new, GraphQLObjectType | GraphQLInterfaceType)
        return _diff_fields(old, new) + _diff_interfaces(old, new)
    if isinstance(old, GraphQLInputObjectType):
        assert isinstance(new, GraphQLInputObjectType)
        return _diff_inputs(old.name, old.fields, new.fields, "INPUT_FIELD")
    if isinstance(old, GraphQLEnumType):
        assert isinstance(new, GraphQLEnumType)
        return _diff_enum(old, new)
    if isinstance(old, GraphQLUnionType):
        assert isinstance(new, GraphQLUnionType)
        return _diff_union(old, new)
    return []


def _diff_fields(
    old: GraphQLObjectType | GraphQLInterfaceType,
    new: GraphQLObjectType | GraphQLInterfaceType,
) -> list[SchemaChange]:
    changes = []
    for name, old_field in old.fields.items():
        coordinate = f"{old.name}.{name}"
        new_field = new.fields.get(name)
        if new_field is None:
            hint = _rename_hint(old, new, name)
            changes.append(
                _change("BREAKING", "FIELD_REMOVED", coordinate, f"was removed{hint}")
            )
            continue
        changes += _diff_output_type(coordinate, old_field.type, new_field.type)
        changes += _diff_inputs(
            coordinate, old_field.args, new_field.args, "ARGUMENT", arguments=True
        )
        if new_field.deprecation_reason and not old_field.deprecation_reason:
            reason = new_field.deprecation_reason
            changes.append(
                _change(
                    "SAFE",
                    "FIELD_DEPRECATED",
                    coordinate,
                    f'was deprecated: "{reason}"',
                )
            )
    for name in [n for n in new.fields if n not in old.fields]:
        changes.append(
            _change("SAFE", "FIELD_ADDED", f"{new.name}.{name}", "was added")
        )
    return changes


def _rename_hint(
    old: GraphQLObjectType | GraphQLInterfaceType,
    new: GraphQLObjectType | GraphQLInterfaceType,
    name: str,
) -> str:
    kept = str(old.fields[name].type)
    added = [
        n for n in new.fields if n not in old.fields and str(new.fields[n].type) == kept
    ]
    if len(added) != 1:
        return ""
    return f' (perhaps renamed to "{new.name}.{added[0]}")'


def _diff_output_type(
    coordinate: str, old: GraphQLType, new: GraphQLType
) -> list[SchemaChange]:
    if str(old) == str(new):
        return []
    change = f'changed type from "{old}" to "{new}"'
    if _safe_output(old, new):
        return [_change("SAFE", "FIELD_MADE_NON_NULL", coordinate, change)]
    if _safe_output(new, old):
        return [_change("BREAKING", "FIELD_MADE_NULLABLE", coordinate, change)]
    return [_change("BREAKING", "FIELD_TYPE_CHANGED", coordinate, change)]


def _safe_output(old: GraphQLType, new: GraphQLType) -> bool:
    """True when every value of ``new`` is a value clients of ``old`` accept."""
    if isinstance(new, GraphQLNonNull):
        inner_old = old.of_type if isinstance(old, GraphQLNonNull) else old
        return _safe_output(inner_old, new.of_type)
    if isinstance(old, GraphQLNonNull):
        return False
    if isinstance(old, GraphQLList) and isinstance(new, GraphQLList):
        return _safe_output(old.of_type, new.of_type)
    return str(old) == str(new)


def _safe_input(old: GraphQLType, new: GraphQLType) -> bool:
    """True when every value clients passed to ``old`` is still valid for ``new``."""
    return _safe_output(new, old)


def _default(argument: GraphQLArgument | GraphQLInputField) -> str | None:
    node = argument.ast_node.default_value if argument.ast_node else None
    if node is not None:
        return print_ast(node)
    if argument.default_value is Undefined:
        return None
    value = ast_from_value(argument.default_value, argument.type)
    return print_ast(value) if value is not None else None


def _required(argument: GraphQLArgument | GraphQLInputField) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and _default(argument) is None


def _diff_inputs(
    owner: str,
    old: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
    new: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
    prefix: str,
    arguments: bool = False,
) -> list[SchemaChange]:
    changes = []
    for name, old_value in old.items():
        coordinate = f"{owner}({name}:)" if arguments else f"{owner}.{name}"
        new_value = new.get(name)
        if new_value is None:
            changes.append(
                _change("BREAKING", f"{prefix}_REMOVED", coordinate, "was removed")
            )
            continue
        changes += _diff_input_value(coordinate, old_value, new_value, prefix)
    for name in [n for n in new if n not in old]:
        coordinate = f"{owner}({name}:)" if arguments else f"{owner}.{name}"
        if _required(new[name]):
            changes.append(
                _change(
                    "BREAKING",
                    f"{prefix}_ADDED_REQUIRED",
                    coordinate,
                    "was added as required without a default value",
                )
            )
        else:
            changes.append(_change("SAFE", f"{prefix}_ADDED", coordinate, "was added"))
    return changes


def _diff_input_value(
    coordinate: str,
    old: GraphQLArgument | GraphQLInputField,
    new: GraphQLArgument | GraphQLInputField,
    prefix: str,
) -> list[SchemaChange]:
    changes = []
    if str(old.type) != str(new.type):
        change = f'changed type from "{old.type}" to "{new.type}"'
        if _safe_input(old.type, new.type):
            code, severity = f"{prefix}_MADE_NULLABLE", "SAFE"
        elif _safe_input(new.type, old.type):
            code, severity = f"{prefix}_MADE_NON_NULL", "BREAKING"
        else:
            code, severity = f"{prefix}_TYPE_CHANGED", "BREAKING"
        changes.append(_change(severity, code, coordinate, change))
    old_default, new_default = _default(old), _default(new)
    if old_default != new_default:
        changes.append(
            _change(
                "DANGEROUS",
                f"{prefix}_DEFAULT_CHANGED",
                coordinate,
                f"changed its default value from {old_default or 'none'} to "
                f"{new_default or 'none'}",
            )
        )
    return changes


def _diff_enum(old: GraphQLEnumType, new: GraphQLEnumType) -> list[SchemaChange]:
    changes = [
        _change("BREAKING", "ENUM_VALUE_REMOVED", f"{old.name}.{name}", "was removed")
        for name in old.values
        if name not in new.values
    ]
    changes += [
        _change("DANGEROUS", "ENUM_VALUE_ADDED", f"{new.name}.{name}", "was added")
        for name in new.values
        if name not in old.values
    ]
    return changes


def _diff_union(old: GraphQLUnionType, new: GraphQLUnionType) -> list[SchemaChange]:
    old_members = [t.name for t in old.types]
    new_members = [t.name for t in new.types]
    changes = [
        _change(
            "BREAKING", "UNION_MEMBER_REMOVED", old.name, f'no longer includes "{m}"'
        )
        for m in old_members
        if m not in new_members
    ]
    changes += [
        _change("DANGEROUS", "UNION_MEMBER_ADDED", new.name, f'now includes "{m}"')
        for m in new_members
        if m not in old_members
    ]
    return changes


def _diff_interfaces(
    old: GraphQLObjectType | GraphQLInterfaceType,
    new: GraphQLObjectType | GraphQLInterfaceType,
) -> list[SchemaChange]:
    old_names = [i.name for i in old.interfaces]
    new_names = [i.name for i in new.interfaces]
    changes = [
        _change(
            "BREAKING",
            "IMPLEMENTATION_REMOVED",
            old.name,
            f'no longer implements interface "{name}"',
        )
        for name in old_names
        if name not in new_names
    ]
    changes += [
        _change(
            "DANGEROUS",
            "IMPLEMENTATION_ADDED",
            new.name,
            f'now implements interface "{name}"',
        )
        for name in new_names
        if name not in old_names
    ]
    return changes
