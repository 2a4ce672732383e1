"""``citizen-graph serve``: the gateway under uvicorn.

Without ``--supergraph`` it serves the citizen graph, its four authorities in
this process; with it, any join-spec supergraph whose subgraphs are HTTP
services. Without ``--dev`` it runs in production mode (no introspection, no
GraphiQL, no development sign-in).
"""

import argparse
import logging
from pathlib import Path

import uvicorn

from gateway.assembly import Options, build_app
from gateway.composition import CompositionError
from gateway.settings import Settings

logger = logging.getLogger(__name__)


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
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace) -> int:
    """Build the graph, then serve it until interrupted; 2 when it cannot start."""
    options = Options(dev=args.dev, supergraph=args.supergraph)
    try:
        app = build_app(Settings.from_env(), options)
    except (CompositionError, ValueError, OSError) as exc:
        print(f"citizen-graph serve: {exc}")
        return 2
    mode = "development" if args.dev else "production"
    logger.info("Serving in %s mode on %s:%d.", mode, args.host, args.port)
    # uvicorn's own access log would print query strings; ours leaves them out.
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0
