"""``citizen-graph token``: print a development token for a persona.

The token is signed by the development issuer whose key lives in the data folder
(created there on first use), so a gateway started with ``serve --dev`` on the
same folder accepts it. It is a development tool: production trusts only the
configured issuer and never this key.
"""

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from auth.dev_issuer import DevIssuer, Persona
from auth.viewer import AssuranceLevel
from gateway.settings import Settings
from subgraphs.population import UnknownPersona, persona


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``token`` subcommand."""
    parser = subparsers.add_parser(
        "token", help="print a development bearer token for a persona"
    )
    parser.add_argument("--persona", required=True, help="persona name, e.g. parent")
    parser.add_argument(
        "--assurance",
        default="substantial",
        choices=[level.name.lower() for level in AssuranceLevel],
        help="NSIS assurance level of the sign-in (default substantial)",
    )
    parser.add_argument(
        "--act-for",
        "--acting-for",
        dest="act_for",
        default=None,
        help="the persona (by name) or person id the persona acts for",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="data folder (default from env)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the token; exit status 2 for an unknown persona."""
    try:
        print(token(args, persona))
    except UnknownPersona as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


def token(args: argparse.Namespace, lookup: Callable[[str], Persona]) -> str:
    """A development token for the persona that ``lookup`` finds by name."""
    chosen = lookup(args.persona)
    settings = Settings.from_env(data_dir=args.data_dir)
    issuer = DevIssuer.load_or_create(settings.data_dir)
    level = AssuranceLevel.parse(args.assurance)
    return issuer.issue(chosen.person_id, level, acted_for(args.act_for, lookup))


def acted_for(name: str | None, lookup: Callable[[str], Persona]) -> str | None:
    """The person id of the persona called ``name``, or ``name`` itself when it
    names no persona (a person id); None when nobody is acted for."""
    if name is None:
        return None
    try:
        return lookup(name).person_id
    except LookupError:
        return name
