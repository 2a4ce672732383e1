"""``citizen-graph subgraph NAME``: serve one authority's subgraph over HTTP.

The service answers ``POST /graphql`` (with ``_service`` and ``_entities``) on its
own database, as configured by :class:`gateway.settings.Settings`. Every request
but ``GET /health`` must carry a service token that the gateway minted for this
subgraph (:mod:`auth.service_tokens`; the key or JWKS comes from the environment or
the data folder); its viewer is the request's viewer.
"""

import argparse
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware

from auth.service_tokens import ServiceTokenMiddleware, ServiceTokens
from gateway.settings import Settings
from subgraphs import registry
from subgraphs.kit import Database
from subgraphs.service import create_app


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``subgraph`` subcommand."""
    parser = subparsers.add_parser("subgraph", help="serve one authority over HTTP")
    parser.add_argument("name", choices=registry.SUBGRAPHS, help="the subgraph")
    parser.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    parser.add_argument("--port", type=int, default=4001, help="default 4001")
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="folder of the SQLite files"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve the subgraph until interrupted."""
    settings = Settings.from_env(data_dir=args.data_dir)
    app = build_app(args.name, settings)
    uvicorn.run(app, host=args.host, port=args.port, log_config=None)
    return 0


def build_app(name: str, settings: Settings) -> Starlette:
    """The service of subgraph ``name``, open only to the gateway's service tokens."""
    subgraph = registry.load(name)
    database = Database.open(settings.database_url(subgraph.database_name))
    tokens = ServiceTokens.from_env(settings.data_dir)
    guard = Middleware(
        ServiceTokenMiddleware,
        tokens=tokens,
        subgraph=subgraph.name,
        exempt={"/health"},
    )
    return create_app(subgraph, database, middleware=[guard])
