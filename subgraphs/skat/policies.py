"""Who may see the tax agency's data: only the person it is about.

Salary and tax are not shared with a spouse or with parents; a child with income
signs in themself. Every guarded field of this subgraph uses :data:`OWN_DATA`.
"""

from auth.policy import SELF, Rule

OWN_DATA: Rule = SELF
"""Payslips and tax assessments: the person themself."""
