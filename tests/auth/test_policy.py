from dataclasses import dataclass
from datetime import date

import pytest

from auth import policy
from auth.viewer import AssuranceLevel, ChildRelation, Relations, Viewer

TODAY = date(2026, 12, 4)


@dataclass
class Subject:
    owner_id: str


def viewer(**relations: object) -> Viewer:
    return Viewer(
        subject="s",
        person_id="me",
        assurance=AssuranceLevel.SUBSTANTIAL,
        relations=Relations(**relations),  # type: ignore[arg-type]
        today=TODAY,
    )


FAMILY = viewer(
    spouse_id="wife",
    children=(
        ChildRelation("small", date(2016, 5, 1), has_custody=True),
        ChildRelation("teen", date(2011, 12, 4), has_custody=True),
        ChildRelation("away", date(2018, 1, 1), has_custody=False),
    ),
)


@pytest.mark.parametrize(
    ("rule", "owner", "allowed"),
    [
        (policy.SELF, "me", True),
        (policy.SELF, "wife", False),
        (policy.SPOUSE, "wife", True),
        (policy.SPOUSE, "me", False),
        (policy.PARENT, "away", True),
        (policy.CUSTODY_UNDER_15, "small", True),
        (policy.CUSTODY_UNDER_15, "teen", False),  # 15 today
        (policy.CUSTODY_UNDER_15, "away", False),  # no custody
        (policy.NOBODY, "me", False),
        (policy.SELF | policy.SPOUSE, "wife", True),
        (policy.SELF & policy.SPOUSE, "wife", False),
    ],
)
def test_rules(rule: policy.Rule, owner: str, allowed: bool) -> None:
    assert rule.allows(FAMILY, Subject(owner)) is allowed


def test_assurance_rule() -> None:
    low = Viewer(subject="s", person_id="me", assurance=AssuranceLevel.LOW)
    assert not policy.SUBSTANTIAL.allows(low, Subject("me"))
    assert policy.SUBSTANTIAL.allows(FAMILY, Subject("me"))


def test_subject_without_owner_is_denied() -> None:
    assert not policy.SELF.allows(FAMILY, object())
