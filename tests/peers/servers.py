"""Server processes for the peer tests and the benchmark: start, wait, stop.

Every server runs as its own process in its own session (process group), bound to
127.0.0.1 on a port found free at run time. :class:`ServerSpec` says how to start one
(any command line; :func:`uvicorn_spec` for a Python ASGI application served by
uvicorn); :func:`running_servers` starts several at once and waits until each
answers. The context managers kill every process group when the block ends,
whatever happens inside it, so no test leaves a stray process behind.

A server that exits or does not answer in time raises :class:`PeerStartError`
with the tail of its output.
"""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

REPO_ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
OUTPUT_TAIL = 4000
"""Characters of a failed server's output quoted in the error."""

Probe = Callable[[str], bool]
"""Tells whether the server at a base URL (``http://127.0.0.1:PORT``) is ready."""


class PeerStartError(RuntimeError):
    """A server process exited or did not become ready in time."""

    code = "PEER_START_FAILED"


@dataclass(frozen=True)
class RunningServer:
    """A server process that answers on loopback.

    Attributes:
        name: A label for reports and errors (``users``, ``hive``).
        base_url: ``http://127.0.0.1:PORT``.
        endpoint: The URL clients send GraphQL requests to.
        process: The process; its id is also its process group's id.
    """

    name: str
    base_url: str
    endpoint: str
    process: "subprocess.Popen[bytes]"

    @property
    def pid(self) -> int:
        """The process id of the server (the leader of its process group)."""
        return self.process.pid

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        return int(self.base_url.rsplit(":", 1)[1])


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def tcp_ready(base_url: str) -> bool:
    """A probe: the server accepts TCP connections."""
    port = int(base_url.rsplit(":", 1)[1])
    try:
        with socket.create_connection((LOOPBACK, port), timeout=0.5):
            return True
    except OSError:
        return False


def graphql_ready(path: str = "/graphql") -> Probe:
    """A probe: ``{ __typename }`` posted to ``path`` answers with data."""

    def probe(base_url: str) -> bool:
        try:
            response = httpx.post(
                base_url + path,
                json={"query": "{ __typename }"},
                timeout=1.0,
                trust_env=False,
            )
            payload = response.json()
        except (httpx.TransportError, ValueError):
            return False
        return response.status_code == 200 and "data" in payload

    return probe


def http_ready(path: str) -> Probe:
    """A probe: a GET of ``path`` answers 200 (such as ``/readyz``)."""

    def probe(base_url: str) -> bool:
        try:
            response = httpx.get(base_url + path, timeout=1.0, trust_env=False)
        except httpx.TransportError:
            return False
        return response.status_code == 200

    return probe


def stop(process: "subprocess.Popen[bytes]", grace: float = 5.0) -> None:
    """Stop a process and its group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if process.poll() is not None:
        _kill_group(process.pid, signal.SIGKILL)
        return
    _kill_group(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid, signal.SIGKILL)
        process.wait(timeout=grace)
    else:
        # Children that outlived their leader go too.
        _kill_group(process.pid, signal.SIGKILL)


def _kill_group(pgid: int, signum: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def _tail(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    text = log.read().decode("utf-8", "replace")
    return text[-OUTPUT_TAIL:]


def _wait_ready(
    spec: "ServerSpec", process: "subprocess.Popen[bytes]", log: IO[bytes]
) -> None:
    deadline = time.monotonic() + spec.timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PeerStartError(
                f"The server {spec.name!r} exited with code {process.returncode} "
                f"before it was ready. Its output ends with:\n{_tail(log)}"
            )
        if spec.probe(spec.base_url):
            return
        time.sleep(0.05)
    raise PeerStartError(
        f"The server {spec.name!r} did not answer at {spec.base_url} within "
        f"{spec.timeout} seconds. Its output ends with:\n{_tail(log)}"
    )


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server process.

    Attributes:
        name: A label for errors and reports.
        argv: The command line; it must make the server listen on 127.0.0.1:port.
        port: The port the command line names.
        endpoint_path: The path of the GraphQL endpoint.
        probe: Tells when the server is ready; TCP by default.
        env: The whole environment of the process (the current one when None).
        cwd: The working directory of the process.
        timeout: Seconds to wait for readiness.
    """

    name: str
    argv: Sequence[str]
    port: int
    endpoint_path: str = "/graphql"
    probe: Probe = tcp_ready
    env: Mapping[str, str] | None = None
    cwd: Path | str | None = None
    timeout: float = 30.0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def endpoint(self) -> str:
        """The URL of the GraphQL endpoint, known before the server starts."""
        return self.base_url + self.endpoint_path


@contextmanager
def running_servers(specs: Sequence[ServerSpec]) -> Iterator[list[RunningServer]]:
    """Start all ``specs`` at once, wait until each is ready, stop all at the end.

    Starting them together lets slow start-ups (Node.js, Python imports) overlap.

    Yields:
        The running servers in the order of ``specs``; every process group is
        killed when the block ends, also when a server fails to start.
    """
    with ExitStack() as stack:
        started = []
        for spec in specs:
            log = stack.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(
                list(spec.argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=dict(spec.env) if spec.env is not None else None,
                cwd=spec.cwd,
                start_new_session=True,
            )
            stack.callback(stop, process)
            started.append((spec, process, log))
        for spec, process, log in started:
            _wait_ready(spec, process, log)
        yield [
            RunningServer(spec.name, spec.base_url, spec.endpoint, process)
            for spec, process, _ in started
        ]


@contextmanager
def running_process(spec: ServerSpec) -> Iterator[RunningServer]:
    """Run one server for the duration of the block (see :func:`running_servers`)."""
    with running_servers([spec]) as [server]:
        yield server


def python_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The current environment with the repository on ``PYTHONPATH``.

    The ``tests`` package is not installed, so servers importing from it (the
    stand-in subgraphs) need the repository root on their path.
    """
    env = dict(os.environ)
    paths = [str(REPO_ROOT), *filter(None, [env.get("PYTHONPATH")])]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.update(extra or {})
    return env


def uvicorn_spec(
    app: str,
    *,
    name: str | None = None,
    endpoint_path: str = "/graphql",
    factory: bool = False,
    env: Mapping[str, str] | None = None,
    probe: Probe = tcp_ready,
    timeout: float = 30.0,
) -> ServerSpec:
    """How to serve an ASGI application with uvicorn on a free port.

    Args:
        app: The application as uvicorn imports it, ``module:attribute``.
        name: A label for errors and reports; the module's last part by default.
        endpoint_path: The path of the GraphQL endpoint.
        factory: ``attribute`` is a function that returns the application.
        env: Extra environment variables for the server.
        probe: Tells when the server is ready; TCP by default (uvicorn binds its
            socket only after the application's start-up).
        timeout: Seconds to wait for readiness.
    """
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        app,
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    if factory:
        argv.append("--factory")
    return ServerSpec(
        name=name or app.split(":", 1)[0].rsplit(".", 1)[-1],
        argv=argv,
        port=port,
        endpoint_path=endpoint_path,
        probe=probe,
        env=python_env(env),
        cwd=REPO_ROOT,
        timeout=timeout,
    )


@contextmanager
def uvicorn_server(app: str, **options: Any) -> Iterator[RunningServer]:
    """Serve an ASGI application with uvicorn in a separate process.

    Takes the arguments of :func:`uvicorn_spec`; yields the running server, which
    is stopped when the block ends.
    """
    with running_process(uvicorn_spec(app, **options)) as server:
        yield server
