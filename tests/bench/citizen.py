"""Benchmark variants over the citizen graph (issue #3, "Speed, in a benchmark").

The query is the dashboard of the persona ``parent``: person, spouse, children,
properties with valuation, three payslips, tax assessments, health record. The
variants:

- ``ours-in-process``: ``citizen-graph serve`` with its subgraphs in process;
- ``ours-http``: ``citizen-graph serve --supergraph FILE`` over the four
  authorities served by ``citizen-graph subgraph NAME --port P``;
- ``hive-http``: Hive Gateway over the same four HTTP subgraphs and supergraph;
- ``floor-http``: the fetches of the dashboard's plan sent straight to the HTTP
  subgraphs; ``floor-in-process``: the same fetches run in one process on the
  authorities' schemas (see :mod:`tests.bench.floor`).

Each ``start`` below is a stub until the gateway, the subgraph command and the
development token command are on main; each raises :class:`VariantUnavailable`
with what is missing. The steps to fill in are written in each stub. Shared
pieces (seeding, the token, the supergraph) are in the helpers at the top.
"""

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.bench.variants import Deployment, Variant, VariantUnavailable

PERSONA = "parent"
CITIZENS = 1000
"""Citizens seeded for the benchmark, besides the fixed personas."""

DASHBOARD_QUERY: str | None = None
"""The dashboard operation of the persona ``parent``.

TODO(#3): take the dashboard document of the persisted operations (issue #5, the
portal page) once it exists, so that the benchmark measures what the portal asks.
"""


def citizen_graph() -> str:
    """The ``citizen-graph`` console script, or :class:`VariantUnavailable`."""
    found = shutil.which("citizen-graph")
    if found is None:
        raise VariantUnavailable("The citizen-graph command is not installed.")
    return found


def seed(data_dir: Path) -> None:
    """Seed the synthetic population with its personas into ``data_dir``."""
    subprocess.run(
        [
            citizen_graph(),
            "seed",
            "--data-dir",
            str(data_dir),
            "--citizens",
            str(CITIZENS),
        ],
        check=True,
        capture_output=True,
    )


def persona_headers(persona: str = PERSONA) -> dict[str, str]:
    """The Authorization header of a persona, from the development issuer."""
    token = subprocess.run(
        [citizen_graph(), "token", "--persona", persona],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {"authorization": f"Bearer {token}"}


def _not_yet(what: str) -> VariantUnavailable:
    return VariantUnavailable(
        f"{what} is not on this branch yet; fill in tests/bench/citizen.py."
    )


@contextmanager
def ours_in_process(workdir: Path) -> Iterator[Deployment]:
    """Our gateway with the subgraphs in process.

    To fill in: ``seed(workdir / "data")``; a spec for ``citizen-graph serve --dev
    --host 127.0.0.1 --port P`` (``--dev`` so that the dashboard need not be a
    registered trusted document; or register it and run in production mode) with
    ``CITIZEN_GRAPH_DATA_DIR`` set, probed with
    :func:`tests.peers.servers.graphql_ready`; ``running_process(spec)``; yield
    ``Deployment([Target(server.endpoint, gql(DASHBOARD_QUERY),
    persona_headers())], {GATEWAY: server})``.
    """
    raise _not_yet("citizen-graph serve (the in-process gateway)")
    yield  # pragma: no cover


@contextmanager
def ours_http(workdir: Path) -> Iterator[Deployment]:
    """Our gateway over the four authorities as HTTP subgraphs.

    To fill in: seed; one spec per authority (``citizen-graph subgraph NAME
    --port P``, ports from :func:`tests.peers.servers.free_port`); the supergraph
    with those URLs (``citizen-graph compose``, or
    :func:`tests.peers.compose.compose_supergraph` on the subgraphs' SDL) written
    to ``workdir / "supergraph.graphql"``; a spec for ``citizen-graph serve
    --supergraph FILE --port P``; start them all with ``running_servers``; yield the
    gateway as ``GATEWAY`` and each subgraph under its name.
    """
    raise _not_yet("citizen-graph subgraph and serve --supergraph")
    yield  # pragma: no cover


@contextmanager
def hive_http(workdir: Path) -> Iterator[Deployment]:
    """Hive Gateway over the same four HTTP subgraphs and supergraph.

    To fill in: as ``ours_http`` but the gateway spec is
    ``tests.peers.hive.hive_spec(supergraph, workdir)``. Our subgraphs refuse
    requests without the gateway's service token (DESIGN.md): pass a token signed
    for each subgraph as ``subgraph_headers={NAME: {...}}`` or run the subgraphs
    in a mode that accepts the forwarded Authorization header.
    """
    raise _not_yet("citizen-graph subgraph (HTTP subgraphs)")
    yield  # pragma: no cover


@contextmanager
def floor_http(workdir: Path) -> Iterator[Deployment]:
    """The dashboard plan's fetches sent straight to the HTTP subgraphs.

    To fill in: as ``ours_http`` without the gateway; take the fetches from
    ``citizen-graph plan`` of the dashboard (subgraph, document, variables), and
    yield one ``Target`` per fetch with the service-token headers of its subgraph.
    """
    raise _not_yet("citizen-graph plan and subgraph")
    yield  # pragma: no cover


@contextmanager
def floor_in_process(workdir: Path) -> Iterator[Deployment]:
    """The dashboard plan's fetches run in one process on the authorities' schemas.

    To fill in: a uvicorn factory like :func:`tests.bench.floor.standin_floor` that
    prepares each fetch of the plan on ``subgraph.schema._schema`` and builds the
    context with ``subgraph.make_context(viewer, database)``.
    """
    raise _not_yet("the dashboard plan")
    yield  # pragma: no cover


VARIANTS = [
    Variant("ours-in-process", "Our gateway, subgraphs in process.", ours_in_process),
    Variant("ours-http", "Our gateway over four HTTP subgraphs.", ours_http),
    Variant("hive-http", "Hive Gateway over the same HTTP subgraphs.", hive_http),
    Variant("floor-http", "The plan's fetches straight to the subgraphs.", floor_http),
    Variant(
        "floor-in-process",
        "The plan's fetches on the schemas, one process.",
        floor_in_process,
    ),
]
BASELINE = "hive-http"
