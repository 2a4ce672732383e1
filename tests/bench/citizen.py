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

The gateway variants run the real commands on a population seeded once per
benchmark process; the persona's token comes from ``citizen-graph token``. The
floors are stubs that raise :class:`VariantUnavailable`; the steps to fill them
in are in their docstrings. A variant whose answer has no data (the dashboard
must come back whole) is reported as failing its check, not measured.
"""

import atexit
import functools
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.bench.variants import (
    GATEWAY,
    Deployment,
    Target,
    Variant,
    VariantUnavailable,
    gql,
)
from tests.peers.citizen_stack import (
    persona_headers,
    seed,
    serve_spec,
    subgraph_specs,
    write_supergraph,
)
from tests.peers.hive import hive_spec
from tests.peers.servers import ServerSpec, running_servers

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
      healthRecord {
        vaccinations { vaccine protectsAgainst givenOn }
        medications { drug dose startDate endDate }
      }
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
operations (gateway/portal/operations.graphql)."""


@functools.cache
def seeded() -> Path:
    """A data folder seeded once per benchmark process, removed at exit."""
    folder = Path(tempfile.mkdtemp(prefix="bench-data-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return seed(folder, CITIZENS)


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
def over_http_subgraphs(
    workdir: Path, gateway: Callable[[Path, Path], ServerSpec]
) -> Iterator[Deployment]:
    """The four authorities as HTTP subgraphs and a gateway over their supergraph.

    Args:
        workdir: Where the supergraph file goes.
        gateway: Makes the gateway's spec from the data folder and the supergraph.
    """
    data = seeded()
    headers = persona()
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

    Hive forwards the client's Authorization header. Our subgraphs take the viewer
    from the gateway's service token (DESIGN.md); once they refuse requests
    without one, mint a token per subgraph for the persona
    (``auth.service_tokens.ServiceTokens.mint``; they live 60 seconds, longer than
    one measurement) and pass them as ``hive_spec(..., subgraph_headers={NAME:
    {"authorization": "Bearer ..."}})``. TODO(#3): do so when the subgraph
    service verifies service tokens.
    """
    with over_http_subgraphs(
        workdir, lambda _data, supergraph: hive_spec(supergraph, workdir)
    ) as deployment:
        yield deployment


def _not_yet(what: str) -> VariantUnavailable:
    return VariantUnavailable(
        f"{what} is not written yet; see its docstring in tests/bench/citizen.py."
    )


@contextmanager
def floor_http(workdir: Path) -> Iterator[Deployment]:
    """The dashboard plan's fetches sent straight to the HTTP subgraphs.

    To fill in: record the fetches of one execution of the dashboard: run
    ``resolvers.executor.FederatedExecutor`` once with transports that wrap the
    in-process ones and keep each ``FetchRequest`` (subgraph, document text,
    variables, with the real entity representations). Then, as ``ours_http``
    without the gateway, yield one ``Target`` per recorded fetch at its
    subgraph's URL, with that subgraph's service-token header.
    """
    raise _not_yet("The HTTP floor (the recorded fetches of the plan)")
    yield  # pragma: no cover


@contextmanager
def floor_in_process(workdir: Path) -> Iterator[Deployment]:
    """The dashboard plan's fetches run in one process on the authorities' schemas.

    To fill in: a uvicorn factory like :func:`tests.bench.floor.standin_floor` that
    prepares each recorded fetch (see ``floor_http``) on
    ``subgraph.schema._schema`` and builds the context with
    ``subgraph.make_context(viewer, database)`` for the persona's viewer.
    """
    raise _not_yet("The in-process floor (the recorded fetches of the plan)")
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
