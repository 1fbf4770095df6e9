"""Differential test: the DuckDB engine gives the reference engine's cells on random data.

Besides the shipped definitions, extra variants switch every alternative setting value, so
each code path of both engines is compared.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from hypothesis import HealthCheck, given, settings

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.compute import compute_cells
from naravard.indicators.data import RegisterData
from naravard.indicators.definition import Definition, Variant
from naravard.indicators.engines.duckdb_engine import DuckDBEngine
from naravard.indicators.engines.reference import ReferenceEngine
from naravard.indicators.loader import validate
from naravard.indicators.text import Text

from .strategies import YEARS, register_data

ALTERNATIVES: dict[str, dict[str, Any]] = {
    "avoidable_inpatient_chronic": {
        "unplanned_only": True, "use_secondary_diagnoses": True, "age_reference": "discharge",
        "transfer_gap_days": 0, "transfer_requires_code": False,
        "exclude_mvo_prefixes": ["93"]},
    "readmission_30d_65plus": {
        "deaths_after_discharge": "exclude", "incomplete_follow_up": "include",
        "readmission_unplanned_only": False, "exclude_death_in_stay": False,
        "age_reference": "admission", "window_first_day": 0, "transfer_requires_code": False},
    "health_centres_offering_distance": {"min_visits": 2, "min_share_percent": 40.0,
                                         "phone_counts": True},
    "distance_share_doctor_visits": {"remote_modes": ["video", "letter"],
                                     "professions": ["doctor", "nurse"]},
    "care_guarantee_3_days": {"completed_only": False, "exclude_patient_chosen": False},
    "continuity_primary_care": {"min_visits": 1, "index": "upc", "modes": ["physical"]},
    "named_doctor_listed": {"population": "special_housing", "reference_day": "06-30"},
}


def _with_alternatives(d: Definition) -> Definition:
    extra = ALTERNATIVES.get(d.id)
    if not extra:
        return d
    alt = Variant("alternative", Text("alternativ", "alternative"), extra)
    return dataclasses.replace(d, variants=(*d.variants, alt))


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(register_data())
def test_duckdb_matches_reference(data: RegisterData) -> None:
    assert validate(data) == []
    cat = shipped_catalogue()
    defs = [_with_alternatives(d) for d in cat.definitions]
    ref = compute_cells(data, YEARS, defs, ReferenceEngine()).to_pylist()
    duck = compute_cells(data, YEARS, defs, DuckDBEngine(threads=1)).to_pylist()
    key = ("indicator", "variant", "period", "area_level", "area_code", "sex", "age_group")
    assert [tuple(r[k] for k in key) for r in ref] == [tuple(r[k] for k in key) for r in duck]
    for r, d in zip(ref, duck, strict=True):
        assert _same(r["numerator"], d["numerator"]), (r, d)
        assert _same(r["denominator"], d["denominator"]), (r, d)
        assert _same(r["numerator_sq"], d["numerator_sq"]), (r, d)
        assert r["denominator_sq"] == d["denominator_sq"], (r, d)
        assert r["numerator_denominator"] == d["numerator_denominator"], (r, d)
    # the spread of a mean is kept for continuity, the squares of each person's visits for
    # emergency visits and of each person's readmissions for readmissions (at least the
    # count: every person who has one has one or more), and nowhere else
    spread = {r["indicator"] for r in duck if r["numerator_sq"]}
    assert spread <= {"continuity_primary_care", "continuity_primary_care_other",
                      "ed_visits_80plus", "readmission_30d_65plus"}
    assert all(r["numerator_sq"] >= r["numerator"] for r in duck
               if r["indicator"] in ("ed_visits_80plus", "readmission_30d_65plus"))
    # each person's index stays: Σ x² ≥ Σ x, and Σ xy between Σ y² and Σ x² (y ≤ x)
    stays = [r for r in duck if r["denominator_sq"] or r["numerator_denominator"]]
    assert {r["indicator"] for r in stays} <= {"readmission_30d_65plus"}
    assert all(r["denominator_sq"] >= r["denominator"]
               and r["numerator_sq"] <= r["numerator_denominator"] <= r["denominator_sq"]
               for r in stays)
