"""The early refusal: the gateway reads ``@policy`` and saves fetches it can refuse.

Each authority enforces the rules of its fields inside its subgraph
(:mod:`auth.policy`) and prints them in its SDL as ``@policy``; composition carries
them into the supergraph. :class:`PolicyGate` reads them back, per schema
coordinate, in the meaning of the Federation policy spec (``policy/v0.1``): the
outer list of ``policies`` is OR, each inner list is AND of policy names.

The gate decides each name through a registry of atoms (:class:`Atom`), in three
values: allowed, denied or unknown. A name it does not know is unknown, and so is
an atom that needs the person the data is about (``self``, ``spouse``...) when
the gateway cannot tell who that is, or one that needs data the gateway does not
hold (the civil register's ``no-address-protection``: it is not in the registry
at all). An atom is evaluated with the authority's own :class:`~auth.policy.Rule`
on a stand-in subject that names only its owner. A policy is refused only when it
is definitely denied: every clause holds an atom that is definitely denied. The
subgraph stays the enforcer; the gate never allows anything, it only spares a
fetch whose answer is already known.

Where the gate can tell the person: on an entity type whose key names them
(:attr:`PolicyGate.owners`, ``Person`` by ``personId`` in the citizen graph), the
key value in the representation is the owner, as the subgraph's ``owner_id`` is.
Atoms that need no person (``assurance-substantial``, ``nobody``) are decided for
any type and for root fields.

A fetch is spared only where the subgraph's answer is certain: a field resolved by
exactly one subgraph (a shared field's policy is the AND of several), and an entity
of a subgraph that resolves any key. Subgraphs that refuse references themselves
(``NOT_FOUND`` for a person the viewer may not look up) are named in
:attr:`PolicyGate.checked_references` and never spared.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auth.policy import (
    CUSTODY_UNDER_15,
    NOBODY,
    PARENT,
    SELF,
    SPOUSE,
    SUBSTANTIAL,
    Rule,
    forbidden_message,
)
from auth.viewer import Viewer
from schema.policies import read_policies
from schema.supergraph import Supergraph

Decision = bool | None
"""True allowed, False denied, None unknown."""


@dataclass(frozen=True)
class Atom:
    """An atomic rule the gateway can decide.

    Attributes:
        rule: the rule, evaluated exactly as the subgraph evaluates it.
        needs_owner: the rule reads the person the data is about (and nothing
            else of the subject); without an owner it is unknown.
    """

    rule: Rule
    needs_owner: bool

    def decide(self, viewer: Viewer, owner: str | None) -> Decision:
        """The rule's answer for ``viewer`` on data of ``owner`` (None: unknown)."""
        if self.needs_owner and owner is None:
            return None
        return self.rule.allows(viewer, _Owned(owner or ""))


def owner_atom(rule: Rule) -> Atom:
    """An atom that reads only the owner of the subject (and the viewer)."""
    return Atom(rule, needs_owner=True)


def viewer_atom(rule: Rule) -> Atom:
    """An atom that reads only the viewer."""
    return Atom(rule, needs_owner=False)


ATOMS: Mapping[str, Atom] = {
    SELF.name: owner_atom(SELF),
    SPOUSE.name: owner_atom(SPOUSE),
    PARENT.name: owner_atom(PARENT),
    CUSTODY_UNDER_15.name: owner_atom(CUSTODY_UNDER_15),
    SUBSTANTIAL.name: viewer_atom(SUBSTANTIAL),
    NOBODY.name: viewer_atom(NOBODY),
}
"""The atoms of :mod:`auth.policy`; authorities add their own."""


class _Owned:
    """A stand-in subject that names its owner and holds nothing else."""

    __slots__ = ("owner_id",)

    def __init__(self, owner_id: str) -> None:
        self.owner_id = owner_id


Clause = tuple[Atom | None, ...]
"""The atoms of one inner list; None for a name the registry does not know."""


@dataclass(frozen=True)
class CompiledPolicy:
    """One ``@policy`` with its names resolved through the registry."""

    clauses: tuple[Clause, ...]

    def decide(self, viewer: Viewer, owner: str | None) -> Decision:
        """Allowed when a clause allows, denied when every clause denies."""
        result: Decision = False
        for clause in self.clauses:
            verdict = _clause(clause, viewer, owner)
            if verdict:
                return True
            if verdict is None:
                result = None
        return result

    def can_deny(self, owner_known: bool) -> bool:
        """False when no viewer can make this policy definitely denied."""
        return all(
            any(a is not None and (owner_known or not a.needs_owner) for a in clause)
            for clause in self.clauses
        )


def _clause(clause: Clause, viewer: Viewer, owner: str | None) -> Decision:
    result: Decision = True
    for atom in clause:
        verdict = None if atom is None else atom.decide(viewer, owner)
        if verdict is False:
            return False
        if verdict is None:
            result = None
    return result


@dataclass(frozen=True)
class FieldsGate:
    """Decides, per representation, whether every one of some fields is denied.

    Attributes:
        policies: the distinct policies of the fields.
        owner_key: the representation field that names the owner, if any.
        errors: per field, the error the subgraph gives when it denies it.
    """

    policies: tuple[CompiledPolicy, ...]
    owner_key: str | None
    errors: tuple[dict[str, Any], ...]

    def denies(self, viewer: Viewer, representation: Mapping[str, Any] | None) -> bool:
        """True when ``viewer`` is definitely denied every field (None: root)."""
        owner = None
        if self.owner_key is not None and representation is not None:
            value = representation.get(self.owner_key)
            owner = value if isinstance(value, str) else None
        return all(p.decide(viewer, owner) is False for p in self.policies)


class PolicyGate:
    """The supergraph's ``@policy`` per coordinate, decided at the gateway.

    Args:
        supergraph: the loaded supergraph.
        atoms: policy name -> :class:`Atom`; names missing here are unknown.
        owners: entity type -> the key field whose value names the person the
            type's data is about.
        checked_references: subgraphs whose reference resolvers may refuse an
            entity themselves; their entity fetches are never spared.
    """

    def __init__(
        self,
        supergraph: Supergraph,
        atoms: Mapping[str, Atom],
        *,
        owners: Mapping[str, str] | None = None,
        checked_references: Collection[str] = (),
    ) -> None:
        self.supergraph = supergraph
        self.atoms = dict(atoms)
        self.owners = dict(owners or {})
        self.checked_references = frozenset(checked_references)
        self.policies = read_policies(supergraph.document)

    def compile(self, policies: Sequence[Sequence[str]]) -> CompiledPolicy:
        """A policy's names resolved through the registry."""
        return CompiledPolicy(
            tuple(tuple(self.atoms.get(name) for name in c) for c in policies)
        )

    def fields(
        self, graph: str, type_name: str, field_names: Sequence[str], *, entity: bool
    ) -> FieldsGate | None:
        """A gate over fields that one fetch to ``graph`` adds on ``type_name``.

        None when the gate can never deny all of them: a field without a policy,
        one that ``graph`` does not resolve alone, a policy that no viewer can make
        definitely denied, or an entity of a subgraph that checks references.
        """
        if not field_names or (entity and graph in self.checked_references):
            return None
        owner_key = self.owners.get(type_name) if entity else None
        compiled: dict[tuple[tuple[str, ...], ...], CompiledPolicy] = {}
        for name in field_names:
            policies = self.policies.get(f"{type_name}.{name}")
            graphs = self.supergraph.resolving_graphs(type_name, name)
            if policies is None or tuple(graphs) != (graph,):
                return None
            key = tuple(tuple(clause) for clause in policies)
            policy = compiled.setdefault(key, self.compile(policies))
            if not policy.can_deny(owner_key is not None):
                return None
        errors = tuple(
            {"message": forbidden_message(name), "extensions": {"code": "FORBIDDEN"}}
            for name in field_names
        )
        return FieldsGate(tuple(compiled.values()), owner_key, errors)
