"""The Markdown report: sections, medians, ratios and what was not measured."""

from tests.bench.harness import Measurement, Outcome, Settings
from tests.bench.report import Context, render
from tests.bench.standin import VARIANTS


def measurement(variant: str, run: int, rps: float) -> Measurement:
    """A measurement with a throughput and fixed other numbers."""
    return Measurement(variant, run, rps, 5.0, 9.0, 2.0, None, None, 64, 100, 0, 1)


def test_report_has_medians_ratios_and_reasons() -> None:
    outcome = Outcome(
        [
            measurement("hive", 1, 100),
            measurement("floor-in-process", 1, 400),
            measurement("hive", 2, 80),
            measurement("floor-in-process", 2, 240),
            measurement("hive", 3, 90),
            measurement("floor-in-process", 3, 300),
        ],
        {"floor-http": "Its answer failed the check."},
    )
    context = Context(
        "Stand-in", "Not the citizen graph.", "wrk 4.1", Settings(), "hive", 0.0
    )

    text = render(context, VARIANTS, outcome)

    assert text.startswith("# Stand-in\n\nNot the citizen graph.\n")
    assert "| hive | 90 | 5.0 | 9.0 | 2.00 | - | - | 64 | 1.00 |" in text
    assert "| floor-in-process | 300 | 5.0 | 9.0 | 2.00 | - | - | 64 | 3.33 |" in text
    assert "- `floor-http`: Its answer failed the check." in text
    for heading in ("## Machine", "## Versions", "## Method", "## Every run"):
        assert heading in text
    assert "- CPUs (`nproc`): " in text
    assert "- Load generator: wrk 4.1" in text
