"""Who may act for whom, and what the attorney rule lets them see."""

from dataclasses import dataclass
from datetime import date

import pytest

from auth.acting import may_act_for
from auth.policy import attorney
from auth.viewer import (
    AssuranceLevel,
    ChildRelation,
    PowerOfAttorney,
    Relations,
    Viewer,
)

TODAY = date(2026, 12, 4)
ME = "me"
GRANTOR = "grantor"
CHILD = "child"

POWER = PowerOfAttorney(
    GRANTOR, frozenset({"skat", "property"}), date(2025, 2, 1), date(2027, 1, 31)
)


@dataclass(frozen=True)
class Owned:
    owner_id: str


def viewer(
    acting_for: str | None,
    powers: tuple[PowerOfAttorney, ...] = (POWER,),
    child_born: date = date(2012, 6, 1),
    custody: bool = True,
    today: date = TODAY,
    person_id: str | None = ME,
) -> Viewer:
    return Viewer(
        subject="s",
        person_id=person_id,
        assurance=AssuranceLevel.SUBSTANTIAL,
        acting_for=acting_for,
        relations=Relations(
            children=(ChildRelation(CHILD, child_born, has_custody=custody),),
            powers=powers,
        ),
        today=today,
    )


@pytest.mark.parametrize(
    ("case", "who", "allowed"),
    [
        ("nobody acted for", viewer(None), True),
        ("custody of a child of 14", viewer(CHILD), True),
        ("custody of a child of 17", viewer(CHILD, child_born=date(2008, 12, 5)), True),
        ("custody ends at 18", viewer(CHILD, child_born=date(2008, 12, 4)), False),
        ("a child without custody", viewer(CHILD, custody=False), False),
        ("a power in force", viewer(GRANTOR), True),
        ("on its first day", viewer(GRANTOR, today=date(2025, 2, 1)), True),
        ("on its last day", viewer(GRANTOR, today=date(2027, 1, 31)), True),
        ("before it starts", viewer(GRANTOR, today=date(2025, 1, 31)), False),
        ("after it ended", viewer(GRANTOR, today=date(2027, 2, 1)), False),
        ("without the power", viewer(GRANTOR, powers=()), False),
        ("a stranger", viewer("stranger"), False),
        ("oneself", viewer(ME), False),
        ("without a person", viewer(GRANTOR, person_id=None), False),
    ],
)
def test_who_may_act_for_whom(case: str, who: Viewer, allowed: bool) -> None:
    assert may_act_for(who) is allowed, case


@pytest.mark.parametrize(
    ("authority", "who", "owner", "allowed"),
    [
        ("skat", viewer(GRANTOR), GRANTOR, True),
        ("property", viewer(GRANTOR), GRANTOR, True),
        ("health", viewer(GRANTOR), GRANTOR, False),
        ("cpr", viewer(GRANTOR), GRANTOR, False),
        ("skat", viewer(None), GRANTOR, False),
        ("skat", viewer(GRANTOR), "someone else", False),
        ("skat", viewer(GRANTOR, today=date(2027, 2, 1)), GRANTOR, False),
        ("skat", viewer(CHILD), CHILD, False),
    ],
)
def test_the_attorney_rule_needs_acting_for_the_owner_with_a_covering_power(
    authority: str, who: Viewer, owner: str, allowed: bool
) -> None:
    rule = attorney(authority)

    assert rule.name == f"attorney-{authority}"
    assert rule.allows(who, Owned(owner)) is allowed
    assert rule.allows(who, object()) is False
