"""Who may read a person's access log: only the person it is about."""

from auth.policy import SELF, Rule

OWN_LOG: Rule = SELF
"""``Person.accessLog``: the person themself, not a spouse, parent or custodian."""
