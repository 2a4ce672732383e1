"""Benchmark variants over the citizen graph (issue #3, "Speed, in a benchmark").

The query is the dashboard of the persona ``parent``: person, spouse, children,
properties with valuation, three payslips, tax assessments, health record. The
variants:

- ``ours-in-process``: ``citizen-graph serve`` with its subgraphs in process;
- ``ours-2-workers``: the same with ``--workers 2``, one process per core;
- ``ours-http``: ``citizen-graph serve --supergraph FILE`` over the four
  authorities served by ``citizen-graph subgraph NAME --port P``;
- ``hive-http``: Hive Gateway over the same four HTTP subgraphs and supergraph;
- ``floor-http``: the fetches of the dashboard's plan sent straight to the HTTP
  subgraphs; ``floor-in-process``: the same fetches run in one process on the
  authorities' schemas (see :mod:`tests.bench.floor`).

The gateway variants run the real commands on a population seeded once per
benchmark process; the persona's token comes from ``citizen-graph token``. The
floors replay the fetches of one real execution of the dashboard, recorded once
per benchmark process (:mod:`tests.bench.recording`). A variant whose answer has
no data (the dashboard must come back whole) is reported as failing its check,
not measured.
"""

import asyncio
import atexit
import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auth.service_tokens import KEY_FILE, ServiceTokens
from auth.viewer import Viewer
from gateway.settings import Settings
from subgraphs.kit import Database
from subgraphs.registry import AUTHORITIES, load
from tests.bench.citizen_floor import RECORDING_VARIABLE
from tests.bench.recording import RecordedFetch, Recording, persona_viewer, record
from tests.bench.variants import (
    GATEWAY,
    Deployment,
    Target,
    Variant,
    gql,
)
from tests.peers.citizen_stack import (
    environment,
    persona_headers,
    seed,
    serve_spec,
    subgraph_specs,
    write_supergraph,
)
from tests.peers.hive import hive_spec
from tests.peers.servers import (
    ServerSpec,
    running_process,
    running_servers,
    uvicorn_spec,
)

TOKEN_PREFIX = "x-service-token-"
"""Client headers that Hive turns into one subgraph's Authorization."""

PERSONA = "parent"
CITIZENS = 2000
"""Citizens seeded for the benchmark, besides the fixed personas."""

DASHBOARD_QUERY = """
query Dashboard {
  me {
    personId
    cprNumber
    name { firstNames lastName addressingName }
    address { street houseNumber floor door postcode city }
    spouse { personId name { addressingName } cprNumber }
    children {
      personId
      name { firstNames lastName }
      cprNumber
      birthDate
      hasCustody
    }
    properties {
      bfeNumber
      address { text }
      ownershipShare { fraction since }
      valuations { year propertyValue landValue preliminary }
    }
    payslips(last: 3) { employerName periodStart periodEnd grossPay aTax netPay }
    taxAssessments { kind year taxableIncome totalTax residualTax refund }
    healthRecord {
      vaccinations { vaccine protectsAgainst givenOn }
      medications { drug dose startDate endDate }
    }
  }
}
"""
"""The dashboard of issue #3 (person, spouse, children, properties with valuation,
three payslips, tax assessments, health record), in the fields of the portal's
operations (gateway/portal/operations.graphql). The health record is the
persona's own: the children's are left out, since the persona's teenage child's
is FORBIDDEN to a parent, and the benchmark measures clean answers only."""


@functools.cache
def seeded() -> Path:
    """A data folder seeded once per benchmark process, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="bench-data-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    seed(folder, CITIZENS)
    # Made before any server starts, so that they all read the same key.
    ServiceTokens.load_or_create(folder / KEY_FILE)
    return folder


def persona() -> dict[str, str]:
    """The Authorization header of the benchmark's persona."""
    return persona_headers(seeded(), PERSONA)


@contextmanager
def ours_in_process(workdir: Path) -> Iterator[Deployment]:
    """Our gateway with the four authorities in its own process."""
    with running_servers([serve_spec(seeded())]) as [gateway]:
        target = Target(gateway.endpoint, gql(DASHBOARD_QUERY), persona())
        yield Deployment([target], {GATEWAY: gateway})


@contextmanager
def ours_two_workers(workdir: Path) -> Iterator[Deployment]:
    """The same as :func:`ours_in_process`, served by two worker processes."""
    with running_servers([serve_spec(seeded(), "--workers", "2")]) as [gateway]:
        target = Target(gateway.endpoint, gql(DASHBOARD_QUERY), persona())
        yield Deployment([target], {GATEWAY: gateway})


@contextmanager
def over_http_subgraphs(
    workdir: Path,
    gateway: Callable[[Path, Path], ServerSpec],
    headers: Mapping[str, str] | None = None,
) -> Iterator[Deployment]:
    """The four authorities as HTTP subgraphs and a gateway over their supergraph.

    Args:
        workdir: Where the supergraph file goes.
        gateway: Makes the gateway's spec from the data folder and the supergraph.
        headers: The client's headers; the persona's token by default.
    """
    data = seeded()
    headers = persona() if headers is None else headers
    subgraphs = subgraph_specs(data)
    supergraph = write_supergraph(subgraphs, workdir / "supergraph.graphql")
    with running_servers([*subgraphs.values(), gateway(data, supergraph)]) as servers:
        *subgraph_servers, front = servers
        roles = {GATEWAY: front, **dict(zip(subgraphs, subgraph_servers, strict=True))}
        yield Deployment([Target(front.endpoint, gql(DASHBOARD_QUERY), headers)], roles)


@contextmanager
def ours_http(workdir: Path) -> Iterator[Deployment]:
    """Our gateway over the four authorities as HTTP subgraphs."""
    with over_http_subgraphs(
        workdir,
        lambda data, supergraph: serve_spec(data, "--supergraph", str(supergraph)),
    ) as deployment:
        yield deployment


@contextmanager
def hive_http(workdir: Path) -> Iterator[Deployment]:
    """Hive Gateway over the same four HTTP subgraphs and supergraph.

    Hive cannot mint service tokens, so the client sends one per subgraph for
    the persona's viewer in ``x-service-token-NAME`` and Hive's configuration
    turns that header into the ``Authorization`` of subgraph NAME's requests
    only (as in tests/peers/test_hive_compare.py). The tokens are minted when
    the load starts (:class:`FreshTokens`), so they outlive each measurement.
    """
    with over_http_subgraphs(
        workdir,
        lambda _data, supergraph: hive_spec(
            supergraph, workdir, propagate_headers=(), token_header_prefix=TOKEN_PREFIX
        ),
        FreshTokens(
            {TOKEN_PREFIX + name: name for name in AUTHORITIES}, fixed=persona()
        ),
    ) as deployment:
        yield deployment


class FreshTokens(Mapping[str, str]):
    """Request headers holding service tokens minted each time they are read.

    A target's headers are read when its check and its load start, so every
    load gets tokens that live :data:`auth.service_tokens.LIFETIME` from then.

    Args:
        subgraph_of: Header name -> the subgraph its token is for.
        fixed: Other headers, sent as they are.
    """

    def __init__(
        self, subgraph_of: Mapping[str, str], fixed: Mapping[str, str] | None = None
    ) -> None:
        self.subgraph_of = dict(subgraph_of)
        self.fixed = dict(fixed or {})

    def __getitem__(self, header: str) -> str:
        if header in self.fixed:
            return self.fixed[header]
        viewer, tokens = service_minting()
        token = tokens.mint(viewer, self.subgraph_of[header])
        return token if header.startswith(TOKEN_PREFIX) else f"Bearer {token}"

    def __iter__(self) -> Iterator[str]:
        return iter([*self.fixed, *self.subgraph_of])

    def __len__(self) -> int:
        return len(self.fixed) + len(self.subgraph_of)


@functools.cache
def service_minting() -> tuple[Viewer, ServiceTokens]:
    """The persona's viewer and the service-token key of the seeded data."""
    data = seeded()
    settings = Settings.from_env(environ={}, data_dir=data)

    async def viewer() -> Viewer:
        database = Database.open(settings.database_url(load("cpr").database_name))
        try:
            return await persona_viewer(data, PERSONA, {"cpr": database})
        finally:
            await database.close()

    return asyncio.run(viewer()), ServiceTokens.load_or_create(data / KEY_FILE)


@functools.cache
def recorded() -> tuple[Path, Recording]:
    """The dashboard's fetches recorded once per benchmark process, and its file."""
    data = seeded()
    recording = record(data, PERSONA, DASHBOARD_QUERY)
    return recording.save(data / "recording.json"), recording


@contextmanager
def floor_http(workdir: Path) -> Iterator[Deployment]:
    """The dashboard plan's fetches sent straight to the HTTP subgraphs.

    One target per recorded fetch (see :mod:`tests.bench.recording`) at its
    subgraph's URL, with a service token for that subgraph minted when the
    target's load starts. The harness drives them one by one and adds them up.
    """
    data = seeded()
    _path, recording = recorded()
    subgraphs = subgraph_specs(data)
    with running_servers(list(subgraphs.values())) as servers:
        running = dict(zip(subgraphs, servers, strict=True))
        targets = [
            Target(
                running[fetch.subgraph].endpoint,
                _body(fetch),
                FreshTokens({"authorization": fetch.subgraph}),
            )
            for fetch in recording.fetches
        ]
        yield Deployment(targets, dict(running))


def _body(fetch: RecordedFetch) -> dict[str, Any]:
    body = gql(fetch.query, fetch.variables)
    if fetch.operation_name:
        body["operationName"] = fetch.operation_name
    return body


@contextmanager
def floor_in_process(workdir: Path) -> Iterator[Deployment]:
    """The dashboard plan's fetches run in one process on the authorities' schemas.

    A uvicorn server of :func:`tests.bench.citizen_floor.citizen_floor` over the
    recorded fetches; one request runs them all, one after another.
    """
    data = seeded()
    path, _recording = recorded()
    env = {**environment(data), RECORDING_VARIABLE: str(path)}
    spec = uvicorn_spec(
        "tests.bench.citizen_floor:citizen_floor", factory=True, name="floor", env=env
    )
    with running_process(spec) as server:
        yield Deployment([Target(server.endpoint, gql("{ floor }"))], {"floor": server})


VARIANTS = [
    Variant("ours-in-process", "Our gateway, subgraphs in process.", ours_in_process),
    Variant(
        "ours-2-workers",
        "Our gateway, subgraphs in process, two worker processes (one per core).",
        ours_two_workers,
    ),
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
