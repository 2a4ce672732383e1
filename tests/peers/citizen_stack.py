"""The citizen graph as separate processes: HTTP subgraphs, our gateway, Hive.

The pieces the peer comparison and the benchmark share: seeding a data folder,
a persona's token, and the specs of ``citizen-graph serve``, ``citizen-graph
subgraph NAME`` and Hive Gateway over the same supergraph. :func:`citizen_stack`
starts the four authorities over HTTP with both gateways in front, for
:func:`tests.peers.compare.compare_gateways`::

    with citizen_stack(tmp_path, seed(tmp_path / "data")) as stack:
        found = await compare_gateways(stack.ours.endpoint, stack.hive.endpoint, CORPUS)

Every process logs at WARNING only (no line per request) and gets the data folder
in ``CITIZEN_GRAPH_DATA_DIR``.
"""

import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.peers.hive import hive_spec
from tests.peers.servers import (
    PeerStartError,
    RunningServer,
    ServerSpec,
    free_port,
    graphql_ready,
    http_ready,
    python_env,
    running_servers,
)

QUIET = ("--log-level", "WARNING")
"""No log line per request: Hive Gateway runs with ``logging: "error"`` too."""


def citizen_graph() -> str:
    """The ``citizen-graph`` console script beside this Python, else on PATH."""
    beside = Path(sys.executable).parent / "citizen-graph"
    found = str(beside) if beside.exists() else shutil.which("citizen-graph")
    if found is None:
        raise PeerStartError("The citizen-graph command is not installed.")
    return found


def seed(data_dir: Path, citizens: int = 200) -> Path:
    """Seed the synthetic population, personas included, into ``data_dir``."""
    argv = [citizen_graph(), *QUIET, "seed", "--data-dir", str(data_dir)]
    _command([*argv, "--citizens", str(citizens)])
    return data_dir


def persona_headers(data_dir: Path, persona: str) -> dict[str, str]:
    """The Authorization header of a persona, from the development issuer."""
    argv = [citizen_graph(), "token", "--persona", persona, "--data-dir", str(data_dir)]
    return {"authorization": f"Bearer {_command(argv).strip()}"}


def _command(argv: list[str]) -> str:
    """Run a citizen-graph command; its output, or :class:`PeerStartError`."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PeerStartError(
            f"`{' '.join(argv[1:])}` exited with code {done.returncode}: "
            f"{done.stderr.strip()[-2000:]}"
        )
    return done.stdout


def environment(data_dir: Path) -> dict[str, str]:
    """The environment of a citizen-graph process on ``data_dir``."""
    return python_env({"CITIZEN_GRAPH_DATA_DIR": str(data_dir)})


def serve_spec(data_dir: Path, *extra: str) -> ServerSpec:
    """``citizen-graph serve --dev`` on a free port, with ``extra`` arguments.

    Development mode, so that any operation runs without being a registered
    trusted document.
    """
    port = free_port()
    argv = [citizen_graph(), *QUIET, "serve", "--dev", "--port", str(port), *extra]
    return ServerSpec(
        "gateway", argv, port, probe=graphql_ready(), env=environment(data_dir)
    )


def production_spec(
    data_dir: Path, issuer: str, *, audience: str, jwks_file: Path | None = None
) -> ServerSpec:
    """``citizen-graph serve`` in production mode on a free port.

    Trusted documents are enforced and tokens are accepted from ``issuer`` only:
    its keys come from ``jwks_file`` when given, else through its discovery
    document. Ready when ``/readyz`` answers 200, since a free-text probe query
    is refused in production.
    """
    env = environment(data_dir)
    env["CITIZEN_GRAPH_OIDC_ISSUER"] = issuer
    env["CITIZEN_GRAPH_OIDC_AUDIENCE"] = audience
    env.pop("CITIZEN_GRAPH_OIDC_JWKS_FILE", None)
    env.pop("CITIZEN_GRAPH_PERSISTED_QUERIES", None)
    if jwks_file is not None:
        env["CITIZEN_GRAPH_OIDC_JWKS_FILE"] = str(jwks_file)
    port = free_port()
    argv = [citizen_graph(), *QUIET, "serve", "--port", str(port)]
    return ServerSpec("production", argv, port, probe=http_ready("/readyz"), env=env)


def push_manifest(data_dir: Path, manifest: Path, client: str) -> str:
    """``citizen-graph persisted-queries push``: trusted documents of ``client``."""
    argv = [citizen_graph(), *QUIET, "persisted-queries", "push", str(manifest)]
    done = subprocess.run(
        [*argv, "--client", client],
        capture_output=True,
        text=True,
        check=False,
        env=environment(data_dir),
    )
    if done.returncode != 0:
        raise PeerStartError(
            f"`persisted-queries push` exited with code {done.returncode}: "
            f"{(done.stderr or done.stdout).strip()[-2000:]}"
        )
    return done.stdout


def subgraph_specs(data_dir: Path) -> dict[str, ServerSpec]:
    """``citizen-graph subgraph NAME`` for each authority, each on a free port."""
    from subgraphs.registry import AUTHORITIES

    specs = {}
    for name in AUTHORITIES:
        port = free_port()
        argv = [citizen_graph(), *QUIET, "subgraph", name, "--port", str(port)]
        argv += ["--data-dir", str(data_dir)]
        specs[name] = ServerSpec(name, argv, port, env=environment(data_dir))
    return specs


def write_supergraph(specs: Mapping[str, ServerSpec], path: Path) -> Path:
    """Our composer's supergraph of the authorities, at the URLs of ``specs``."""
    from schema.compose import SubgraphSdl, compose
    from subgraphs.registry import load

    sdl = compose(
        [
            SubgraphSdl(name, spec.endpoint, load(name).sdl)
            for name, spec in specs.items()
        ]
    ).supergraph_or_raise()
    path.write_text(sdl, encoding="utf-8")
    return path


@dataclass(frozen=True)
class CitizenStack:
    """The running authorities and both gateways over them."""

    subgraphs: Mapping[str, RunningServer]
    supergraph: Path
    ours: RunningServer
    hive: RunningServer


@contextmanager
def citizen_stack(
    workdir: Path,
    data_dir: Path,
    *,
    hive_subgraph_headers: Mapping[str, Mapping[str, str]] | None = None,
    hive_token_header_prefix: str | None = None,
) -> Iterator[CitizenStack]:
    """The four authorities over HTTP, our gateway and Hive Gateway over them.

    Args:
        workdir: Where the supergraph and Hive's configuration go.
        data_dir: A seeded data folder (see :func:`seed`).
        hive_subgraph_headers: Fixed headers Hive sends to each subgraph (by name),
            such as a service token, since Hive cannot mint one per request.
            A service token lives 60 seconds, so fixed ones suit short runs only.
        hive_token_header_prefix: The client header ``PREFIX + NAME`` becomes the
            bearer token of subgraph NAME's requests through Hive (see
            :func:`tests.peers.hive.hive_spec`): the client mints fresh tokens.
    """
    subgraphs = subgraph_specs(data_dir)
    supergraph = write_supergraph(subgraphs, workdir / "supergraph.graphql")
    ours = serve_spec(data_dir, "--supergraph", str(supergraph))
    hive = hive_spec(
        supergraph,
        workdir,
        subgraph_headers=hive_subgraph_headers,
        token_header_prefix=hive_token_header_prefix,
    )
    with running_servers([*subgraphs.values(), ours, hive]) as servers:
        *subgraph_servers, ours_server, hive_server = servers
        running = dict(zip(subgraphs, subgraph_servers, strict=True))
        yield CitizenStack(running, supergraph, ours_server, hive_server)
