"""Benchmark variants over the stand-in graph of :mod:`tests.peers.standin`.

They prove the harness before the citizen graph exists and show what a variant
looks like; their numbers say nothing about the citizen graph. The query is a
small dashboard: the signed-in user with e-mail and posts, and all posts with
their authors, across both subgraphs.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.bench.variants import GATEWAY, Deployment, Target, Variant, gql
from tests.peers.servers import running_process, uvicorn_spec
from tests.peers.standin_stack import standin_stack, standin_subgraphs

AUTH = {"authorization": "Bearer u1"}

DASHBOARD = """
query Dashboard {
  viewer { name email posts { title canEdit } }
  posts { title author { name } }
}
"""

ENTITIES = (
    "query Entities($r: [_Any!]!) { _entities(representations: $r) "
    "{ ... on User { %s } } }"
)


def users(*ids: str) -> dict[str, Any]:
    """The variables of an ``_entities`` fetch for the users ``ids``."""
    return {"r": [{"__typename": "User", "id": id_} for id_ in ids]}


FLOOR_FETCHES: list[tuple[str, str, dict[str, Any], dict[str, str]]] = [
    ("users", "{ viewer { id name email } }", {}, AUTH),
    ("posts", ENTITIES % "posts { title canEdit }", users("u1"), AUTH),
    ("posts", "{ posts { title author { id } } }", {}, AUTH),
    ("users", ENTITIES % "name", users("u1", "u2", "u3"), AUTH),
]
"""The fetches of the dashboard's plan: (subgraph, query, variables, headers)."""


@contextmanager
def hive(workdir: Path) -> Iterator[Deployment]:
    """Hive Gateway over the two stand-in subgraphs."""
    with standin_stack(workdir) as stack:
        target = Target(stack.hive.endpoint, gql(DASHBOARD), AUTH)
        yield Deployment([target], {GATEWAY: stack.hive, **stack.subgraphs})


@contextmanager
def floor_http(workdir: Path) -> Iterator[Deployment]:
    """The dashboard's fetches sent straight to the subgraphs over HTTP."""
    with standin_subgraphs() as servers:
        targets = [
            Target(servers[subgraph].endpoint, gql(query, variables), headers)
            for subgraph, query, variables, headers in FLOOR_FETCHES
        ]
        yield Deployment(targets, dict(servers))


@contextmanager
def floor_in_process(workdir: Path) -> Iterator[Deployment]:
    """The dashboard's fetches run in one process, behind one HTTP hop."""
    spec = uvicorn_spec("tests.bench.floor:standin_floor", factory=True, name="floor")
    with running_process(spec) as server:
        yield Deployment(
            [Target(server.endpoint, gql("{ floor }"), AUTH)], {"floor": server}
        )


VARIANTS = [
    Variant("hive", "Hive Gateway over the users and posts subgraphs (uvicorn).", hive),
    Variant(
        "floor-http",
        "The four fetches of the plan sent straight to the subgraphs, one by one.",
        floor_http,
    ),
    Variant(
        "floor-in-process",
        "The four fetches run with graphql-core in one uvicorn process, no plan.",
        floor_in_process,
    ),
]
