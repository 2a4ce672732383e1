"""The plan cache keeps the most recently used plans, up to its size."""

import pytest
from graphql import parse

from resolvers.plan import Plan
from resolvers.plan_cache import PlanCache
from resolvers.planner import QueryPlanner
from tests.resolvers.conftest import supergraph_of


@pytest.fixture(scope="module")
def plan() -> Plan:
    return QueryPlanner(supergraph_of("shop")).plan(parse("{ me { id } }"), None)


def test_the_least_recently_used_plan_goes_first(plan: Plan) -> None:
    cache = PlanCache(size=2)
    cache.put("a", None, plan)
    cache.put("b", "Op", plan)
    assert cache.get("a", None) is plan

    cache.put("c", None, plan)

    assert cache.get("b", "Op") is None
    assert cache.get("a", None) is plan
    assert cache.get("c", None) is plan
    assert len(cache) == 2


def test_plans_are_kept_per_operation_name(plan: Plan) -> None:
    cache = PlanCache()
    cache.put("a", "One", plan)

    assert cache.get("a", "Two") is None
    assert (cache.hits, cache.misses) == (0, 1)


def test_a_cache_needs_room() -> None:
    with pytest.raises(ValueError, match="room for a plan, not 0"):
        PlanCache(size=0)
