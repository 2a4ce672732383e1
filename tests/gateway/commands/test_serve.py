"""``citizen-graph serve``: its options, and a clear exit when it cannot start."""

import argparse
from pathlib import Path

import pytest

from gateway.commands import serve


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
