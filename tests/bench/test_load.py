"""The load generators' scripts and result parsing, without running a load."""

import json
from pathlib import Path

import pytest

from tests.bench.load import RESULT_MARK, LoadError, lua_string, parse_wrk, wrk_script


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("plain", '"plain"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("back\\slash", '"back\\\\slash"'),
        ("two\nlines", '"two\\010lines"'),
    ],
)
def test_lua_string_escapes(text: str, literal: str) -> None:
    assert lua_string(text) == literal


def test_wrk_script_posts_the_body_file_with_the_headers(tmp_path: Path) -> None:
    script = wrk_script(tmp_path / "body.json", {"authorization": "Bearer x"})

    assert "wrk.method = 'POST'" in script
    assert f"io.open(\"{tmp_path / 'body.json'}\", 'rb')" in script
    assert 'wrk.headers["authorization"] = "Bearer x"' in script
    assert "latency:percentile(99)" in script


def test_parse_wrk_reads_the_result_line() -> None:
    summary = {
        "requests": 500,
        "duration_us": 2_000_000,
        "p50_us": 1500,
        "p99_us": 9000,
        "connect": 0,
        "read": 1,
        "write": 0,
        "status": 2,
        "timeout": 0,
    }
    stdout = "Running 2s test\n" + RESULT_MARK + json.dumps(summary) + "\n"

    result = parse_wrk(stdout, "", 0)

    assert (result.requests, result.rps, result.p50_ms, result.p99_ms) == (
        500,
        250.0,
        1.5,
        9.0,
    )
    assert result.errors == 3


def test_parse_wrk_without_a_result_says_why() -> None:
    with pytest.raises(LoadError, match="unable to connect"):
        parse_wrk("", "unable to connect to 127.0.0.1", 1)
