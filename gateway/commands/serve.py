"""``citizen-graph serve``: the gateway under uvicorn.

Without ``--supergraph`` it serves the citizen graph, its four authorities in
this process; with it, any join-spec supergraph whose subgraphs are HTTP
services. Without ``--dev`` it runs in production mode (no introspection, no
GraphiQL, no development sign-in).

``--workers N`` serves from N processes on one port, so that a machine's cores
all answer requests. The command first builds the application and runs its
start-up once (tables created, the portal's trusted documents pushed), so the
workers, which each build their own, start on prepared storage instead of
racing to create it.
"""

import argparse
import asyncio
import ipaddress
import logging
import os
import shutil
import tempfile
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from gateway.assembly import Options, build_app
from gateway.composition import CompositionError
from gateway.metrics import MULTIPROCESS_VARIABLE
from gateway.settings import Settings

logger = logging.getLogger(__name__)

WORKER_DEV = "CITIZEN_GRAPH_SERVE_DEV"
WORKER_SUPERGRAPH = "CITIZEN_GRAPH_SERVE_SUPERGRAPH"
WORKER_LOG_LEVEL = "CITIZEN_GRAPH_SERVE_LOG_LEVEL"
"""How ``serve`` hands its options to worker processes."""


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``serve`` to the command line."""
    parser = subparsers.add_parser(
        "serve",
        help="serve the graph over HTTP",
        description="Serve the citizen graph (or any supergraph) at /graphql.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=int, default=8000, help="port to bind")
    parser.add_argument(
        "--dev",
        action="store_true",
        help="development mode: GraphiQL, introspection, query plans, dev sign-in",
    )
    parser.add_argument(
        "--supergraph",
        type=Path,
        metavar="FILE",
        help="serve this supergraph SDL, its subgraphs over HTTP",
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help="processes serving the port (default 1; one per core uses them all)",
    )
    parser.set_defaults(handler=serve)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            f"expected a whole number of 1 or more, not {value!r}"
        )
    return number


def serve(args: argparse.Namespace) -> int:
    """Build the graph, then serve it until interrupted; 2 when it cannot start."""
    options = Options(dev=args.dev, supergraph=args.supergraph)
    try:
        app = build_app(Settings.from_env(), options)
    except (CompositionError, ValueError, OSError) as exc:
        print(f"citizen-graph serve: {exc}")
        return 2
    if args.dev and not is_loopback(args.host):
        logger.warning(
            "Development mode on %s: anyone who reaches this address can sign in "
            "as any persona through /dev/token. Serve --dev on 127.0.0.1.",
            args.host,
        )
    mode = "development" if args.dev else "production"
    logger.info(
        "Serving in %s mode on %s:%d with %d worker(s).",
        mode,
        args.host,
        args.port,
        args.workers,
    )
    # uvicorn's own access log would print query strings; ours leaves them out.
    if args.workers == 1:
        uvicorn.run(
            app, host=args.host, port=args.port, log_config=None, access_log=False
        )
        return 0
    try:
        asyncio.run(_start_once(app))
    except Exception as exc:
        print(f"citizen-graph serve: {_unprepared(exc)}")
        return 2
    os.environ[WORKER_DEV] = "1" if args.dev else ""
    os.environ[WORKER_SUPERGRAPH] = str(args.supergraph or "")
    os.environ[WORKER_LOG_LEVEL] = logging.getLevelName(logging.getLogger().level)
    # The workers' metrics meet in one folder, which /metrics adds up.
    metrics_folder = None
    if not os.environ.get(MULTIPROCESS_VARIABLE):
        metrics_folder = tempfile.mkdtemp(prefix="citizen-graph-metrics-")
        os.environ[MULTIPROCESS_VARIABLE] = metrics_folder
    try:
        uvicorn.run(
            f"{__name__}:worker_app",
            factory=True,
            workers=args.workers,
            host=args.host,
            port=args.port,
            log_config=None,
            access_log=False,
        )
    finally:
        if metrics_folder is not None:
            shutil.rmtree(metrics_folder, ignore_errors=True)
    return 0


def is_loopback(host: str) -> bool:
    """True when ``host`` names only this machine (``localhost`` or a loopback IP)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


SETTLE_SECONDS = 0.2
"""How long a failed start-up waits for database connections to finish closing."""


async def _start_once(app: Starlette) -> None:
    """Run the application's start-up and shut-down, preparing its storage."""
    try:
        async with app.router.lifespan_context(app):
            pass
    except Exception:
        # A database connection that failed to open closes on its own thread,
        # which reports back to this event loop: let it, before the loop ends.
        await asyncio.sleep(SETTLE_SECONDS)
        raise


def _unprepared(exc: Exception) -> str:
    """Why storage could not be prepared: the exception's type and first line."""
    lines = str(exc).strip().splitlines()
    detail = f": {lines[0]}" if lines else ""
    return (
        "The storage could not be prepared before the workers start "
        f"({type(exc).__name__}{detail})."
    )


def worker_app() -> Starlette:
    """The application of one worker process, from the options ``serve`` left."""
    from gateway.cli import configure_logging

    configure_logging(os.environ.get(WORKER_LOG_LEVEL) or "INFO")
    supergraph = os.environ.get(WORKER_SUPERGRAPH)
    options = Options(
        dev=os.environ.get(WORKER_DEV) == "1",
        supergraph=Path(supergraph) if supergraph else None,
    )
    return build_app(Settings.from_env(), options)
