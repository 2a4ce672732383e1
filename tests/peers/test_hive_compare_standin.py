"""Hive Gateway over the stand-in subgraphs answers as the subgraphs say it must.

This proves the comparison machinery (servers, composition, Hive Gateway, corpus,
normalised outcomes) before our own gateway exists; :func:`compare_gateways` then
points the same corpus at both gateways.
"""

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from tests.peers.compare import Known, collect, differences, report, set_aside
from tests.peers.hive import HIVE_DEFECTS
from tests.peers.standin_stack import CORPUS, Standin, expected_outcomes, standin_stack

pytestmark = pytest.mark.peers

CONCURRENT = 8
KNOWN = [
    Known("error_in_entity_fetch", "errors", HIVE_DEFECTS["entity_error_index"]),
]


@pytest.fixture(scope="module")
def standin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Standin]:
    """The stand-in subgraphs and Hive Gateway over them, for this module."""
    with standin_stack(tmp_path_factory.mktemp("standin")) as stack:
        yield stack


async def test_hive_answers_the_corpus_as_the_subgraphs_do(standin: Standin) -> None:
    urls = {name: server.endpoint for name, server in standin.subgraphs.items()}
    expected = await expected_outcomes(urls)

    answered = await collect(standin.hive.endpoint, CORPUS)

    unexplained, explained = set_aside(differences(answered, expected), KNOWN)
    assert unexplained == [], report(unexplained)
    assert [(d.operation, d.aspect) for d in explained] == [
        (known.operation, known.aspect) for known in KNOWN
    ]


async def test_hive_sends_identical_inflight_fetches_each(standin: Standin) -> None:
    users = standin.subgraphs["users"]
    body = {"query": "{ slow }"}
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as client:
        before = int((await client.get(users.base_url + "/count")).text)
        answers = await asyncio.gather(
            *(client.post(standin.hive.endpoint, json=body) for _ in range(CONCURRENT))
        )
        after = int((await client.get(users.base_url + "/count")).text)

    assert [answer.json() for answer in answers] == [{"data": {"slow": 1}}] * CONCURRENT
    assert after - before == CONCURRENT
