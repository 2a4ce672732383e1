"""Metrics for operators, in the Prometheus text format at ``GET /metrics``.

    citizen_graph_http_requests_total{method, route, status}    requests answered
    citizen_graph_http_request_seconds{route}                   their duration
    citizen_graph_subgraph_fetches_total{subgraph, outcome}     fetches by outcome:
        ``ok``, ``errors`` (the subgraph answered with GraphQL errors), the
        transport's stable code (``SUBGRAPH_TIMEOUT``, ``SUBGRAPH_UNAVAILABLE``, ...),
        ``cancelled`` (the subgraph's timeout ran out, or the client went away) or
        ``failed`` (anything else)
    citizen_graph_subgraph_fetch_seconds{subgraph}              their duration

Labels never carry anything of a request's content or its viewer: a route is one
of the gateway's own paths or ``other``, a subgraph is a name from the supergraph.

With several worker processes (``serve --workers``), each writes its samples to the
folder named by ``PROMETHEUS_MULTIPROC_DIR`` (``serve`` makes one), and whichever
worker answers ``/metrics`` adds up all of them.
"""

import asyncio
import os
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

from resolvers.transports import FetchRequest, FetchResult, Transport, TransportError

MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"

ROUTES = frozenset({"/graphql", "/graphiql", "/healthz", "/readyz", "/metrics", "/"})
"""Paths that get a label of their own; every other path counts as ``other``."""

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "citizen_graph_http_requests",
    "HTTP requests answered by the gateway.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "citizen_graph_http_request_seconds",
    "Time from a request's arrival to the end of its response.",
    ["route"],
    registry=REGISTRY,
)
FETCHES = Counter(
    "citizen_graph_subgraph_fetches",
    "Fetches sent to subgraphs, by outcome.",
    ["subgraph", "outcome"],
    registry=REGISTRY,
)
FETCH_SECONDS = Histogram(
    "citizen_graph_subgraph_fetch_seconds",
    "Time a subgraph took to answer one fetch.",
    ["subgraph"],
    registry=REGISTRY,
)


def route_of(path: str) -> str:
    """The label of ``path``: one of :data:`ROUTES`, or ``other``."""
    return path if path in ROUTES else "other"


def observe_request(method: str, path: str, status: int, seconds: float) -> None:
    """Count one answered request and its duration."""
    route = route_of(path)
    REQUESTS.labels(
        method if method in ("GET", "POST") else "other", route, str(status)
    ).inc()
    REQUEST_SECONDS.labels(route).observe(seconds)


class MeteredTransport:
    """A transport that counts and times the fetches of another."""

    def __init__(self, inner: Transport, subgraph: str) -> None:
        self.inner = inner
        self.subgraph = subgraph

    async def fetch(self, request: FetchRequest) -> FetchResult:
        """Run the fetch on the inner transport, noting its outcome and time."""
        started = time.perf_counter()
        outcome = "ok"
        try:
            result = await self.inner.fetch(request)
            if result.errors:
                outcome = "errors"
            return result
        except TransportError as exc:
            outcome = exc.code
            raise
        except asyncio.CancelledError:
            outcome = "cancelled"
            raise
        except BaseException:
            outcome = "failed"
            raise
        finally:
            FETCHES.labels(self.subgraph, outcome).inc()
            FETCH_SECONDS.labels(self.subgraph).observe(time.perf_counter() - started)


async def metrics(request: Request) -> Response:
    """``GET /metrics``: every metric of this process, or of all workers."""
    registry = REGISTRY
    if os.environ.get(MULTIPROCESS_VARIABLE):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return Response(
        generate_latest(registry),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )
