"""Merging the subgraphs' types into the supergraph's types.

The rules follow Apollo Federation 2 composition: object and interface fields are
the union over the subgraphs, with output types merged to the most general one
(nullable wins); arguments and input fields are the intersection, with input
types merged to the most restrictive one (non-null wins); enums are the union of
their values when only returned, the intersection when only accepted as input,
and must agree when both; union members and implemented interfaces are the union.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from schema.errors import CompositionError
from schema.subgraph import (
    KIND_NAMES,
    Argument,
    Auth,
    EnumValue,
    Field,
    Scopes,
    Subgraph,
    TypeDef,
    named_type,
)


@dataclass
class MergedField:
    """A field of the supergraph and its definition in each subgraph."""

    name: str
    type: str
    graphs: dict[str, Field]
    arguments: dict[str, Argument] = field(default_factory=dict)
    description: str | None = None
    deprecated: str | None = None
    inaccessible: bool = False
    auth: Auth = field(default_factory=Auth)
    tags: tuple[str, ...] = ()
    overridden: dict[str, str | None] = field(default_factory=dict)
    """Subgraphs whose definition another subgraph overrides, with the label."""
    via_interface_object: bool = False
    """Added to an implementation by an ``@interfaceObject`` of its interface."""


@dataclass
class MergedType:
    """A type of the supergraph and its definition in each subgraph."""

    name: str
    kind: str
    graphs: dict[str, TypeDef]
    description: str | None = None
    fields: dict[str, MergedField] = field(default_factory=dict)
    inputs: dict[str, Argument] = field(default_factory=dict)
    values: dict[str, tuple[EnumValue, list[str]]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    interfaces: dict[str, list[str]] = field(default_factory=dict)
    inaccessible: bool = False
    auth: Auth = field(default_factory=Auth)
    tags: tuple[str, ...] = ()
    specified_by: str | None = None


def quoted(names: Iterable[str]) -> str:
    """``"a", "b" and "c"``."""
    items = [f'"{name}"' for name in names]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def subgraphs_phrase(names: Sequence[str]) -> str:
    """``subgraph "a"`` or ``subgraphs "a" and "b"``."""
    word = "subgraph" if len(names) == 1 else "subgraphs"
    return f"{word} {quoted(names)}"


def _parse_type(text: str) -> tuple[bool, str | None, str]:
    """(non-null, inner list type or None, named type) of one level of ``text``."""
    non_null = text.endswith("!")
    core = text[:-1] if non_null else text
    if core.startswith("["):
        return non_null, core[1:-1], ""
    return non_null, None, core


def merge_type_refs(a: str, b: str, output: bool) -> str | None:
    """The merged type of two references, or None when they are incompatible.

    Output positions take the more general type (nullable wins), input positions
    the more restrictive one (non-null wins).
    """
    null_a, inner_a, name_a = _parse_type(a)
    null_b, inner_b, name_b = _parse_type(b)
    if inner_a is not None and inner_b is not None:
        inner = merge_type_refs(inner_a, inner_b, output)
        if inner is None:
            return None
        core = f"[{inner}]"
    elif inner_a is None and inner_b is None and name_a == name_b:
        core = name_a
    else:
        return None
    non_null = (null_a and null_b) if output else (null_a or null_b)
    return core + ("!" if non_null else "")


def combine_scopes(a: Scopes | None, b: Scopes | None) -> Scopes | None:
    """Both conditions at once: each is an OR of ANDs, so pair every alternative."""
    if a is None or b is None:
        return a if b is None else b
    combined: list[tuple[str, ...]] = []
    for left in a:
        for right in b:
            both = tuple(dict.fromkeys(left + right))
            if both not in combined:
                combined.append(both)
    return tuple(combined)


def combine_auth(items: Iterable[Auth]) -> Auth:
    """The auth requirements of several definitions, all of them applying."""
    result = Auth()
    for auth in items:
        result = Auth(
            result.authenticated or auth.authenticated,
            combine_scopes(result.scopes, auth.scopes),
            combine_scopes(result.policies, auth.policies),
        )
    return result


def _first(values: Iterable[str | None]) -> str | None:
    return next((value for value in values if value), None)


def _tags(values: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tag for tags in values for tag in tags))


class Merger:
    """Merges the types of several subgraphs, collecting every error."""

    def __init__(self, subgraphs: Sequence[Subgraph]) -> None:
        self.subgraphs = subgraphs
        self.errors: list[CompositionError] = []
        self.types: dict[str, MergedType] = {}

    def merge(self) -> dict[str, MergedType]:
        """The supergraph's types by name, in subgraph order of first appearance."""
        grouped: dict[str, dict[str, TypeDef]] = {}
        for subgraph in self.subgraphs:
            for name, definition in subgraph.types.items():
                grouped.setdefault(name, {})[subgraph.name] = definition
        enums = []
        for name, graphs in grouped.items():
            kind = self._kind(name, graphs)
            if kind is None:
                continue
            merged = self._base(name, kind, graphs)
            self.types[name] = merged
            if kind in ("object", "interface"):
                self._merge_fields(merged)
            elif kind == "input":
                self._merge_inputs(merged)
            elif kind == "enum":
                enums.append(merged)
            elif kind == "union":
                self._merge_members(merged)
        self._spread_interface_objects()
        for merged in enums:
            self._merge_enum(merged)
        return self.types

    def _error(
        self, code: str, message: str, graphs: Iterable[str], *coordinates: str
    ) -> None:
        self.errors.append(
            CompositionError(code, message, tuple(graphs), tuple(coordinates))
        )

    def _kind(self, name: str, graphs: dict[str, TypeDef]) -> str | None:
        kinds: dict[str, list[str]] = {}
        for graph, definition in graphs.items():
            kind = "interface" if definition.interface_object else definition.kind
            kinds.setdefault(kind, []).append(graph)
        if len(kinds) == 1:
            return next(iter(kinds))
        parts = [
            f"{KIND_NAMES[kind]} in {subgraphs_phrase(names)}"
            for kind, names in kinds.items()
        ]
        self._error(
            "TYPE_KIND_MISMATCH",
            f'Type "{name}" is defined as ' + " but as ".join(parts) + ".",
            graphs,
            name,
        )
        return None

    def _base(self, name: str, kind: str, graphs: dict[str, TypeDef]) -> MergedType:
        definitions = list(graphs.values())
        return MergedType(
            name=name,
            kind=kind,
            graphs=graphs,
            description=_first(d.description for d in definitions),
            inaccessible=any(d.inaccessible for d in definitions),
            auth=combine_auth(d.auth for d in definitions),
            tags=_tags(d.tags for d in definitions),
            specified_by=_first(d.specified_by for d in definitions),
        )

    def _merge_fields(self, merged: MergedType) -> None:
        by_name: dict[str, dict[str, Field]] = {}
        for graph, definition in merged.graphs.items():
            for name, item in definition.fields.items():
                by_name.setdefault(name, {})[graph] = item
            for interface in definition.interfaces:
                merged.interfaces.setdefault(interface, []).append(graph)
        for name, graphs in by_name.items():
            result = self._merge_field(merged.name, name, graphs)
            if result is not None:
                merged.fields[name] = result

    def _merge_field(
        self, type_name: str, name: str, graphs: dict[str, Field]
    ) -> MergedField | None:
        coordinate = f"{type_name}.{name}"
        resolving = {g: f for g, f in graphs.items() if not f.external} or graphs
        merged_type = self._merged_type(coordinate, resolving, output=True)
        if merged_type is None:
            return None
        self._check_external_types(coordinate, graphs, merged_type)
        definitions = list(graphs.values())
        return MergedField(
            name=name,
            type=merged_type,
            graphs=graphs,
            arguments=self._merge_arguments(coordinate, resolving),
            description=_first(f.description for f in definitions),
            deprecated=_first(f.deprecated for f in definitions),
            inaccessible=any(f.inaccessible for f in definitions),
            auth=combine_auth(f.auth for f in definitions),
            tags=_tags(f.tags for f in definitions),
            overridden=self._overridden(graphs),
        )

    @staticmethod
    def _overridden(graphs: dict[str, Field]) -> dict[str, str | None]:
        overridden: dict[str, str | None] = {}
        for graph, item in graphs.items():
            source = item.override
            if source is not None and source != graph and source in graphs:
                overridden[source] = item.override_label
        return overridden

    def _merged_type(
        self,
        coordinate: str,
        graphs: Mapping[str, Field | Argument],
        output: bool,
        code: str = "FIELD_TYPE_MISMATCH",
        what: str = "Field",
    ) -> str | None:
        items = list(graphs.items())
        result: str | None = items[0][1].type
        for _, item in items[1:]:
            result = merge_type_refs(result, item.type, output) if result else None
        if result is not None:
            return result
        by_type: dict[str, list[str]] = {}
        for graph, item in items:
            by_type.setdefault(item.type, []).append(graph)
        parts = [f'"{t}" in {subgraphs_phrase(g)}' for t, g in by_type.items()]
        self._error(
            code,
            f'{what} "{coordinate}" has incompatible types across subgraphs: '
            + ", ".join(parts[:-1])
            + f" but {parts[-1]}.",
            graphs,
            coordinate,
        )
        return None

    def _check_external_types(
        self, coordinate: str, graphs: dict[str, Field], merged_type: str
    ) -> None:
        for graph, item in graphs.items():
            if item.external and named_type(item.type) != named_type(merged_type):
                self._error(
                    "EXTERNAL_TYPE_MISMATCH",
                    f'Field "{coordinate}" is declared @external in subgraph '
                    f'"{graph}" with type "{item.type}", which does not match '
                    f'its type "{merged_type}" in the subgraphs that resolve it.',
                    [graph],
                    coordinate,
                )

    def _merge_arguments(
        self, coordinate: str, graphs: dict[str, Field]
    ) -> dict[str, Argument]:
        per_graph = {g: f.arguments for g, f in graphs.items()}
        return self._intersect(
            per_graph,
            lambda arg: f"{coordinate}({arg}:)",
            "Argument",
            "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
            "FIELD_ARGUMENT",
        )

    def _merge_inputs(self, merged: MergedType) -> None:
        per_graph = {g: d.inputs for g, d in merged.graphs.items()}
        merged.inputs = self._intersect(
            per_graph,
            lambda name: f"{merged.name}.{name}",
            "Input field",
            "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
            "INPUT_FIELD",
        )
        if not merged.inputs and all(d.inputs for d in merged.graphs.values()):
            self._error(
                "EMPTY_MERGED_INPUT_TYPE",
                f'Input type "{merged.name}" has no field that all of '
                f"{subgraphs_phrase(list(merged.graphs))} define, so it would be "
                "empty in the supergraph.",
                merged.graphs,
                merged.name,
            )

    def _intersect(
        self,
        per_graph: dict[str, dict[str, Argument]],
        coordinate_of: Callable[[str], str],
        what: str,
        missing_code: str,
        prefix: str,
    ) -> dict[str, Argument]:
        names = list(dict.fromkeys(n for args in per_graph.values() for n in args))
        result: dict[str, Argument] = {}
        for name in names:
            coordinate = coordinate_of(name)
            present = {g: args[name] for g, args in per_graph.items() if name in args}
            if len(present) < len(per_graph):
                self._missing(coordinate, what, missing_code, present, per_graph)
                continue
            merged = self._merge_input_value(coordinate, what, prefix, present)
            if merged is not None:
                result[name] = merged
        return result

    def _missing(
        self,
        coordinate: str,
        what: str,
        code: str,
        present: dict[str, Argument],
        per_graph: dict[str, dict[str, Argument]],
    ) -> None:
        required = [
            g for g, a in present.items() if a.type.endswith("!") and a.default is None
        ]
        if not required:
            return
        absent = [g for g in per_graph if g not in present]
        self._error(
            code,
            f'{what} "{coordinate}" is required in {subgraphs_phrase(required)} '
            f"but missing from {subgraphs_phrase(absent)}; make it optional or "
            "add it to every subgraph.",
            list(present) + absent,
            coordinate,
        )

    def _merge_input_value(
        self, coordinate: str, what: str, prefix: str, present: dict[str, Argument]
    ) -> Argument | None:
        code = "FIELD_TYPE_MISMATCH"
        if prefix == "FIELD_ARGUMENT":
            code = "FIELD_ARGUMENT_TYPE_MISMATCH"
        merged_type = self._merged_type(coordinate, present, False, code, what)
        defaults = {a.default for a in present.values()}
        if len(defaults) > 1:
            parts = [
                f'{a.default or "no default"} in subgraph "{g}"'
                for g, a in present.items()
            ]
            self._error(
                f"{prefix}_DEFAULT_MISMATCH",
                f'{what} "{coordinate}" has different default values across '
                f"subgraphs: {', '.join(parts)}.",
                present,
                coordinate,
            )
            return None
        if merged_type is None:
            return None
        values = list(present.values())
        return Argument(
            name=values[0].name,
            type=merged_type,
            default=values[0].default,
            description=_first(a.description for a in values),
            inaccessible=any(a.inaccessible for a in values),
            deprecated=_first(a.deprecated for a in values),
            tags=_tags(a.tags for a in values),
        )

    def _merge_members(self, merged: MergedType) -> None:
        for graph, definition in merged.graphs.items():
            for member in definition.members:
                merged.members.setdefault(member, []).append(graph)

    def _spread_interface_objects(self) -> None:
        """Fields an ``@interfaceObject`` adds reach every implementation."""
        for interface in self.types.values():
            objects = [g for g, d in interface.graphs.items() if d.interface_object]
            if not objects:
                continue
            for implementation in self.types.values():
                if interface.name not in implementation.interfaces:
                    continue
                for name, item in interface.fields.items():
                    graphs = {g: f for g, f in item.graphs.items() if g in objects}
                    if graphs and name not in implementation.fields:
                        implementation.fields[name] = MergedField(
                            name=name,
                            type=item.type,
                            graphs=graphs,
                            arguments=item.arguments,
                            description=item.description,
                            via_interface_object=True,
                        )

    def _merge_enum(self, merged: MergedType) -> None:
        usage = self._enum_usage(merged.name)
        per_graph = {g: d.values for g, d in merged.graphs.items()}
        names = list(dict.fromkeys(v for values in per_graph.values() for v in values))
        everywhere = [n for n in names if all(n in v for v in per_graph.values())]
        if usage == {"input", "output"} and everywhere != names:
            self._enum_mismatch(merged, per_graph, names)
            return
        keep = everywhere if usage == {"input"} else names
        if not keep:
            self._error(
                "EMPTY_MERGED_ENUM_TYPE",
                f'Enum "{merged.name}" is used as an input and no value is '
                f"defined in all of {subgraphs_phrase(list(per_graph))}.",
                per_graph,
                merged.name,
            )
        for name in keep:
            found = [(g, v[name]) for g, v in per_graph.items() if name in v]
            values = [value for _, value in found]
            merged.values[name] = (
                EnumValue(
                    name=name,
                    description=_first(v.description for v in values),
                    inaccessible=any(v.inaccessible for v in values),
                    deprecated=_first(v.deprecated for v in values),
                    tags=_tags(v.tags for v in values),
                ),
                [g for g, _ in found],
            )

    def _enum_mismatch(
        self,
        merged: MergedType,
        per_graph: dict[str, dict[str, EnumValue]],
        names: list[str],
    ) -> None:
        for name in names:
            absent = [g for g, values in per_graph.items() if name not in values]
            if absent:
                present = [g for g in per_graph if g not in absent]
                self._error(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum "{merged.name}" is used both as an input and as an '
                    f"output, so all subgraphs must define the same values, but "
                    f'"{merged.name}.{name}" is defined in '
                    f"{subgraphs_phrase(present)} and not in "
                    f"{subgraphs_phrase(absent)}.",
                    list(per_graph),
                    f"{merged.name}.{name}",
                )

    def _enum_usage(self, enum: str) -> set[str]:
        usage: set[str] = set()
        for merged in self.types.values():
            for item in merged.fields.values():
                if named_type(item.type) == enum:
                    usage.add("output")
                if any(named_type(a.type) == enum for a in item.arguments.values()):
                    usage.add("input")
            if any(named_type(a.type) == enum for a in merged.inputs.values()):
                usage.add("input")
        return usage
