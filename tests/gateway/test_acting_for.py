"""Acting for someone else, end to end through the gateway (issue 4).

One population is seeded for the module; the gateway then answers real signed
tokens of the development issuer, once with the subgraphs in process and once
with every subgraph as its own HTTP service on 127.0.0.1 behind service tokens.
A viewer acts for someone by the token's ``act_for`` claim: through custody of a
child under 18, or a power of attorney in force today. Anyone else is refused as
a whole, alike whether the person exists or not.
"""

from collections.abc import AsyncIterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from auth.dev_issuer import DevIssuer
from auth.service_tokens import ServiceTokens
from auth.tokens import TrustedIssuers
from auth.viewer import AssuranceLevel
from gateway.app import create_app
from gateway.commands.subgraph import build_app
from gateway.composition import CitizenGraph, HttpGraph
from gateway.settings import Settings
from schema.compose import SubgraphSdl, compose
from subgraphs.citizens import NON_CUSTODIAL_CHILD_ID
from subgraphs.kit import Database
from subgraphs.population import persona
from subgraphs.registry import SUBGRAPHS, load, load_graph
from subgraphs.seeding import seed
from tests.auth.matrix import unknown_id
from tests.gateway.support import live_server

IN_MODULE_LOOP = pytest.mark.asyncio(loop_scope="module")
"""The tests share the module's loop, as the gateways do."""

GRAPHQL_RESPONSE = "application/graphql-response+json"

CITIZENS = 60
SEED = 3

EVERYTHING = """
query Acting {
  me {
    personId
    name { firstNames }
    address { city }
    protections { kind }
    children { personId }
    payslips(last: 2) { netPay }
    taxAssessments { year }
    properties { bfeNumber }
    healthRecord { vaccinations { vaccine } labResults { analysisCode } }
    accessLog { entries { viewerRelation } }
  }
}
"""
"""One field of each authority and each kind of rule, for the person ``me`` is."""


def pid(name: str) -> str:
    """The person id of the persona ``name``."""
    return persona(name).person_id


class Gateway:
    """A running gateway over the seeded population, and how to sign in to it."""

    def __init__(self, client: httpx.AsyncClient, issuer: DevIssuer) -> None:
        self.client = client
        self.issuer = issuer

    async def ask(
        self,
        who: str,
        query: str = EVERYTHING,
        acting_for: str | None = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        """``query`` from the persona ``who``, acting for the person id given."""
        token = self.issuer.issue(pid(who), AssuranceLevel.SUBSTANTIAL, acting_for)
        return await self.client.post(
            "/graphql",
            json={"query": query},
            headers={"authorization": f"Bearer {token}", "accept": accept},
        )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the seeded population in every authority's database."""
    folder = tmp_path_factory.mktemp("acting")
    settings = Settings(data_dir=folder)
    stores = {
        s.database_name: Database.open(settings.database_url(s.database_name))
        for s in load_graph()
    }
    await seed(stores, CITIZENS, SEED)
    for store in stores.values():
        await store.close()
    return folder


def _http_graph(settings: Settings, stack: ExitStack) -> HttpGraph:
    """Every subgraph as its own service on loopback, and the gateway's graph."""
    subgraphs = []
    for name in SUBGRAPHS:
        url = stack.enter_context(live_server(build_app(name, settings)))
        subgraphs.append(SubgraphSdl(name, f"{url}/graphql", load(name).sdl))
    supergraph = compose(subgraphs).supergraph_or_raise()
    tokens = ServiceTokens.from_env(settings.data_dir, {})
    return HttpGraph(supergraph, service_tokens=tokens, settings=settings)


@pytest_asyncio.fixture(
    scope="module", loop_scope="module", params=["in-process", "http"]
)
async def gateway(
    request: pytest.FixtureRequest, data_dir: Path
) -> AsyncIterator[Gateway]:
    """The gateway with its subgraphs in process, or over HTTP."""
    settings = Settings(data_dir=data_dir)
    issuer = DevIssuer.load_or_create(data_dir)
    with ExitStack() as stack:
        graph: CitizenGraph | HttpGraph
        if request.param == "http":
            graph = _http_graph(settings, stack)
        else:
            graph = CitizenGraph(settings)
        graph.prepare()
        authenticate = TrustedIssuers(issuer.verifier()).authenticate
        app = create_app(settings, graph.executor, dev=True, authenticate=authenticate)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://gateway.test"
            ) as client:
                yield Gateway(client, issuer)


def denied(body: dict[str, Any]) -> list[str]:
    """The fields of ``me`` that are denied: null with exactly one FORBIDDEN error.

    Asserts that every error of ``body`` is one FORBIDDEN at a field of ``me``
    (or of its health record) whose value is null.
    """
    me = body["data"]["me"]
    fields = []
    for error in body.get("errors", []):
        assert error["extensions"]["code"] == "FORBIDDEN", error
        path = error["path"]
        assert path[0] == "me", error
        value = me
        for step in path[1:]:
            value = value[step]
        assert value is None, error
        fields.append(".".join(str(step) for step in path[1:]))
    assert len(fields) == len(set(fields)), fields
    return sorted(fields)


# --- acting through custody ---------------------------------------------------------


@IN_MODULE_LOOP
async def test_a_parent_acting_for_a_child_under_15(gateway: Gateway) -> None:
    response = await gateway.ask("parent", acting_for=pid("young-child"))

    body = response.json()
    me = body["data"]["me"]
    assert response.status_code == 200
    assert me["personId"] == pid("young-child")
    assert me["name"] == {"firstNames": "Oscar"}
    assert me["address"] == {"city": "Roskilde"}
    assert me["healthRecord"]["vaccinations"]
    assert me["accessLog"] is not None
    assert denied(body) == [
        "children",
        "healthRecord.labResults",
        "payslips",
        "properties",
        "protections",
        "taxAssessments",
    ]


@IN_MODULE_LOOP
async def test_a_parent_acting_for_a_child_of_16_sees_no_health_data(
    gateway: Gateway,
) -> None:
    response = await gateway.ask("parent", acting_for=pid("teen"))

    body = response.json()
    me = body["data"]["me"]
    assert me["personId"] == pid("teen")
    assert me["name"] == {"firstNames": "Ida"}
    assert me["address"] == {"city": "Roskilde"}
    assert denied(body) == [
        "accessLog",
        "children",
        "healthRecord",
        "payslips",
        "properties",
        "protections",
        "taxAssessments",
    ]


# --- acting through a power of attorney ---------------------------------------------


@IN_MODULE_LOOP
async def test_an_attorney_sees_what_the_power_covers(gateway: Gateway) -> None:
    response = await gateway.ask("attorney", acting_for=pid("pensioner"))

    body = response.json()
    me = body["data"]["me"]
    assert response.status_code == 200
    assert me["personId"] == pid("pensioner")
    assert me["payslips"] is not None
    assert me["taxAssessments"]
    assert len(me["properties"]) == 1
    # The power covers skat and property: not the register, not health, and
    # never the access log.
    assert denied(body) == [
        "accessLog",
        "address",
        "children",
        "healthRecord",
        "name",
        "protections",
    ]


@IN_MODULE_LOOP
async def test_a_power_grants_nothing_without_acting_for_the_grantor(
    gateway: Gateway,
) -> None:
    query = "query ($id: ID!) { person(personId: $id) { payslips { netPay } } }"
    token = gateway.issuer.issue(pid("attorney"))

    response = await gateway.client.post(
        "/graphql",
        json={"query": query, "variables": {"id": pid("pensioner")}},
        headers={"authorization": f"Bearer {token}"},
    )

    body = response.json()
    assert body["data"] == {"person": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["NOT_FOUND"]


@IN_MODULE_LOOP
async def test_the_access_log_names_the_attorney_and_whom_they_acted_for(
    gateway: Gateway,
) -> None:
    query = "query Taxes { me { taxAssessments { year } } }"
    log = (
        "query Log { me { accessLog(first: 100) { entries "
        "{ viewerRelation viewerPersonId onBehalfOf fields } } } }"
    )
    await gateway.ask("attorney", query, acting_for=pid("pensioner"))

    response = await gateway.ask("pensioner", log)

    entries = response.json()["data"]["me"]["accessLog"]["entries"]
    acted = [e for e in entries if e["viewerPersonId"] == pid("attorney")]
    assert acted
    assert all(e["onBehalfOf"] == pid("pensioner") for e in acted)
    assert all(e["viewerRelation"] == "CHILD" for e in acted)
    assert any("Person.taxAssessments" in e["fields"] for e in acted)


# --- refusals -----------------------------------------------------------------------

REFUSED = {
    "an expired power (the late father's)": ("attorney", pid("deceased")),
    "a stranger": ("student", pid("pensioner")),
    "a person who does not exist": ("student", unknown_id(SEED)),
    "an adult child, out of custody": ("pensioner", pid("attorney")),
    "a parent without custody": ("non-custodial-parent", NON_CUSTODIAL_CHILD_ID),
    "oneself": ("parent", pid("parent")),
    "a spouse": ("spouse", pid("parent")),
}
"""Who may not act for whom."""


@IN_MODULE_LOOP
@pytest.mark.parametrize("case", list(REFUSED))
@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_viewer_who_may_not_act_for_the_person_is_refused_as_a_whole(
    gateway: Gateway, case: str, accept: str
) -> None:
    who, target = REFUSED[case]

    response = await gateway.ask(who, acting_for=target, accept=accept)

    assert response.status_code == 403
    assert response.json() == {
        "errors": [
            {
                "message": "You may not act for the person this sign-in names.",
                "extensions": {"code": "FORBIDDEN"},
            }
        ]
    }
