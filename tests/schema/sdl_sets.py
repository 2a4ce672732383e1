"""Sets of subgraph SDLs that compose, shared by the schema tests and the peers.

Each folder under ``fixtures/`` is one set; each ``NAME.graphql`` file in it is
the subgraph NAME, with its URL on a first line ``# url: ...`` when it has one.
"""

from functools import cache
from pathlib import Path

from schema.compose import SubgraphSdl
from tests.schema.strawberry_subgraphs import catalog_sdl, loans_sdl

FIXTURES = Path(__file__).parent / "fixtures"


def read_set(folder: Path) -> list[SubgraphSdl]:
    """The subgraphs of one fixture folder, in file name order."""
    subgraphs = []
    for path in sorted(folder.glob("*.graphql")):
        text = path.read_text()
        first = text.splitlines()[0]
        url = (
            first.removeprefix("# url:").strip() if first.startswith("# url:") else None
        )
        subgraphs.append(SubgraphSdl(path.stem, url, text))
    return subgraphs


@cache
def composing_sets() -> dict[str, list[SubgraphSdl]]:
    """Every set of subgraphs that composes, by name."""
    sets = {folder.name: read_set(folder) for folder in sorted(FIXTURES.iterdir())}
    sets["strawberry"] = [
        SubgraphSdl("catalog", "http://127.0.0.1:4201/graphql", catalog_sdl()),
        SubgraphSdl("loans", None, loans_sdl()),
    ]
    return sets
