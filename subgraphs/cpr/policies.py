"""Who may see what of a person in the civil register.

    field                          rule
    cprNumber, name, birthDate     the person, their spouse, their parents
    address                        the person; a custody holder of a minor child,
                                   unless the address is protected
    civilStatus, status            the person
    spouse, children, parents      the person

Name and address protection (``name_address``) hides the address from everyone but
the person. ``protections`` is always present, so no consumer can forget to look.
Subjects name their person in ``owner_id``; see :mod:`auth.policy`.
"""

from auth.policy import PARENT, SELF, SPOUSE, Rule, owner_of
from auth.viewer import Viewer

ADULT_AGE = 18
"""Custody ends when the child comes of age."""

NAME_ADDRESS = "name_address"


def _custody_of_minor(viewer: Viewer, subject: object) -> bool:
    owner = owner_of(subject)
    child = viewer.relations.child(owner) if owner is not None else None
    return (
        child is not None
        and child.has_custody
        and child.age_on(viewer.today) < ADULT_AGE
    )


def _unprotected_address(viewer: Viewer, subject: object) -> bool:
    kinds = getattr(subject, "protection_kinds", None)
    return isinstance(kinds, frozenset) and NAME_ADDRESS not in kinds


CUSTODY_OF_MINOR = Rule("custody-of-minor", _custody_of_minor)
"""A custody holder of the person, while the person is under 18."""

UNPROTECTED_ADDRESS = Rule("no-address-protection", _unprotected_address)
"""The person has no name and address protection in force."""

IDENTITY = SELF | SPOUSE | PARENT
"""Name, CPR number and birth date: the person and their closest family."""

ADDRESS = SELF | (CUSTODY_OF_MINOR & UNPROTECTED_ADDRESS)
"""The address: the person, or who holds custody of them unless it is protected."""

OWN = SELF
"""Civil status, person status and family relations: the person only."""


def may_look_up(viewer: Viewer, person_id: str) -> bool:
    """True when ``viewer`` may look ``person_id`` up at all: self, spouse, child."""
    return (
        viewer.is_self(person_id)
        or (viewer.relations.spouse_id == person_id)
        or viewer.relations.child(person_id) is not None
    )
