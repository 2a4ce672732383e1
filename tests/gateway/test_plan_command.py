"""``citizen-graph plan`` prints plans and refuses bad input with a message."""

import argparse
import json
from pathlib import Path

import pytest

from gateway.commands import plan

SHOP = Path(__file__).parent.parent / "resolvers" / "fixtures" / "shop.apollo.graphql"


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    plan.register(parser.add_subparsers())
    args = parser.parse_args(["plan", *argv])
    status: int = args.handler(args)
    return status


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "operation.graphql"
    path.write_text(text)
    return path


def test_prints_the_plan_of_the_named_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = write(tmp_path, "query A { me { id } } query B { warehouseName }")

    status = run([str(operation), "--supergraph", str(SHOP), "--operation", "B"])

    assert status == 0
    assert capsys.readouterr().out == (
        'QueryPlan {\n  Fetch(service: "inventory") {\n'
        "    query B__inventory__0 {\n      warehouseName\n    }\n  }\n}\n"
    )


def test_prints_json_for_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = write(tmp_path, "{ warehouseName }")

    status = run([str(operation), "--supergraph", str(SHOP), "--json"])

    assert status == 0
    assert json.loads(capsys.readouterr().out)["node"]["serviceName"] == "inventory"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{ nope }", "The operation is not valid: Cannot query field 'nope'"),
        ("{ me {", "The operation does not parse"),
    ],
)
def test_bad_operations_exit_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    status = run([str(write(tmp_path, text)), "--supergraph", str(SHOP)])

    assert status == 1
    assert message in capsys.readouterr().err


def test_a_bad_supergraph_exits_with_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "supergraph.graphql"
    bad.write_text("type Query { a: Int }")

    status = run([str(write(tmp_path, "{ a }")), "--supergraph", str(bad)])

    assert status == 1
    assert "(UNSUPPORTED_SUPERGRAPH)" in capsys.readouterr().err


def test_a_missing_file_exits_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run([str(tmp_path / "missing.graphql"), "--supergraph", str(SHOP)])

    assert status == 1
    assert "Cannot read" in capsys.readouterr().err


def test_plans_over_the_citizen_graph_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    operation = write(tmp_path, "query Me { me { personId payslips { __typename } } }")

    status = run([str(operation)])

    out = capsys.readouterr().out
    assert status == 0
    assert 'Fetch(service: "cpr")' in out
    assert 'Flatten(path: "me")' in out
    assert 'Fetch(service: "skat")' in out
