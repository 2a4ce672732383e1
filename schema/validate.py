"""Checks of one subgraph on its own: its ``@key``, ``@requires``, ``@provides``,
``@external`` and ``@override`` (Apollo Federation 2 directive rules).
"""

from collections.abc import Iterator

from schema.errors import CompositionError
from schema.fieldsets import FieldSetProblem, Selected, select
from schema.subgraph import Field, Subgraph, TypeDef, named_type


def validate_subgraph(subgraph: Subgraph) -> list[CompositionError]:
    """Every error of ``subgraph``'s federation directives."""
    errors: list[CompositionError] = []
    for definition in subgraph.types.values():
        errors += _check_keys(subgraph, definition)
        errors += _check_interface_keys(subgraph, definition)
        for field in definition.fields.values():
            errors += _check_field(subgraph, definition, field)
    errors += _check_external_use(subgraph)
    return errors


def settle_external_keys(subgraph: Subgraph) -> None:
    """Treat ``@external`` key fields as the subgraph's own.

    A federation 1 style extension marks its key fields ``@external``; in
    federation 2 every subgraph resolves the key fields of its entities, so
    that mark says nothing and composition ignores it.
    """
    for definition in subgraph.types.values():
        for name in key_field_names(subgraph, definition):
            definition.fields[name].external = False


def _fields_of(subgraph: Subgraph) -> Iterator[tuple[TypeDef, Field]]:
    for definition in subgraph.types.values():
        for field in definition.fields.values():
            yield definition, field


def used_fields(subgraph: Subgraph) -> dict[str, set[tuple[str, str]]]:
    """The fields each directive kind selects: ``key``, ``requires``, ``provides``.

    Each entry is a set of (type name, field name) pairs.
    """
    used: dict[str, set[tuple[str, str]]] = {"key": set(), "requires": set()}
    used["provides"] = set()
    for definition in subgraph.types.values():
        for key in definition.keys:
            selected, _ = select(subgraph, definition.name, key.fields)
            used["key"] |= {(s.type_name, s.field.name) for s in selected}
    for definition, field in _fields_of(subgraph):
        if field.requires is not None:
            selected, _ = select(subgraph, definition.name, field.requires)
            used["requires"] |= {(s.type_name, s.field.name) for s in selected}
        if field.provides is not None:
            target = named_type(field.type)
            selected, _ = select(subgraph, target, field.provides)
            used["provides"] |= {(s.type_name, s.field.name) for s in selected}
    return used


def key_field_names(subgraph: Subgraph, definition: TypeDef) -> set[str]:
    """The top-level field names of every ``@key`` of ``definition``."""
    names: set[str] = set()
    for key in definition.keys:
        selected, _ = select(subgraph, definition.name, key.fields)
        names |= {item.field.name for item in selected if item.top_level}
    return names


def _problem_error(
    code: str, where: str, subgraph: Subgraph, problem: FieldSetProblem, hint: str
) -> CompositionError:
    if problem.kind == "missing":
        message = (
            f'{where} in subgraph "{subgraph.name}" selects "{problem.coordinate}", '
            f'which subgraph "{subgraph.name}" does not define{hint}.'
        )
        return CompositionError(
            f"{code}_FIELDS_MISSING", message, (subgraph.name,), (problem.coordinate,)
        )
    message = (
        f'{where} in subgraph "{subgraph.name}" is not a valid field set: '
        f"{problem.detail.rstrip('.')}."
    )
    return CompositionError(f"{code}_INVALID_FIELDS", message, (subgraph.name,))


def _check_keys(subgraph: Subgraph, definition: TypeDef) -> list[CompositionError]:
    errors = []
    for key in definition.keys:
        where = f'The @key(fields: "{key.fields}") of "{definition.name}"'
        selected, problem = select(subgraph, definition.name, key.fields)
        if problem is not None:
            errors.append(_problem_error("KEY", where, subgraph, problem, ""))
            continue
        for item in selected:
            target = subgraph.types.get(named_type(item.field.type))
            if target is not None and target.kind in ("interface", "union"):
                errors.append(
                    CompositionError(
                        "KEY_INVALID_FIELDS",
                        f'{where} in subgraph "{subgraph.name}" selects '
                        f'"{item.type_name}.{item.field.name}" of abstract type '
                        f'"{target.name}", which a key may not use.',
                        (subgraph.name,),
                        (f"{item.type_name}.{item.field.name}",),
                    )
                )
    return errors


def _check_interface_keys(
    subgraph: Subgraph, definition: TypeDef
) -> list[CompositionError]:
    """Each ``@key`` of an interface is a key of every implementation too."""
    if definition.kind != "interface" or not definition.keys:
        return []
    errors = []
    for implementation in subgraph.types.values():
        if definition.name not in implementation.interfaces:
            continue
        own = {" ".join(k.fields.split()) for k in implementation.keys}
        for key in definition.keys:
            if " ".join(key.fields.split()) not in own:
                errors.append(
                    CompositionError(
                        "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
                        f'The @key(fields: "{key.fields}") of interface '
                        f'"{definition.name}" in subgraph "{subgraph.name}" is '
                        f'missing on its implementation "{implementation.name}"; '
                        "every implementation needs the interface's keys.",
                        (subgraph.name,),
                        (definition.name, implementation.name),
                    )
                )
    return errors


def _check_field(
    subgraph: Subgraph, definition: TypeDef, field: Field
) -> list[CompositionError]:
    coordinate = f"{definition.name}.{field.name}"
    errors = []
    if field.requires is not None:
        where = f'The @requires(fields: "{field.requires}") on "{coordinate}"'
        hint = "; declare it there with @external"
        selected, problem = select(subgraph, definition.name, field.requires)
        if problem is not None:
            errors.append(_problem_error("REQUIRES", where, subgraph, problem, hint))
        errors += _not_external("REQUIRES", where, subgraph, selected)
    if field.provides is not None:
        errors += _check_provides(subgraph, coordinate, field)
    if field.override is not None:
        errors += _check_override(subgraph, coordinate, field)
    return errors


def _check_provides(
    subgraph: Subgraph, coordinate: str, field: Field
) -> list[CompositionError]:
    where = f'The @provides(fields: "{field.provides}") on "{coordinate}"'
    target = subgraph.types.get(named_type(field.type))
    if target is None or target.kind not in ("object", "interface"):
        return [
            CompositionError(
                "PROVIDES_ON_NON_OBJECT_FIELD",
                f'{where} in subgraph "{subgraph.name}" is on a field of type '
                f'"{field.type}", but only fields that return object types can '
                "provide fields.",
                (subgraph.name,),
                (coordinate,),
            )
        ]
    hint = "; declare it there with @external"
    selected, problem = select(subgraph, target.name, field.provides or "")
    if problem is not None:
        return [_problem_error("PROVIDES", where, subgraph, problem, hint)]
    return _not_external("PROVIDES", where, subgraph, selected)


def _not_external(
    code: str, where: str, subgraph: Subgraph, selected: list[Selected]
) -> list[CompositionError]:
    errors = []
    for item in selected:
        if item.top_level and not item.field.external:
            target = f"{item.type_name}.{item.field.name}"
            errors.append(
                CompositionError(
                    f"{code}_FIELDS_MISSING_EXTERNAL",
                    f'{where} in subgraph "{subgraph.name}" selects "{target}", '
                    f'which is not marked @external in subgraph "{subgraph.name}".',
                    (subgraph.name,),
                    (target,),
                )
            )
    return errors


def _check_override(
    subgraph: Subgraph, coordinate: str, field: Field
) -> list[CompositionError]:
    if field.override == subgraph.name:
        return [
            CompositionError(
                "OVERRIDE_FROM_SELF_ERROR",
                f'Field "{coordinate}" in subgraph "{subgraph.name}" overrides '
                "itself; @override(from:) must name another subgraph.",
                (subgraph.name,),
                (coordinate,),
            )
        ]
    if field.external:
        return [
            CompositionError(
                "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                f'Field "{coordinate}" in subgraph "{subgraph.name}" is both '
                "@external and @override; a subgraph can only take over a field "
                "it resolves.",
                (subgraph.name,),
                (coordinate,),
            )
        ]
    return []


def _check_external_use(subgraph: Subgraph) -> list[CompositionError]:
    used = set().union(*used_fields(subgraph).values())
    errors = []
    for definition, field in _fields_of(subgraph):
        if not field.external or (definition.name, field.name) in used:
            continue
        if _interface_needs(subgraph, definition, field.name):
            continue
        coordinate = f"{definition.name}.{field.name}"
        errors.append(
            CompositionError(
                "EXTERNAL_UNUSED",
                f'Field "{coordinate}" is marked @external in subgraph '
                f'"{subgraph.name}" but no @key, @requires or @provides of that '
                "subgraph uses it; remove the field or use it.",
                (subgraph.name,),
                (coordinate,),
            )
        )
    return errors


def _interface_needs(subgraph: Subgraph, definition: TypeDef, name: str) -> bool:
    for interface in definition.interfaces:
        other = subgraph.types.get(interface)
        if other is not None and name in other.fields:
            return True
    return False
