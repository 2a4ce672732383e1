"""Apollo Client 4 with its persisted-queries link, against ``citizen-graph serve``.

The gateway runs the citizen graph in development mode on a seeded data folder, as
its own process; persisted queries are in mode ``off`` there, so an unknown hash
is registered on the first miss. ``apollo_apq.mjs`` sends the parent's dashboard
(the fields of the portal's operations in one query) with the parent's bearer
token, from two clients one after the other: the first gets
``PERSISTED_QUERY_NOT_FOUND`` for the hash and sends the text along, the second
is answered from the hash alone.
"""

import asyncio
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gateway.settings import Settings
from persisted_queries.cache import StoredDocument
from persisted_queries.store import DocumentStore
from tests.peers.citizen_stack import persona_headers, seed, serve_spec
from tests.peers.servers import RunningServer, running_process

pytestmark = pytest.mark.peers

PEERS = Path(__file__).parent
SCRIPT = PEERS / "apollo_apq.mjs"
DASHBOARD = """
query %s($last: Int = 3) {
  me {
    personId
    name { firstNames lastName }
    spouse { name { addressingName } marriedSince }
    children {
      name { firstNames }
      birthDate
      healthRecord { vaccinations { vaccine givenOn } }
    }
    properties {
      bfeNumber
      address { text }
      valuations { year propertyValue landValue }
    }
    payslips(last: $last) { employerName periodStart grossPay netPay }
    taxAssessments { kind year totalTax }
    healthRecord { medications { drug } }
  }
}
"""


@dataclass(frozen=True)
class Gateway:
    """The running gateway, its data folder and the parent's headers."""

    server: RunningServer
    data_dir: Path
    headers: dict[str, str]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    data_dir = seed(tmp_path_factory.mktemp("apollo") / "data", citizens=12)
    headers = persona_headers(data_dir, "parent")
    with running_process(serve_spec(data_dir)) as server:
        yield Gateway(server, data_dir, headers)


async def run_apollo(url: str, **options: Any) -> dict[str, Any]:
    """Run ``apollo_apq.mjs`` against ``url`` and return what it printed."""
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "@apollo" / "client").exists():
        pytest.skip("Node.js and tests/peers/node_modules are needed (make peers)")
    process = await asyncio.create_subprocess_exec(
        node,
        str(SCRIPT),
        url,
        json.dumps(options),
        cwd=PEERS,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    output: dict[str, Any] = json.loads(stdout)
    return output


async def stored_document(data_dir: Path, digest: str) -> StoredDocument | None:
    """The document the gateway stored under ``digest``, read from its database."""
    settings = Settings.from_env({}, data_dir=data_dir)
    store = DocumentStore.open(settings.database_url("gateway"))
    try:
        return await store.by_hash(digest)
    finally:
        await store.close()


@pytest.mark.parametrize("use_get", [False, True], ids=["post", "get"])
async def test_apollo_registers_the_parents_dashboard_on_the_first_miss(
    gateway: Gateway, use_get: bool
) -> None:
    # Each case its own operation name, so each has a hash of its own to miss.
    query = DASHBOARD % ("DashboardOverGet" if use_get else "Dashboard")
    output = await run_apollo(
        gateway.server.endpoint,
        query=query,
        headers=gateway.headers,
        useGETForHashedQueries=use_get,
    )

    requests = output["requests"]
    digest = requests[0]["sha256"]
    hashed_method = "GET" if use_get else "POST"
    assert [
        (r["method"], r["hasQuery"], r["status"], r["errorCodes"]) for r in requests
    ] == [
        (hashed_method, False, 200, ["PERSISTED_QUERY_NOT_FOUND"]),
        ("POST", True, 200, ["FORBIDDEN"]),
        (hashed_method, False, 200, ["FORBIDDEN"]),
    ]
    assert {r["sha256"] for r in requests} == {digest}

    first, second = output["results"]
    assert first == second
    me = first["data"]["me"]
    assert me["name"] == {
        "__typename": "Name",
        "firstNames": "Mette",
        "lastName": "Jensen",
    }
    assert me["spouse"]["name"]["addressingName"] == "Anders Peter Jensen"
    assert [child["name"]["firstNames"] for child in me["children"]] == ["Ida", "Oscar"]
    # The teen is over 15: her health record is hers alone (the FORBIDDEN above).
    assert [child["healthRecord"] is None for child in me["children"]] == [True, False]
    assert [p["bfeNumber"] for p in me["properties"]] == [2_000_001]
    assert me["properties"][0]["valuations"][0]["propertyValue"] == 3_800_000
    assert [slip["netPay"] for slip in me["payslips"]] == [26_067] * 3
    assert me["taxAssessments"]
    assert me["healthRecord"]["medications"]

    stored = await stored_document(gateway.data_dir, digest)
    assert stored is not None
    assert (stored.source, stored.trusted) == ("apq", False)
