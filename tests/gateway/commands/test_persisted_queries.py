import argparse
import json
from pathlib import Path

import pytest

from gateway.commands import persisted_queries
from persisted_queries.apq import sha256_hex
from tests.persisted_queries.conftest import ME, RENAME, apollo_manifest, write_json


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="citizen-graph")
    persisted_queries.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


@pytest.fixture(autouse=True)
def gateway_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITIZEN_GRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CITIZEN_GRAPH_GATEWAY_DATABASE_URL", raising=False)
    monkeypatch.delenv("CITIZEN_GRAPH_REDIS_URL", raising=False)


def test_push_is_idempotent_and_list_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = write_json(tmp_path / "portal.json", apollo_manifest(ME, RENAME))

    first = run("persisted-queries", "push", str(manifest), "--client", "portal")
    first_out = capsys.readouterr().out
    second = run("persisted-queries", "push", str(manifest), "--client", "portal")
    second_out = capsys.readouterr().out
    listed = run("persisted-queries", "list", "--format", "json")
    documents = json.loads(capsys.readouterr().out)

    assert (first, second, listed) == (0, 0, 0)
    assert first_out == (
        "portal.json: 2 added, 0 unchanged.\n"
        f"  added {sha256_hex(ME)}\n  added {sha256_hex(RENAME)}\n"
    )
    assert second_out == "portal.json: 0 added, 2 unchanged.\n"
    assert [(d["name"], d["type"], d["client"], d["trusted"]) for d in documents] == [
        ("Me", "query", "portal", True),
        ("Rename", "mutation", "portal", True),
    ]
    assert (tmp_path / "data" / "gateway.db").exists()


def test_list_as_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_json(tmp_path / "relay.json", {"a1b2": ME})
    run("persisted-queries", "push", str(tmp_path / "relay.json"))
    capsys.readouterr()

    assert run("persisted-queries", "list") == 0

    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "SOURCE", "CLIENT", "CREATED", "ID"]
    assert lines[1].split()[:4] == ["Me", "query", "relay.json", "-"]
    assert lines[1].split()[-1] == "a1b2"
    assert lines[-1] == "1 documents"


def test_push_refuses_a_changed_text_under_a_known_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run("persisted-queries", "push", str(write_json(tmp_path / "v1.json", {"a1": ME})))
    changed = write_json(tmp_path / "v2.json", {"a1": RENAME})

    status = run("persisted-queries", "push", str(changed))

    assert status == 1
    assert capsys.readouterr().err == (
        "error: The manifest 'v2.json' gives id 'a1' a text other than the one "
        "stored from 'v1.json'; give the changed document a new id. "
        "[MANIFEST_CONFLICT]\n"
    )


def test_push_names_the_malformed_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = apollo_manifest(ME, RENAME)
    data["operations"][1]["type"] = "query"
    manifest = write_json(tmp_path / "portal.json", data)

    status = run("persisted-queries", "push", str(manifest))

    assert status == 1
    assert capsys.readouterr().err == (
        f"error: Entry 1 ({sha256_hex(RENAME)}) of manifest 'portal.json' says "
        "query 'Rename', but its body holds mutation 'Rename'. [MANIFEST_INVALID]\n"
    )
