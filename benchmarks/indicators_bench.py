"""Indicator benchmark: medians and ratios against baselines measured in the same run.

    .venv/bin/python benchmarks/indicators_bench.py --scale 0.002 --year 2023 --repeats 5

Generates synthetic registers (not timed), then times the DuckDB engine against the
pure-Python reference engine and against one DuckDB pass over every input column.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from naravard.bench import machine
from naravard.indicators.bench import engine_results
from naravard.indicators.data import RegisterData
from naravard.indicators.synth.generate import synthesise


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.002)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "registers"
        started = time.perf_counter()
        summary = synthesise(args.scale, [args.year], args.seed, out)
        print(f"machine: {machine()}")
        print(f"data: scale {args.scale}, year {args.year}, seed {args.seed}: "
              f"{sum(summary.rows.values()):,} rows, {summary.bytes / 1e6:.1f} MB, "
              f"generated in {time.perf_counter() - started:.1f} s")
        data = RegisterData.from_directory(out)
        for r in engine_results(data, args.year, args.repeats):
            print(f"{r.name}: {r.subject} median {r.subject_timing.median:.3f} s; "
                  f"{r.baseline} median {r.baseline_timing.median:.3f} s; "
                  f"ratio {r.ratio:.2f} ({args.repeats} runs each)")


if __name__ == "__main__":
    main()
