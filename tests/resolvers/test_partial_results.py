"""Partial results: a failing, slow or garbled subgraph costs only its own fields."""

import pytest

from tests.resolvers.conftest import MakeHarness

QUERY = "{ topProducts { name inStock reviews { body } } }"


async def test_a_failing_subgraph_nulls_its_fields_at_the_clients_paths(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory(behaviour={"reviews": "fail"})

    body = await harness.run(QUERY)

    error = {
        "message": "The reviews are unavailable.",
        "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": "reviews"},
    }
    assert body == {
        "errors": [{**error, "path": ["topProducts", i, "reviews"]} for i in range(3)],
        "data": {
            "topProducts": [
                {"name": "Table", "inStock": True, "reviews": None},
                {"name": "Couch", "inStock": False, "reviews": None},
                {"name": "Chair", "inStock": True, "reviews": None},
            ]
        },
    }


async def test_a_slow_subgraph_times_out_alone(harness_factory: MakeHarness) -> None:
    harness = await harness_factory(
        behaviour={"inventory": "slow"}, timeouts={"inventory": 0.2}
    )

    body = await harness.run(QUERY + " ")

    assert body["data"] == {
        "topProducts": [
            {
                "name": "Table",
                "inStock": None,
                "reviews": [{"body": "Love it!"}, {"body": "Too expensive."}],
            },
            {
                "name": "Couch",
                "inStock": None,
                "reviews": [{"body": "Could be better."}],
            },
            {
                "name": "Chair",
                "inStock": None,
                "reviews": [{"body": "Prefer something else."}],
            },
        ]
    }
    error = {
        "message": "The subgraph inventory did not answer in 0.2 seconds.",
        "extensions": {"code": "SUBGRAPH_TIMEOUT", "serviceName": "inventory"},
    }
    assert body["errors"] == [
        {**error, "path": ["topProducts", i, "inStock"]} for i in range(3)
    ]


@pytest.mark.parametrize("transport_kind", ["http"])
async def test_malformed_json_costs_only_that_subgraphs_fields(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory(broken="reviews")

    body = await harness.run(QUERY)

    error = {
        "message": "The subgraph reviews answered with malformed JSON.",
        "extensions": {"code": "SUBGRAPH_BAD_RESPONSE", "serviceName": "reviews"},
    }
    assert body == {
        "errors": [{**error, "path": ["topProducts", i, "reviews"]} for i in range(3)],
        "data": {
            "topProducts": [
                {"name": "Table", "inStock": True, "reviews": None},
                {"name": "Couch", "inStock": False, "reviews": None},
                {"name": "Chair", "inStock": True, "reviews": None},
            ]
        },
    }


async def test_a_null_in_a_non_null_root_field_nulls_the_data(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory(behaviour={"products": "fail"})

    body = await harness.run("{ topProducts { name } warehouseName }")

    assert body == {
        "errors": [
            {
                "message": "The products are unavailable.",
                "path": ["topProducts"],
                "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": "products"},
            }
        ],
        "data": None,
    }


async def test_errors_below_an_alias_use_the_clients_keys(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    body = await harness.run("{ people: users { n: name born: birthDate } }")

    assert body["errors"] == [
        {
            "message": "Only the person themself may see their birth date.",
            "path": ["people", 1, "born"],
            "extensions": {"code": "FORBIDDEN", "serviceName": "accounts"},
        }
    ]
    assert body["data"] == {
        "people": [{"n": "Ada", "born": "1990-01-01"}, {"n": "Bo", "born": None}]
    }


@pytest.mark.parametrize("transport_kind", ["in-process"])
async def test_unexpected_exceptions_in_process_are_masked(
    harness_factory: MakeHarness, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await harness_factory(behaviour={"reviews": "crash"})

    body = await harness.run('{ product(upc: "3") { name reviews { body } } }')

    assert body == {
        "errors": [
            {
                "message": "The subgraph reviews failed to resolve this field.",
                "path": ["product", "reviews"],
                "extensions": {"code": "SUBGRAPH_ERROR", "serviceName": "reviews"},
            }
        ],
        "data": {"product": {"name": "Chair", "reviews": None}},
    }
    assert "crashed" not in caplog.text


async def test_entity_errors_land_at_every_client_path_of_that_entity(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    body = await harness.run(
        "{ topProducts(first: 2) { reviews { author { birthDate } } } }"
    )

    error = {
        "message": "Only the person themself may see their birth date.",
        "extensions": {"code": "FORBIDDEN", "serviceName": "accounts"},
    }
    assert body == {
        "errors": [
            {**error, "path": ["topProducts", 0, "reviews", 1, "author", "birthDate"]},
            {**error, "path": ["topProducts", 1, "reviews", 0, "author", "birthDate"]},
        ],
        "data": {
            "topProducts": [
                {
                    "reviews": [
                        {"author": {"birthDate": "1990-01-01"}},
                        {"author": {"birthDate": None}},
                    ]
                },
                {"reviews": [{"author": {"birthDate": None}}]},
            ]
        },
    }
    (accounts,) = harness.calls("accounts")
    assert len(accounts.variables["representations"]) == 2


async def test_an_entity_a_subgraph_does_not_know_nulls_up_to_a_nullable_field(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    body = await harness.run('{ review(id: "r5") { body author { username name } } }')

    assert body == {
        "errors": [
            {
                "message": "The non-null field User.name resolved to null.",
                "path": ["review", "author", "name"],
                "extensions": {"code": "NULL_FOR_NON_NULL"},
            }
        ],
        "data": {"review": None},
    }


async def test_a_root_fetch_that_times_out_reports_each_root_field(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory(
        behaviour={"products": "slow"}, timeouts={"products": 0.2}
    )
    query = (
        '{ product(upc: "1") { name } p2: product(upc: "2") { name } warehouseName }'
    )

    body = await harness.run(query)

    error = {
        "message": "The subgraph products did not answer in 0.2 seconds.",
        "extensions": {"code": "SUBGRAPH_TIMEOUT", "serviceName": "products"},
    }
    assert body == {
        "errors": [{**error, "path": ["product"]}, {**error, "path": ["p2"]}],
        "data": {"product": None, "p2": None, "warehouseName": "North"},
    }


async def test_a_failed_entity_fetch_reports_every_field_it_nulls(
    harness_factory: MakeHarness,
) -> None:
    # Found against Hive Gateway (tests/peers/test_hive_compare.py): with the tax
    # authority down, payslips and taxAssessments were null but only the first
    # had an error. Each field nulled by a failure is a field error of its own.
    harness = await harness_factory(
        behaviour={"inventory": "slow"}, timeouts={"inventory": 0.2}
    )

    body = await harness.run(
        "{ topProducts(first: 2) { name inStock shippingEstimate } }"
    )

    error = {
        "message": "The subgraph inventory did not answer in 0.2 seconds.",
        "extensions": {"code": "SUBGRAPH_TIMEOUT", "serviceName": "inventory"},
    }
    assert body == {
        "errors": [
            {**error, "path": ["topProducts", i, field]}
            for i in range(2)
            for field in ("inStock", "shippingEstimate")
        ],
        "data": {
            "topProducts": [
                {"name": "Table", "inStock": None, "shippingEstimate": None},
                {"name": "Couch", "inStock": None, "shippingEstimate": None},
            ]
        },
    }


async def test_a_denied_field_under_two_aliases_has_an_error_at_each(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    body = await harness.run(
        "{ users { birthDate born: birthDate ...Born ... on User { b2: birthDate } } }"
        " fragment Born on User { b1: birthDate }"
    )

    paths = [error["path"] for error in body["errors"]]
    assert paths == [["users", 1, key] for key in ("birthDate", "born", "b1", "b2")]
    assert body["data"]["users"][1] == dict.fromkeys(("birthDate", "born", "b1", "b2"))


async def test_an_error_inside_an_aliased_object_is_reported_under_each_alias(
    harness_factory: MakeHarness,
) -> None:
    harness = await harness_factory()

    body = await harness.run(
        '{ a: product(upc: "1") { reviews { author { born: birthDate } } } '
        'b: product(upc: "1") { r: reviews { author { birthDate } } } }'
    )

    assert [error["path"] for error in body["errors"]] == [
        ["a", "reviews", 1, "author", "born"],
        ["b", "r", 1, "author", "birthDate"],
    ]
