"""Who may see the tax agency's data: the person it is about, and their attorney.

Salary and tax are not shared with a spouse or with parents; a child with income
signs in themself. Someone acting for the person with a power of attorney that
covers ``skat`` sees what the person sees here: handling the person's tax is
what such a power is for. Every guarded field of this subgraph uses
:data:`OWN_DATA`.
"""

from auth.policy import SELF, Rule, attorney

ATTORNEY = attorney("skat")
"""Acting for the person with their power of attorney for the tax agency."""

OWN_DATA: Rule = SELF | ATTORNEY
"""Payslips and tax assessments: the person themself, or their attorney."""
