"""Benchmark helpers: time a function several times, report the median and a ratio to a baseline.

A benchmark is a pair of functions measured in the same run on the same machine: the subject and
a baseline, so the ratio stays meaningful when the machine changes.
"""

from __future__ import annotations

import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    """Seconds of several runs."""

    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median seconds."""
        return statistics.median(self.runs)

    @property
    def minimum(self) -> float:
        """Fastest run."""
        return min(self.runs)


@dataclass(frozen=True)
class Result:
    """A subject's and its baseline's timings."""

    name: str
    subject: str
    baseline: str
    subject_timing: Timing
    baseline_timing: Timing

    @property
    def ratio(self) -> float:
        """Subject median / baseline median."""
        return self.subject_timing.median / self.baseline_timing.median


def measure(fn: Callable[[], object], repeats: int = 7, warmup: int = 1) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeats`` times timed."""
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return Timing(tuple(runs))


def machine() -> str:
    """A one-line description of the machine."""
    import os

    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}")
