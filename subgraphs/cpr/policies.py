"""Who may see what of a person in the civil register.

    field                          rule
    cprNumber, name, birthDate     the person, their spouse, their parents, an
                                   attorney for cpr
    address                        the person; a custody holder of a minor child
                                   or an attorney for cpr, unless the address is
                                   protected
    civilStatus, status            the person, an attorney for cpr
    protections                    the person, an attorney for cpr
    spouse, children, parents      the person

Name and address protection (``name_address``) hides the address from everyone but
the person. ``protections`` is the person's own: a protection is often requested
against a partner, so a spouse or parent who may look the person up must not learn
of it. It is always present for the person (an empty list when none), so no
consumer can forget to look.

An attorney is someone acting for the person (``acting_for``) with a power of
attorney from them in force today whose scope covers ``cpr``
(:func:`auth.policy.attorney`). The power lets them handle the person's register
matters, so they see the person's own register data; renewing a protection, which
lasts a year, is one of those matters, and the protected address would tell them
of it anyway by being denied. Family relations lead to other people's data, which
no power from the person covers, so they stay the person's alone.
Subjects name their person in ``owner_id``; see :mod:`auth.policy`.
"""

from auth.acting import holds_custody_of_minor, may_act_for
from auth.policy import PARENT, SELF, SPOUSE, Rule, attorney, owner_of
from auth.viewer import Viewer

NAME_ADDRESS = "name_address"


def _custody_of_minor(viewer: Viewer, subject: object) -> bool:
    owner = owner_of(subject)
    return owner is not None and holds_custody_of_minor(viewer, owner)


def _unprotected_address(viewer: Viewer, subject: object) -> bool:
    kinds = getattr(subject, "protection_kinds", None)
    return isinstance(kinds, frozenset) and NAME_ADDRESS not in kinds


CUSTODY_OF_MINOR = Rule("custody-of-minor", _custody_of_minor)
"""A custody holder of the person, while the person is under 18."""

UNPROTECTED_ADDRESS = Rule("no-address-protection", _unprotected_address)
"""The person has no name and address protection in force."""

ATTORNEY = attorney("cpr")
"""Acting for the person with their power of attorney for the civil register."""

IDENTITY = SELF | SPOUSE | PARENT | ATTORNEY
"""Name, CPR number and birth date: the person, their closest family, an attorney."""

ADDRESS = SELF | ((CUSTODY_OF_MINOR | ATTORNEY) & UNPROTECTED_ADDRESS)
"""The address: the person, or who holds custody of them or their power for the
register, unless it is protected."""

OWN = SELF | ATTORNEY
"""Civil status, person status and protections: the person and their attorney."""

FAMILY = SELF
"""Spouse, children and parents: the person only."""


def may_look_up(viewer: Viewer, person_id: str) -> bool:
    """True when ``viewer`` may look ``person_id`` up at all: self, spouse, child,
    or the person they act for (which the gateway has checked they may)."""
    return (
        viewer.is_self(person_id)
        or (viewer.relations.spouse_id == person_id)
        or viewer.relations.child(person_id) is not None
        or (viewer.acting_for == person_id and may_act_for(viewer))
    )
