"""The ``seed``, ``personas`` and ``subgraph`` commands, run for real."""

import logging
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.service_tokens import KEY_FILE, ServiceTokens
from auth.viewer import AssuranceLevel, Viewer
from gateway.cli import main
from subgraphs.population import PERSONAS, TODAY, persona

SDL_QUERY = {"query": "{ _service { sdl } }"}


@pytest.fixture(autouse=True)
def keep_logging() -> Iterator[None]:
    """Undo the logging set-up that ``main`` does, for the tests that follow."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as connection:
        (rows,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(rows)


def test_personas_lists_name_id_and_purpose(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["personas"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(PERSONAS)
    for line, expected in zip(lines, PERSONAS, strict=True):
        name, person_id, description = line.split(maxsplit=2)
        assert (name, person_id) == (expected.name, expected.person_id)
        assert description == expected.description


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


@dataclass(frozen=True)
class Served:
    """A subgraph process: its GraphQL URL and the gateway's token keys."""

    url: str
    tokens: ServiceTokens


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """``citizen-graph subgraph cpr`` on a seeded folder."""
    data = tmp_path / "data"
    assert main(["seed", "--citizens", "30", "--data-dir", str(data)]) == 0
    tokens = ServiceTokens.load_or_create(data / KEY_FILE)
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
                httpx.get(f"{base}/health")
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        yield Served(f"{base}/graphql", tokens)
    finally:
        process.terminate()
        process.wait(timeout=10)


def post(url: str, body: dict[str, Any], token: str | None = None) -> httpx.Response:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return httpx.post(url, json=body, headers=headers)


def test_subgraph_refuses_requests_without_a_service_token(served: Served) -> None:
    viewer = Viewer("s", persona("parent").person_id, AssuranceLevel.HIGH, today=TODAY)
    for_skat = served.tokens.mint(viewer, "skat")

    anonymous = post(served.url, SDL_QUERY)
    wrong_audience = post(served.url, SDL_QUERY, for_skat)

    assert anonymous.status_code == wrong_audience.status_code == 401
    assert "sdl" not in anonymous.text


def test_subgraph_serves_sdl_and_entities(served: Served) -> None:
    viewer = Viewer("s", persona("parent").person_id, AssuranceLevel.HIGH, today=TODAY)
    token = served.tokens.mint(viewer, "cpr")
    entities = {
        "query": "query ($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on Person { personId } } }",
        "variables": {"r": [{"__typename": "Nobody", "personId": "x"}]},
    }

    sdl = post(served.url, SDL_QUERY, token).json()["data"]["_service"]["sdl"]
    me = post(served.url, {"query": "{ me { personId } }"}, token).json()
    checked = post(served.url, entities, token).json()

    assert 'type Person @key(fields: "personId")' in sdl
    assert "viewerRelations: ViewerRelations @inaccessible" in sdl
    assert me == {"data": {"me": {"personId": persona("parent").person_id}}}
    assert checked["data"] == {"_entities": [None]}
    assert checked["errors"][0]["extensions"] == {"code": "BAD_REPRESENTATION"}
