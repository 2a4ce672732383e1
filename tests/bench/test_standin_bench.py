"""The harness measures a real server, and the stand-in floor does the plan's work."""

import httpx
import pytest

from tests.bench import standin
from tests.bench.harness import CheckFailed, Settings, check, measure
from tests.bench.load import pick_generator
from tests.bench.variants import Target, gql
from tests.peers.servers import running_process, uvicorn_spec
from tests.peers.standin_stack import standin_subgraphs

pytestmark = pytest.mark.peers

SHORT = Settings(runs=1, seconds=1.0, warmup=1.0, connections=4)


def test_measure_drives_the_in_process_floor() -> None:
    variant = next(v for v in standin.VARIANTS if v.name == "floor-in-process")

    found = measure(variant, pick_generator(), SHORT, run=1)

    assert found.requests > 0
    assert found.errors == 0
    assert found.cpu_ms > 0
    assert found.servers_peak_mib > 10


def test_the_floor_answers_what_the_subgraphs_answer() -> None:
    spec = uvicorn_spec("tests.bench.floor:standin_floor", factory=True)
    with standin_subgraphs() as servers, running_process(spec) as floor:
        direct = [
            httpx.post(
                servers[subgraph].endpoint,
                json={"query": query, "variables": variables},
                headers=headers,
                trust_env=False,
            ).json()["data"]
            for subgraph, query, variables, headers in standin.FLOOR_FETCHES
        ]
        answer = httpx.post(
            floor.endpoint,
            json={"query": "{ floor }"},
            headers=standin.AUTH,
            trust_env=False,
        ).json()

    assert answer == {"data": {"fetches": direct}}
    assert direct[0]["viewer"]["name"] == "Ada Holm"


def test_check_refuses_an_answer_without_data() -> None:
    with standin_subgraphs() as servers:
        url = servers["users"].endpoint
        check(Target(url, gql("{ viewer { name } }"), standin.AUTH))

        with pytest.raises(CheckFailed, match="viewer"):
            check(Target(url, gql("{ viewer { name } }")))
        with pytest.raises(CheckFailed, match="could not be loaded"):
            check(Target(url, gql('{ user(id: "u2") { email } }')))
