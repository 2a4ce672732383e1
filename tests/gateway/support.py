"""A small executor that honours the executor contract, for testing the server.

It runs a plain Strawberry schema with graphql-core, answers the plan of an
operation when asked, and records what the server handed it, so that tests see
the real HTTP behaviour of the gateway without the federated executor.
"""

import asyncio
import socket
import threading
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import strawberry
import uvicorn
from graphql import DocumentNode, GraphQLSchema, execute

from auth.viewer import Viewer
from gateway.settings import Settings


@strawberry.type
class Item:
    """A thing in a list."""

    number: int
    name: str

    @strawberry.field
    def parts(self, first: int | None = None) -> list["Item"]:
        """Smaller items."""
        return [Item(number=n, name=f"part {n}") for n in range(first or 2)]


@strawberry.type
class Query:
    """The test graph."""

    @strawberry.field
    def hello(self, name: str = "world") -> str:
        """A greeting."""
        return f"Hello, {name}!"

    @strawberry.field
    def viewer(self, info: strawberry.Info) -> str:
        """The subject of the signed-in viewer."""
        viewer: Viewer = info.context["viewer"]
        return viewer.subject

    @strawberry.field
    def items(self, first: int | None = None) -> list[Item]:
        """Some items."""
        return [Item(number=n, name=f"item {n}") for n in range(first or 3)]

    @strawberry.field
    def broken(self) -> str | None:
        """Always fails."""
        raise ValueError("The broken field failed.")


@strawberry.type
class Mutation:
    """Changes to the test graph."""

    @strawberry.mutation
    def touch(self) -> int:
        """Counts nothing, changes nothing."""
        return 1


@strawberry.type
class Subscription:
    """Events of the test graph, which HTTP requests do not serve."""

    @strawberry.subscription
    async def ticks(self) -> AsyncIterator[int]:
        """One tick."""
        yield 1


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)


@dataclass
class Result:
    """The executor contract's response."""

    data: dict[str, Any] | None
    errors: list[dict[str, Any]]
    extensions: dict[str, Any]


@dataclass
class Call:
    """What the server handed to :meth:`SchemaExecutor.execute`."""

    operation_name: str | None
    variables: Mapping[str, Any] | None
    viewer: Viewer
    document_hash: str
    include_plan: bool


@dataclass
class SchemaExecutor:
    """Executes one GraphQL schema; the contract of ``FederatedExecutor``."""

    schema: GraphQLSchema = field(default_factory=lambda: SCHEMA._schema)
    calls: list[Call] = field(default_factory=list)
    failure: Exception | None = None

    @property
    def api_schema(self) -> GraphQLSchema:
        """The public schema."""
        return self.schema

    async def execute(
        self,
        document: DocumentNode,
        *,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        viewer: Viewer,
        document_hash: str,
        include_plan: bool = False,
    ) -> Result:
        """Run ``document`` and shape the result as the contract says."""
        self.calls.append(
            Call(operation_name, variables, viewer, document_hash, include_plan)
        )
        if self.failure is not None:
            raise self.failure
        result = execute(
            self.schema,
            document,
            operation_name=operation_name,
            variable_values=dict(variables or {}),
            context_value={"viewer": viewer},
        )
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        errors = [dict(error.formatted) for error in result.errors or ()]
        plan = {"kind": "QueryPlan", "fetches": ["test"]}
        return Result(result.data, errors, {"queryPlan": plan} if include_plan else {})


def factory_of(executor: SchemaExecutor) -> Any:
    """An executor factory that opens ``executor``."""

    @asynccontextmanager
    async def factory(settings: Settings) -> AsyncIterator[SchemaExecutor]:
        yield executor

    return factory


@contextmanager
def live_server(app: Any, lifespan: str = "on") -> Iterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1 on a free port; yields its URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, lifespan=lifespan, access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]})
    thread.start()
    try:
        for _ in range(2000):
            if server.started:
                break
            threading.Event().wait(0.01)
        assert server.started, "The test server did not start."
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
