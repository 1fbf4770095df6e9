"""Benchmark of the printed documents (``naravard bench``): a region's profile made as PDF
against the HTML it is made from, in the same run.

The HTML is what every request renders (a kept PDF is found by it), so the ratio is the cost of
WeasyPrint's layout and PDF writing on top. The data: every indicator of the catalogue with
three years for Sweden and the 21 regions (all shown), stored in a temporary SQLite database
with the reference data and the shipped agreements frozen.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from typing import Any

from naravard.bench import Result, measure
from naravard.indicators.catalogue import shipped_catalogue
from naravard.pdf import html_to_pdf
from naravard.web import indicators_view as view

REGION = "13"
NOW = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)


def sample_rows() -> list[dict[str, Any]]:
    """Three years of every indicator (first variant) for Sweden and the regions, T/K/M, with
    counts large enough that nothing is hidden."""
    regions = sorted(c for c in view.area_names() if len(c) == 2 and c != "00")
    rows = []
    for d in shipped_catalogue().definitions:
        for year in ("2021", "2022", "2023"):
            for level, codes in (("nation", ["00"]), ("region", regions)):
                for i, code in enumerate(codes):
                    for sex in "TKM":
                        den = 20_000.0 * (len(regions) if level == "nation" else 1)
                        num = den * (0.3 + 0.02 * (i % 9) + 0.01 * int(year[-1]))
                        rows.append({
                            "indicator": d.id, "version": d.version,
                            "variant": d.variants[0].id, "period": year, "area_level": level,
                            "area_code": code, "sex": sex, "numerator": num,
                            "denominator": den, "value": num / den * 100, "status": "ok"})
    return rows


def profile_results(repeats: int) -> Result:
    """The profile of one region as PDF against its HTML."""
    from naravard.storage import funding_repo, indicator_repo
    from naravard.storage.db import make_engine, session_factory
    from naravard.storage.indicator_snapshot import SnapshotInfo
    from naravard.storage.migrate import upgrade
    from naravard.storage.reference_repo import load_reference
    from naravard.web.indicators_region import profile_html

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        with session_factory(engine)() as s, s.begin():
            load_reference(s)
            funding_repo.load_shipped(s, "bench", NOW)
            funding_repo.freeze_allocations(s, "gonv-2020", "bench", NOW)
            indicator_repo.store_results(
                s, sample_rows(), SnapshotInfo("b" * 64, "benchmark rows", "bench", "bench",
                                               (2021, 2022, 2023)),
                [], shipped_catalogue(), actor="bench")
        with session_factory(engine)() as s:
            def html() -> str:
                return profile_html(s, REGION, "sv", "", NOW, "2026-01-15 13:00")

            document = measure(lambda: html_to_pdf(html()), repeats)
            baseline = measure(html, repeats)
        engine.dispose()
        indicator_repo.clear_caches()
    return Result("region profile, 12 indicators", "profile made as PDF (profile.pdf)",
                  "its HTML (what a kept PDF costs)", document, baseline)


def benchmarks(quick: bool) -> list[Result]:
    """Entry point for ``naravard bench``."""
    return [profile_results(2 if quick else 5)]
