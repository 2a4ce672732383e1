"""Acting for someone else: when a viewer may act for the person they name.

DOMAIN.md (Identity): parents act for their children through custody in the
civil register, and adults grant a digital power of attorney (fuldmagt) per
authority and period. A viewer may act for ``acting_for`` when they hold custody
of that person while the person is under 18, or hold a power of attorney from
them that is in force today. The gateway decides this once per request, after
reading the viewer's relations, and refuses the whole request otherwise; the
civil register asks again before it answers ``me`` for the person acted for.

Acting for someone changes whose data ``me`` returns, never who decides: every
field is still decided for the real viewer by the rules of :mod:`auth.policy`.
"""

from auth.viewer import Viewer

ADULT_AGE = 18
"""Custody, and with it acting for a child, ends when the child comes of age."""


def holds_custody_of_minor(viewer: Viewer, person_id: str) -> bool:
    """True when ``viewer`` holds custody of ``person_id``, a child under 18."""
    child = viewer.relations.child(person_id)
    return (
        child is not None
        and child.has_custody
        and child.age_on(viewer.today) < ADULT_AGE
    )


def holds_power_from(viewer: Viewer, person_id: str) -> bool:
    """True when ``person_id`` granted ``viewer`` a power in force today."""
    return bool(viewer.relations.powers_from(person_id, viewer.today))


def may_act_for(viewer: Viewer) -> bool:
    """True when ``viewer`` acts for nobody, or may act for whom they name.

    Nobody acts for themself: a viewer naming their own id is refused like any
    other viewer without custody or a power.
    """
    target = viewer.acting_for
    if target is None:
        return True
    if viewer.person_id is None or viewer.is_self(target):
        return False
    return holds_custody_of_minor(viewer, target) or holds_power_from(viewer, target)
