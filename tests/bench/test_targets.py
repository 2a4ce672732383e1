"""Issue #3's targets judged from measurements (no servers)."""

from tests.bench.harness import Measurement
from tests.bench.recording import InProcessCost, PlanTimes
from tests.bench.targets import findings


def measured(variant: str, run: int, rps: float, p50: float, cpu: float) -> Measurement:
    return Measurement(variant, run, rps, p50, p50 * 2, cpu, None, None, 1.0, 1, 0, 1)


def test_targets_are_judged_within_each_run() -> None:
    rows = [
        measured("ours-in-process", 1, 300, 100, 6.0),
        measured("hive-http", 1, 100, 300, 20.0),
        measured("floor-in-process", 1, 330, 90, 5.4),
        measured("ours-in-process", 2, 150, 200, 6.0),
        measured("hive-http", 2, 100, 300, 20.0),
        measured("floor-in-process", 2, 200, 100, 3.0),
    ]
    times = PlanTimes(miss_us=5000, hit_us=1.0, hits=10, misses=1, same_plan=True)
    lines = "\n".join(findings(rows, times))
    assert "**2.25x** (runs: 3.00, 1.50)" in lines
    assert "**30.0%** (150.0 ms against 95.0 ms; runs: 10%, 50%)" in lines
    assert "**30.0%** (6.00 CPU ms against 4.20; runs: 10%, 50%)" in lines
    assert lines.count("**not met**") == 2
    assert "1.00 µs** on a cache hit" in lines
    assert "reaches **2.65x** `hive-http` (runs: 3.30, 2.00)" in lines


def test_missing_variants_are_said_to_be_unmeasured() -> None:
    lines = findings([measured("hive-http", 1, 100, 300, 20.0)], None)
    assert lines[0].endswith("not measured in this run.")
    assert lines[-1] == "- Plan cache: not measured in this run."


def test_the_in_process_cost_is_judged_against_the_target() -> None:
    cost = InProcessCost(executor_ms=20.0, fetches_ms=18.0, rounds=40)
    lines = "\n".join(findings([], None, cost))
    assert "merging and shaping are **10%**" in lines
    assert "target under 15%: **met**" in lines
