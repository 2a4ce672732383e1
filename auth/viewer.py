"""The viewer: who is signed in, and the relations that access rules need.

A viewer is built once per request from a verified token (or a service token from
the gateway) and is immutable afterwards. Subgraphs never look relations up
themselves: the gateway resolves them in the civil register once and hands the
result to every authority.
"""

import enum
from dataclasses import dataclass, field
from datetime import date


class AssuranceLevel(enum.IntEnum):
    """NSIS assurance levels of a MitID sign-in, ordered so they can be compared."""

    LOW = 1
    SUBSTANTIAL = 2
    HIGH = 3

    @classmethod
    def parse(cls, value: str) -> "AssuranceLevel":
        """Read a level from its claim value (``low``, ``substantial``, ``high``)."""
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"Unknown assurance level {value!r}.") from None


@dataclass(frozen=True, slots=True)
class ChildRelation:
    """A child of the viewer as the civil register records it."""

    person_id: str
    birth_date: date
    has_custody: bool

    def age_on(self, day: date) -> int:
        """Whole years of age on ``day``."""
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True, slots=True)
class PowerOfAttorney:
    """A digital power of attorney (fuldmagt) that the viewer holds.

    Attributes:
        grantor_id: the person who granted it, whom the viewer may act for.
        scope: the authorities it covers (``cpr``, ``skat``, ``property``,
            ``health``).
        valid_from: the first day it is in force.
        valid_to: the last day it is in force, or None until revoked.
    """

    grantor_id: str
    scope: frozenset[str]
    valid_from: date
    valid_to: date | None = None

    def in_force_on(self, day: date) -> bool:
        """True when the power is in force on ``day``."""
        return self.valid_from <= day and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True, slots=True)
class Relations:
    """The viewer's family relations and powers, looked up once per request."""

    spouse_id: str | None = None
    children: tuple[ChildRelation, ...] = ()
    parent_ids: tuple[str, ...] = ()
    powers: tuple[PowerOfAttorney, ...] = ()

    def child(self, person_id: str) -> ChildRelation | None:
        """The relation to ``person_id`` if that person is the viewer's child."""
        for child in self.children:
            if child.person_id == person_id:
                return child
        return None

    def powers_from(self, person_id: str, day: date) -> list[PowerOfAttorney]:
        """The powers that ``person_id`` granted the viewer, in force on ``day``."""
        return [
            power
            for power in self.powers
            if power.grantor_id == person_id and power.in_force_on(day)
        ]


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in citizen as the access rules see them.

    Attributes:
        subject: the pseudonymous subject of the sign-in (pairwise per service).
        person_id: the person's key in the civil register, or None when the token
            does not link the sign-in to a person.
        assurance: the assurance level of the sign-in.
        acting_for: the person the citizen acts for, if any (custody or power of
            attorney); None when they act for themself. The gateway refuses a
            request whose viewer may not act for this person
            (:func:`auth.acting.may_act_for`).
        relations: spouse, children, parents and powers of attorney held, from
            the civil register.
        today: the date that ages are computed against for this request.
    """

    subject: str
    person_id: str | None
    assurance: AssuranceLevel
    acting_for: str | None = None
    relations: Relations = field(default_factory=Relations)
    today: date = field(default_factory=date.today)

    @property
    def is_person(self) -> bool:
        """True when the viewer is a signed-in person of the civil register."""
        return self.person_id is not None

    def is_self(self, person_id: str) -> bool:
        """True when ``person_id`` is the viewer themself."""
        return self.person_id is not None and self.person_id == person_id


ANONYMOUS = Viewer(subject="anonymous", person_id=None, assurance=AssuranceLevel.LOW)
