"""What a benchmark variant is: how to start its servers and what to send them.

A :class:`Variant` has a name, a description and a ``start`` function. ``start``
gets a scratch directory and is a context manager: it starts the servers the
variant needs (for example with :func:`tests.peers.servers.running_servers`) and
yields a :class:`Deployment`, then stops them when the block ends.

A deployment names the requests to drive and the servers to watch:

- one :class:`Target` for a gateway: its URL, headers and GraphQL request body;
- several targets for a floor, one per fetch a query plan would send: each is
  driven alone and the results are added up as if the fetches ran one after
  another (see :mod:`tests.bench.harness`).

Servers are watched by role: ``gateway`` (the server whose peak memory the report
shows; a floor has none) and any others (subgraphs), whose CPU time counts too.
A ``start`` that cannot run here raises :class:`VariantUnavailable` with the
reason, and the run reports it instead of numbers.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.peers.servers import RunningServer

GATEWAY = "gateway"
"""The role of the server that answers the client in a gateway variant."""

JSON_HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json, application/json;q=0.9",
}


class VariantUnavailable(RuntimeError):
    """A variant cannot run on this checkout or machine; the message says why."""

    code = "VARIANT_UNAVAILABLE"


@dataclass(frozen=True)
class Target:
    """One request to drive: where, with which headers, which GraphQL body."""

    url: str
    body: Mapping[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    def encoded(self) -> bytes:
        """The body as JSON bytes."""
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")

    def all_headers(self) -> dict[str, str]:
        """The JSON request headers and the target's own."""
        return {**JSON_HEADERS, **self.headers}


@dataclass(frozen=True)
class Deployment:
    """The running servers of a variant and the requests to drive at them."""

    targets: Sequence[Target]
    servers: Mapping[str, RunningServer]


StartFn = Callable[[Path], AbstractContextManager[Deployment]]


@dataclass(frozen=True)
class Variant:
    """A named way to serve the benchmark's query.

    Attributes:
        name: A short label for the table.
        description: One sentence for the report.
        start: Starts the servers in a scratch directory, yields the deployment.
    """

    name: str
    description: str
    start: StartFn


def gql(query: str, variables: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A GraphQL request body."""
    body: dict[str, Any] = {"query": query}
    if variables:
        body["variables"] = dict(variables)
    return body
