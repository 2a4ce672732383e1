"""The ``seed``, ``personas`` and ``subgraph`` commands, run for real."""

import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.service_tokens import ServiceTokens
from auth.viewer import ANONYMOUS
from gateway.cli import main
from subgraphs.population import PERSONAS

SDL_QUERY = {"query": "{ _service { sdl } }"}


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        (rows,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(rows)


def test_personas_lists_name_id_and_purpose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(PERSONAS)
    for line, persona in zip(lines, PERSONAS, strict=True):
        name, person_id, description = line.split(maxsplit=2)
        assert (name, person_id) == (persona.name, persona.person_id)
        assert description == persona.description


def test_seed_creates_every_database_and_reseeding_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"

    assert main(["seed", "--citizens", "120", "--data-dir", str(data)]) == 0
    first = count(data / "cpr.db", "persons")
    assert (
        main(["seed", "--citizens", "120", "--seed", "2", "--data-dir", str(data)]) == 0
    )
    assert main(["seed", "--citizens", "120", "--data-dir", str(data)]) == 0

    assert first == count(data / "cpr.db", "persons") == 120
    assert {p.name for p in data.glob("*.db")} == {
        "cpr.db",
        "skat.db",
        "property.db",
        "health.db",
        "gateway.db",
    }
    err = capsys.readouterr().err
    assert "seeded 120 of 120 citizens" in err
    assert "cpr " in err


@pytest.mark.parametrize("bad", ["0", "-5", "many"])
def test_seed_refuses_a_bad_number_of_citizens(
    bad: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["seed", "--citizens", bad])

    assert raised.value.code == 2
    assert repr(bad) in capsys.readouterr().err


def test_subgraph_refuses_an_unknown_authority(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["subgraph", "tax"])

    assert "invalid choice: 'tax'" in capsys.readouterr().err


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``citizen-graph subgraph cpr`` on a seeded folder; its GraphQL URL and the
    headers with an anonymous viewer's service token from the gateway's key."""
    data = tmp_path / "data"
    assert main(["seed", "--citizens", "30", "--data-dir", str(data)]) == 0
    port = free_port()
    command = [sys.executable, "-m", "gateway.cli", "subgraph", "cpr"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITIZEN_GRAPH_")}
    process = subprocess.Popen(
        [*command, "--port", str(port), "--data-dir", str(data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        token = ServiceTokens.from_env(data, {}).mint(ANONYMOUS, "cpr")
        yield f"{base}/graphql", {"Authorization": f"Bearer {token}"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    response = httpx.post(url, json=body, headers=headers)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def test_subgraph_serves_sdl_and_entities(
    served: tuple[str, dict[str, str]],
) -> None:
    url, headers = served
    sdl = post(url, SDL_QUERY, headers)["data"]["_service"]["sdl"]
    me = post(url, {"query": "{ me { personId } }"}, headers)
    entities = post(
        url,
        {
            "query": "query ($r: [_Any!]!) { _entities(representations: $r) "
            "{ ... on Person { personId } } }",
            "variables": {"r": [{"__typename": "Nobody", "personId": "x"}]},
        },
        headers,
    )
    without_token = httpx.post(url, json=SDL_QUERY)

    assert 'type Person @key(fields: "personId")' in sdl
    assert "viewerRelations: ViewerRelations @inaccessible" in sdl
    assert me == {"data": {"me": None}}
    assert entities["data"] == {"_entities": [None]}
    assert entities["errors"][0]["extensions"] == {"code": "BAD_REPRESENTATION"}
    assert without_token.status_code == 401
