"""``citizen-graph serve``: its options, and a clear exit when it cannot start."""

import argparse
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.commands import serve
from subgraphs.population import persona
from tests.peers.citizen_stack import persona_headers, seed, serve_spec
from tests.peers.servers import running_servers


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve.register(parser.add_subparsers())
    return parser.parse_args(["serve", *argv])


def test_the_defaults_bind_loopback_in_production_mode() -> None:
    args = _parse()

    assert (args.host, args.port, args.dev, args.supergraph) == (
        "127.0.0.1",
        8000,
        False,
        None,
    )


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),  # noqa: S104 - a value to judge, never bound
        ("::", False),
        ("192.168.1.20", False),
        ("gateway.example", False),
    ],
)
def test_only_loopback_hosts_count_as_loopback(host: str, loopback: bool) -> None:
    assert serve.is_loopback(host) is loopback


def test_dev_mode_off_loopback_is_warned_about(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served: list[str] = []
    # Nothing may bind a non-loopback address here: stop at uvicorn.
    monkeypatch.setattr(
        serve.uvicorn, "run", lambda app, **kw: served.append(kw["host"])
    )
    monkeypatch.setenv("CITIZEN_GRAPH_DATA_DIR", str(tmp_path))
    args = _parse("--dev", "--host", "192.168.1.20")

    with caplog.at_level(logging.WARNING, logger="gateway.commands.serve"):
        status = args.handler(args)

    assert (status, served) == (0, ["192.168.1.20"])
    assert "anyone who reaches this address can sign in" in caplog.text


def test_an_unreadable_supergraph_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parse("--supergraph", str(tmp_path / "missing.graphql"))

    status = args.handler(args)

    assert status == 2
    assert "missing.graphql' cannot be read" in capsys.readouterr().out


def test_a_supergraph_that_does_not_load_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    supergraph = tmp_path / "supergraph.graphql"
    supergraph.write_text("this is not a supergraph")
    args = _parse("--supergraph", str(supergraph))

    status = args.handler(args)

    assert status == 2
    assert capsys.readouterr().out.startswith("citizen-graph serve: The ")


def test_a_bad_limit_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CITIZEN_GRAPH_MAX_DEPTH", "deep")
    args = _parse()

    status = args.handler(args)

    assert status == 2
    assert (
        "CITIZEN_GRAPH_MAX_DEPTH must be a positive number" in capsys.readouterr().out
    )


def test_a_bad_apq_limit_exits_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CITIZEN_GRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CITIZEN_GRAPH_APQ_LIMIT", "lots")
    args = _parse("--dev")

    status = args.handler(args)

    assert status == 2
    assert (
        "CITIZEN_GRAPH_APQ_LIMIT must be a whole number of 0 or more, not 'lots'"
        in capsys.readouterr().out
    )


def test_production_without_a_trusted_issuer_exits_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CITIZEN_GRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CITIZEN_GRAPH_OIDC_ISSUER", raising=False)
    args = _parse()

    status = args.handler(args)

    assert status == 2
    assert "set CITIZEN_GRAPH_OIDC_ISSUER" in capsys.readouterr().out


def test_workers_must_be_one_or_more(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in ("0", "-1", "two"):
        with pytest.raises(SystemExit) as stopped:
            _parse("--workers", bad)
        assert stopped.value.code == 2
        assert f"expected a whole number of 1 or more, not '{bad}'" in (
            capsys.readouterr().err
        )


def test_storage_that_cannot_be_prepared_for_workers_exits_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "not-a-database"
    folder.mkdir()
    monkeypatch.setenv("CITIZEN_GRAPH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(
        "CITIZEN_GRAPH_GATEWAY_DATABASE_URL", f"sqlite+aiosqlite:///{folder}"
    )
    args = _parse("--dev", "--workers", "2", "--port", "0")

    status = args.handler(args)

    printed = capsys.readouterr().out
    assert status == 2
    assert "citizen-graph serve: The storage could not be prepared" in printed
    assert "OperationalError" in printed
    assert "Traceback" not in printed


def _worker_processes(parent: int) -> list[int]:
    """The worker processes ``parent`` spawned, from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return found


def test_two_workers_serve_one_port_from_storage_prepared_once(
    tmp_path: Path,
) -> None:
    data = seed(tmp_path / "data", citizens=20)
    headers = persona_headers(data, "parent")
    query = {"query": "{ me { personId name { firstNames } } }"}

    with running_servers([serve_spec(data, "--workers", "2")]) as [gateway]:
        workers = _worker_processes(gateway.process.pid)
        with httpx.Client(timeout=10.0) as client:
            # Eight at a time, each on a new connection: both workers take some.
            fresh = {**headers, "connection": "close"}
            with ThreadPoolExecutor(max_workers=8) as pool:
                answers = list(
                    pool.map(
                        lambda _: client.post(
                            gateway.endpoint, json=query, headers=fresh
                        ),
                        range(40),
                    )
                )
            exposition = client.get(f"{gateway.base_url}/metrics").text

    assert len(workers) == 2
    assert {answer.status_code for answer in answers} == {200}
    people = {answer.json()["data"]["me"]["personId"] for answer in answers}
    assert people == {persona("parent").person_id}
    answered = [
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == "citizen_graph_http_requests_total"
        and sample.labels == {"method": "POST", "route": "/graphql", "status": "200"}
    ]
    assert sum(answered) >= 40  # every worker's count, added up
