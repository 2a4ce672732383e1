"""Plans: which subgraphs are asked what, in what order, and how often."""

import re
from typing import Any

import pytest
from graphql import GraphQLObjectType, parse, print_ast

from resolvers.plan import (
    Fetch,
    FetchNode,
    Flatten,
    Plan,
    Sequence,
    format_plan,
)
from resolvers.planner import PlanningError, QueryPlanner
from schema.supergraph import load_supergraph
from tests.resolvers.conftest import MakeHarness, supergraph_of


def plan_of(query: str, fixture: str = "shop", composer: str = "apollo") -> Plan:
    return QueryPlanner(supergraph_of(fixture, composer)).plan(parse(query), None)


def outline(plan: Plan) -> Any:
    """The plan's tree as nested tuples of graph names and flatten paths."""

    def walk(node: Any) -> Any:
        if isinstance(node, FetchNode):
            return node.fetch.graph
        if isinstance(node, Flatten):
            return (".".join(node.path), walk(node.node))
        kind = "seq" if isinstance(node, Sequence) else "par"
        return (kind, *[walk(n) for n in node.nodes])

    return walk(plan.node) if plan.node is not None else None


@pytest.mark.parametrize("composer", ["apollo", "guild"])
def test_entities_of_a_list_are_fetched_in_one_step(composer: str) -> None:
    plan = plan_of(
        "{ topProducts { name reviews { body author { name } } } }", composer=composer
    )

    assert outline(plan) == (
        "seq",
        "products",
        (
            "seq",
            ("topProducts.@", "reviews"),
            ("topProducts.@.reviews.@.author", "accounts"),
        ),
    )


def test_root_fields_of_several_subgraphs_run_in_parallel() -> None:
    plan = plan_of("{ me { name } topProducts { name } warehouseName users { id } }")

    assert outline(plan) == ("par", "accounts", "products", "inventory")
    assert [f.graph for f in plan.fetches] == ["accounts", "products", "inventory"]


def test_provided_fields_need_no_extra_fetch() -> None:
    plan = plan_of('{ review(id: "r1") { author { username } } }')

    assert outline(plan) == "reviews"


def test_a_field_not_provided_is_fetched_from_its_owner() -> None:
    plan = plan_of('{ review(id: "r1") { author { username email } } }')

    assert outline(plan) == ("seq", "reviews", ("_cg1_review.author", "accounts"))


def test_requires_chain_runs_in_dependency_order() -> None:
    plan = plan_of('{ review(id: "r1") { product { shippingLabel } } }')

    assert outline(plan) == (
        "seq",
        "reviews",
        ("_cg1_review.product", "products"),
        ("_cg1_review.product", "inventory"),
        ("_cg1_review.product", "reviews"),
    )
    (inventory,) = _entity_fetches(plan, "inventory")
    (label,) = _entity_fetches(plan, "reviews")
    assert _requires(inventory) == "sku price weight"
    assert _requires(label) == "upc shippingEstimate"


def _entity_fetches(plan: Plan, graph: str) -> list[Fetch]:
    return [f for f in plan.fetches if f.graph == graph and f.is_entity]


def _requires(fetch: Fetch) -> str:
    spec = fetch.reps["Product"]
    return " ".join(f.name for f in spec.fields)


def test_a_second_key_is_reached_through_the_subgraph_that_has_both() -> None:
    plan = plan_of('{ review(id: "r1") { product { inStock } } }')

    assert outline(plan) == (
        "seq",
        "reviews",
        ("_cg1_review.product", "products"),
        ("_cg1_review.product", "inventory"),
    )


def test_shareable_fields_come_from_the_subgraph_fetching_the_parent() -> None:
    plan = plan_of("{ topRated { ... on Book { title } } media { title } }", "media")

    assert outline(plan) == ("par", "ratings", "catalog")


def test_overridden_fields_go_to_the_overriding_subgraph() -> None:
    plan = plan_of("{ media { ... on Film { director } } }", "media")

    assert outline(plan) == ("seq", "catalog", ("media.@", "ratings"))
    (ratings,) = _entity_fetches(plan, "ratings")
    assert "director" in ratings.text


def test_abstract_positions_get_typename_and_type_conditions() -> None:
    plan = plan_of('{ search(term: "a") { ... on Book { author } } }', "media")

    assert print_ast(plan.fetches[0].document) == plan.fetches[0].text
    assert plan.fetches[0].text == (
        '{\n  _cg1_search: search(term: "a") {\n    __typename\n'
        "    ... on Book {\n      author\n    }\n  }\n}"
    )


def test_a_non_resolvable_key_is_only_a_reference() -> None:
    plan = plan_of("{ featuredStudio { name } }", "media")

    assert outline(plan) == ("seq", "ratings", ("featuredStudio", "catalog"))
    assert _requires_of(plan.fetches[1], "Studio") == "country code"


def _requires_of(fetch: Fetch, type_name: str) -> str:
    return " ".join(f.name for f in fetch.reps[type_name].fields)


def test_only_the_variables_a_fetch_uses_are_forwarded() -> None:
    plan = plan_of(
        "query Q($n: Int, $yes: Boolean!, $unused: String) "
        "{ topProducts(first: $n) { name reviews @include(if: $yes) { body } } }"
    )

    products, reviews = plan.fetches
    assert products.variables == ("n",)
    assert products.text.startswith("query Q__products__0($n: Int) {")
    assert reviews.variables == ("yes",)
    assert "reviews @include(if: $yes)" in reviews.text
    assert "$representations: [_Any!]!, $yes: Boolean!" in reviews.text


def test_mutations_are_planned_field_by_field_in_order() -> None:
    plan = plan_of(
        'mutation { a: addReview(upc: "1", body: "x") { id } rename(name: "Z") { id } '
        'b: addReview(upc: "1", body: "y") { id } }'
    )

    assert outline(plan) == ("seq", "reviews", "accounts", "reviews")


def test_introspection_is_planned_against_the_api_schema() -> None:
    plan = plan_of("{ __schema { queryType { name } } me { id } }")

    assert outline(plan) == ("par", "#introspection", "accounts")


def test_an_operation_of_only_typename_fetches_nothing() -> None:
    assert plan_of("{ __typename }").node is None


def test_the_printed_plan_shows_services_paths_and_documents() -> None:
    text = format_plan(plan_of("{ topProducts { reviews { body } } }"))

    assert text == "\n".join(
        [
            "QueryPlan {",
            "  Sequence {",
            '    Fetch(service: "products") {',
            "      {",
            "        topProducts {",
            "          upc",
            "        }",
            "      }",
            "    }",
            '    Flatten(path: "topProducts.@") {',
            '      Fetch(service: "reviews") {',
            "        requires: ... on Product { upc }",
            "        query ($representations: [_Any!]!) {",
            "          _entities(representations: $representations) {",
            "            ... on Product {",
            "              reviews {",
            "                body",
            "              }",
            "            }",
            "          }",
            "        }",
            "      }",
            "    }",
            "  }",
            "}",
        ]
    )


def test_the_plan_serialises_for_extensions() -> None:
    plan = plan_of("{ me { reviews { id } } }")

    assert plan.to_json() == {
        "kind": "QueryPlan",
        "node": {
            "kind": "Sequence",
            "nodes": [
                {
                    "kind": "Fetch",
                    "serviceName": "accounts",
                    "variableUsages": [],
                    "operation": "{\n  me {\n    id\n  }\n}",
                },
                {
                    "kind": "Flatten",
                    "path": ["me"],
                    "node": {
                        "kind": "Fetch",
                        "serviceName": "reviews",
                        "variableUsages": [],
                        "operation": plan.fetches[1].text,
                        "requires": [{"typeCondition": "User", "selection": "id"}],
                    },
                },
            ],
        },
    }


def test_an_unknown_operation_name_is_a_planning_error() -> None:
    planner = QueryPlanner(supergraph_of("shop"))

    with pytest.raises(PlanningError, match="no operation 'Nope'") as caught:
        planner.plan(parse("query A { me { id } }"), "Nope")

    assert caught.value.code == "PLANNING_FAILED"


def test_a_field_no_key_can_reach_is_a_planning_error() -> None:
    sdl = re.sub(
        r'@join__type\(graph: ACCOUNTS, key: "[^"]*"\)',
        "@join__type(graph: ACCOUNTS)",
        supergraph_of("shop").sdl,
    )
    planner = QueryPlanner(load_supergraph(sdl))

    with pytest.raises(PlanningError, match=r"User\.name"):
        planner.plan(parse('{ review(id: "r1") { author { name } } }'), None)


@pytest.mark.parametrize("transport_kind", ["in-process"])
async def test_n_products_with_reviews_cost_one_entities_call(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    await harness.run("{ topProducts { reviews { author { name } } } }")

    assert len(harness.calls("products")) == 1
    (reviews,) = harness.calls("reviews")
    assert reviews.variables["representations"] == [
        {"__typename": "Product", "upc": "1"},
        {"__typename": "Product", "upc": "2"},
        {"__typename": "Product", "upc": "3"},
    ]
    (accounts,) = harness.calls("accounts")
    assert accounts.variables["representations"] == [
        {"__typename": "User", "id": "u1"},
        {"__typename": "User", "id": "u2"},
    ]


@pytest.mark.parametrize("transport_kind", ["in-process"])
async def test_a_cached_plan_does_no_planning_work(
    harness_factory: MakeHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness = await harness_factory()
    query = "{ me { name } }"
    first = await harness.run(query)

    def refuse(*args: object) -> None:
        raise AssertionError("planned again")

    monkeypatch.setattr(harness.executor.planner, "plan", refuse)
    second = await harness.run(query)

    assert first == second == {"data": {"me": {"name": "Ada"}}}
    assert (harness.executor.plans.hits, harness.executor.plans.misses) == (1, 1)


@pytest.mark.parametrize("transport_kind", ["in-process"])
async def test_an_entity_fetch_of_only_skipped_fields_is_not_sent(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()
    query = "query Q($r: Boolean!) { me { name reviews @include(if: $r) { id } } }"

    skipped = await harness.run(query, {"r": False})
    included = await harness.run(query, {"r": True})

    assert skipped == {"data": {"me": {"name": "Ada"}}}
    assert included == {
        "data": {"me": {"name": "Ada", "reviews": [{"id": "r1"}, {"id": "r4"}]}}
    }
    assert len(harness.calls("reviews")) == 1


def test_key_fields_marked_external_are_still_served_by_their_subgraph() -> None:
    sdl = supergraph_of("shop").sdl.replace(
        "upc: String! @join__field(graph: PRODUCTS) @join__field(graph: REVIEWS)",
        "upc: String! @join__field(graph: PRODUCTS) "
        "@join__field(graph: REVIEWS, external: true)",
    )
    supergraph = load_supergraph(sdl)
    assert supergraph.resolving_graphs("Product", "upc") == ("products",)
    planner = QueryPlanner(supergraph)

    plan = planner.plan(parse('{ review(id: "r1") { product { upc } } }'), None)

    assert outline(plan) == "reviews"


def test_interface_object_fields_are_fetched_with_the_interfaces_name() -> None:
    plan = plan_of("{ media { notes } }", "media")

    assert outline(plan) == ("seq", "catalog", ("media.@", "notes"))
    (notes,) = _entity_fetches(plan, "notes")
    assert {t: spec.typename for t, spec in notes.reps.items()} == {
        "Book": "Media",
        "Film": "Media",
    }


def test_an_interface_object_needs_no_type_unless_asked() -> None:
    assert outline(plan_of("{ mostNoted { id notes } }", "media")) == "notes"

    plan = plan_of("{ mostNoted { __typename } }", "media")

    assert outline(plan) == ("seq", "notes", ("mostNoted", "catalog"))
    assert plan.fetches[1].resolves_type


def test_inaccessible_key_fields_still_serve_as_keys() -> None:
    sdl = supergraph_of("shop").sdl.replace(
        "sku: String! @join__field(graph: INVENTORY) @join__field(graph: PRODUCTS)",
        "sku: String! @inaccessible @join__field(graph: INVENTORY) "
        "@join__field(graph: PRODUCTS)",
    )
    supergraph = load_supergraph(sdl)
    product = supergraph.api_schema.get_type("Product")
    assert isinstance(product, GraphQLObjectType)
    assert "sku" not in product.fields

    plan = QueryPlanner(supergraph).plan(
        parse('{ review(id: "r1") { product { inStock } } }'), None
    )

    (inventory,) = _entity_fetches(plan, "inventory")
    assert _requires(inventory) == "sku"


@pytest.mark.parametrize("transport_kind", ["in-process"])
async def test_a_root_fetch_of_only_skipped_fields_is_not_sent(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()
    query = "query Q($w: Boolean!) { me { name } warehouseName @include(if: $w) }"

    body = await harness.run(query, {"w": False})

    assert body == {"data": {"me": {"name": "Ada"}}}
    assert harness.calls("inventory") == []


def test_subscriptions_are_refused_with_a_planning_error() -> None:
    planner = QueryPlanner(supergraph_of("shop"))

    with pytest.raises(PlanningError, match="Subscriptions are not supported"):
        planner.plan(parse("subscription { me { id } }"), None)
