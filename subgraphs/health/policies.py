"""Who may see health data (DOMAIN.md, Health; the Health Act § 42 a).

Health data is a special category of personal data, so every rule here first asks
for a sign-in of assurance level substantial or high. The person sees all of their
record, and so does someone acting for them with a power of attorney whose scope
covers ``health``; a power for other authorities shows nothing here. A parent with
custody sees a child's medication and vaccinations until the child turns 15, and
never hospital records, lab results or referrals; from 15 the child signs in
themself. A spouse sees nothing.
"""

from auth.policy import CUSTODY_UNDER_15, SELF, SUBSTANTIAL, Rule, attorney

ATTORNEY = attorney("health")
"""Acting for the person with their power of attorney for health data."""

OWN_RECORD: Rule = SUBSTANTIAL & (SELF | ATTORNEY)
"""Practitioner, lab results, hospital records, referrals, organ donation."""

SHARED_WITH_CUSTODY: Rule = SUBSTANTIAL & (SELF | ATTORNEY | CUSTODY_UNDER_15)
"""Medication and vaccinations: also a custody holder of a child under 15."""

RECORD: Rule = SHARED_WITH_CUSTODY
"""Reaching the record at all; its fields then apply their own rules."""
