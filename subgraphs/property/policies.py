"""Who may see the property register's data: an owner about their own home, and
someone acting for that owner with a power of attorney that covers ``property``.

A property is reached through one of its owners (``Person.properties``) or by its
key; either way ``owner_id`` names the owner the viewer sees it as, and only that
owner themself, or their attorney acting for them, passes :data:`OWN_DATA`.
"""

from auth.policy import SELF, Rule, attorney

ATTORNEY = attorney("property")
"""Acting for the owner with their power of attorney for the property register."""

OWN_DATA: Rule = SELF | ATTORNEY
"""Every field of a property: the owner themself, or their attorney."""
