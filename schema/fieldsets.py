"""Field sets: the selections inside ``@key``, ``@requires`` and ``@provides``.

A field set is a selection set without its outer braces (Apollo Federation 2,
"FieldSet" scalar). It is read against the types of one subgraph.
"""

from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from schema.subgraph import BUILT_IN_SCALARS, Field, Subgraph, named_type


@dataclass(frozen=True)
class Selected:
    """One field that a field set selects, with the type it is selected on."""

    type_name: str
    field: Field
    top_level: bool


@dataclass(frozen=True)
class FieldSetProblem:
    """Why a field set does not fit a subgraph's types.

    ``kind`` is ``syntax`` (not a selection), ``missing`` (a field the subgraph
    does not define, named by ``coordinate``) or ``invalid`` (anything else).
    """

    kind: str
    detail: str
    coordinate: str = ""


@lru_cache(maxsize=4096)
def parse_field_set(text: str) -> SelectionSetNode:
    """The selection set of ``text``; raises GraphQLError when it is not one."""
    document = parse("{" + text + "}", no_location=True)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set


def select(
    subgraph: Subgraph, type_name: str, text: str
) -> tuple[list[Selected], FieldSetProblem | None]:
    """The fields that ``text`` selects on ``type_name`` in ``subgraph``."""
    try:
        selection_set = parse_field_set(text)
    except GraphQLError as exc:
        return [], FieldSetProblem("syntax", exc.message)
    selected: list[Selected] = []
    problem = _walk(subgraph, type_name, selection_set, selected, top_level=True)
    return selected, problem


def _walk(
    subgraph: Subgraph,
    type_name: str,
    selection_set: SelectionSetNode,
    selected: list[Selected],
    top_level: bool,
) -> FieldSetProblem | None:
    definition = subgraph.types.get(type_name)
    for selection in selection_set.selections:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = condition.name.value if condition else type_name
            problem = _walk(
                subgraph, target, selection.selection_set, selected, top_level
            )
        elif isinstance(selection, FieldNode):
            problem = _field(subgraph, type_name, definition, selection, selected)
            if problem is None:
                selected[-1] = Selected(type_name, selected[-1].field, top_level)
                if selection.selection_set is not None:
                    target = named_type(selected[-1].field.type)
                    problem = _walk(
                        subgraph, target, selection.selection_set, selected, False
                    )
        else:
            problem = FieldSetProblem("invalid", "it uses a named fragment")
        if problem is not None:
            return problem
    return None


def _field(
    subgraph: Subgraph,
    type_name: str,
    definition: object,
    node: FieldNode,
    selected: list[Selected],
) -> FieldSetProblem | None:
    name = node.name.value
    coordinate = f"{type_name}.{name}"
    fields = getattr(definition, "fields", {})
    if name == "__typename":
        return FieldSetProblem("invalid", "it selects __typename")
    if name not in fields:
        return FieldSetProblem("missing", "", coordinate)
    field = fields[name]
    if node.arguments:
        return FieldSetProblem("invalid", f'it passes arguments to "{coordinate}"')
    target = subgraph.types.get(named_type(field.type))
    is_leaf = target is None or target.kind in ("scalar", "enum")
    if named_type(field.type) in BUILT_IN_SCALARS:
        is_leaf = True
    if is_leaf and node.selection_set is not None:
        return FieldSetProblem(
            "invalid", f'it selects subfields of leaf "{coordinate}"'
        )
    if not is_leaf and node.selection_set is None:
        return FieldSetProblem(
            "invalid", f'it selects "{coordinate}" without choosing its subfields'
        )
    selected.append(Selected(type_name, field, False))
    return None
