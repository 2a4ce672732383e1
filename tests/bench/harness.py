"""Measuring variants: start, check, warm up, load, read ``/proc``, stop.

For each run and each variant in turn (variants interleaved, so that a slow
moment of the machine hits all of them alike), :func:`measure` starts the
variant's servers, sends each target once and checks the answer (HTTP 200, JSON
``data``, no ``errors``), warms up with the load generator, then drives each
target for a fixed time while reading the CPU time of every server process tree
before and after, and finally the peak memory (``VmHWM``) of each tree.

A deployment with several targets (a floor) is measured target by target and
added up as if its fetches ran one after another: latencies add, CPU per request
adds, and the throughput is that of the sum of the per-request times.
"""

import statistics
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.bench.load import LoadError, LoadGenerator, LoadResult
from tests.bench.procstat import cpu_seconds, peak_rss_kib, process_tree
from tests.bench.variants import GATEWAY, Target, Variant, VariantUnavailable
from tests.peers.servers import PeerStartError, RunningServer

Progress = Callable[[str], None]


class CheckFailed(RuntimeError):
    """A variant answered its query wrongly before the load started."""

    code = "BENCH_CHECK_FAILED"


@dataclass(frozen=True)
class Settings:
    """How long and how hard to drive each variant."""

    runs: int = 3
    seconds: float = 5.0
    warmup: float = 2.0
    connections: int = 32


@dataclass(frozen=True)
class Measurement:
    """One variant in one run.

    Attributes:
        variant: The variant's name.
        run: The run's number, from 1.
        rps: Requests per second (for a floor: whole plans per second).
        p50_ms: Median latency.
        p99_ms: 99th percentile latency.
        cpu_ms: CPU milliseconds per request, all server processes together.
        gateway_cpu_ms: CPU milliseconds per request of the gateway alone.
        gateway_peak_mib: The gateway's peak resident memory.
        servers_peak_mib: The peak resident memory of all servers, added up.
        requests: Completed requests (for a floor: of its slowest target).
        errors: Failed requests during the load.
        targets: How many targets were driven (fetches of a floor, else 1).
    """

    variant: str
    run: int
    rps: float
    p50_ms: float
    p99_ms: float
    cpu_ms: float
    gateway_cpu_ms: float | None
    gateway_peak_mib: float | None
    servers_peak_mib: float
    requests: int
    errors: int
    targets: int


def check(target: Target) -> None:
    """Send ``target`` once; raise :class:`CheckFailed` unless it has clean data.

    Clean: HTTP 200, no ``errors``, and ``data`` with at least one root field that
    is not null (an anonymous ``{"me": null}`` measures nothing).
    """
    response = httpx.post(
        target.url,
        content=target.encoded(),
        headers=target.all_headers(),
        timeout=30.0,
        trust_env=False,
    )
    try:
        payload: Any = response.json()
    except ValueError as exc:
        raise CheckFailed(
            f"{target.url} answered non-JSON: {response.text[:200]!r}"
        ) from exc
    data = payload.get("data") if isinstance(payload, dict) else None
    empty = not data or all(value is None for value in data.values())
    if response.status_code != 200 or payload.get("errors") or empty:
        raise CheckFailed(
            f"{target.url} answered {response.status_code} {str(payload)[:400]!r}; "
            "load on an empty or failed answer would measure nothing useful."
        )


def _trees(servers: Mapping[str, RunningServer]) -> dict[str, list[int]]:
    return {role: process_tree(server.pid) for role, server in servers.items()}


def _cpu(trees: Mapping[str, list[int]]) -> dict[str, float]:
    return {role: cpu_seconds(pids) for role, pids in trees.items()}


@dataclass(frozen=True)
class Driven:
    """One target driven: the load and the CPU seconds by server role."""

    load: LoadResult
    cpu: Mapping[str, float]


def drive(
    generator: LoadGenerator,
    target: Target,
    servers: Mapping[str, RunningServer],
    settings: Settings,
) -> Driven:
    """Warm up, then load ``target`` and return the load and CPU seconds by role."""
    body, headers = target.encoded(), target.all_headers()
    generator.run(
        target.url,
        headers,
        body,
        connections=settings.connections,
        seconds=settings.warmup,
    )
    trees = _trees(servers)
    before = _cpu(trees)
    load = generator.run(
        target.url,
        headers,
        body,
        connections=settings.connections,
        seconds=settings.seconds,
    )
    after = _cpu(trees)
    return Driven(load, {role: after[role] - before[role] for role in trees})


def combine(
    variant: str,
    run: int,
    driven: Sequence[Driven],
    peaks: Mapping[str, int],
) -> Measurement:
    """One measurement from the targets of a deployment (see the module's docstring)."""
    per_request = [1.0 / item.load.rps for item in driven]
    cpu_ms = sum(sum(item.cpu.values()) * 1e3 / item.load.requests for item in driven)
    gateway_cpu = None
    if GATEWAY in peaks:
        gateway_cpu = sum(
            item.cpu[GATEWAY] * 1e3 / item.load.requests for item in driven
        )
    return Measurement(
        variant=variant,
        run=run,
        rps=1.0 / sum(per_request),
        p50_ms=sum(item.load.p50_ms for item in driven),
        p99_ms=sum(item.load.p99_ms for item in driven),
        cpu_ms=cpu_ms,
        gateway_cpu_ms=gateway_cpu,
        gateway_peak_mib=peaks[GATEWAY] / 1024 if GATEWAY in peaks else None,
        servers_peak_mib=sum(peaks.values()) / 1024,
        requests=min(item.load.requests for item in driven),
        errors=sum(item.load.errors for item in driven),
        targets=len(driven),
    )


def measure(
    variant: Variant, generator: LoadGenerator, settings: Settings, run: int
) -> Measurement:
    """Start ``variant``, check, warm up and drive it, and stop it again."""
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-{variant.name}-") as workdir,
        variant.start(Path(workdir)) as deployment,
    ):
        for target in deployment.targets:
            check(target)
        driven = [
            drive(generator, target, deployment.servers, settings)
            for target in deployment.targets
        ]
        peaks = {
            role: peak_rss_kib(pids)
            for role, pids in _trees(deployment.servers).items()
        }
        return combine(variant.name, run, driven, peaks)


@dataclass(frozen=True)
class Outcome:
    """All runs: the measurements and the variants that could not run."""

    measurements: list[Measurement]
    unavailable: dict[str, str]


def run_all(
    variants: Sequence[Variant],
    generator: LoadGenerator,
    settings: Settings,
    progress: Progress,
) -> Outcome:
    """Measure every variant in every run, interleaved; skip unavailable ones."""
    measurements: list[Measurement] = []
    unavailable: dict[str, str] = {}
    for run in range(1, settings.runs + 1):
        for variant in variants:
            if variant.name in unavailable:
                continue
            progress(f"run {run}/{settings.runs}: {variant.name}")
            try:
                found = measure(variant, generator, settings, run)
            except (VariantUnavailable, CheckFailed, PeerStartError, LoadError) as exc:
                reason = str(exc)
                if isinstance(exc, CheckFailed):
                    reason = f"Its answer failed the check: {exc}"
                unavailable[variant.name] = reason
                progress(f"  not measured: {reason}")
                continue
            measurements.append(found)
            progress(
                f"  {found.rps:.0f} requests/s, p50 {found.p50_ms:.1f} ms, "
                f"p99 {found.p99_ms:.1f} ms, {found.cpu_ms:.2f} CPU ms/request"
            )
    return Outcome(measurements, unavailable)


def median_of(values: Sequence[float | None]) -> float | None:
    """The median of the values that are not None, or None."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def within_run_ratios(
    measurements: Sequence[Measurement], baseline: str
) -> dict[str, float]:
    """Each variant's throughput over the baseline's in the same run, median of runs."""
    by_run: dict[int, dict[str, Measurement]] = {}
    for item in measurements:
        by_run.setdefault(item.run, {})[item.variant] = item
    ratios: dict[str, list[float]] = {}
    for row in by_run.values():
        if baseline not in row:
            continue
        for name, item in row.items():
            ratios.setdefault(name, []).append(item.rps / row[baseline].rps)
    return {name: statistics.median(values) for name, values in ratios.items()}
