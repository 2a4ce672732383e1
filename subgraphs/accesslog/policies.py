"""Who may read an access log: the person it is about, and while they are a child
under 15, who holds custody of them (who exercises the child's right of access
until the child has their own sign-in)."""

from auth.policy import CUSTODY_UNDER_15, SELF, Rule

OWN_LOG: Rule = SELF | CUSTODY_UNDER_15
"""A person's access log: theirs, and their custody holders' while under 15."""
