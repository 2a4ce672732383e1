"""Load generators: ``wrk`` (preferred) and an httpx fallback.

Both post one GraphQL request body over and over from a fixed number of
connections for a fixed time and report the completed requests, the throughput
and the latency median and 99th percentile. ``wrk`` is a small C program; on a
2-core machine a Python client would take CPU from the servers it measures, so
the httpx generator is used only when ``wrk`` is missing, and reports say so.

The ``wrk`` run is driven by a Lua script (see :func:`wrk_script`) that sets the
method, body and headers and, when the run ends, prints one line of JSON with the
summary and latency percentiles.
"""

import asyncio
import json
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

RESULT_MARK = "WRK_RESULT "

LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    mark, summary.requests, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
"""


class LoadError(RuntimeError):
    """The load generator failed or reported no completed request."""

    code = "LOAD_FAILED"


@dataclass(frozen=True)
class LoadResult:
    """What one load run measured.

    Attributes:
        requests: Completed requests.
        seconds: The length of the run.
        p50_ms: Median latency in milliseconds.
        p99_ms: 99th percentile latency in milliseconds.
        errors: Socket errors, timeouts and responses that were not 2xx or 3xx.
    """

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def rps(self) -> float:
        """Completed requests per second."""
        return self.requests / self.seconds


class LoadGenerator(Protocol):
    """Drives load at one URL."""

    name: str

    def version(self) -> str:
        """The generator and its version, for the report."""
        ...

    def run(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        connections: int,
        seconds: float,
    ) -> LoadResult:
        """Post ``body`` to ``url`` from ``connections`` connections for ``seconds``."""
        ...


def lua_string(text: str) -> str:
    """``text`` as a Lua string literal."""
    escaped = []
    for char in text:
        if char in '\\"':
            escaped.append("\\" + char)
        elif ord(char) < 32 or ord(char) == 127:
            escaped.append(f"\\{ord(char):03d}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def wrk_script(body_file: Path, headers: Mapping[str, str]) -> str:
    """The Lua script of a run: POST the body in ``body_file`` with ``headers``."""
    lines = [
        f"local mark = {lua_string(RESULT_MARK)}",
        f"local file = assert(io.open({lua_string(str(body_file))}, 'rb'))",
        "wrk.method = 'POST'",
        "wrk.body = file:read('*a')",
        "file:close()",
    ]
    for name, value in headers.items():
        lines.append(f"wrk.headers[{lua_string(name)}] = {lua_string(value)}")
    return "\n".join(lines) + "\n" + LUA_DONE


class Wrk:
    """The ``wrk`` HTTP benchmarking tool (Debian package ``wrk``)."""

    name = "wrk"

    def __init__(self, executable: str, threads: int = 1) -> None:
        self.executable = executable
        self.threads = threads

    def version(self) -> str:
        """The first line of ``wrk -v``."""
        done = subprocess.run(
            [self.executable, "-v"], capture_output=True, text=True, check=False
        )
        line = (done.stdout or done.stderr).splitlines()[0]
        return line.split(" Copyright")[0].strip()

    def run(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        connections: int,
        seconds: float,
    ) -> LoadResult:
        """Run ``wrk`` once and parse the line its ``done`` hook prints."""
        with tempfile.TemporaryDirectory(prefix="wrk-") as workdir:
            body_file = Path(workdir) / "body.json"
            body_file.write_bytes(body)
            script = Path(workdir) / "post.lua"
            script.write_text(wrk_script(body_file, headers), encoding="utf-8")
            argv = [
                self.executable,
                f"--threads={self.threads}",
                f"--connections={connections}",
                f"--duration={max(1, round(seconds))}s",
                "--timeout=10s",
                f"--script={script}",
                url,
            ]
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=seconds + 60, check=False
            )
        return parse_wrk(done.stdout, done.stderr, done.returncode)


def parse_wrk(stdout: str, stderr: str, returncode: int) -> LoadResult:
    """The result line of a ``wrk`` run."""
    for line in stdout.splitlines():
        if line.startswith(RESULT_MARK):
            summary: dict[str, Any] = json.loads(line[len(RESULT_MARK) :])
            break
    else:
        raise LoadError(
            f"wrk exited with code {returncode} without a result: {stderr.strip()!r}."
        )
    if summary["requests"] == 0:
        raise LoadError("wrk completed no request.")
    errors = sum(
        summary[key] for key in ("connect", "read", "write", "status", "timeout")
    )
    return LoadResult(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1e3,
        p99_ms=summary["p99_us"] / 1e3,
        errors=errors,
    )


class HttpxLoad:
    """A fallback generator in Python: ``connections`` asyncio tasks with httpx.

    It runs in the harness's own process and competes with the servers for CPU,
    so its numbers are lower than ``wrk``'s on a small machine.
    """

    name = "httpx"

    def version(self) -> str:
        """httpx and its version."""
        return f"httpx {httpx.__version__} (Python fallback)"

    def run(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        connections: int,
        seconds: float,
    ) -> LoadResult:
        """Drive the load in a fresh event loop."""
        return asyncio.run(self._run(url, headers, body, connections, seconds))

    async def _run(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        connections: int,
        seconds: float,
    ) -> LoadResult:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=connections)
        started = time.perf_counter()
        deadline = started + seconds

        async def worker(client: httpx.AsyncClient) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    response = await client.post(url, content=body, headers=headers)
                except httpx.HTTPError:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                errors += response.status_code >= 400

        async with httpx.AsyncClient(
            limits=limits, timeout=10.0, trust_env=False
        ) as client:
            await asyncio.gather(*(worker(client) for _ in range(connections)))
        if not latencies:
            raise LoadError("The httpx generator completed no request.")
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        return LoadResult(
            requests=len(latencies),
            seconds=time.perf_counter() - started,
            p50_ms=statistics.median(latencies) * 1e3,
            p99_ms=cuts[98] * 1e3,
            errors=errors,
        )


def pick_generator(preferred: str = "wrk", threads: int = 1) -> LoadGenerator:
    """``wrk`` when it is on PATH (and not ruled out), else the httpx fallback."""
    executable = shutil.which("wrk")
    if preferred == "wrk" and executable is not None:
        return Wrk(executable, threads)
    return HttpxLoad()
