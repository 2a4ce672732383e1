import argparse
from dataclasses import dataclass
from pathlib import Path

import jwt
import pytest

from auth.dev_issuer import DevIssuer
from auth.viewer import AssuranceLevel
from gateway.cli import build_parser
from gateway.commands import token as command
from subgraphs.population import persona

PERSON = "3d2c1b0a-9f8e-4d7c-8b6a-5f4e3d2c1b0a"


@dataclass(frozen=True)
class Persona:
    name: str
    person_id: str
    description: str


def lookup(name: str) -> Persona:
    if name != "student":
        raise LookupError(f"There is no persona {name!r}.")
    return Persona("student", PERSON, "a student")


def cli(argv: list[str]) -> int:
    """Run a command as ``citizen-graph`` does, without configuring logging."""
    args = build_parser().parse_args(argv)
    status: int = args.handler(args)
    return status


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers())
    return parser.parse_args(["token", *argv])


async def test_the_token_verifies_against_the_data_folders_issuer(
    tmp_path: Path,
) -> None:
    args = parse(
        "--persona", "student", "--assurance", "high", "--data-dir", str(tmp_path)
    )

    printed = command.token(args, lookup)

    viewer = await DevIssuer.load_or_create(tmp_path).verifier().verify(printed)
    assert (viewer.person_id, viewer.assurance) == (PERSON, AssuranceLevel.HIGH)


def test_an_unknown_assurance_level_is_a_usage_error() -> None:
    with pytest.raises(SystemExit):
        parse("--persona", "student", "--assurance", "ultra")


def test_the_command_prints_a_token_for_a_real_persona(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli(["token", "--persona", "teen", "--data-dir", str(tmp_path)])

    printed = capsys.readouterr().out.strip()
    claims = jwt.decode(printed, options={"verify_signature": False})
    assert status == 0
    assert claims["cpr_uuid"] == persona("teen").person_id


def test_an_unknown_persona_exits_with_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = cli(["token", "--persona", "nobody", "--data-dir", str(tmp_path)])

    assert status == 2
    assert "nobody" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("act_for", "claim"),
    [
        (["--act-for", "pensioner"], persona("pensioner").person_id),
        (["--act-for", PERSON], PERSON),
        (["--acting-for", "young-child"], persona("young-child").person_id),
        ([], None),
    ],
)
def test_the_command_acts_for_a_persona_by_name_or_a_person_by_id(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    act_for: list[str],
    claim: str | None,
) -> None:
    argv = ["token", "--persona", "attorney", "--data-dir", str(tmp_path), *act_for]

    status = cli(argv)

    printed = capsys.readouterr().out.strip()
    claims = jwt.decode(printed, options={"verify_signature": False})
    assert status == 0
    assert claims["cpr_uuid"] == persona("attorney").person_id
    assert claims.get("act_for") == claim
