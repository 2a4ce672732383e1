"""Who may see the property register's data: only an owner, about their own home.

A property is reached through one of its owners (``Person.properties``) or by its
key; either way ``owner_id`` names the owner the viewer sees it as, and only that
owner themself passes :data:`OWN_DATA`.
"""

from auth.policy import SELF, Rule

OWN_DATA: Rule = SELF
"""Every field of a property: the owner themself."""
