"""The stand-in graph running: two subgraphs, their supergraph, Hive Gateway.

:func:`standin_stack` starts the ``users`` and ``posts`` subgraphs of
:mod:`tests.peers.standin` with uvicorn, composes their supergraph with the npm
composer and serves it with Hive Gateway. :data:`CORPUS` is a corpus of operations
over it, and :func:`expected_outcomes` computes the answer each operation must get,
by running hand-written fetches directly on the subgraphs and merging the results,
with subgraph error paths moved to the client's paths.
"""

from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from strawberry.federation import Schema

from tests.peers.compare import ACCEPT, Operation, Outcome, PathKey
from tests.peers.compose import SubgraphSource, compose_supergraph
from tests.peers.hive import hive_spec
from tests.peers.servers import (
    RunningServer,
    ServerSpec,
    running_servers,
    uvicorn_spec,
)
from tests.peers.standin import APPS, SCHEMAS

SDL_QUERY = "{ _service { sdl } }"
AUTHOR = {"authorization": "Bearer u1"}


@dataclass(frozen=True)
class Standin:
    """The running stand-in graph."""

    subgraphs: Mapping[str, RunningServer]
    supergraph: Path
    hive: RunningServer


def subgraph_specs() -> dict[str, ServerSpec]:
    """How to serve the ``users`` and ``posts`` subgraphs, each on a free port."""
    return {name: uvicorn_spec(app, name=name) for name, app in APPS.items()}


def standin_sources(specs: Mapping[str, ServerSpec]) -> list[SubgraphSource]:
    """Each subgraph's name, future URL and SDL (from its schema, in process)."""
    return [
        SubgraphSource(name, spec.endpoint, schema_sdl(SCHEMAS[name]))
        for name, spec in specs.items()
    ]


def schema_sdl(schema: Schema) -> str:
    """A federation schema's SDL as its ``_service { sdl }`` field gives it."""
    result = schema.execute_sync(SDL_QUERY)
    assert result.data is not None, result.errors
    sdl: str = result.data["_service"]["sdl"]
    return sdl


@contextmanager
def standin_subgraphs() -> Iterator[dict[str, RunningServer]]:
    """Serve the ``users`` and ``posts`` subgraphs for the duration of the block."""
    specs = subgraph_specs()
    with running_servers(list(specs.values())) as servers:
        yield dict(zip(specs, servers, strict=True))


@contextmanager
def standin_stack(workdir: Path) -> Iterator[Standin]:
    """Subgraphs, supergraph (written into ``workdir``) and Hive Gateway over them.

    The supergraph is composed before the servers start (the ports are chosen
    first), so that the subgraphs and the gateway start at the same time.
    """
    specs = subgraph_specs()
    supergraph = workdir / "supergraph.graphql"
    sdl = compose_supergraph(standin_sources(specs))
    supergraph.write_text(sdl, encoding="utf-8")
    hive = hive_spec(supergraph, workdir)
    with running_servers([*specs.values(), hive]) as servers:
        subgraphs = dict(zip(specs, servers[:-1], strict=True))
        yield Standin(subgraphs, supergraph, servers[-1])


CORPUS: list[Operation] = [
    Operation("users", "{ users { id name } }"),
    Operation(
        "user_by_variable",
        "query One($id: ID!) { user(id: $id) { id name } }",
        {"id": "u2"},
    ),
    Operation("missing_user", '{ user(id: "u9") { name } }'),
    Operation("posts_with_authors", "{ posts { title author { name } } }"),
    Operation(
        "user_with_posts",
        "query Posts($id: ID!) { user(id: $id) { name posts { title likes } } }",
        {"id": "u1"},
    ),
    Operation(
        "fragments_and_aliases",
        '{ first: post(id: "p1") { ...Card } fourth: post(id: "p4") { ...Card } }'
        " fragment Card on Post { id title author { name } }",
    ),
    Operation("error_in_one_subgraph", "{ posts { id likes } }"),
    Operation("error_in_entity_fetch", "{ posts { id author { name email } } }"),
    Operation(
        "viewer_with_header",
        "{ viewer { name posts { title canEdit } } }",
        None,
        AUTHOR,
    ),
    Operation("viewer_without_header", "{ viewer { name } }"),
    Operation(
        "three_hops",
        '{ post(id: "p2") { title author { name posts { title } } } }',
    ),
    Operation(
        "include_false",
        "query Some($with: Boolean!) { posts { id author @include(if: $with) "
        "{ name } } }",
        {"with": False},
    ),
    Operation(
        "typename_and_two_roots",
        '{ posts { __typename id } user(id: "u3") { __typename name } }',
    ),
]


class Direct:
    """Fetches sent straight to the subgraphs, as a query plan would send them."""

    def __init__(self, client: httpx.AsyncClient, urls: Mapping[str, str]) -> None:
        self.client = client
        self.urls = urls
        self.error_paths: set[PathKey] = set()

    async def root(
        self,
        subgraph: str,
        query: str,
        variables: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Run a root fetch; its error paths are already the client's."""
        payload = await self._post(subgraph, query, variables, headers)
        for error in payload.get("errors") or []:
            self.error_paths.add(tuple(error["path"]) if error.get("path") else None)
        data: dict[str, Any] = payload["data"]
        return data

    async def entities(
        self,
        subgraph: str,
        typename: str,
        keys: Sequence[tuple[str | int, ...]],
        ids: Sequence[str],
        selection: str,
        headers: Mapping[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """Resolve ``ids`` of ``typename`` with ``_entities``.

        ``keys[i]`` is the client path of the i-th entity; errors at
        ``_entities.i.rest`` are recorded at ``keys[i] + rest``.
        """
        query = (
            f"query($r: [_Any!]!) {{ _entities(representations: $r) "
            f"{{ ... on {typename} {{ {selection} }} }} }}"
        )
        representations = [{"__typename": typename, "id": id_} for id_ in ids]
        payload = await self._post(subgraph, query, {"r": representations}, headers)
        for error in payload.get("errors") or []:
            _, index, *rest = error["path"]
            self.error_paths.add((*keys[index], *rest))
        found: list[dict[str, Any]] = payload["data"]["_entities"]
        return found

    async def _post(
        self,
        subgraph: str,
        query: str,
        variables: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        body = {"query": query, "variables": dict(variables or {})}
        response = await self.client.post(
            self.urls[subgraph],
            json=body,
            headers={"accept": ACCEPT, **(headers or {})},
        )
        payload: dict[str, Any] = response.json()
        return payload

    def outcome(self, data: Any) -> Outcome:
        """The client's outcome: ``data`` and the errors gathered so far."""
        return Outcome(data, bool(self.error_paths), frozenset(self.error_paths))


Plan = Callable[[Direct, Operation], Awaitable[Outcome]]
"""Computes an operation's expected outcome with fetches sent by a :class:`Direct`."""


async def plan_posts_with_authors(d: Direct, _: Operation) -> Outcome:
    """``posts`` on posts, then the authors' names on users."""
    posts = (await d.root("posts", "{ posts { title author { id } } }"))["posts"]
    keys = [("posts", i, "author") for i in range(len(posts))]
    ids = [post["author"]["id"] for post in posts]
    names = await d.entities("users", "User", keys, ids, "name")
    rows = [
        {"title": post["title"], "author": name}
        for post, name in zip(posts, names, strict=True)
    ]
    return d.outcome({"posts": rows})


async def plan_user_with_posts(d: Direct, _: Operation) -> Outcome:
    """The user on users, then the user's posts on posts."""
    user = (await d.root("users", '{ user(id: "u1") { id name } }'))["user"]
    [extra] = await d.entities(
        "posts", "User", [("user",)], [user["id"]], "posts { title likes }"
    )
    return d.outcome({"user": {"name": user["name"], **extra}})


async def plan_fragments_and_aliases(d: Direct, _: Operation) -> Outcome:
    """Both aliased posts on posts, then their authors on users."""
    data = await d.root(
        "posts",
        '{ first: post(id: "p1") { id title author { id } } '
        'fourth: post(id: "p4") { id title author { id } } }',
    )
    aliases = ["first", "fourth"]
    ids = [data[alias]["author"]["id"] for alias in aliases]
    keys = [(alias, "author") for alias in aliases]
    names = await d.entities("users", "User", keys, ids, "name")
    for alias, name in zip(aliases, names, strict=True):
        data[alias]["author"] = name
    return d.outcome(data)


async def plan_error_in_entity_fetch(d: Direct, _: Operation) -> Outcome:
    """Post ids on posts, then names and e-mail addresses on users."""
    posts = (await d.root("posts", "{ posts { id author { id } } }"))["posts"]
    keys = [("posts", i, "author") for i in range(len(posts))]
    ids = [post["author"]["id"] for post in posts]
    authors = await d.entities("users", "User", keys, ids, "name email")
    rows = [
        {"id": post["id"], "author": author}
        for post, author in zip(posts, authors, strict=True)
    ]
    return d.outcome({"posts": rows})


async def plan_viewer_with_header(d: Direct, _: Operation) -> Outcome:
    """The viewer on users, then the viewer's posts on posts; both signed in."""
    viewer = (await d.root("users", "{ viewer { id name } }", headers=AUTHOR))["viewer"]
    [extra] = await d.entities(
        "posts",
        "User",
        [("viewer",)],
        [viewer["id"]],
        "posts { title canEdit }",
        AUTHOR,
    )
    return d.outcome({"viewer": {"name": viewer["name"], **extra}})


async def plan_three_hops(d: Direct, _: Operation) -> Outcome:
    """The post and its author's posts on posts, then the author's name on users."""
    data = await d.root(
        "posts", '{ post(id: "p2") { title author { id posts { title } } } }'
    )
    author = data["post"]["author"]
    [name] = await d.entities(
        "users", "User", [("post", "author")], [author["id"]], "name"
    )
    data["post"]["author"] = {**name, "posts": author["posts"]}
    return d.outcome(data)


async def plan_two_roots(d: Direct, _: Operation) -> Outcome:
    """One root fetch on each subgraph."""
    posts = await d.root("posts", "{ posts { __typename id } }")
    user = await d.root("users", '{ user(id: "u3") { __typename name } }')
    return d.outcome({**posts, **user})


def single_fetch(subgraph: str, query: str | None = None) -> Plan:
    """A plan of one root fetch: the operation itself (or ``query``) on one subgraph."""

    async def plan(d: Direct, operation: Operation) -> Outcome:
        data = await d.root(
            subgraph, query or operation.query, operation.variables, operation.headers
        )
        return d.outcome(data)

    return plan


PLANS: dict[str, Plan] = {
    "users": single_fetch("users"),
    "user_by_variable": single_fetch("users"),
    "missing_user": single_fetch("users"),
    "posts_with_authors": plan_posts_with_authors,
    "user_with_posts": plan_user_with_posts,
    "fragments_and_aliases": plan_fragments_and_aliases,
    "error_in_one_subgraph": single_fetch("posts"),
    "error_in_entity_fetch": plan_error_in_entity_fetch,
    "viewer_with_header": plan_viewer_with_header,
    "viewer_without_header": single_fetch("users"),
    "three_hops": plan_three_hops,
    "include_false": single_fetch("posts", "{ posts { id } }"),
    "typename_and_two_roots": plan_two_roots,
}


async def expected_outcomes(urls: Mapping[str, str]) -> dict[str, Outcome]:
    """The outcome each :data:`CORPUS` operation must get, from direct fetches."""
    outcomes: dict[str, Outcome] = {}
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        for operation in CORPUS:
            direct = Direct(client, urls)
            outcomes[operation.name] = await PLANS[operation.name](direct, operation)
    return outcomes
