"""Benchmark of the indicator downloads (``naravard bench``): the Excel workbook of a
selection against the CSV of the same rows, made in the same run.

The rows are a month-by-month table of one variant as the distance share publishes it (every
municipality and sex, a fifth of them hidden by disclosure control); nothing is read from a
database, so the figures measure the writing alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from naravard.bench import Result, measure
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import shipped_rule
from naravard.storage.indicator_repo import ResultSet
from naravard.storage.indicator_tables import IndicatorSnapshot
from naravard.web import indicators_view as view
from naravard.web.indicators import csv_text
from naravard.web.indicators_workbook import values_workbook

INDICATOR = "distance_share_doctor_visits"


def sample_rows(count: int) -> list[dict[str, Any]]:
    """``count`` published rows of one variant: months × municipalities × sexes."""
    d = shipped_catalogue().definition(INDICATOR)
    areas = sorted(code for code in view.area_names() if len(code) == 4)
    rows: list[dict[str, Any]] = []
    i = 0
    while len(rows) < count:
        month = f"{2021 + i // (12 * len(areas)) % 3}-{i // len(areas) % 12 + 1:02d}"
        for sex in "TKM":
            hidden = i % 5 == 0
            numerator, denominator = 40 + i % 900, 1200 + i % 7000
            rows.append({
                "indicator": d.id, "version": d.version, "variant": d.variants[0].id,
                "period": month, "area_level": "municipality",
                "area_code": areas[i % len(areas)], "sex": sex,
                "numerator": None if hidden else float(numerator),
                "denominator": float(denominator),
                "value": None if hidden else numerator / denominator * 100,
                "status": "suppressed" if hidden else "ok"})
        i += 1
    return rows[:count]


def sample_results(rows: list[dict[str, Any]]) -> ResultSet:
    """``rows`` as a published result set of a snapshot that is not stored anywhere."""
    d = shipped_catalogue().definition(INDICATOR)
    snapshot = IndicatorSnapshot(id=1, checksum="0" * 64, label="benchmark rows",
                                 stored_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                                 definitions={d.id: d.version})
    return ResultSet(d.id, snapshot, tuple(rows), {}, False, shipped_rule())


def download_results(count: int, repeats: int) -> Result:
    """The workbook of ``count`` rows against their CSV."""
    d = shipped_catalogue().definition(INDICATOR)
    rule = shipped_rule()
    rows = sample_rows(count)
    results = sample_results(rows)
    workbook = measure(lambda: values_workbook(results, rows, d, rule, "sv", selection="",
                                               page_url=""), repeats)
    plain = measure(lambda: csv_text(results, rows, rule, "sv"), repeats)
    return Result(f"indicator download, {count} rows", "Excel workbook (values.xlsx)",
                  "CSV of the same rows (values.csv)", workbook, plain)


def benchmarks(quick: bool) -> list[Result]:
    """Entry point for ``naravard bench``."""
    return [download_results(2_000 if quick else 20_000, 3 if quick else 5)]
