"""Signing keys, tokens and a counting JWKS server for the auth tests."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest

from auth import keys

ISSUER = "https://broker.example.test"
AUDIENCE = "citizen-graph"
PERSON = "6f1c1d4e-2b7a-4e55-9a77-3f0c5d8e9b10"
CHILD = "0b9a2e51-5c4d-4f0e-8d1a-7e6f5a4b3c21"


@dataclass
class Signer:
    """A private key and the tokens it signs."""

    private: keys.PrivateKey
    algorithm: str = field(init=False)
    jwk: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.algorithm = keys.algorithm_of(self.private)
        self.jwk = keys.public_jwk(self.private)

    @property
    def kid(self) -> str:
        return str(self.jwk["kid"])

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        headers = {"kid": self.kid, **header}
        return jwt.encode(claims, self.private, self.algorithm, headers=headers)


def claims(**overrides: Any) -> dict[str, Any]:
    """Valid broker claims for :data:`PERSON`; ``None`` removes a claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "pairwise-7d3e",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
        "cpr_uuid": PERSON,
        "loa": "https://data.gov.dk/concept/core/nsis/loa/Substantial",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(value: dict[str, Any]) -> str:
    return b64(json.dumps(value).encode())


def hmac_token(payload: dict[str, Any], secret: bytes, kid: str) -> str:
    """An HS256 token built by hand, as PyJWT refuses PEM keys as HMAC secrets."""
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}."
    signing_input += segment(payload)
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


@pytest.fixture(scope="session")
def es_signer() -> Signer:
    return Signer(keys.generate("ES256"))


@pytest.fixture(scope="session")
def rs_signer() -> Signer:
    return Signer(keys.generate("RS256"))


class JwksServer:
    """A real HTTP server on loopback serving a discovery document and a JWKS."""

    def __init__(self, jwks: dict[str, Any] | None) -> None:
        self.jwks = jwks
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                body = server.document(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps(body).encode())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def document(self, path: str) -> dict[str, Any] | None:
        if path == "/.well-known/openid-configuration":
            return {"issuer": self.issuer, "jwks_uri": f"{self.issuer}/jwks"}
        return self.jwks if path == "/jwks" else None

    @property
    def jwks_fetches(self) -> int:
        return self.requests.count("/jwks")


@pytest.fixture
def jwks_server(es_signer: Signer, rs_signer: Signer) -> Iterator[JwksServer]:
    server = JwksServer({"keys": [es_signer.jwk, rs_signer.jwk]})
    thread = threading.Thread(
        target=server.httpd.serve_forever, args=(0.05,), daemon=True
    )
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()
    thread.join()
