"""``citizen-graph service-jwks``: print the public keys of the service tokens.

The gateway signs a short-lived token for each HTTP subgraph request with the key
in its data folder (created on first use). A subgraph on another machine needs
only the public half: save this output there and point
``CITIZEN_GRAPH_SERVICE_JWKS_FILE`` at it.
"""

import argparse
import json
from pathlib import Path

from auth.service_tokens import ServiceTokens
from gateway.settings import Settings


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``service-jwks`` subcommand."""
    parser = subparsers.add_parser(
        "service-jwks", help="print the public JWKS of the gateway's service tokens"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="data folder (default from env)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the JWKS as JSON."""
    settings = Settings.from_env(data_dir=args.data_dir)
    tokens = ServiceTokens.from_env(settings.data_dir)
    print(json.dumps(tokens.jwks(), indent=2))
    return 0
