"""Who may read an access log: only the person it is about."""

from auth.policy import SELF, Rule

OWN_LOG: Rule = SELF
"""A person's access log is theirs alone."""
