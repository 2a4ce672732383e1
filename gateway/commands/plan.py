"""``citizen-graph plan``: print the query plan of an operation.

The plan shows every fetch with its subgraph, its document and, for entity
fetches, the representations it needs; ``--json`` prints what a development
request gets in ``extensions.queryPlan``.
"""

import argparse
import json
import sys
from pathlib import Path

from graphql import GraphQLError, parse, validate

from resolvers.plan import format_plan
from resolvers.planner import PlanningError, QueryPlanner
from schema.errors import SchemaError
from schema.supergraph import load_supergraph


def _supergraph_sdl(path: Path | None) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8")
    from schema.compose import SubgraphSdl, compose
    from subgraphs.registry import load_all

    subgraphs = [SubgraphSdl(name=s.name, sdl=s.sdl, url=None) for s in load_all()]
    return compose(subgraphs).supergraph_or_raise()


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``plan`` subcommand."""
    parser = subparsers.add_parser(
        "plan", help="print the query plan of an operation over a supergraph"
    )
    parser.add_argument("operation_file", type=Path, help="a .graphql file")
    parser.add_argument(
        "--supergraph",
        type=Path,
        help="a supergraph SDL file (default: the citizen graph, composed now)",
    )
    parser.add_argument("--operation", help="the operation to plan, by name")
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan the operation and print the plan; 1 with a message on bad input."""
    try:
        supergraph = load_supergraph(_supergraph_sdl(args.supergraph))
        document = parse(args.operation_file.read_text(encoding="utf-8"))
    except OSError as exc:
        print(f"Cannot read {exc.filename}: {exc.strerror}.", file=sys.stderr)
        return 1
    except SchemaError as exc:
        print(f"{exc} ({exc.code})", file=sys.stderr)
        return 1
    except GraphQLError as exc:
        print(f"The operation does not parse: {exc.message}", file=sys.stderr)
        return 1
    errors = validate(supergraph.api_schema, document)
    if errors:
        for error in errors:
            print(f"The operation is not valid: {error.message}", file=sys.stderr)
        return 1
    try:
        plan = QueryPlanner(supergraph).plan(document, args.operation)
    except PlanningError as exc:
        print(f"{exc} ({exc.code})", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(plan.to_json(), indent=2))
    else:
        print(format_plan(plan))
    return 0
