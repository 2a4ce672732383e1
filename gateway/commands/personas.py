"""``citizen-graph personas``: the named people to sign in as, and what each shows."""

import argparse

from subgraphs.population import PERSONAS


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``personas`` subcommand."""
    parser = subparsers.add_parser(
        "personas", help="list the personas of the synthetic population"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print one persona a line: name, person id, what it exercises."""
    width = max(len(p.name) for p in PERSONAS)
    for persona in PERSONAS:
        print(f"{persona.name:<{width}}  {persona.person_id}  {persona.description}")
    return 0
