"""Signing keys that this service owns: created once, kept in the data folder.

The development issuer and the gateway's service tokens each sign with a private
key in a PEM file that only the owner may read (mode 0600). The public half is
published as a JWK whose ``kid`` is its thumbprint (RFC 7638), so a new key gets a
new ``kid`` by itself.
"""

import base64
import hashlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

_THUMBPRINT_MEMBERS = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n")}


class KeyFileError(Exception):
    """A key file exists but cannot be used."""

    code = "KEY_FILE_INVALID"


def generate(algorithm: str) -> PrivateKey:
    """A new private key for ``algorithm`` (``ES256`` or ``RS256``)."""
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(
        f"Unsupported signing algorithm {algorithm!r}; use ES256 or RS256."
    )


def algorithm_of(key: PrivateKey) -> str:
    """The JWS algorithm that ``key`` signs with."""
    return "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "RS256"


def load_or_create(path: Path, algorithm: str = "ES256") -> PrivateKey:
    """The private key in ``path``, created there (mode 0600) when missing.

    A new key is written to a temporary file and linked into place, so processes
    starting together on one data folder all end up with the same, complete key.
    """
    try:
        return read(path)
    except FileNotFoundError:
        pass
    key = generate(algorithm)
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(to_pem(key))
        os.link(draft, path)
    except FileExistsError:
        return read(path)
    finally:
        draft.unlink()
    return key


def read(path: Path) -> PrivateKey:
    """The private key in the PEM file ``path``."""
    data = path.read_bytes()
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError as exc:
        raise KeyFileError(f"The key file {str(path)!r} holds no PEM key.") from exc
    if not isinstance(key, PrivateKey):
        raise KeyFileError(f"The key file {str(path)!r} holds no EC or RSA key.")
    return key


def to_pem(key: PrivateKey) -> bytes:
    """``key`` as unencrypted PKCS #8 PEM."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_jwk(key: PrivateKey) -> dict[str, Any]:
    """The public JWK of ``key`` with ``kid``, ``alg`` and ``use``."""
    public = key.public_key()
    if isinstance(public, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(public, as_dict=True)
    else:
        jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
    jwk = {k: v for k, v in jwk.items() if k not in ("key_ops", "alg", "use", "kid")}
    return {**jwk, "kid": thumbprint(jwk), "alg": algorithm_of(key), "use": "sig"}


def thumbprint(jwk: dict[str, Any]) -> str:
    """The SHA-256 JWK thumbprint of ``jwk`` (RFC 7638), base64url encoded."""
    members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
