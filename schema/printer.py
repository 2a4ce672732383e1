"""Printing merged types as a supergraph SDL in the join specification v0.5.

The supergraph links ``link/v1.0`` and ``join/v0.5`` ("Join" specification of
Apollo Federation), and, when used, ``inaccessible/v0.2``, ``tag/v0.3``,
``authenticated/v0.1``, ``requiresScopes/v0.1`` and ``policy/v0.1``. Routers
(Apollo Router, Hive Gateway) read which subgraph resolves what from the
``@join__*`` directives.
"""

import re
from collections.abc import Iterable, Sequence

from graphql.language.block_string import print_block_string
from graphql.language.print_string import print_string

from schema.merge import MergedField, MergedType
from schema.subgraph import Argument, Auth, Scopes, Subgraph
from schema.validate import used_fields

JOIN_DEFINITIONS = """directive @join__directive(graphs: [join__Graph!], \
name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT \
| INTERFACE | FIELD_DEFINITION

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, \
provides: join__FieldSet, type: String, external: Boolean, override: String, \
usedOverridden: Boolean, overrideLabel: String, \
contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION \
| INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable \
on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, \
extension: Boolean! = false, resolvable: Boolean! = true, \
isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION \
| ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable \
on UNION

directive @link(url: String, as: String, for: link__Purpose, \
import: [link__Import]) repeatable on SCHEMA"""

JOIN_TYPES = """input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments

scalar join__FieldSet

scalar join__FieldValue"""

LINK_TYPES = '''scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}'''

FEATURES = {
    "inaccessible": (
        '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)',
        "directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION "
        "| ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT "
        "| INPUT_FIELD_DEFINITION",
    ),
    "tag": (
        '@link(url: "https://specs.apollo.dev/tag/v0.3")',
        "directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT "
        "| INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE "
        "| INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA",
    ),
    "authenticated": (
        '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
        "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE "
        "| SCALAR | ENUM",
    ),
    "requiresScopes": (
        '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
        "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on "
        "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM\n\n"
        "scalar requiresScopes__Scope",
    ),
    "policy": (
        '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)',
        "directive @policy(policies: [[policy__Policy!]!]!) on FIELD_DEFINITION "
        "| OBJECT | INTERFACE | SCALAR | ENUM\n\nscalar policy__Policy",
    ),
}


def graph_enum_names(names: Sequence[str]) -> dict[str, str]:
    """The ``join__Graph`` value of each subgraph name, unique and upper-case."""
    result: dict[str, str] = {}
    for name in names:
        value = re.sub(r"\W", "_", name).upper()
        if value[:1].isdigit():
            value = "_" + value
        candidate, counter = value, 1
        while candidate in result.values():
            counter += 1
            candidate = f"{value}_{counter}"
        result[name] = candidate
    return result


def _scopes(scopes: Scopes) -> str:
    groups = ", ".join(
        "[" + ", ".join(print_string(s) for s in group) + "]" for group in scopes
    )
    return f"[{groups}]"


class SupergraphPrinter:
    """Prints merged types with the join directives of their subgraphs."""

    def __init__(
        self, subgraphs: Sequence[Subgraph], types: dict[str, MergedType]
    ) -> None:
        self.subgraphs = subgraphs
        self.types = types
        self.graphs = graph_enum_names([s.name for s in subgraphs])
        self.used = {s.name: used_fields(s) for s in subgraphs}
        self.features: set[str] = set()

    def print(self) -> str:
        """The whole supergraph SDL."""
        body = [self._type(t) for t in self._ordered()]
        features = [name for name in FEATURES if name in self.features]
        roots = [r for r in ("Query", "Mutation", "Subscription") if r in self.types]
        links = ['@link(url: "https://specs.apollo.dev/link/v1.0")']
        links.append('@link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)')
        links += [FEATURES[name][0] for name in features]
        schema = "schema\n" + "".join(f"  {link}\n" for link in links) + "{\n"
        schema += "".join(f"  {root.lower()}: {root}\n" for root in roots) + "}"
        parts = [schema, JOIN_DEFINITIONS]
        parts += [FEATURES[name][1] for name in features]
        parts += [JOIN_TYPES, self._graph_enum(), LINK_TYPES, *body]
        return "\n\n".join(parts) + "\n"

    def _ordered(self) -> list[MergedType]:
        roots = ("Query", "Mutation", "Subscription")
        first = [self.types[name] for name in roots if name in self.types]
        rest = [self.types[name] for name in sorted(self.types) if name not in roots]
        return first + rest

    def _graph_enum(self) -> str:
        lines = [
            f"  {value} @join__graph(name: {print_string(s.name)}, "
            f"url: {print_string(s.url or '')})"
            for s, value in zip(self.subgraphs, self.graphs.values(), strict=True)
        ]
        return "enum join__Graph {\n" + "\n".join(lines) + "\n}"

    def _description(self, text: str | None, indent: str) -> str:
        if not text:
            return ""
        block = print_block_string(text)
        return "".join(
            f"{indent}{line}\n" if line else "\n" for line in block.split("\n")
        )

    def _common(self, inaccessible: bool, auth: Auth, tags: Iterable[str]) -> list[str]:
        result = []
        if inaccessible:
            self.features.add("inaccessible")
            result.append("@inaccessible")
        for tag in tags:
            self.features.add("tag")
            result.append(f"@tag(name: {print_string(tag)})")
        if auth.authenticated:
            self.features.add("authenticated")
            result.append("@authenticated")
        if auth.scopes is not None:
            self.features.add("requiresScopes")
            result.append(f"@requiresScopes(scopes: {_scopes(auth.scopes)})")
        if auth.policies is not None:
            self.features.add("policy")
            result.append(f"@policy(policies: {_scopes(auth.policies)})")
        return result

    def _type(self, merged: MergedType) -> str:
        keyword = {
            "object": "type",
            "interface": "interface",
            "union": "union",
            "enum": "enum",
            "input": "input",
            "scalar": "scalar",
        }[merged.kind]
        head = self._description(merged.description, "") + f"{keyword} {merged.name}"
        implements = list(merged.interfaces)
        if implements:
            head += " implements " + " & ".join(implements)
        directives = self._type_directives(merged)
        if merged.specified_by:
            directives.insert(
                0, f"@specifiedBy(url: {print_string(merged.specified_by)})"
            )
        head += "".join(f"\n  {d}" for d in directives)
        if merged.kind == "union":
            return head + "\n = " + " | ".join(merged.members)
        if merged.kind == "scalar":
            return head
        body = self._body(merged)
        return head + "\n{\n" + body + "}"

    def _type_directives(self, merged: MergedType) -> list[str]:
        directives = []
        for graph, definition in merged.graphs.items():
            enum = self.graphs[graph]
            flags = ""
            if (
                definition.extension
                and definition.kind == "object"
                and merged.name not in ("Query", "Mutation", "Subscription")
            ):
                flags += ", extension: true"
            if definition.interface_object:
                flags += ", isInterfaceObject: true"
            if not definition.keys:
                directives.append(f"@join__type(graph: {enum}{flags})")
            for key in definition.keys:
                resolvable = "" if key.resolvable else ", resolvable: false"
                directives.append(
                    f"@join__type(graph: {enum}, key: {print_string(key.fields)}"
                    f"{flags}{resolvable})"
                )
        for interface, graphs in merged.interfaces.items():
            directives += [
                f"@join__implements(graph: {self.graphs[g]}, "
                f"interface: {print_string(interface)})"
                for g in graphs
            ]
        for member, graphs in merged.members.items():
            directives += [
                f"@join__unionMember(graph: {self.graphs[g]}, "
                f"member: {print_string(member)})"
                for g in graphs
            ]
        return directives + self._common(merged.inaccessible, merged.auth, merged.tags)

    def _body(self, merged: MergedType) -> str:
        lines = []
        if merged.kind == "enum":
            for value, graphs in merged.values.values():
                parts = [value.name]
                parts += self._common(value.inaccessible, Auth(), value.tags)
                parts += self._deprecated(value.deprecated)
                parts += [f"@join__enumValue(graph: {self.graphs[g]})" for g in graphs]
                lines.append(
                    self._description(value.description, "  ") + "  " + " ".join(parts)
                )
        for argument in merged.inputs.values():
            lines.append(
                self._description(argument.description, "  ")
                + "  "
                + self._input(argument)
            )
        for item in merged.fields.values():
            lines.append(self._field(merged, item))
        return "\n".join(lines) + "\n"

    @staticmethod
    def _deprecated(reason: str | None) -> list[str]:
        if reason is None:
            return []
        if reason == "No longer supported":
            return ["@deprecated"]
        return [f"@deprecated(reason: {print_string(reason)})"]

    def _input(self, argument: Argument) -> str:
        text = f"{argument.name}: {argument.type}"
        if argument.default is not None:
            text += f" = {argument.default}"
        parts = self._common(argument.inaccessible, Auth(), argument.tags)
        parts += self._deprecated(argument.deprecated)
        return " ".join([text, *parts])

    def _field(self, merged: MergedType, item: MergedField) -> str:
        text = self._description(item.description, "  ") + f"  {item.name}"
        if item.arguments:
            arguments = [self._input(a) for a in item.arguments.values()]
            if any(a.description for a in item.arguments.values()):
                text += (
                    "(\n"
                    + "".join(
                        self._description(a.description, "    ") + f"    {line}\n"
                        for a, line in zip(
                            item.arguments.values(), arguments, strict=True
                        )
                    )
                    + "  )"
                )
            else:
                text += "(" + ", ".join(arguments) + ")"
        text += f": {item.type}"
        parts = self._deprecated(item.deprecated)
        parts += self._common(item.inaccessible, item.auth, item.tags)
        parts += self._join_fields(merged, item)
        return " ".join([text, *parts])

    def _join_fields(self, merged: MergedType, item: MergedField) -> list[str]:
        if item.via_interface_object:
            return ["@join__field"]
        differs = any(d.type != item.type for d in item.graphs.values())
        special = (
            differs
            or bool(item.overridden)
            or any(
                d.external or d.requires or d.provides or d.override
                for d in item.graphs.values()
            )
        )
        if set(item.graphs) == set(merged.graphs) and not special:
            return []
        result = []
        for graph, definition in item.graphs.items():
            args = [f"graph: {self.graphs[graph]}"]
            if graph in item.overridden and item.overridden[graph] is None:
                if not self._still_used(graph, merged.name, item.name):
                    continue
                result.append(f"@join__field({args[0]}, usedOverridden: true)")
                continue
            if definition.requires:
                args.append(f"requires: {print_string(definition.requires)}")
            if definition.provides:
                args.append(f"provides: {print_string(definition.provides)}")
            if differs:
                args.append(f"type: {print_string(definition.type)}")
            if definition.external:
                args.append("external: true")
            if definition.override:
                args.append(f"override: {print_string(definition.override)}")
            label = definition.override_label or item.overridden.get(graph)
            if label:
                args.append(f"overrideLabel: {print_string(label)}")
            result.append(f"@join__field({', '.join(args)})")
        return result

    def _still_used(self, graph: str, type_name: str, field: str) -> bool:
        used = self.used[graph]
        return (type_name, field) in used["key"] | used["requires"]
