"""Tokens of a real OpenID provider (oidc-provider from npm) verify as viewers.

The provider runs on 127.0.0.1 with keys made here; discovery and the JWKS are
fetched from it over HTTP, exactly as the gateway does for a configured issuer.
The last test starts ``citizen-graph serve`` in production mode trusting that
provider (``CITIZEN_GRAPH_OIDC_ISSUER``), so the gateway itself fetches discovery
and JWKS from it, and asks for the parent's name with the provider's token, as a
trusted document pushed with ``citizen-graph persisted-queries push``.
"""

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from auth.errors import Unauthenticated
from auth.jwks import DiscoveryJwks, KeyCache
from auth.tokens import TokenVerifier
from auth.viewer import AssuranceLevel
from subgraphs.population import persona
from tests.peers.citizen_stack import production_spec, push_manifest, seed
from tests.peers.servers import running_process

pytestmark = pytest.mark.peers

PEERS = Path(__file__).parent
NODE = Path(sys.executable).parent / "node"
AUDIENCE = "citizen-graph"
PERSON = "2c6f0a9e-1d4b-4e8a-b7c3-5f9e8d7c6b5a"
CHILD = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
SECRET = "synthetic-client-secret-of-the-peer-test"
CLIENTS: dict[str, dict[str, Any]] = {
    "portal-es256": {
        "alg": "ES256",
        "audience": AUDIENCE,
        "claims": {
            "sub": "pairwise-3f9a1c",
            "cpr_uuid": PERSON,
            "loa": "https://data.gov.dk/concept/core/nsis/loa/Substantial",
            "act_for": CHILD,
        },
    },
    "portal-rs256": {
        "alg": "RS256",
        "audience": AUDIENCE,
        "claims": {
            "sub": "pairwise-88d2e0",
            "https://data.gov.dk/model/core/eid/cprUuid": PERSON,
            "https://data.gov.dk/concept/core/nsis/loa": "High",
        },
    },
    "portal-parent": {
        "alg": "ES256",
        "audience": AUDIENCE,
        "claims": {
            "sub": "pairwise-5e17b2",
            "cpr_uuid": persona("parent").person_id,
            "loa": "https://data.gov.dk/concept/core/nsis/loa/Substantial",
        },
    },
    "other-service": {
        "alg": "ES256",
        "audience": "another-service",
        "claims": {"cpr_uuid": PERSON, "loa": "low"},
    },
}


def private_jwks() -> list[dict[str, Any]]:
    ec_key = ec.generate_private_key(ec.SECP256R1())
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return [
        {**ECAlgorithm.to_jwk(ec_key, as_dict=True), "alg": "ES256", "use": "sig"},
        {**RSAAlgorithm.to_jwk(rsa_key, as_dict=True), "alg": "RS256", "use": "sig"},
    ]


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    if not (PEERS / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("Run `npm ci` in tests/peers first (make peers does).")
    config = {
        "keys": private_jwks(),
        "resource": "urn:citizen-graph",
        "clients": {
            name: {**client, "secret": SECRET} for name, client in CLIENTS.items()
        },
    }
    process = subprocess.Popen(
        [str(NODE), str(PEERS / "oidc_provider.mjs")],
        cwd=PEERS,
        env={**os.environ, "OIDC_PROVIDER_CONFIG": json.dumps(config)},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            pytest.fail(f"oidc-provider did not start (exit {process.wait()}).")
        yield str(json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


async def access_token(client: httpx.AsyncClient, issuer: str, client_id: str) -> str:
    response = await client.post(
        f"{issuer}/token",
        data={
            "grant_type": "client_credentials",
            "scope": "citizen",
            "resource": "urn:citizen-graph",
        },
        auth=(client_id, SECRET),
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@pytest.mark.parametrize(
    ("client_id", "assurance", "acting_for"),
    [
        ("portal-es256", AssuranceLevel.SUBSTANTIAL, CHILD),
        ("portal-rs256", AssuranceLevel.HIGH, None),
    ],
)
async def test_a_providers_access_token_verifies_through_discovery(
    issuer: str, client_id: str, assurance: AssuranceLevel, acting_for: str | None
) -> None:
    async with httpx.AsyncClient() as client:
        token = await access_token(client, issuer, client_id)
        verifier = TokenVerifier(
            KeyCache(DiscoveryJwks(issuer, client)), issuer, AUDIENCE
        )
        viewer = await verifier.verify(token)

    assert viewer.subject == CLIENTS[client_id]["claims"]["sub"]
    assert viewer.person_id == PERSON
    assert viewer.assurance is assurance
    assert viewer.acting_for == acting_for


async def test_a_token_for_another_audience_is_refused(issuer: str) -> None:
    async with httpx.AsyncClient() as client:
        token = await access_token(client, issuer, "other-service")
        verifier = TokenVerifier(
            KeyCache(DiscoveryJwks(issuer, client)), issuer, AUDIENCE
        )
        with pytest.raises(Unauthenticated) as caught:
            await verifier.verify(token)

    assert caught.value.reason == "wrong_audience"


ME = "query ParentsName { me { name { firstNames } } }"
FREE_TEXT = "{ me { name { firstNames lastName } } }"
"""Not a trusted document: production refuses it."""


def manifest(path: Path, *bodies: str) -> Path:
    """An Apollo persisted-query manifest of ``bodies``, written to ``path``."""
    operations = [
        {
            "id": hashlib.sha256(body.encode()).hexdigest(),
            "name": body.split()[1],
            "type": "query",
            "body": body,
        }
        for body in bodies
    ]
    document = {
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": operations,
    }
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


async def test_the_gateway_answers_a_providers_token(
    issuer: str, tmp_path: Path
) -> None:
    data_dir = seed(tmp_path / "data", citizens=6)
    push_manifest(data_dir, manifest(tmp_path / "manifest.json", ME), "peer-test")
    document_id = "sha256:" + hashlib.sha256(ME.encode()).hexdigest()

    with running_process(production_spec(data_dir, issuer, audience=AUDIENCE)) as (
        gateway
    ):
        async with httpx.AsyncClient(trust_env=False) as client:
            token = await access_token(client, issuer, "portal-parent")
            headers = {"authorization": f"Bearer {token}"}
            answered = await client.post(
                gateway.endpoint,
                json={"documentId": document_id, "operationName": "ParentsName"},
                headers=headers,
            )
            refused = await client.post(
                gateway.endpoint, json={"query": FREE_TEXT}, headers=headers
            )
            anonymous = await client.post(
                gateway.endpoint, json={"documentId": document_id}
            )

    assert answered.status_code == 200, answered.text
    assert answered.json() == {"data": {"me": {"name": {"firstNames": "Mette"}}}}
    codes = [error["extensions"]["code"] for error in refused.json()["errors"]]
    assert codes == ["PERSISTED_QUERY_NOT_ALLOWED"]
    # Without a token the same document runs for nobody: no one's name comes back.
    assert (anonymous.status_code, anonymous.json()) == (200, {"data": {"me": None}})
