"""Indicator benchmark at national scale: medians, peak memory and ratios to same-run baselines.

    nice -n 10 .venv/bin/naravard synth --scale 1 --years 2023 --seed 1 --out /tmp/synth-full
    .venv/bin/python benchmarks/indicators_bench.py --data /tmp/synth-full --year 2023 --repeats 3

Without ``--data`` it generates synthetic registers of ``--scale`` first (not timed). The same
benchmark runs as ``naravard bench --full [--data DIR]``; see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from naravard.indicators.bench import full_benchmark


def main() -> None:
    """Run and print."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--data", type=Path, default=None,
                        help="register data directory (default: generate)")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--year", type=int, default=2023)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    report = full_benchmark(args.data, args.year, args.repeats, args.scale, args.seed,
                            progress=lambda label: print(f"… {label}", flush=True))
    print("\n".join(report.lines()))


if __name__ == "__main__":
    main()
