"""The civil register's access rules, decided for one subject at a time."""

from dataclasses import dataclass
from datetime import date

import pytest

from auth.policy import Rule
from auth.viewer import AssuranceLevel, ChildRelation, Relations, Viewer
from subgraphs.cpr.policies import ADDRESS, IDENTITY, OWN, may_look_up

TODAY = date(2026, 12, 4)

VIEWER = Viewer(
    subject="s",
    person_id="me",
    assurance=AssuranceLevel.SUBSTANTIAL,
    relations=Relations(
        spouse_id="wife",
        children=(
            ChildRelation("small", date(2018, 1, 1), has_custody=True),
            ChildRelation("grown", date(2008, 12, 4), has_custody=True),
            ChildRelation("away", date(2015, 1, 1), has_custody=False),
        ),
    ),
    today=TODAY,
)


@dataclass(frozen=True)
class Subject:
    owner_id: str
    protection_kinds: frozenset[str] = frozenset()


HIDDEN = frozenset({"name_address"})


@pytest.mark.parametrize(
    ("rule", "subject", "allowed"),
    [
        (IDENTITY, Subject("me"), True),
        (IDENTITY, Subject("wife"), True),
        (IDENTITY, Subject("away"), True),
        (IDENTITY, Subject("stranger"), False),
        (ADDRESS, Subject("me", HIDDEN), True),
        (ADDRESS, Subject("small"), True),
        (ADDRESS, Subject("small", HIDDEN), False),
        (ADDRESS, Subject("grown"), False),  # 18 today: custody has ended
        (ADDRESS, Subject("away"), False),
        (ADDRESS, Subject("wife"), False),
        (OWN, Subject("me"), True),
        (OWN, Subject("wife"), False),
        (OWN, Subject("small"), False),
    ],
)
def test_rules(rule: Rule, subject: Subject, allowed: bool) -> None:
    assert rule.allows(VIEWER, subject) is allowed


@pytest.mark.parametrize(
    ("person_id", "allowed"),
    [("me", True), ("wife", True), ("away", True), ("stranger", False)],
)
def test_who_may_be_looked_up(person_id: str, allowed: bool) -> None:
    assert may_look_up(VIEWER, person_id) is allowed
