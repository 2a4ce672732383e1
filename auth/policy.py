"""The policy engine: access rules that authorities declare next to their fields.

A rule answers one question: may this viewer see this field of this subject? The
subject is the object the field is resolved on; its ``owner_id`` names the person
whose personal data it is. Rules combine with ``|`` (either) and ``&`` (both), and
carry a name, a readable expression for the access matrix and for people.

Each rule also keeps its disjunctive normal form over the names of its atomic
rules (:attr:`Rule.clauses`), and :class:`Guard` prints that in the subgraph's SDL
as ``@policy(policies: [[...], ...])`` in the meaning of the Federation policy
spec: the outer list is OR, each inner list is AND. Composition carries it into
the supergraph, where routers and the gateway's early refusal (:mod:`auth.gate`)
read it; ``assurance-substantial & (self | custody-under-15)`` prints as
``[["assurance-substantial", "self"], ["assurance-substantial",
"custody-under-15"]]``.

Authorities attach rules with :func:`guarded`, a Strawberry field extension: a denied
field resolves to null with exactly one ``FORBIDDEN`` error at its path, and its
resolver never runs. An allowed field is reported to the request's recorder
(:mod:`auth.recording`) for the access log.

Rules deny by default: a subject without an owner, or a viewer without a person, is
allowed nothing but what a rule grants explicitly.
"""

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from strawberry.extensions import FieldExtension
from strawberry.federation.schema_directives import Policy
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from auth.errors import Forbidden
from auth.recording import record
from auth.viewer import AssuranceLevel, Viewer

CUSTODY_AGE_LIMIT = 15
"""Custody holders see a child's vaccinations and medication until this age."""


class Owned(Protocol):
    """Anything that is personal data of one person."""

    @property
    def owner_id(self) -> str: ...


def owner_of(subject: object) -> str | None:
    """The person whose data ``subject`` is, or None when it names nobody."""
    owner = getattr(subject, "owner_id", None)
    return owner if isinstance(owner, str) else None


Clause = tuple[str, ...]
"""Names of atomic rules that must all allow (one inner list of ``@policy``)."""


class Rule:
    """An access rule: a name, :meth:`allows` to decide, and its :attr:`clauses`.

    ``Rule(name, check)`` is an atomic rule. ``|`` and ``&`` build composite
    rules whose name is a readable expression (``self | spouse``) and whose
    clauses are the disjunctive normal form over the atoms' names: ``|`` joins
    the clauses of both sides, ``&`` takes every pairing of a clause of one side
    with a clause of the other. That is the meaning of ``@policy(policies:)`` in
    the Federation policy spec: the outer list is OR, each inner list is AND.
    """

    def __init__(self, name: str, check: Callable[[Viewer, object], bool]) -> None:
        self.name = name
        self._check = check
        self.clauses: tuple[Clause, ...] = ((name,),)

    @classmethod
    def _composite(
        cls,
        name: str,
        check: Callable[[Viewer, object], bool],
        clauses: tuple[Clause, ...],
    ) -> "Rule":
        rule = cls(name, check)
        rule.clauses = tuple(dict.fromkeys(clauses))
        return rule

    def allows(self, viewer: Viewer, subject: object) -> bool:
        """True when ``viewer`` may see the guarded field of ``subject``."""
        return self._check(viewer, subject)

    @property
    def policies(self) -> list[list[str]]:
        """The clauses as the ``policies`` argument of ``@policy``."""
        return [list(clause) for clause in self.clauses]

    def __or__(self, other: "Rule") -> "Rule":
        return Rule._composite(
            f"{self.name} | {other.name}",
            lambda viewer, subject: (
                self.allows(viewer, subject) or other.allows(viewer, subject)
            ),
            self.clauses + other.clauses,
        )

    def __and__(self, other: "Rule") -> "Rule":
        return Rule._composite(
            f"({self.name}) & ({other.name})",
            lambda viewer, subject: (
                self.allows(viewer, subject) and other.allows(viewer, subject)
            ),
            tuple(
                tuple(dict.fromkeys(mine + theirs))
                for mine in self.clauses
                for theirs in other.clauses
            ),
        )

    def __repr__(self) -> str:
        return f"<Rule {self.name}>"


def _is_self(viewer: Viewer, subject: object) -> bool:
    owner = owner_of(subject)
    return owner is not None and viewer.is_self(owner)


def _is_spouse(viewer: Viewer, subject: object) -> bool:
    owner = owner_of(subject)
    spouse = viewer.relations.spouse_id
    return owner is not None and spouse is not None and owner == spouse


def _is_child(viewer: Viewer, subject: object) -> bool:
    owner = owner_of(subject)
    return owner is not None and viewer.relations.child(owner) is not None


def _is_custody_holder_under_15(viewer: Viewer, subject: object) -> bool:
    owner = owner_of(subject)
    child = viewer.relations.child(owner) if owner is not None else None
    return (
        child is not None
        and child.has_custody
        and child.age_on(viewer.today) < CUSTODY_AGE_LIMIT
    )


def _holds_power_for(authority: str) -> Callable[[Viewer, object], bool]:
    def check(viewer: Viewer, subject: object) -> bool:
        owner = owner_of(subject)
        if owner is None or viewer.acting_for != owner:
            return False
        powers = viewer.relations.powers_from(owner, viewer.today)
        return any(authority in power.scope for power in powers)

    return check


def _substantial(viewer: Viewer, subject: object) -> bool:
    return viewer.assurance >= AssuranceLevel.SUBSTANTIAL


SELF = Rule("self", _is_self)
"""The person the data is about."""

SPOUSE = Rule("spouse", _is_spouse)
"""The spouse or registered partner of the person."""

PARENT = Rule("parent", _is_child)
"""A parent of the person (with or without custody)."""

CUSTODY_UNDER_15 = Rule("custody-under-15", _is_custody_holder_under_15)
"""A custody holder of the person, while the person is under 15."""

SUBSTANTIAL = Rule("assurance-substantial", _substantial)
"""A sign-in with assurance level substantial or high."""


def attorney(authority: str) -> Rule:
    """A holder of a power of attorney from the person, acting for them.

    Allowed when the viewer acts for the person (``acting_for``) and holds a
    power from them, in force today, whose scope covers ``authority``. Without
    acting for the person the power grants nothing.
    """
    return Rule(f"attorney-{authority}", _holds_power_for(authority))


NOBODY = Rule("nobody", lambda viewer, subject: False)
"""Denies everyone; the default of anything not declared."""


def forbidden_message(field_name: str) -> str:
    """The message of the ``FORBIDDEN`` error of a denied field."""
    return f"You may not see the field {field_name!r}."


class Guard(FieldExtension):
    """Enforces a rule on one field before its resolver runs."""

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    def apply(self, field: StrawberryField) -> None:
        """Show the rule in the schema as ``@policy`` (its clauses), for routers and
        the gateway's early refusal (:mod:`auth.gate`)."""
        if not any(isinstance(d, Policy) for d in field.directives):
            policy = Policy(policies=self.rule.policies)
            field.directives = [*field.directives, policy]

    def _check(self, source: object, info: Info) -> None:
        viewer = getattr(info.context, "viewer", None)
        if not isinstance(viewer, Viewer) or not self.rule.allows(viewer, source):
            raise Forbidden(forbidden_message(info.field_name))
        owner = owner_of(source)
        if owner is not None:
            record(owner, f"{info._raw_info.parent_type.name}.{info.field_name}")

    def resolve(
        self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any
    ) -> Any:
        self._check(source, info)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: Any,
        info: Info,
        **kwargs: Any,
    ) -> Any:
        self._check(source, info)
        return await next_(source, info, **kwargs)


def guarded(rule: Rule) -> list[FieldExtension]:
    """Extensions for ``strawberry.field(extensions=...)`` that enforce ``rule``."""
    return [Guard(rule)]
