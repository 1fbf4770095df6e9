"""``naravard bench``: measured medians and ratios against a baseline measured in the same run."""

from __future__ import annotations

import functools
import importlib
import random
import tempfile
import warnings
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from types import ModuleType

import typer
from rich.table import Table

from naravard.bench import Result, machine, measure
from naravard.cli.common import console

#: Modules with extra benchmarks: each has ``benchmarks(quick: bool) -> list[Result]``.
EXTRA = ("naravard.indicators.bench", "naravard.web.downloads_bench",
         "naravard.web.documents_bench")


def _naive_float_allocation(total: int, weights: list[int]) -> list[int]:
    s = sum(weights)
    return [round(total * w / s) for w in weights]


def allocation_benchmark(repeats: int) -> Result:
    """Largest remainder with exact fractions (290 rows) vs. naive float rounding."""
    from naravard.funding.allocation import KeyRow, allocate

    rng = random.Random(1)  # noqa: S311 - reproducible test data, not secrets
    weights = [rng.randint(2_000, 1_000_000) for _ in range(290)]
    rows = [KeyRow(f"{i:04d}", f"m{i}", Fraction(w)) for i, w in enumerate(weights)]
    total = 6_250_500_000
    subject = measure(lambda: allocate(total, rows), repeats)
    baseline = measure(lambda: _naive_float_allocation(total, weights), repeats)
    return Result("allocate 290 rows", "largest remainder (exact)", "float rounding (inexact)",
                  subject, baseline)


def web_benchmark(repeats: int) -> Result:
    """Render the organisations page (21 regions, population) vs. the /healthz round trip."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from naravard.config import Settings
    from naravard.demo import create_demo
    from naravard.storage.db import make_engine, session_factory
    from naravard.storage.migrate import upgrade
    from naravard.storage.users_repo import login
    from naravard.web.app import create_app
    from naravard.web.security import SESSION_COOKIE

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        engine = make_engine(url)
        upgrade(engine)
        factory = session_factory(engine)
        with factory() as s, s.begin():
            create_demo(s, Path(tmp))
            from naravard.storage.users_repo import set_password

            set_password(s, "analytiker", "benchmark-password")
        with factory() as s, s.begin():
            token = login(s, "analytiker", "benchmark-password", "bench", 1).token or ""
        settings = Settings(url, Path(tmp), 1, "auto", "sv", 5, 15)
        app = create_app(settings)
        client = TestClient(app)
        client.cookies.set(SESSION_COOKIE, token)
        subject = measure(lambda: client.get("/organisations"), repeats)
        baseline = measure(lambda: client.get("/healthz"), repeats)
        app.state.engine.dispose()
        engine.dispose()
    return Result("web page", "GET /organisations", "GET /healthz", subject, baseline)


def _extra(module: ModuleType, quick: bool) -> list[Result]:
    return list(module.benchmarks(quick))


def bench(
    quick: bool = typer.Option(False, help="Fewer repeats and smaller data (a smoke run)."),
    full: bool = typer.Option(
        False, "--full", help="Only the indicator benchmark at national scale (one year of "
        "synthetic registers at --scale 1: about 0.5 GB of disk, several minutes); see "
        "docs/benchmarks.md."),
    data: Path | None = typer.Option(
        None, "--data", help="With --full: existing register data instead of generating it."),
    scale: float = typer.Option(1.0, "--scale", help="With --full: scale of generated data."),
    year: int = typer.Option(2023, "--year", help="With --full: the year to compute."),
) -> None:
    """Run every benchmark and print medians and ratios to their baselines."""
    if full:
        from naravard.indicators.bench import full_benchmark

        report = full_benchmark(data, year, 1 if quick else 3, scale,
                                progress=lambda label: console.print(f"[dim]{label} …[/dim]"))
        for line in report.lines():
            console.print(line, markup=False, highlight=False)
        return
    repeats = 3 if quick else 15
    runs: list[Callable[[], list[Result]]] = [
        lambda: [allocation_benchmark(repeats)],
        lambda: [web_benchmark(repeats)],
    ]
    for name in EXTRA:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        runs.append(functools.partial(_extra, module, quick))
    table = Table(title=f"Nära benchmarks — {machine()}")
    for col in ("benchmark", "subject", "median ms", "baseline", "median ms", "ratio"):
        table.add_column(col, justify="right" if "ms" in col or col == "ratio" else "left")
    with console.status("measuring ..."):
        results = [r for run in runs for r in run()]
    for r in results:
        table.add_row(r.name, r.subject, f"{1000 * r.subject_timing.median:.3f}", r.baseline,
                      f"{1000 * r.baseline_timing.median:.3f}", f"{r.ratio:.2f}")
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add ``bench`` to the root command."""
    root.command("bench")(bench)
