"""``citizen-graph seed``: fill every authority's database with synthetic citizens.

Tables are (re)created from each authority's metadata, so seeding again replaces
the data. Databases are those of :class:`gateway.settings.Settings`: SQLite files
under the data folder unless ``CITIZEN_GRAPH_<NAME>_DATABASE_URL`` says otherwise.
"""

import argparse
import asyncio
import sys
from pathlib import Path

from gateway.settings import Settings
from subgraphs.kit import Database
from subgraphs.seeding import Progress, authorities, seed

DEFAULT_CITIZENS = 2_000
DEFAULT_SEED = 1


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add the ``seed`` subcommand."""
    parser = subparsers.add_parser(
        "seed", help="create the databases and fill them with synthetic citizens"
    )
    parser.add_argument(
        "--citizens",
        type=_at_least_one,
        default=DEFAULT_CITIZENS,
        help=f"how many people (default {DEFAULT_CITIZENS:,})",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="the population's random seed"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="folder of the SQLite files"
    )
    parser.add_argument(
        "--chunk-size", type=_at_least_one, default=5_000, help="citizens per batch"
    )
    parser.set_defaults(handler=run)


def _at_least_one(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number.") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{value!r} must be 1 or more.")
    return number


def _show(progress: Progress) -> None:
    rate = progress.citizens / max(progress.elapsed, 1e-9)
    print(
        f"\rseeded {progress.citizens:,} of {progress.total:,} citizens "
        f"({progress.elapsed:.1f} s, {rate:,.0f}/s)",
        end="",
        file=sys.stderr,
        flush=True,
    )


async def _seed(settings: Settings, args: argparse.Namespace) -> Progress:
    chosen = authorities()
    names = {a.database for a in chosen}
    databases = {n: Database.open(settings.database_url(n)) for n in sorted(names)}
    try:
        return await seed(
            databases, args.citizens, args.seed, args.chunk_size, _show, chosen
        )
    finally:
        await asyncio.gather(*(d.close() for d in databases.values()))


def run(args: argparse.Namespace) -> int:
    """Seed every authority; print progress and a summary on standard error."""
    settings = Settings.from_env(data_dir=args.data_dir)
    progress = asyncio.run(_seed(settings, args))
    rows = ", ".join(f"{name} {count:,} rows" for name, count in progress.rows.items())
    print(
        f"\nseeded {progress.citizens:,} citizens in {progress.elapsed:.1f} s: {rows}",
        file=sys.stderr,
    )
    return 0
