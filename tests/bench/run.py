"""The benchmark command: ``python -m tests.bench.run --output BENCHMARKS.md``.

It measures the variants of a suite (``citizen``, the default, or ``standin``,
which proves the harness on two toy subgraphs) and writes a Markdown report. See
:mod:`tests.bench.harness` for the method and :mod:`tests.bench.variants` for how
to add a variant. Progress goes to standard error.
"""

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.bench import citizen, standin, targets
from tests.bench.harness import Settings, run_all, within_run_ratios
from tests.bench.load import pick_generator
from tests.bench.report import Context, render
from tests.bench.variants import Variant

SUITES: dict[str, tuple[list[Variant], str, str, str]] = {
    "citizen": (
        citizen.VARIANTS,
        citizen.BASELINE,
        "Benchmarks",
        "The dashboard of the persona `parent` (issue #3).",
    ),
    "standin": (
        standin.VARIANTS,
        "hive",
        "Benchmarks of the stand-in graph (not the citizen graph)",
        "**Stand-in.** These numbers come from two toy subgraphs (users, posts) "
        "that prove the benchmark harness; they say nothing about the citizen "
        "graph.",
    ),
}


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    args = argparse.ArgumentParser(
        prog="python -m tests.bench.run", description=__doc__
    )
    args.add_argument("--output", type=Path, default=Path("BENCHMARKS.md"))
    args.add_argument("--suite", choices=sorted(SUITES), default="citizen")
    args.add_argument("--variants", help="comma-separated names (default: all)")
    args.add_argument("--baseline", help="variant the ratios divide by")
    args.add_argument("--runs", type=int, default=Settings.runs)
    args.add_argument("--seconds", type=float, default=Settings.seconds)
    args.add_argument("--warmup", type=float, default=Settings.warmup)
    args.add_argument("--connections", type=int, default=Settings.connections)
    args.add_argument("--threads", type=int, default=1, help="wrk threads")
    args.add_argument("--generator", choices=["wrk", "httpx"], default="wrk")
    return args


def chosen(variants: list[Variant], names: str | None) -> list[Variant]:
    """The variants named in ``names`` (all when None), in suite order."""
    if names is None:
        return variants
    wanted = {name.strip() for name in names.split(",")}
    unknown = wanted - {variant.name for variant in variants}
    if unknown:
        known = ", ".join(variant.name for variant in variants)
        raise SystemExit(f"Unknown variants {sorted(unknown)}; this suite has {known}.")
    return [variant for variant in variants if variant.name in wanted]


def progress(line: str) -> None:
    """One line of progress on standard error."""
    print(line, file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 1 when no variant could be measured."""
    options = parser().parse_args(argv)
    suite, default_baseline, title, note = SUITES[options.suite]
    variants = chosen(suite, options.variants)
    settings = Settings(
        options.runs, options.seconds, options.warmup, options.connections
    )
    generator = pick_generator(options.generator, options.threads)
    if options.generator == "wrk" and generator.name != "wrk":
        progress("wrk is not installed (apt-get install -y wrk); using httpx instead.")
    load_at_start = os.getloadavg()[0]
    outcome = run_all(variants, generator, settings, progress)
    if not outcome.measurements:
        progress("No variant could be measured; nothing written.")
        return 1
    measured = [m.variant for m in outcome.measurements]
    baseline = options.baseline or (
        default_baseline if default_baseline in measured else measured[0]
    )
    findings: tuple[str, ...] = ()
    if options.suite == "citizen":
        recording = citizen.recorded()[1]
        findings = tuple(
            targets.findings(outcome.measurements, recording.plan_times, recording.cost)
        )
    context = Context(
        title, note, generator.version(), settings, baseline, load_at_start, findings
    )
    options.output.write_text(render(context, variants, outcome), encoding="utf-8")
    for name, ratio in within_run_ratios(outcome.measurements, baseline).items():
        progress(f"{name}: {ratio:.2f} times the throughput of {baseline}")
    progress(f"Wrote {options.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
