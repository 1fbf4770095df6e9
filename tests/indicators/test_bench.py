"""The national-scale benchmark's plumbing on tiny synthetic data (no timing is asserted)."""

from __future__ import annotations

from naravard.indicators.bench import full_benchmark


def test_full_benchmark_measures_every_subject_in_turns() -> None:
    said: list[str] = []
    report = full_benchmark(None, year=2023, repeats=2, scale=0.001, progress=said.append)
    assert said == ["generating synthetic registers, scale 0.001, 2023",
                    "single pass and suite, in turns", "10 % sample",
                    "engine and pandas on the sample, in turns"]
    for runs in (report.suite, report.single, report.engine, report.pandas):
        assert len(runs.seconds) == 2 and len(runs.peaks) == 2
        assert all(r["total"] > 0 for r in runs.seconds) and runs.peak > 0
    phases = report.suite.seconds[0]
    assert set(phases) == {"total", "validation", "engine", "results", "rows"}
    assert phases["validation"] + phases["engine"] + phases["results"] <= phases["total"] + 1e-6
    assert report.cells_agree
    assert sum(report.rows.values()) > 0 and 0 < report.sample_rows < sum(report.rows.values())
    text = "\n".join(report.lines())
    assert "ratio suite / single pass" in text and "cells identical" in text
