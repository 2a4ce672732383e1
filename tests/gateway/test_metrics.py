"""``GET /metrics``: requests and subgraph fetches, in the Prometheus text format."""

import asyncio
import contextlib

import httpx
import pytest
from graphql import parse
from prometheus_client.parser import text_string_to_metric_families

from auth.viewer import ANONYMOUS
from gateway.metrics import MeteredTransport, route_of
from resolvers.transports import FetchRequest, FetchResult, SubgraphTimeout

REQUEST = FetchRequest("skat", parse("{ a }"), "{ a }", {}, ANONYMOUS)


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def samples(text: str) -> Samples:
    """Every sample of an exposition, by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(
    client: httpx.AsyncClient,
) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def requests_of(found: Samples, route: str, status: str, method: str = "POST") -> float:
    key = (
        "citizen_graph_http_requests_total",
        (("method", method), ("route", route), ("status", status)),
    )
    return found.get(key, 0.0)


async def test_requests_are_counted_by_route_and_status(
    client: httpx.AsyncClient,
) -> None:
    before = await scrape(client)

    await client.post("/graphql", json={"query": "{ hello }"})
    await client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    await client.post("/no/such/place?cpr=010203-1234")

    after = await scrape(client)
    assert (
        requests_of(after, "/graphql", "200") - requests_of(before, "/graphql", "200")
        == 1
    )
    assert (
        requests_of(after, "/graphql", "400") - requests_of(before, "/graphql", "400")
        == 1
    )
    assert requests_of(after, "other", "404") - requests_of(before, "other", "404") == 1
    text = (await client.get("/metrics")).text
    assert "010203" not in text
    assert "/no/such/place" not in text


def test_only_the_gateways_own_paths_are_labels() -> None:
    assert route_of("/graphql") == "/graphql"
    assert route_of("/graphql/../etc") == "other"
    assert route_of("/person/0102031234") == "other"


class Answering:
    def __init__(self, outcome: FetchResult | Exception) -> None:
        self.outcome = outcome

    async def fetch(self, request: FetchRequest) -> FetchResult:
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome


@pytest.mark.parametrize(
    ("outcome", "label"),
    [
        (FetchResult(data={"a": 1}), "ok"),
        (FetchResult(data=None, errors=[{"message": "no"}]), "errors"),
        (SubgraphTimeout("skat", "The subgraph skat timed out."), "SUBGRAPH_TIMEOUT"),
    ],
)
async def test_fetches_are_counted_by_subgraph_and_outcome(
    client: httpx.AsyncClient, outcome: FetchResult | Exception, label: str
) -> None:
    key = (
        "citizen_graph_subgraph_fetches_total",
        (("outcome", label), ("subgraph", "skat")),
    )
    before = (await scrape(client)).get(key, 0.0)
    transport = MeteredTransport(Answering(outcome), "skat")

    with contextlib.suppress(SubgraphTimeout):
        await transport.fetch(REQUEST)

    after = await scrape(client)
    assert after[key] - before == 1
    assert (
        after[("citizen_graph_subgraph_fetch_seconds_count", (("subgraph", "skat"),))]
        >= 1
    )


class Slow:
    async def fetch(self, request: FetchRequest) -> FetchResult:
        await asyncio.sleep(5)
        return FetchResult(data={})


async def test_a_fetch_cut_short_by_its_timeout_counts_as_cancelled(
    client: httpx.AsyncClient,
) -> None:
    key = (
        "citizen_graph_subgraph_fetches_total",
        (("outcome", "cancelled"), ("subgraph", "health")),
    )
    before = (await scrape(client)).get(key, 0.0)
    transport = MeteredTransport(Slow(), "health")

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await transport.fetch(REQUEST)

    assert (await scrape(client))[key] - before == 1
