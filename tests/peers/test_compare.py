"""The normalisation and comparison of GraphQL answers, without any server."""

import pytest

from tests.peers.compare import (
    Difference,
    Known,
    Outcome,
    differences,
    first_data_difference,
    outcome_of,
    set_aside,
)


def test_outcome_keeps_data_and_error_paths_but_not_messages() -> None:
    payload = {
        "data": {"posts": [{"likes": None}]},
        "errors": [
            {"message": "Boom.", "path": ["posts", 0, "likes"]},
            {"message": "No path."},
        ],
    }

    outcome = outcome_of(payload, 200)

    assert outcome == Outcome(
        {"posts": [{"likes": None}]},
        True,
        frozenset({("posts", 0, "likes"), None}),
        200,
    )


def test_messages_do_not_count() -> None:
    one = outcome_of({"data": None, "errors": [{"message": "A.", "path": ["x"]}]})
    other = outcome_of({"data": None, "errors": [{"message": "B.", "path": ["x"]}]})

    assert differences({"op": one}, {"op": other}) == []


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ({"a": 1}, {"a": 1}, None),
        ({"a": 1}, {"a": 2}, "data.a is 1 on the left and 2 on the right."),
        ({"a": 1}, {"a": True}, "data.a is 1 on the left and True on the right."),
        ({"a": 7.0}, {"a": 7}, None),
        ({"a": 7.5}, {"a": 7}, "data.a is 7.5 on the left and 7 on the right."),
        ({"a": 1.0}, {"a": True}, "data.a is 1.0 on the left and True on the right."),
        ({"a": "7"}, {"a": 7}, "data.a is '7' on the left and 7 on the right."),
        ({"a": 1}, {}, "data.a is present only on the left."),
        ({"a": [1]}, {"a": [1, 2]}, "data.a has 1 items on the left, 2 on the right."),
        (
            {"a": [{"b": 1}]},
            {"a": [{"b": None}]},
            "data.a[0].b is 1 on the left and None on the right.",
        ),
    ],
)
def test_first_data_difference(
    left: dict[str, object], right: dict[str, object], expected: str | None
) -> None:
    assert first_data_difference(left, right) == expected


def test_differences_name_errors_and_missing_operations() -> None:
    left = {
        "errs": outcome_of({"data": {"x": None}, "errors": [{"path": ["x"]}]}),
        "only_left": outcome_of({"data": {}}),
    }
    right = {"errs": outcome_of({"data": {"x": None}})}

    found = differences(left, right)

    assert [(d.operation, d.aspect) for d in found] == [
        ("errs", "errors"),
        ("only_left", "missing"),
    ]


def test_set_aside_separates_known_defects() -> None:
    found = [Difference("a", "errors", "x"), Difference("a", "data", "y")]

    unexplained, explained = set_aside(found, [Known("a", "errors", "A defect.")])

    assert unexplained == [Difference("a", "data", "y")]
    assert explained == [Difference("a", "errors", "x")]
