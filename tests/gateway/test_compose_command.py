"""``citizen-graph compose`` and ``citizen-graph check`` on SDL files."""

import argparse
import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import subgraphs.registry
from gateway.commands import check, compose
from gateway.settings import Settings
from persisted_queries.manifest import parse_manifest
from persisted_queries.store import DocumentStore
from tests.schema.sdl_sets import composing_sets


def run(*argv: str) -> int:
    """Run one of the two commands as the command line would."""
    parser = argparse.ArgumentParser(prog="citizen-graph")
    commands = parser.add_subparsers(required=True)
    compose.register(commands)
    check.register(commands)
    args = parser.parse_args(argv)
    status: int = args.handler(args)
    return status


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data folder of its own for each test: its own document store."""
    folder = tmp_path / "data"
    monkeypatch.setenv("CITIZEN_GRAPH_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def citizen(tmp_path: Path) -> list[str]:
    """``--subgraph`` options of the citizen fixture, written to files."""
    options = []
    for subgraph in composing_sets()["citizen"]:
        path = tmp_path / f"{subgraph.name}.graphql"
        path.write_text(subgraph.sdl)
        url = (
            f"@http://127.0.0.1:4000/{subgraph.name}" if subgraph.name == "cpr" else ""
        )
        options += ["--subgraph", f"{subgraph.name}={path}{url}"]
    return options


def test_compose_prints_the_supergraph(
    citizen: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    status = run("compose", *citizen)

    out = capsys.readouterr().out
    assert status == 0
    assert out.startswith('schema\n  @link(url: "https://specs.apollo.dev/link/v1.0")')
    assert 'CPR @join__graph(name: "cpr", url: "http://127.0.0.1:4000/cpr")' in out
    assert 'SKAT @join__graph(name: "skat", url: "")' in out


def test_compose_writes_the_output_file(citizen: list[str], tmp_path: Path) -> None:
    output = tmp_path / "supergraph.graphql"

    status = run("compose", *citizen, "--output", str(output))

    assert status == 0
    assert "type Person" in output.read_text()


def test_compose_prints_every_error_and_exits_1(
    citizen: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text(
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", '
        'import: ["@key"])\ntype Person @key(fields: "personId") '
        "{ personId: ID! name: Int }\n"
    )

    status = run("compose", *citizen, "--subgraph", f"bad={bad}")

    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err == [
        'error [FIELD_TYPE_MISMATCH]: Field "Person.name" has incompatible types '
        'across subgraphs: "Name!" in subgraph "cpr" but "Int" in subgraph "bad".'
    ]


def test_compose_names_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    status = run("compose", "--subgraph", "a=/nonexistent/a.graphql")

    assert status == 2
    assert capsys.readouterr().err == (
        "error [SDL_FILE_UNREADABLE]: Cannot read the SDL file "
        "'/nonexistent/a.graphql': No such file or directory.\n"
    )


def test_compose_refuses_a_malformed_subgraph_option(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as raised:
        run("compose", "--subgraph", "no-equals-sign")

    assert raised.value.code == 2
    assert "'no-equals-sign' is not NAME=SDL_FILE or NAME=SDL_FILE@URL." in (
        capsys.readouterr().err
    )


@dataclass
class FakeSubgraph:
    """What the compose command reads of a registry subgraph."""

    name: str
    sdl: str


def test_compose_defaults_to_the_registry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loaded = [FakeSubgraph(s.name, s.sdl) for s in composing_sets()["citizen"]]
    monkeypatch.setattr(subgraphs.registry, "load_all", lambda: loaded)

    status = run("compose")

    assert status == 0
    assert 'HEALTH @join__graph(name: "health", url: "")' in capsys.readouterr().out


def test_compose_says_when_the_registry_cannot_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def missing() -> list[FakeSubgraph]:
        raise ModuleNotFoundError("No module named 'subgraphs.cpr'")

    monkeypatch.setattr(subgraphs.registry, "load_graph", missing)

    status = run("compose")

    assert status == 2
    assert capsys.readouterr().err.startswith("error [AUTHORITIES_UNAVAILABLE]: ")


def test_check_reports_a_breaking_change(
    citizen: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skat = next(s for s in composing_sets()["citizen"] if s.name == "skat").sdl
    new = tmp_path / "skat-new.graphql"
    new.write_text(skat.replace("  netPay: Int!\n", ""))
    operations = tmp_path / "dashboard.graphql"
    operations.write_text(
        "query Pay { me { payslips { netPay } } }\n"
        "query Tax { me { ...Tax } }\n"
        "fragment Tax on Person { taxAssessments { year } }\n"
    )

    status = run(
        "check", "skat", "--sdl", str(new), *citizen, "--operations", str(operations)
    )

    out = capsys.readouterr().out
    assert status == 1
    assert '  BREAKING  Field "Payslip.netPay" was removed.' in out.splitlines()
    assert "Operations that stop validating: 1\n  Pay\n" in out


def test_check_exits_0_for_a_safe_change_and_speaks_json(
    citizen: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skat = next(s for s in composing_sets()["citizen"] if s.name == "skat").sdl
    new = tmp_path / "skat-new.graphql"
    new.write_text(skat.replace("  netPay: Int!\n", "  netPay: Int!\n  bonus: Int\n"))

    status = run("check", "skat", "--sdl", str(new), *citizen, "--format", "json")

    out = capsys.readouterr().out
    assert status == 0
    assert '"coordinate": "Payslip.bonus"' in out
    assert '"breaking": false' in out


def test_check_names_an_operations_file_that_does_not_parse(
    citizen: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operations = tmp_path / "broken.graphql"
    operations.write_text("query {")
    sdl = tmp_path / "skat-new.graphql"
    sdl.write_text("type Query { a: Int }")

    status = run(
        "check", "skat", "--sdl", str(sdl), *citizen, "--operations", str(operations)
    )

    assert status == 2
    assert capsys.readouterr().err == (
        f"error [INVALID_OPERATIONS_FILE]: The operations file '{operations}' is not "
        "valid GraphQL: Syntax Error: Expected Name, found <EOF>.\n"
    )


def test_check_reads_a_package_of_another_checkout(
    citizen: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    skat = next(s for s in composing_sets()["citizen"] if s.name == "skat").sdl
    package = tmp_path / "checkout" / "subgraphs" / "skat"
    package.mkdir(parents=True)
    (package.parent / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "schema.py").write_text(f"SDL = {skat.replace('netPay', 'net')!r}\n")
    (package.parent / "registry.py").write_text(
        "import importlib, types\n"
        "def load(name):\n"
        "    module = importlib.import_module(f'subgraphs.{name}.schema')\n"
        "    return types.SimpleNamespace(sdl=module.SDL)\n"
    )

    status = run("check", "skat", "--package", str(package), *citizen)

    out = capsys.readouterr().out
    assert status == 1
    assert (
        'Field "Payslip.netPay" was removed (perhaps renamed to "Payslip.net").' in out
    )


def test_check_refuses_a_folder_that_is_no_package(
    citizen: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run("check", "skat", "--package", str(tmp_path), *citizen)

    assert status == 2
    assert capsys.readouterr().err.startswith("error [NOT_A_SUBGRAPH_PACKAGE]: ")


async def _push(data_dir: Path, body: str) -> None:
    manifest = parse_manifest(json.dumps({"stored-pay": body}).encode(), "test")
    store = DocumentStore.open(Settings(data_dir=data_dir).database_url("gateway"))
    try:
        await store.create()
        await store.push(manifest, client="test")
    finally:
        await store.close()


def test_check_names_the_stored_and_the_portal_operations_a_change_breaks(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_push(data_dir, "query StoredPay { me { payslips { netPay } } }"))
    skat = subgraphs.registry.load("skat").sdl
    new = tmp_path / "skat-new.graphql"
    new.write_text(skat.replace("  netPay: Int!\n", ""))

    status = run("check", "skat", "--sdl", str(new))

    out = capsys.readouterr().out
    assert status == 1
    assert "Operations that stop validating: 2\n" in out
    assert "\n  StoredPay\n" in out
    assert "\n  MyPageEconomy\n" in out


def test_check_without_the_store_checks_only_the_given_operations(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_push(data_dir, "query StoredPay { me { payslips { netPay } } }"))
    skat = subgraphs.registry.load("skat").sdl
    new = tmp_path / "skat-new.graphql"
    new.write_text(skat.replace("  netPay: Int!\n", ""))

    status = run("check", "skat", "--sdl", str(new), "--no-store")

    out = capsys.readouterr().out
    assert status == 1
    assert "StoredPay" not in out
    assert "Operations that stop validating: 0" in out
