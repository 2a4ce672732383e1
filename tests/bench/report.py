"""BENCHMARKS.md: the machine, the date, the versions, the method and the numbers."""

import datetime
import importlib.metadata
import importlib.util
import os
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.bench.harness import (
    Measurement,
    Outcome,
    Settings,
    median_of,
    within_run_ratios,
)
from tests.bench.variants import Variant
from tests.peers.hive import HIVE_PACKAGE, hive_version, node_executable

PYTHON_PACKAGES = (
    "citizen-graph",
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "httpx",
)


@dataclass(frozen=True)
class Context:
    """What the report says besides the numbers."""

    title: str
    note: str
    generator: str
    settings: Settings
    baseline: str
    load_at_start: float
    findings: tuple[str, ...] = ()
    """Lines of a section on the suite's targets, after the results."""


def machine(load_at_start: float) -> list[str]:
    """Lines about the machine: CPUs, CPU model, memory, kernel, load."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory = "unknown"
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    return [
        f"- CPUs (`nproc`): {os.cpu_count()}",
        f"- CPU model: {model}",
        f"- Memory: {memory}",
        f"- Kernel: {platform.system()} {platform.release()}",
        f"- Load average (1 min) at the start: {load_at_start:.2f}, at the end: "
        f"{os.getloadavg()[0]:.2f}. The machine is shared: other work (test runs "
        "of colleagues) may have run beside the benchmark.",
    ]


def versions(generator: str) -> list[str]:
    """Lines with the versions of everything measured or measuring."""
    lines = [f"- Python {platform.python_version()}"]
    for package in PYTHON_PACKAGES:
        try:
            lines.append(f"- {package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            continue
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    lines.append(f"- uvicorn's HTTP parser: {http}; event loop: {loop}")
    node = subprocess.run(
        [node_executable(), "--version"], capture_output=True, text=True, check=False
    )
    lines.append(f"- Node.js {node.stdout.strip()}")
    if HIVE_PACKAGE.exists():
        lines.append(f"- @graphql-hive/gateway {hive_version()}")
    lines.append(f"- Load generator: {generator}")
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parent,
    )
    if commit.returncode == 0:
        lines.append(f"- Commit: {commit.stdout.strip()}")
    return lines


def method(context: Context) -> list[str]:
    """The method, in a few sentences."""
    s = context.settings
    return [
        f"{s.runs} runs; in each run every variant in turn: its servers are started "
        "fresh (uvicorn, one worker each unless the variant says otherwise, on "
        "127.0.0.1), its query is sent once and the "
        f"answer checked (data, no errors), then {s.warmup:g} s of warm-up and "
        f"{s.seconds:g} s of load from {s.connections} concurrent connections with "
        f"{context.generator}. The tables show the median over the runs.",
        "",
        "CPU ms per request: user and system CPU time of the server process trees "
        "(`/proc/PID/stat`) during the load, divided by the completed requests. Peak "
        "memory: `VmHWM` of `/proc/PID/status`, summed over a server's process tree. "
        "Ratios are computed within each run against the baseline "
        f"`{context.baseline}`, then the median is taken.",
        "",
        "A floor variant drives each fetch of the plan alone and adds them up as if "
        "they ran one after another: latencies add (so its p99 is an upper bound), "
        "CPU per request adds, throughput is one over the summed time per request.",
        "",
        "With 32 connections the latency is mostly queueing (about connections / "
        "throughput), so the cost of the gateway itself is best read from CPU ms per "
        "request against the floor's. The load generator runs on the same 2 cores "
        "as the servers.",
        "",
        "Cores: Hive Gateway and the four HTTP subgraphs are five processes and use "
        "both cores; the in-process gateway is one process, so one core, unless it "
        "runs two workers (`ours-2-workers`, one per core, as it would be deployed "
        "on this machine). Both figures are reported against the same target.",
    ]


def busy_warning(load_at_start: float) -> str | None:
    """A warning when other work shared the machine, which makes numbers low."""
    cpus = os.cpu_count() or 1
    if max(load_at_start, os.getloadavg()[0]) < cpus / 2:
        return None
    return (
        f"**Busy machine.** The load average reached "
        f"{max(load_at_start, os.getloadavg()[0]):.1f} on {cpus} CPUs during the "
        "runs: other processes took CPU from the servers, so the absolute numbers are "
        "low; ratios within a run suffer less. Repeat on a quiet machine."
    )


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def results_table(
    outcome: Outcome, variants: Sequence[Variant], baseline: str
) -> list[str]:
    """The table of medians, one line per measured variant."""
    ratios = within_run_ratios(outcome.measurements, baseline)
    lines = [
        "| variant | requests/s | p50 ms | p99 ms | CPU ms/request (all servers) "
        f"| gateway CPU ms/request | gateway peak MiB | all servers peak MiB "
        f"| throughput vs {baseline} |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for variant in variants:
        rows = [m for m in outcome.measurements if m.variant == variant.name]
        if not rows:
            continue
        lines.append(
            "| "
            + " | ".join(
                [
                    variant.name,
                    _number(median_of([m.rps for m in rows]), 0),
                    _number(median_of([m.p50_ms for m in rows])),
                    _number(median_of([m.p99_ms for m in rows])),
                    _number(median_of([m.cpu_ms for m in rows]), 2),
                    _number(median_of([m.gateway_cpu_ms for m in rows]), 2),
                    _number(median_of([m.gateway_peak_mib for m in rows]), 0),
                    _number(median_of([m.servers_peak_mib for m in rows]), 0),
                    _number(ratios.get(variant.name), 2),
                ]
            )
            + " |"
        )
    return lines


def runs_table(measurements: Sequence[Measurement]) -> list[str]:
    """Every measurement, for the record."""
    lines = [
        "| run | variant | requests/s | p50 ms | p99 ms | CPU ms/request | requests "
        "| errors | targets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for m in measurements:
        lines.append(
            f"| {m.run} | {m.variant} | {m.rps:.0f} | {m.p50_ms:.1f} | {m.p99_ms:.1f} "
            f"| {m.cpu_ms:.2f} | {m.requests} | {m.errors} | {m.targets} |"
        )
    return lines


def render(context: Context, variants: Sequence[Variant], outcome: Outcome) -> str:
    """The whole report as Markdown."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    described = [f"- `{v.name}`: {v.description}" for v in variants]
    skipped = [f"- `{name}`: {reason}" for name, reason in outcome.unavailable.items()]
    busy = busy_warning(context.load_at_start)
    sections = [
        [f"# {context.title}", "", context.note]
        if context.note
        else [f"# {context.title}"],
        [busy] if busy else [],
        ["## Results", "", *results_table(outcome, variants, context.baseline)],
        ["## Targets", "", *context.findings] if context.findings else [],
        ["## Variants", "", *described],
        ["## Not measured", "", *skipped] if skipped else [],
        ["## Machine", "", *machine(context.load_at_start), f"- Date: {now}"],
        ["## Versions", "", *versions(context.generator)],
        ["## Method", "", *method(context)],
        ["## Every run", "", *runs_table(outcome.measurements)],
    ]
    return "\n\n".join("\n".join(section) for section in sections if section) + "\n"
