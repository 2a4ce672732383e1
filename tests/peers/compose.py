"""Supergraph composition by a real composer from npm, for the peer tests.

:func:`compose_supergraph` hands subgraph SDLs to ``tests/peers/supergraph.mjs``, which
runs ``@theguild/federation-composition`` on the Node.js of the virtual environment,
and returns the join-spec supergraph SDL that Hive Gateway (or our own gateway)
serves.
"""

import json
import subprocess
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from tests.peers.hive import PEERS_DIR, node_executable

COMPOSE_SCRIPT = PEERS_DIR / "supergraph.mjs"


class CompositionFailed(RuntimeError):
    """The composer rejected the subgraphs; ``errors`` holds its messages."""

    code = "COMPOSITION_FAILED"

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("Composition failed: " + " ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class SubgraphSource:
    """One subgraph as the composer sees it: a name, its URL and its SDL."""

    name: str
    url: str
    sdl: str


def compose_supergraph(subgraphs: Sequence[SubgraphSource]) -> str:
    """The supergraph SDL composed from ``subgraphs`` by the npm composer.

    Raises:
        CompositionFailed: with the composer's messages, when it rejects them.
    """
    payload = json.dumps([asdict(subgraph) for subgraph in subgraphs])
    result = subprocess.run(
        [node_executable(), str(COMPOSE_SCRIPT)],
        input=payload.encode("utf-8"),
        capture_output=True,
        cwd=PEERS_DIR,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        lines = result.stderr.decode("utf-8", "replace").splitlines()
        raise CompositionFailed([line for line in lines if line.strip()])
    return result.stdout.decode("utf-8")
