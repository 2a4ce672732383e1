"""Limits on depth, aliases, cost and size, measured before anything runs."""

import pytest
from graphql import OperationDefinitionNode, parse

from gateway.errors import LimitExceeded
from gateway.limits import Limits, check_cost, check_size, check_syntax, cost_of
from tests.gateway.support import SCHEMA


def _operation(query: str) -> OperationDefinitionNode:
    definition = parse(query).definitions[0]
    assert isinstance(definition, OperationDefinitionNode)
    return definition


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        ("{ hello }", 1),
        ("{ items { number } }", 1 + 10 * 1),
        ("{ items(first: 2) { number name } }", 1 + 2 * 2),
        ("{ items(first: 2) { parts(first: 3) { number } } }", 1 + 2 * (1 + 3)),
        ("{ items(first: 2) { ...F } } fragment F on Item { number name }", 1 + 2 * 2),
        ("{ __typename __schema { types { name } } }", 0),
    ],
)
def test_cost(query: str, cost: int) -> None:
    document = parse(query)
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)

    assert cost_of(document, operation, SCHEMA._schema, 10) == cost


def test_an_operation_over_the_cost_limit_is_refused() -> None:
    query = "{ items(first: 100) { parts(first: 100) { number } } }"
    document = parse(query)

    with pytest.raises(LimitExceeded) as raised:
        check_cost(document, _operation(query), SCHEMA._schema, Limits(max_cost=1000))

    assert raised.value.code == "COST_LIMIT_EXCEEDED"
    assert raised.value.error()["extensions"] == {
        "code": "COST_LIMIT_EXCEEDED",
        "limit": 1000,
        "actual": 1 + 100 * (1 + 100),
    }


def _nested(depth: int) -> str:
    return "{ " + "items { " * depth + "number" + " }" * depth + " }"


def test_depth_counts_fields_through_fragments() -> None:
    query = "{ items { ...A } } fragment A on Item { parts { ...B } } " + (
        "fragment B on Item { parts { number } }"
    )

    check_syntax(parse(query), Limits(max_depth=4))
    with pytest.raises(LimitExceeded) as raised:
        check_syntax(parse(query), Limits(max_depth=3))

    assert raised.value.code == "DEPTH_LIMIT_EXCEEDED"
    assert raised.value.actual == 4


def test_a_fragment_cycle_does_not_hang_the_depth() -> None:
    query = "{ items { ...A } } fragment A on Item { parts { ...A } }"

    check_syntax(parse(query), Limits(max_depth=3))


def test_aliases_are_counted_everywhere() -> None:
    query = "{ a: hello b: hello items { c: number } } fragment F on Item { d: name }"

    check_syntax(parse(query), Limits(max_aliases=4))
    with pytest.raises(LimitExceeded) as raised:
        check_syntax(parse(query), Limits(max_aliases=3))

    assert raised.value.code == "ALIAS_LIMIT_EXCEEDED"


def test_a_fragment_bomb_is_measured_without_expanding_it() -> None:
    """2**40 expanded fields: measuring them one by one would never finish."""
    fragments = " ".join(
        f"fragment F{n} on Item {{ parts {{ ...F{n + 1} ...F{n + 1} }} }}"
        for n in range(40)
    )
    query = "{ items { ...F0 } } " + fragments + " fragment F40 on Item { number }"
    document = parse(query)

    with pytest.raises(LimitExceeded) as too_deep:
        check_syntax(document, Limits(max_depth=41, max_fragments=41))
    with pytest.raises(LimitExceeded) as too_costly:
        check_cost(document, _operation(query), SCHEMA._schema, Limits())

    assert too_deep.value.actual == 42
    assert too_costly.value.actual > 2**40


def test_a_document_over_the_size_limit_is_refused() -> None:
    with pytest.raises(LimitExceeded) as raised:
        check_size("{ hello }" + "#" * 100, Limits(max_document_bytes=100))

    assert raised.value.code == "DOCUMENT_TOO_LARGE"


def test_limits_come_from_the_environment() -> None:
    limits = Limits.from_env({"CITIZEN_GRAPH_MAX_DEPTH": "5", "OTHER": "x"})

    assert limits.max_depth == 5
    assert limits.max_aliases == Limits().max_aliases


@pytest.mark.parametrize("value", ["0", "-1", "ten", ""])
def test_a_bad_limit_in_the_environment_is_named(value: str) -> None:
    with pytest.raises(ValueError, match="CITIZEN_GRAPH_MAX_COST must be a positive"):
        Limits.from_env({"CITIZEN_GRAPH_MAX_COST": value})


def test_repeats_multiply_through_merged_selection_sets() -> None:
    query = "{ items { parts { number } parts { name } } items { parts { number } } }"

    check_syntax(parse(query), Limits(max_repeats=3))
    with pytest.raises(LimitExceeded) as raised:
        check_syntax(parse(query), Limits(max_repeats=2))

    assert raised.value.code == "FIELD_REPEAT_LIMIT_EXCEEDED"
    assert raised.value.actual == 3
    assert "'parts' 3 times" in raised.value.message


def test_inline_fragments_count_in_their_selection_set() -> None:
    query = "{ ... on Query { items { number } } ... on Query { items { name } } }"

    with pytest.raises(LimitExceeded) as raised:
        check_syntax(parse(query), Limits(max_repeats=1))

    assert raised.value.actual == 2


def test_plain_leaves_may_repeat_ten_times_as_often() -> None:
    check_syntax(parse("{ " + "hello " * 20 + "}"), Limits(max_repeats=2))

    with pytest.raises(LimitExceeded) as raised:
        check_syntax(parse("{ " + "hello " * 21 + "}"), Limits(max_repeats=2))

    assert raised.value.code == "FIELD_REPEAT_LIMIT_EXCEEDED"


def test_fragments_are_counted() -> None:
    query = "{ ...A ...B } fragment A on Query { hello } fragment B on Query { hello }"

    with pytest.raises(LimitExceeded) as raised:
        check_syntax(parse(query), Limits(max_fragments=1))

    assert raised.value.code == "FRAGMENT_LIMIT_EXCEEDED"
