"""Hive Gateway (``@graphql-hive/gateway`` from npm) as a peer router.

:func:`hive_gateway` serves a supergraph SDL file with the ``hive-gateway`` binary
from ``tests/peers/node_modules`` on the Node.js of the virtual environment, bound
to 127.0.0.1 on a free port, and stops it when the block ends.

The gateway runs with a configuration file written for the occasion:

- ``transportEntries['*'].options.deduplicateInflightRequests = false``: identical
  queries that are in flight to a subgraph at the same time are each sent (the
  HTTP executor shares them by default; real traffic differs per citizen, so a
  benchmark with sharing on measures a cache);
- ``inboundInflightRequestDeduplication = false``: the same for identical requests
  from clients (off by default; stated so that it stays off);
- ``propagateHeaders.fromClientToSubgraphs``: the named client headers (by default
  ``Authorization``) are forwarded to every subgraph fetch;
- ``transportEntries[NAME].headers``: fixed headers for one subgraph's requests
  (a pre-signed service token, say), when given;
- per-subgraph bearer tokens from the client, when a header prefix is given: the
  client's header ``PREFIX + NAME`` becomes ``Authorization: Bearer VALUE`` on the
  requests to subgraph NAME only (so a test client can hand each subgraph its own
  short-lived service token, which Hive Gateway cannot mint);
- ``logging = 'error'``.

The process gets a minimal environment, so that no ``HIVE_*`` or ``APOLLO_*``
variable of the caller turns on reporting to a registry, and a Node.js compile
cache under ``node_modules/.cache`` that shortens later start-ups.
"""

import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from shutil import which
from typing import Any

from tests.peers.servers import (
    LOOPBACK,
    PeerStartError,
    RunningServer,
    ServerSpec,
    free_port,
    graphql_ready,
    running_process,
)

PEERS_DIR = Path(__file__).resolve().parent
NODE_MODULES = PEERS_DIR / "node_modules"
HIVE_BIN = NODE_MODULES / "@graphql-hive" / "gateway" / "dist" / "bin.js"
HIVE_PACKAGE = NODE_MODULES / "@graphql-hive" / "gateway" / "package.json"
PASSED_ENVIRONMENT = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")

HIVE_DEFECTS = {
    "entity_error_index": (
        "Hive Gateway reports an error raised inside a batched _entities fetch at "
        "a wrong list index (the null is at the right one); see "
        "https://github.com/ardatan/graphql-tools/pull/2951."
    ),
}
"""Defects of Hive Gateway seen by the peer tests, for :class:`compare.Known`."""

CONFIG_TEMPLATE = """\
// Written by tests/peers/hive.py for one gateway process.
const forwarded = %(headers)s;
const tokenPrefix = %(token_prefix)s;

export const gatewayConfig = {
  logging: "error",
  inboundInflightRequestDeduplication: false,
  transportEntries: %(entries)s,
  propagateHeaders: {
    fromClientToSubgraphs({ request, subgraphName }) {
      const headers = {};
      for (const name of forwarded) {
        const value = request.headers.get(name);
        if (value !== null) {
          headers[name] = value;
        }
      }
      if (tokenPrefix !== null) {
        const token = request.headers.get(tokenPrefix + subgraphName.toLowerCase());
        if (token !== null) {
          headers["authorization"] = `Bearer ${token}`;
        }
      }
      return headers;
    },
  },
};
"""


def node_executable() -> str:
    """The ``node`` of the virtual environment, else the first one on ``PATH``."""
    beside_python = Path(sys.executable).parent / "node"
    if beside_python.exists():
        return str(beside_python)
    found = which("node")
    if found is None:
        raise PeerStartError(
            "Node.js was not found beside the Python interpreter or on PATH; "
            "run `make test` (or `python -m gateway.node_tools .venv/bin`)."
        )
    return found


def hive_version() -> str:
    """The installed version of ``@graphql-hive/gateway``."""
    package = json.loads(HIVE_PACKAGE.read_text(encoding="utf-8"))
    return str(package["version"])


def gateway_config(
    propagate_headers: Sequence[str],
    subgraph_headers: Mapping[str, Mapping[str, str]],
    token_header_prefix: str | None = None,
) -> str:
    """The text of a ``gateway.config.mjs`` (see the module's docstring).

    Args:
        propagate_headers: Client headers forwarded to every subgraph request.
        subgraph_headers: Fixed headers by subgraph name (``*`` for all).
        token_header_prefix: The client header ``PREFIX + NAME`` carries the
            bearer token for subgraph NAME; None for no such headers.
    """
    names = [name.lower() for name in propagate_headers]
    entries: dict[str, dict[str, Any]] = {
        "*": {"options": {"deduplicateInflightRequests": False}}
    }
    for subgraph, headers in subgraph_headers.items():
        entry = entries.setdefault(subgraph, {})
        entry["headers"] = [[key.lower(), value] for key, value in headers.items()]
    return CONFIG_TEMPLATE % {
        "headers": json.dumps(names),
        "entries": json.dumps(entries),
        "token_prefix": json.dumps(
            token_header_prefix.lower() if token_header_prefix else None
        ),
    }


def _environment() -> dict[str, str]:
    env = {key: os.environ[key] for key in PASSED_ENVIRONMENT if key in os.environ}
    env["NODE_ENV"] = "production"
    env["NODE_COMPILE_CACHE"] = str(NODE_MODULES / ".cache" / "node-compile")
    return env


def hive_spec(
    supergraph: Path,
    workdir: Path,
    *,
    propagate_headers: Sequence[str] = ("authorization",),
    subgraph_headers: Mapping[str, Mapping[str, str]] | None = None,
    token_header_prefix: str | None = None,
    timeout: float = 60.0,
) -> ServerSpec:
    """How to serve ``supergraph`` with Hive Gateway; its config goes into ``workdir``.

    The supergraph file may be written after this call but must exist before the
    server starts.

    Args:
        supergraph: The supergraph SDL file, with the subgraphs' URLs in it.
        workdir: A directory for the configuration file, and the working directory.
        propagate_headers: Client headers forwarded to every subgraph request.
        subgraph_headers: Fixed headers for the requests to a subgraph, by subgraph
            name as in the supergraph (``*`` for all), e.g. a service token.
        timeout: Seconds to wait until the gateway answers a query.
    """
    if not HIVE_BIN.exists():
        raise PeerStartError(
            f"Hive Gateway is not installed at {HIVE_BIN}; run `npm ci` in "
            f"{PEERS_DIR} (as `make test` does)."
        )
    port = free_port()
    config = workdir / "gateway.config.mjs"
    config.write_text(
        gateway_config(propagate_headers, subgraph_headers or {}, token_header_prefix),
        encoding="utf-8",
    )
    argv = [
        node_executable(),
        str(HIVE_BIN),
        "supergraph",
        str(Path(supergraph).resolve()),
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--config-path",
        str(config),
    ]
    return ServerSpec(
        name="hive",
        argv=argv,
        port=port,
        probe=graphql_ready(),
        env=_environment(),
        cwd=workdir,
        timeout=timeout,
    )


@contextmanager
def hive_gateway(
    supergraph: Path,
    *,
    propagate_headers: Sequence[str] = ("authorization",),
    subgraph_headers: Mapping[str, Mapping[str, str]] | None = None,
    timeout: float = 60.0,
) -> Iterator[RunningServer]:
    """Serve ``supergraph`` (a file with the supergraph SDL) with Hive Gateway.

    Takes the arguments of :func:`hive_spec` but the working directory, which is
    a temporary one.

    Yields:
        The running gateway; its endpoint is ``http://127.0.0.1:PORT/graphql``.
    """
    with tempfile.TemporaryDirectory(prefix="hive-") as workdir:
        spec = hive_spec(
            supergraph,
            Path(workdir),
            propagate_headers=propagate_headers,
            subgraph_headers=subgraph_headers,
            timeout=timeout,
        )
        with running_process(spec) as server:
            yield server
