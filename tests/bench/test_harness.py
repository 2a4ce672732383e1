"""Adding up floors, ratios within runs, and ``/proc`` readings."""

import os

import pytest

from tests.bench.harness import Driven, Measurement, combine, within_run_ratios
from tests.bench.load import LoadResult
from tests.bench.procstat import cpu_seconds, peak_rss_kib, process_tree
from tests.bench.variants import GATEWAY


def driven(rps: float, p50: float, cpu: dict[str, float]) -> Driven:
    """A target driven for 10 s at ``rps``."""
    return Driven(LoadResult(int(rps * 10), 10.0, p50, p50 * 2, 0), cpu)


def test_a_floor_adds_its_fetches_up() -> None:
    fetches = [driven(100, 10.0, {"users": 2.0}), driven(400, 5.0, {"posts": 2.0})]

    found = combine("floor", 1, fetches, {"users": 2048, "posts": 1024})

    assert found.rps == pytest.approx(80.0)
    assert found.p50_ms == 15.0
    assert found.p99_ms == 30.0
    assert found.cpu_ms == pytest.approx(2.0 + 0.5)
    assert found.gateway_cpu_ms is None
    assert found.servers_peak_mib == 3.0
    assert found.targets == 2


def test_a_gateway_reports_its_own_cpu_and_memory() -> None:
    found = combine(
        "g",
        1,
        [driven(200, 4.0, {GATEWAY: 6.0, "users": 2.0})],
        {GATEWAY: 10240, "users": 1024},
    )

    assert found.cpu_ms == pytest.approx(4.0)
    assert found.gateway_cpu_ms == pytest.approx(3.0)
    assert found.gateway_peak_mib == 10.0


def measurement(variant: str, run: int, rps: float) -> Measurement:
    """A measurement with only a throughput."""
    return Measurement(variant, run, rps, 1, 1, 1, None, None, 1, 1, 0, 1)


def test_ratios_are_taken_within_each_run() -> None:
    found = [
        measurement("base", 1, 100),
        measurement("fast", 1, 300),
        measurement("base", 2, 50),
        measurement("fast", 2, 100),
        measurement("base", 3, 100),
        measurement("fast", 3, 250),
    ]

    assert within_run_ratios(found, "base") == {"base": 1.0, "fast": 2.5}


def test_proc_readings_of_this_process() -> None:
    burnt = sum(i * i for i in range(200_000))

    assert burnt > 0
    assert os.getpid() in process_tree(os.getpid())
    assert cpu_seconds([os.getpid()]) > 0
    assert peak_rss_kib([os.getpid()]) > 1024
    assert peak_rss_kib([2**22 + 7]) == 0
