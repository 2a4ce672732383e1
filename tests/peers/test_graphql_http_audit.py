"""The GraphQL-over-HTTP audit suite of the npm package graphql-http.

Its ``serverAudits`` run against our server (uvicorn on 127.0.0.1, dev mode, so
that the audits' introspection queries validate) with the venv's Node.js. Every
MUST passes; the SHOULDs that fail are listed in the test's output.

In production mode introspection is refused, and the audits that probe with an
introspection query (``__type(name: $name)``) fail for that reason alone: one
MUST (28B9), one SHOULD (2EA1) and two MAYs. Every other audit passes there.
"""

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.support import SchemaExecutor, factory_of, live_server

pytestmark = pytest.mark.peers

PEERS = Path(__file__).parent
SCRIPT = PEERS / "graphql_http_audit.mjs"


INTROSPECTION_PROBES = {"28B9", "2EA1", "D6D5", "6A70"}
"""Audits whose request is an introspection query."""


def _server(dev: bool) -> Iterator[str]:
    app = create_app(Settings.from_env({}), factory_of(SchemaExecutor()), dev=dev)
    with live_server(app) as url:
        yield f"{url}/graphql"


@pytest.fixture
def dev_server() -> Iterator[str]:
    yield from _server(dev=True)


@pytest.fixture
def production_server() -> Iterator[str]:
    yield from _server(dev=False)


def _audit(url: str) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None or not (PEERS / "node_modules" / "graphql-http").is_dir():
        pytest.fail("Node.js and tests/peers/node_modules are needed: run make peers.")
    done = subprocess.run(
        [node, str(SCRIPT), url],
        cwd=PEERS,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    results: list[dict[str, Any]] = json.loads(done.stdout)
    return results


def _failed(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    failed = [r for r in results if r["status"] != "ok"]
    for result in failed:
        print(f"{result['status']} {result['id']} {result['name']}: {result['reason']}")
    return failed


def test_every_audit_passes_in_dev_mode(dev_server: str) -> None:
    results = _audit(dev_server)

    failed = _failed(results)

    assert len(results) > 40
    assert [r for r in failed if r["name"].startswith("MUST")] == []
    assert [r for r in failed if r["name"].startswith("SHOULD")] == []


def test_only_introspection_probes_fail_in_production(production_server: str) -> None:
    results = _audit(production_server)

    failed = _failed(results)

    assert {r["id"] for r in failed} == INTROSPECTION_PROBES
