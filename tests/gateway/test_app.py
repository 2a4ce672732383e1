"""The server over HTTP: every status and error code of GraphQL over HTTP.

Requests go through httpx to the real ASGI application, started with its
lifespan, over the small test schema of :mod:`tests.gateway.support`.
"""

import gc
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from tests.gateway.support import SchemaExecutor

GQL = "application/graphql-response+json"
JSON = "application/json"

Serve = Callable[..., AsyncIterator[httpx.AsyncClient]]


def _media_type(response: httpx.Response) -> str:
    return response.headers["content-type"].split(";")[0]


def _codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


async def test_a_query_answers_200_in_json_by_default(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": "{ hello }"})

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.json() == {"data": {"hello": "Hello, world!"}}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (GQL, GQL),
        (JSON, JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        (f"{GQL}, {JSON};q=0.9", GQL),
        (f"{JSON}, {GQL}", GQL),
        (f"{JSON}, {GQL};q=0.5", JSON),
        (f"{GQL};charset=utf-8", GQL),
        ("text/html, */*;q=0.1", JSON),
    ],
)
async def test_accept_chooses_the_media_type(
    client: httpx.AsyncClient, accept: str, media_type: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ hello }"}, headers={"accept": accept}
    )

    assert response.status_code == 200
    assert _media_type(response) == media_type


@pytest.mark.parametrize(
    "accept", ["text/html", "application/xml", f"{JSON}; charset=latin1", f"{GQL};q=0"]
)
async def test_an_unsupported_accept_gets_406(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ hello }"}, headers={"accept": accept}
    )

    assert response.status_code == 406
    assert _codes(response) == ["NOT_ACCEPTABLE"]


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/graphql", f"{JSON}; charset=latin1"],
)
async def test_a_body_that_is_not_json_gets_415(
    client: httpx.AsyncClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = await client.post(
        "/graphql", content=b'{"query": "{ hello }"}', headers=headers
    )

    assert response.status_code == 415
    assert _codes(response) == ["UNSUPPORTED_MEDIA_TYPE"]


@pytest.mark.parametrize("accept", [GQL, JSON])
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"query": ', "not valid JSON"),
        (b"", "empty"),
        (b"[]", "JSON object"),
        (b'{"qeury": "{ hello }"}', "no 'query'"),
        (b'{"query": 1}', "'query' must be a string, not a number"),
        (b'{"query": "{ hello }", "variables": "x"}', "'variables' must be"),
        (b'{"query": "{ hello }", "variables": []}', "not an array"),
        (b'{"query": "{ hello }", "operationName": false}', "not a boolean"),
        (b'{"query": "{ hello }", "extensions": 3}', "'extensions' must be"),
    ],
)
async def test_a_malformed_request_gets_400(
    client: httpx.AsyncClient, accept: str, body: bytes, fragment: str
) -> None:
    response = await client.post(
        "/graphql",
        content=body,
        headers={"content-type": JSON, "accept": accept},
    )

    assert response.status_code == 400
    assert _media_type(response) == accept
    assert _codes(response) == ["BAD_REQUEST"]
    assert fragment in response.json()["errors"][0]["message"]
    assert "data" not in response.json()


async def test_a_body_over_the_limit_gets_413(serve: Serve) -> None:
    from gateway.limits import Limits

    async for client in serve(limits=Limits(max_body_bytes=100)):
        query = "{ hello }" + " " * 200
        response = await client.post("/graphql", json={"query": query})

        assert response.status_code == 413
        assert _codes(response) == ["PAYLOAD_TOO_LARGE"]


async def test_a_streamed_body_is_cut_at_the_limit(serve: Serve) -> None:
    from gateway.limits import Limits

    sent: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(1000):
            sent.append(1)
            yield b" " * 1000

    async for client in serve(limits=Limits(max_body_bytes=10_000)):
        response = await client.post(
            "/graphql", content=chunks(), headers={"content-type": JSON}
        )

        assert response.status_code == 413
        assert "content-length" not in response.request.headers
        assert _codes(response) == ["PAYLOAD_TOO_LARGE"]


@pytest.mark.parametrize(("accept", "status"), [(GQL, 400), (JSON, 200), (None, 200)])
async def test_a_syntax_error_is_a_request_error(
    client: httpx.AsyncClient, accept: str | None, status: int
) -> None:
    headers = {"accept": accept} if accept else {}

    response = await client.post("/graphql", json={"query": "{ hello"}, headers=headers)

    assert response.status_code == status
    assert _codes(response) == ["GRAPHQL_PARSE_FAILED"]
    assert response.json()["errors"][0]["locations"] == [{"line": 1, "column": 8}]
    assert "data" not in response.json()


@pytest.mark.parametrize(("accept", "status"), [(GQL, 400), (JSON, 200)])
async def test_an_unknown_field_is_a_validation_error(
    client: httpx.AsyncClient, accept: str, status: int
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ helo }"}, headers={"accept": accept}
    )

    assert response.status_code == status
    assert _codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "data" not in response.json()


async def test_production_makes_no_suggestions(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "{ helo }"})

    message = response.json()["errors"][0]["message"]
    assert message == "Cannot query field 'helo' on type 'Query'."


async def test_dev_mode_makes_suggestions(dev_client: httpx.AsyncClient) -> None:
    response = await dev_client.post("/graphql", json={"query": "{ helo }"})

    assert "Did you mean 'hello'?" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "query", ["{ __schema { types { name } } }", '{ __type(name: "Item") { name } }']
)
async def test_production_refuses_introspection(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"accept": GQL}
    )

    assert response.status_code == 400
    assert set(_codes(response)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in response.json()["errors"][0]["message"]


async def test_dev_mode_answers_introspection(dev_client: httpx.AsyncClient) -> None:
    response = await dev_client.post(
        "/graphql", json={"query": '{ __type(name: "Item") { name } }'}
    )

    assert response.json() == {"data": {"__type": {"name": "Item"}}}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"query": "query A { hello } query B { hello }"}, "has 2 operations"),
        ({"query": "query A { hello }", "operationName": "B"}, "no operation named"),
    ],
)
async def test_an_operation_that_cannot_be_chosen(
    client: httpx.AsyncClient, body: dict[str, Any], fragment: str
) -> None:
    response = await client.post("/graphql", json=body, headers={"accept": GQL})

    assert response.status_code == 400
    assert _codes(response) == ["OPERATION_RESOLUTION_FAILURE"]
    assert fragment in response.json()["errors"][0]["message"]


async def test_the_named_operation_runs(
    client: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    body = {
        "query": "query A { hello } query B { items { number } }",
        "operationName": "B",
    }

    response = await client.post("/graphql", json=body)

    assert response.json()["data"] == {"items": [{"number": n} for n in range(3)]}
    assert executor.calls[-1].operation_name == "B"


@pytest.mark.parametrize(("accept", "status"), [(GQL, 400), (JSON, 200)])
async def test_variables_that_do_not_coerce(
    client: httpx.AsyncClient, accept: str, status: int
) -> None:
    body = {"query": "query Q($n: String!) { hello(name: $n) }", "variables": {"n": 3}}

    response = await client.post("/graphql", json=body, headers={"accept": accept})

    assert response.status_code == status
    assert _codes(response) == ["BAD_USER_INPUT"]


async def test_variables_reach_the_executor(
    client: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    body = {
        "query": "query Q($n: String!) { hello(name: $n) }",
        "variables": {"n": "Ada"},
    }

    response = await client.post("/graphql", json=body)

    assert response.json() == {"data": {"hello": "Hello, Ada!"}}
    assert executor.calls[-1].variables == {"n": "Ada"}


@pytest.mark.parametrize("accept", [GQL, JSON])
async def test_a_field_error_keeps_the_data_and_200(
    client: httpx.AsyncClient, accept: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ hello broken }"}, headers={"accept": accept}
    )

    assert response.status_code == 200
    assert response.json()["data"] == {"hello": "Hello, world!", "broken": None}
    assert response.json()["errors"][0]["path"] == ["broken"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_other_methods_get_405(client: httpx.AsyncClient, method: str) -> None:
    response = await client.request(method, "/graphql")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert _codes(response) == ["METHOD_NOT_ALLOWED"]


async def test_get_runs_a_query(client: httpx.AsyncClient) -> None:
    params = {
        "query": "query Q($n: String) { hello(name: $n) }",
        "variables": '{"n": "GET"}',
        "operationName": "Q",
    }

    response = await client.get("/graphql", params=params, headers={"accept": GQL})

    assert response.status_code == 200
    assert response.json() == {"data": {"hello": "Hello, GET!"}}


@pytest.mark.parametrize(
    ("params", "operation_name"),
    [
        ({"query": "mutation { touch }"}, None),
        (
            {"query": "query A { hello } mutation B { touch }", "operationName": "B"},
            "B",
        ),
        ({"query": "mutation { unknownField }"}, None),
    ],
)
async def test_a_mutation_over_get_gets_405(
    client: httpx.AsyncClient,
    executor: SchemaExecutor,
    params: dict[str, str],
    operation_name: str | None,
) -> None:
    response = await client.get("/graphql", params=params, headers={"accept": GQL})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert _codes(response) == ["METHOD_NOT_ALLOWED"]
    assert executor.calls == []


async def test_a_mutation_over_post_runs(client: httpx.AsyncClient) -> None:
    response = await client.post("/graphql", json={"query": "mutation { touch }"})

    assert response.json() == {"data": {"touch": 1}}


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "no 'query'"),
        ({"query": "{ hello }", "variables": "{"}, "'variables' is not valid JSON"),
        ({"query": "{ hello }", "extensions": "[1]"}, "'extensions' must be"),
        ([("query", "{ hello }"), ("query", "{ hello }")], "given 2 times"),
    ],
)
async def test_a_malformed_get_gets_400(
    client: httpx.AsyncClient, params: Any, fragment: str
) -> None:
    response = await client.get("/graphql", params=params)

    assert response.status_code == 400
    assert fragment in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("path", "code"),
    [("/graphql", 200), ("/graphiql", 200)],
)
async def test_a_browser_gets_graphiql_in_dev_mode(
    dev_client: httpx.AsyncClient, path: str, code: int
) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

    response = await dev_client.get(path, headers={"accept": accept})

    assert response.status_code == code
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "graphiql.min.js" in response.text
    assert 'data-dev="true"' in response.text


async def test_production_serves_no_graphiql(client: httpx.AsyncClient) -> None:
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"

    page = await client.get("/graphql", headers={"accept": accept})
    graphiql = await client.get("/graphiql", headers={"accept": accept})

    assert page.status_code == 400
    assert _codes(page) == ["BAD_REQUEST"]
    assert graphiql.status_code == 404


async def test_dev_mode_answers_the_query_plan(
    dev_client: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    body = {"query": "{ hello }", "extensions": {"queryPlan": True}}

    response = await dev_client.post("/graphql", json=body)

    assert response.json()["extensions"] == {
        "queryPlan": {"kind": "QueryPlan", "fetches": ["test"]}
    }
    assert executor.calls[-1].include_plan is True


async def test_production_ignores_a_plan_request(
    client: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    body = {"query": "{ hello }", "extensions": {"queryPlan": True}}

    response = await client.post("/graphql", json=body)

    assert "extensions" not in response.json()
    assert executor.calls[-1].include_plan is False


async def test_the_document_hash_reaches_the_executor(
    client: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    query = "{ hello }"

    await client.post("/graphql", json={"query": query})

    assert (
        executor.calls[-1].document_hash == hashlib.sha256(query.encode()).hexdigest()
    )


async def test_an_executor_failure_is_masked_and_logged_without_its_message(
    client: httpx.AsyncClient,
    executor: SchemaExecutor,
    caplog: pytest.LogCaptureFixture,
) -> None:
    executor.failure = KeyError("0101901234 has diabetes")

    with caplog.at_level(logging.ERROR, logger="gateway.app"):
        response = await client.post(
            "/graphql", json={"query": "query Dashboard { hello }"}
        )

    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {
                "message": "The server failed to answer this request.",
                "extensions": {"code": "INTERNAL_SERVER_ERROR"},
            }
        ]
    }
    assert "KeyError" in caplog.text
    assert "Dashboard" in caplog.text
    assert "0101901234" not in caplog.text
    assert "diabetes" not in caplog.text


async def test_responses_are_never_cached_nor_sniffed(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/graphql", json={"query": "{ hello }"})

    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("{ " + "items { " * 4 + "number" + " }" * 4 + " }", "DEPTH_LIMIT_EXCEEDED"),
        ("{ a: hello b: hello c: hello }", "ALIAS_LIMIT_EXCEEDED"),
        ("{ items(first: 50) { parts(first: 50) { number } } }", "COST_LIMIT_EXCEEDED"),
    ],
)
@pytest.mark.parametrize(("accept", "status"), [(GQL, 400), (JSON, 200)])
async def test_limits_are_request_errors(
    serve: Serve,
    executor: SchemaExecutor,
    query: str,
    code: str,
    accept: str,
    status: int,
) -> None:
    from gateway.limits import Limits

    limits = Limits(max_depth=3, max_aliases=2, max_cost=1000)
    async for client in serve(limits=limits):
        response = await client.post(
            "/graphql", json={"query": query}, headers={"accept": accept}
        )

    assert response.status_code == status
    assert _codes(response) == [code]
    assert executor.calls == []


async def test_a_subscription_is_not_served(
    client: httpx.AsyncClient, executor: SchemaExecutor
) -> None:
    response = await client.post(
        "/graphql", json={"query": "subscription { ticks }"}, headers={"accept": GQL}
    )

    assert response.status_code == 400
    assert _codes(response) == ["OPERATION_NOT_SUPPORTED"]
    assert executor.calls == []


async def test_the_access_log_leaves_the_query_string_out(
    client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    params = {"query": "query Q($c: String) { hello(name: $c) }"}
    params["variables"] = '{"c": "0101901234"}'

    with caplog.at_level(logging.INFO, logger="gateway.middleware"):
        await client.get("/graphql", params=params)

    assert "GET /graphql 200" in caplog.text
    assert "0101901234" not in caplog.text


async def test_what_start_up_made_is_frozen_while_serving(serve: Serve) -> None:
    before = gc.get_freeze_count()
    async for client in serve():
        response = await client.post("/graphql", json={"query": "{ hello }"})
        assert response.status_code == 200
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
