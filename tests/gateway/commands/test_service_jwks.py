import json
from datetime import date
from pathlib import Path

import pytest

from auth.service_tokens import ServiceTokens
from auth.viewer import AssuranceLevel, Viewer
from gateway.cli import build_parser


def test_a_subgraph_verifies_with_the_printed_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(["service-jwks", "--data-dir", str(tmp_path)])

    status = args.handler(args)

    printed = json.loads(capsys.readouterr().out)
    gateway = ServiceTokens.from_env(tmp_path, {})
    viewer = Viewer("s", "p", AssuranceLevel.LOW, today=date(2026, 12, 4))
    subgraph = ServiceTokens.from_jwks(printed)
    assert status == 0
    assert all("d" not in key for key in printed["keys"])
    assert subgraph.verify(gateway.mint(viewer, "skat"), "skat") == viewer
