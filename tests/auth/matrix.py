"""Support for the access matrix: the citizen graph, its operations, its cells.

:class:`CitizenWorld` is the composed citizen graph (as the gateway's
:class:`~gateway.composition.CitizenGraph` builds it) over one seeded population.
:func:`person_selection` selects every field of ``Person`` that the public schema
has, recursively, optionally under an alias prefix; :func:`observe_me` and
:func:`observe_lookup` read one response into columns of cells. A cell is one
field of one target as one viewer sees it:

    +   allowed, with a value (an empty list is a value)
    o   allowed, and there is nothing to show (null without an error)
    -   denied: null with exactly one FORBIDDEN error at its path (or at the path
        of the denied health record it sits in)
    .   the field is not part of the target's type
    x   the whole lookup is NOT_FOUND (a column rather than a cell)

Anything else is a defect that the matrix prints as ``!`` and the codes it saw.
"""

import hashlib
import random
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    parse,
    validate,
)

from auth.viewer import AssuranceLevel, Viewer
from gateway.seams import Executor
from subgraphs.citizens import EX_ID, NON_CUSTODIAL_CHILD_ID
from subgraphs.cpr.relations import load_relations
from subgraphs.kit import Database
from subgraphs.population import TODAY, citizens_of, generate, persona

CELL_TYPES = ("Person", "Spouse", "Child", "HealthRecord")
"""Types whose fields are cells of the matrix; other types are selected whole."""

CONTAINERS = frozenset({"spouse", "children", "properties", "healthRecord"})
"""Cells whose nested objects are cells (or columns) of their own."""

Cells = dict[str, str]
Column = Cells | str
"""A column's cells, or ``"x"`` when the whole lookup is NOT_FOUND."""

PERSONA_CODES = {
    "pa": "parent",
    "sp": "spouse",
    "tn": "teen",
    "yc": "young-child",
    "pe": "pensioner",
    "st": "student",
    "pr": "protected",
    "nc": "non-custodial-parent",
    "nm": "no-mod11",
    "em": "emigrated",
    "de": "deceased",
    "at": "attorney",
}
"""Short codes of the personas, as the matrix's columns name them."""


def person_codes(extra: Mapping[str, str]) -> dict[str, str]:
    """Person id by short code: the personas, the divorced family, ``extra``."""
    codes = {code: persona(name).person_id for code, name in PERSONA_CODES.items()}
    codes["al"] = NON_CUSTODIAL_CHILD_ID
    codes["ex"] = EX_ID
    codes.update(extra)
    return codes


def protected_family(citizens: int, seed: int) -> tuple[str, str]:
    """A custody holder and their child under 15 with name and address protection.

    The first such child of the population ``(citizens, seed)``; the holder is
    one without a protection of their own when the child has one.

    Raises:
        LookupError: the population holds no such family.
    """
    people = {c.person_id: c for c in citizens_of(generate(citizens, seed))}
    for child in people.values():
        holders = [people[h] for h in child.custody_holder_ids if h in people]
        if (
            "name_address" in child.protections
            and child.age_on(TODAY) < 15
            and child.address is not None
            and holders
        ):
            holders.sort(key=lambda h: "name_address" in h.protections)
            return holders[0].person_id, child.person_id
    raise LookupError(f"No protected child in the population ({citizens}, {seed}).")


def unknown_id(seed: int) -> str:
    """A well-formed person id that nobody in the population has."""
    return str(uuid.UUID(int=random.Random(seed).getrandbits(128), version=4))


# --- operations ---------------------------------------------------------------------


def _fields(schema: GraphQLSchema, type_name: str) -> dict[str, Any]:
    named = schema.get_type(type_name)
    assert isinstance(named, GraphQLObjectType), type_name
    return dict(named.fields)


def cell_names(schema: GraphQLSchema, type_name: str) -> list[str]:
    """The cells of ``type_name``: its fields, and the health record's fields."""
    names = []
    for name, definition in _fields(schema, type_name).items():
        names.append(name)
        if get_named_type(definition.type).name == "HealthRecord":
            names += [f"{name}.{sub}" for sub in _fields(schema, "HealthRecord")]
    return names


OWNER_DEPTH = 1
"""How many times a person is selected in full below ``me``: the owners of the
viewer's homes are people the viewer reaches too; below them, only the key."""


def _select(
    schema: GraphQLSchema,
    named: GraphQLNamedType,
    prefix: str,
    depth: int,
    me: bool,
) -> str:
    if not isinstance(named, GraphQLObjectType):
        return ""
    if named.name == "Person":
        if depth > (OWNER_DEPTH if me else 0):
            return "{ personId }"
        depth += 1
    if named.name in ("Spouse", "Child") and not (me and depth == 1):
        return "{ personId }"
    cells = named.name in CELL_TYPES
    parts = []
    for name, definition in named.fields.items():
        inner = get_named_type(definition.type)
        alias = f"{prefix}{name}: " if cells and prefix else ""
        sub = _select(schema, inner, prefix, depth, me)
        parts.append(f"{alias}{name} {sub}".rstrip())
    return "{ " + " ".join(parts) + " }"


def person_selection(schema: GraphQLSchema, prefix: str = "", me: bool = False) -> str:
    """Every field of ``Person`` and below; cell fields aliased ``prefix + name``.

    With ``me``, the spouse, the children and the owners of the viewer's homes
    are selected in full too (each is a column of its own); otherwise, and below
    them, other people are selected by key only.
    """
    person = schema.get_type("Person")
    assert person is not None
    return _select(schema, person, prefix, 0, me)


def me_operation(schema: GraphQLSchema) -> str:
    """``me`` with every field."""
    return f"query Me {{ me {person_selection(schema, me=True)} }}"


def lookup_operation(schema: GraphQLSchema) -> str:
    """``person(personId: $id)`` with every field."""
    return (
        f"query Lookup($id: ID!) {{ person(personId: $id) {person_selection(schema)} }}"
    )


ALIAS_PREFIXES = ("p_", "n_", "i_")
"""The aliased copies: plain, inside a named fragment, inside an inline fragment."""


def aliased_operation(schema: GraphQLSchema, root: str) -> str:
    """``root`` (``me`` or a lookup) selecting every field three more times.

    Once unaliased, once with the prefix ``p_`` on every cell field, once with
    ``n_`` inside a named fragment and once with ``i_`` inside an inline fragment.
    """
    me = root == "me"
    plain = person_selection(schema, me=me)[1:-1]
    aliased = person_selection(schema, "p_", me)[1:-1]
    named = person_selection(schema, "n_", me)
    inline = person_selection(schema, "i_", me)
    head = "query Aliased" + (" { me" if me else "($id: ID!) { person(personId: $id)")
    return (
        f"{head} {{ {plain} {aliased} ...Everything ... on Person {inline} }} }}"
        f" fragment Everything on Person {named}"
    )


@dataclass
class CitizenWorld:
    """The composed citizen graph over a seeded population, and how to ask it."""

    executor: Executor
    cpr: Database
    codes: dict[str, str]
    unknown: str
    documents: dict[str, DocumentNode] = field(default_factory=dict)

    @property
    def schema(self) -> GraphQLSchema:
        """The public schema of the citizen graph."""
        return self.executor.api_schema

    async def viewer(
        self, code: str, assurance: AssuranceLevel, acting_for: str | None = None
    ) -> Viewer:
        """The person ``code`` signed in as the gateway builds them, acting for
        the person ``acting_for`` (a code) if given."""
        person_id = self.codes[code]
        return Viewer(
            subject=f"matrix-{code}",
            person_id=person_id,
            assurance=assurance,
            acting_for=self.codes[acting_for] if acting_for else None,
            relations=await load_relations(self.cpr, person_id, today=TODAY),
            today=TODAY,
        )

    async def run(
        self, viewer: Viewer, query: str, variables: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The response to ``query`` as the client receives it."""
        document = self.documents.get(query)
        if document is None:
            document = parse(query)
            problems = validate(self.schema, document)
            assert not problems, problems
            self.documents[query] = document
        digest = hashlib.sha256(query.encode()).hexdigest()
        response = await self.executor.execute(
            document,
            operation_name=None,
            variables=variables,
            viewer=viewer,
            document_hash=digest,
        )
        body: dict[str, Any] = {"data": response.data}
        if response.errors:
            body["errors"] = response.errors
        return body


# --- reading a response into cells --------------------------------------------------


@dataclass
class Reading:
    """The columns read from responses, and the errors no cell accounts for.

    ``copies`` holds the columns once per alias prefix (``""`` for the fields
    without an alias); :attr:`columns` is that unaliased copy.
    """

    copies: dict[str, dict[str, Column]] = field(default_factory=dict)
    stray: list[dict[str, Any]] = field(default_factory=list)

    @property
    def columns(self) -> dict[str, Column]:
        """The columns of the fields without an alias."""
        return self.copies.get("", {})


def _at(data: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
    return data


class _Errors:
    """A response's errors by path, and which of them a cell has claimed."""

    def __init__(self, errors: Iterable[Mapping[str, Any]]) -> None:
        self.all = list(errors)
        self.claimed: set[int] = set()

    def at(self, path: tuple[str | int, ...]) -> list[int]:
        return [i for i, e in enumerate(self.all) if tuple(e.get("path") or ()) == path]

    def under(self, path: tuple[str | int, ...]) -> list[int]:
        size = len(path)
        return [
            i
            for i, e in enumerate(self.all)
            if tuple(e.get("path") or ())[:size] == path
        ]

    def code(self, index: int) -> str:
        return str((self.all[index].get("extensions") or {}).get("code"))

    def stray(self) -> list[dict[str, Any]]:
        return [dict(e) for i, e in enumerate(self.all) if i not in self.claimed]


def _cell(
    data: Any, errors: _Errors, path: tuple[str | int, ...], container: bool
) -> str:
    value = _at(data, path)
    here = errors.at(path)
    if value is None:
        if not here:
            return "o"
        if len(here) == 1 and errors.code(here[0]) == "FORBIDDEN":
            errors.claimed.add(here[0])
            return "-"
        return "!" + ",".join(errors.code(i) for i in here)
    if here or (not container and errors.under(path)):
        return "!" + ",".join(errors.code(i) for i in errors.under(path))
    return "+"


def column(
    data: Any,
    errors: _Errors,
    base: tuple[str | int, ...],
    names: Sequence[str],
    applicable: Iterable[str],
    key: Callable[[str], str],
) -> Cells:
    """The cells ``names`` of the object at ``base``; ``.`` where not applicable."""
    present = set(applicable)
    cells: Cells = {}
    for name in names:
        if name not in present:
            cells[name] = "."
            continue
        head, _, sub = name.partition(".")
        path = (*base, key(head))
        if sub:
            outer = cells[head]
            if outer in ("-", "o") or outer.startswith("!"):
                cells[name] = outer
                continue
            path = (*path, key(sub))
        cells[name] = _cell(
            data, errors, path, container=not sub and head in CONTAINERS
        )
    return cells


def observe_me(
    response: Mapping[str, Any],
    names: Sequence[str],
    schema: GraphQLSchema,
    codes: Mapping[str, str],
    prefixes: Sequence[str] = ("",),
) -> Reading:
    """Columns ``me``, ``me.spouse``, ``me.<child>`` and ``me.home.<owner>`` (an
    owner of one of the viewer's homes) of a ``me`` response.

    One copy of the columns per alias prefix in ``prefixes``.
    """
    errors = _Errors(response.get("errors") or [])
    data = response.get("data")
    by_id = {person_id: code for code, person_id in codes.items()}
    reading = Reading()
    for prefix in prefixes:

        def key(name: str, prefix: str = prefix) -> str:
            return f"{prefix}{name}"

        columns: dict[str, Column] = {}
        base: tuple[str | int, ...] = ("me",)
        person = cell_names(schema, "Person")
        columns["me"] = column(data, errors, base, names, person, key)
        spouse = (*base, key("spouse"))
        if _at(data, spouse) is not None:
            applicable = cell_names(schema, "Spouse")
            columns["me.spouse"] = column(data, errors, spouse, names, applicable, key)
        for index, child in enumerate(_at(data, (*base, key("children"))) or []):
            code = by_id.get(str(child.get(key("personId"))), "?")
            path = (*base, key("children"), index)
            applicable = cell_names(schema, "Child")
            columns[f"me.{code}"] = column(data, errors, path, names, applicable, key)
        for path in _owner_paths(data, (*base, key("properties"))):
            code = by_id.get(str(_at(data, (*path, key("personId")))), "?")
            found = column(data, errors, path, names, person, key)
            name = f"me.home.{code}"
            if columns.setdefault(name, found) != found:
                columns[name] = "!differs between the places the owner is shown"
        reading.copies[prefix] = columns
    reading.stray = errors.stray()
    return reading


def _owner_paths(
    data: Any, properties: tuple[str | int, ...]
) -> list[tuple[str | int, ...]]:
    """Where the owners of the viewer's homes stand in the response."""
    paths: list[tuple[str | int, ...]] = []
    for index, home in enumerate(_at(data, properties) or []):
        if _at(home, ("ownershipShare", "person")) is not None:
            paths.append((*properties, index, "ownershipShare", "person"))
        for owner, share in enumerate(home.get("owners") or []):
            if _at(share, ("person",)) is not None:
                paths.append((*properties, index, "owners", owner, "person"))
    return paths


def observe_lookup(
    response: Mapping[str, Any],
    names: Sequence[str],
    schema: GraphQLSchema,
    code: str,
    prefixes: Sequence[str] = ("",),
) -> Reading:
    """Column ``@<code>`` of a ``person(personId)`` response, once per prefix."""
    errors = _Errors(response.get("errors") or [])
    data = response.get("data")
    reading = Reading()
    name = f"@{code}"
    if _at(data, ("person",)) is None:
        found = errors.at(("person",))
        if len(found) == 1 and errors.code(found[0]) == "NOT_FOUND":
            errors.claimed.add(found[0])
            whole: Column = "x"
        else:
            whole = "!" + ",".join(map(errors.code, found))
        reading.copies = {prefix: {name: whole} for prefix in prefixes}
        reading.stray = errors.stray()
        return reading
    person = cell_names(schema, "Person")
    for prefix in prefixes:

        def key(field: str, prefix: str = prefix) -> str:
            return f"{prefix}{field}"

        cells = column(data, errors, ("person",), names, person, key)
        reading.copies[prefix] = {name: cells}
    reading.stray = errors.stray()
    return reading


def merge(readings: Iterable[Reading]) -> Reading:
    """The readings of one viewer's operations as one."""
    merged = Reading()
    for reading in readings:
        for prefix, columns in reading.copies.items():
            merged.copies.setdefault(prefix, {}).update(columns)
        merged.stray += reading.stray
    return merged


# --- the expected table -------------------------------------------------------------


def grid(text: str) -> dict[str, Cells]:
    """A table of cells: a header of column names, then one row per cell name.

    The first word of the header (``field``) names the row labels.
    """
    lines = [line.split() for line in text.strip().splitlines() if line.strip()]
    header, rows = lines[0][1:], lines[1:]
    columns: dict[str, Cells] = {name: {} for name in header}
    for row in rows:
        label, values = row[0], row[1:]
        assert len(values) == len(header), f"The row {label} has {len(values)} cells."
        for name, value in zip(header, values, strict=True):
            columns[name][label] = value
    return columns


def differences(
    expected: Mapping[str, Column], observed: Mapping[str, Column]
) -> list[tuple[str, str, str, str]]:
    """``(column, cell, expected, observed)`` for every cell that differs."""
    found = []
    for name in sorted(set(expected) | set(observed)):
        want, got = expected.get(name, "missing"), observed.get(name, "missing")
        if isinstance(want, str) or isinstance(got, str):
            if want != got:
                found.append((name, "*", str(want)[:40], str(got)[:40]))
            continue
        for cell in sorted(set(want) | set(got)):
            if want.get(cell) != got.get(cell):
                found.append((name, cell, str(want.get(cell)), str(got.get(cell))))
    return found
