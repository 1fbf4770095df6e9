"""Disclosure control: a hand-worked table and a property test that nothing masked is exposed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import (
    DisclosureRule,
    disclose_rows,
    shipped_rule,
    suppress_table,
)
from naravard.indicators.finalise import change_rows
from naravard.indicators.text import Text

RULE = DisclosureRule("t1", 5, 20, "..", True, Text("{min_count} {min_denominator}",
                                                       "{min_count} {min_denominator}"))
MUNIS = {"0114": "01", "0180": "01", "1280": "12"}


def _rows(d: Definition, nums: dict[tuple[str, str], float],
          dens: dict[tuple[str, str], float],
          munis: dict[str, str] = MUNIS) -> list[dict[str, Any]]:
    """Rows of one table: municipality cells plus region, Riket and T sums (``munis``:
    municipality → region)."""
    cells: dict[tuple[str, str, str], list[float]] = {}

    def add(level: str, code: str, sex: str, n: float, m: float) -> None:
        c = cells.setdefault((level, code, sex), [0.0, 0.0])
        c[0] += n
        c[1] += m

    for (muni, sex), n in nums.items():
        for s in (sex, "T"):
            add("municipality", muni, s, n, dens[(muni, sex)])
            add("region", munis[muni], s, n, dens[(muni, sex)])
            add("nation", "00", s, n, dens[(muni, sex)])
    return [
        {"indicator": d.id, "version": d.version, "variant": d.variants[0].id,
         "period": "2023", "area_level": level, "area_code": code, "sex": sex,
         "numerator": n, "denominator": m, "value": n / m if m else None,
         "status": "ok" if m else "missing"}
        for (level, code, sex), (n, m) in sorted(cells.items())
    ]


def _masked(rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    return {(r["area_level"], r["area_code"], r["sex"]) for r in rows
            if r["status"] == "suppressed"}


def test_hand_worked_secondary_suppression() -> None:
    d = shipped_catalogue().definition("readmission_30d_65plus")
    nums = {("0114", "K"): 3, ("0114", "M"): 10, ("0180", "K"): 8, ("0180", "M"): 9,
            ("1280", "K"): 6, ("1280", "M"): 7}
    rows = _rows(d, nums, dict.fromkeys(nums, 100.0))
    out = disclose_rows(rows, {d.id: d}, RULE)
    # 0114 K = 3 < 5 is primary. T = K + M for 0114 exposes it, so 0114 M is masked; region 01
    # K = 0114 K + 0180 K exposes it, so 0180 K; likewise region 01 M needs 0180 M. The four
    # masked cells form a rectangle: every row and column sum is published, yet the system
    # x1 + x2 = 13, x3 + x4 = 17, x1 + x3 = 11, x2 + x4 = 19 has the free direction
    # (+1, −1, −1, +1), so no single cell is determined.
    assert _masked(out) == {("municipality", "0114", "K"), ("municipality", "0114", "M"),
                            ("municipality", "0180", "K"), ("municipality", "0180", "M")}
    masked_row = next(r for r in out if r["area_code"] == "0114" and r["sex"] == "K")
    assert (masked_row["numerator"], masked_row["denominator"], masked_row["value"]) == (
        None, None, None)
    kept = next(r for r in out if r["area_code"] == "01" and r["sex"] == "T")
    assert (kept["numerator"], kept["denominator"], kept["status"]) == (30.0, 400.0, "ok")


def test_public_denominator_stays_and_zero_is_never_masked() -> None:
    d = shipped_catalogue().definition("ed_visits_80plus")
    nums = {("0114", "K"): 0, ("0114", "M"): 12, ("0180", "K"): 9, ("0180", "M"): 9,
            ("1280", "K"): 6, ("1280", "M"): 2}
    dens = dict.fromkeys(nums, 300.0)
    out = disclose_rows(_rows(d, nums, dens), {d.id: d}, RULE)
    masked = _masked(out)
    assert ("municipality", "0114", "K") not in masked
    # 1280 M = 2 is primary; 1280 K (6) completes the sex relation; region 12 = 1280 only, so
    # region 12 K and M follow; Riket K/M = Σ regions then needs region 01 K and M; region 01 K
    # is alone in 01 K = 0114 K + 0180 K, and 0114 K is 0 (zeros are complements only when
    # nothing else is left), so 0180 K (9); likewise 0180 M (9, smaller than 0114 M = 12).
    assert masked == {("municipality", "1280", "M"), ("municipality", "1280", "K"),
                      ("region", "12", "K"), ("region", "12", "M"),
                      ("region", "01", "K"), ("region", "01", "M"),
                      ("municipality", "0180", "K"), ("municipality", "0180", "M")}
    row = next(r for r in out if r["area_code"] == "1280" and r["sex"] == "M")
    assert (row["numerator"], row["denominator"], row["value"]) == (None, 300.0, None)


def test_small_denominator_masks_means() -> None:
    d = shipped_catalogue().definition("continuity_primary_care")
    nums = {("0114", "K"): 2.5, ("0114", "M"): 30.0, ("0180", "K"): 40.0, ("0180", "M"): 41.0,
            ("1280", "K"): 50.0, ("1280", "M"): 52.0}
    dens = {("0114", "K"): 4.0, ("0114", "M"): 60.0, ("0180", "K"): 70.0, ("0180", "M"): 80.0,
            ("1280", "K"): 90.0, ("1280", "M"): 95.0}
    rows = _rows(d, nums, dens)
    masked = suppress_table(rows, d, RULE, {})
    assert ("municipality", "0114", "K") in {
        (rows[i]["area_level"], rows[i]["area_code"], rows[i]["sex"]) for i in masked}
    assert len(masked) >= 2


def test_unit_rows_sum_to_their_municipality() -> None:
    d = shipped_catalogue().definition("distance_share_doctor_visits")
    base = {"indicator": d.id, "version": d.version, "variant": "video", "period": "2023",
            "value": None, "status": "ok"}
    rows = [
        {**base, "area_level": "municipality", "area_code": "0114", "sex": "T",
         "numerator": 12.0, "denominator": 300.0},
        {**base, "area_level": "care_unit", "area_code": "VC1", "sex": "T", "numerator": 3.0,
         "denominator": 100.0},
        {**base, "area_level": "care_unit", "area_code": "VC2", "sex": "T", "numerator": 9.0,
         "denominator": 200.0},
    ]
    masked = suppress_table(rows, d, RULE, {"VC1": "0114", "VC2": "0114"})
    assert masked == {1, 2}
    assert suppress_table(rows, d, RULE, {}) == {1}


def test_change_inherits_suppression() -> None:
    cat = shipped_catalogue()
    change = cat.definition("continuity_change")
    base = {"indicator": "continuity_primary_care", "version": "v", "variant": "coc_doctor",
            "area_level": "nation", "area_code": "00", "sex": "T"}
    rows = [
        {**base, "period": "2021", "numerator": 50.0, "denominator": 100.0, "value": 0.5,
         "status": "ok"},
        {**base, "period": "2023", "numerator": None, "denominator": None, "value": None,
         "status": "suppressed"},
        {**base, "period": "2022", "numerator": 60.0, "denominator": 100.0, "value": 0.6,
         "status": "ok"},
    ]
    out = {r["period"]: r for r in change_rows(change, rows, [2022, 2023])}
    assert out["2023"]["status"] == "suppressed" and out["2023"]["value"] is None
    assert (out["2023"]["ci_low"], out["2023"]["ci_high"]) == (None, None)
    # (0.6 / 0.5 − 1) × 100 = 20 % : exactly the target; the source rows have no limits
    assert out["2022"]["status"] == "ok"
    assert abs(out["2022"]["value"] - 20.0) < 1e-9
    assert (out["2022"]["ci_low"], out["2022"]["ci_high"]) == (None, None)
    # with the indices' intervals, 0.6 (0.5–0.7) against 0.5 (0.45–0.55): the ratio's MOVER-R
    # limits 0.977395 and 1.446847 (worked in test_intervals) as a change in per cent
    rows[0].update(ci_low=0.45, ci_high=0.55)
    rows[2].update(ci_low=0.5, ci_high=0.7)
    out = {r["period"]: r for r in change_rows(change, rows, [2022, 2023])}
    assert out["2022"]["ci_low"] == pytest.approx(-2.2605, abs=1e-4)
    assert out["2022"]["ci_high"] == pytest.approx(44.6847, abs=1e-4)
    assert (out["2023"]["ci_low"], out["2023"]["ci_high"]) == (None, None)
    # the base year against itself: 0 by definition, no interval
    base_year = change_rows(change, rows, [2021])
    assert [(r["value"], r["ci_low"], r["ci_high"]) for r in base_year] == [(0.0, None, None)]


def test_footnote_states_the_rule() -> None:
    rule = shipped_rule()
    assert (rule.min_count, rule.min_denominator, rule.mask) == (5, 20, "..")
    assert "Antal under 5" in rule.footnote_text("sv")
    assert "denominator under 20" in rule.footnote_text("en")


# --- property: no masked value can be worked out from one published table -------------------

def _relations(rows: list[dict[str, Any]],
               munis: dict[str, str] = MUNIS) -> list[list[tuple[int, float]]]:
    """Additive relations written out independently of the implementation."""
    at = {(r["area_level"], r["area_code"], r["sex"]): i for i, r in enumerate(rows)}
    rels: list[list[tuple[int, float]]] = []
    levels = [("nation", "00", [("region", r) for r in sorted(set(munis.values()))])] + [
        ("region", reg, [("municipality", m) for m, rr in munis.items() if rr == reg])
        for reg in sorted(set(munis.values()))]
    for sex in ("T", "K", "M"):
        for plevel, pcode, kids in levels:
            rels.append([(at[(plevel, pcode, sex)], -1.0)]
                        + [(at[(lv, c, sex)], 1.0) for lv, c in kids])
    for (level, code, sex), i in at.items():
        if sex == "T":
            rels.append([(i, -1.0), (at[(level, code, "K")], 1.0), (at[(level, code, "M")], 1.0)])
    return rels


def _determined(rels: list[list[tuple[int, float]]], masked: list[int]) -> list[int]:
    pos = {c: k for k, c in enumerate(masked)}
    matrix = np.array([[sum(coef for i, coef in rel if i == c) for c in masked] for rel in rels
                       if any(i in pos for i, _ in rel)] or [[0.0] * len(masked)])
    rank = np.linalg.matrix_rank(matrix)
    out = []
    for c in masked:
        unit = np.zeros(len(masked))
        unit[pos[c]] = 1.0
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == rank:
            out.append(c)
    return out


@settings(max_examples=60, deadline=None)
@given(
    nums=st.lists(st.integers(0, 14), min_size=6, max_size=6),
    dens=st.lists(st.integers(15, 80), min_size=6, max_size=6),
    which=st.sampled_from(["readmission_30d_65plus", "ed_visits_80plus"]),
)
def test_no_masked_value_is_recoverable(nums: list[int], dens: list[int], which: str) -> None:
    _check_table(MUNIS, nums, dens, which)


@st.composite
def _countries(draw: st.DrawFn) -> dict[str, str]:
    """One to three regions with one to three municipalities each (municipality → region)."""
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    return {f"{r + 1:02d}{m + 1:02d}": f"{r + 1:02d}"
            for r, size in enumerate(sizes) for m in range(size)}


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_no_masked_value_is_recoverable_in_any_shape(data: st.DataObject) -> None:
    """The same in countries of other shapes (a region of one municipality, one region)."""
    munis = data.draw(_countries())
    cells = 2 * len(munis)
    _check_table(munis, data.draw(st.lists(st.integers(0, 14), min_size=cells, max_size=cells)),
                 data.draw(st.lists(st.integers(15, 80), min_size=cells, max_size=cells)),
                 data.draw(st.sampled_from(["readmission_30d_65plus", "ed_visits_80plus"])))


def _check_table(munis: dict[str, str], nums: list[int], dens: list[int], which: str) -> None:
    d = shipped_catalogue().definition(which)
    keys = [(m, s) for m in munis for s in ("K", "M")]
    rows = _rows(d, {k: float(n) for k, n in zip(keys, nums, strict=True)},
                 {k: float(max(n, m)) for k, n, m in zip(keys, nums, dens, strict=True)}, munis)
    out = disclose_rows(rows, {d.id: d}, RULE)
    masked = [i for i, r in enumerate(out) if r["status"] == "suppressed"]
    for r in out:
        if r["status"] != "suppressed":
            assert r["numerator"] == 0 or r["numerator"] >= RULE.min_count
            assert r["denominator"] >= RULE.min_denominator
    for before, after in zip(rows, out, strict=True):
        if after["status"] != "suppressed":
            assert after == before
    assert _determined(_relations(rows, munis), masked) == []


# --- property: variants linked cell by cell are decided together ----------------------------

def _variant_rows(d: Definition, variant: str, nums: dict[tuple[str, str], float],
                  munis: dict[str, str] = MUNIS) -> list[dict[str, Any]]:
    rows = _rows(d, nums, dict.fromkeys(nums, 1000.0), munis)
    return [{**r, "variant": variant} for r in rows]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), min_size=6, max_size=6), min_size=4, max_size=4),
       st.lists(st.booleans(), min_size=6, max_size=6))
@example([[0, 0, 0, 0, 0, 0], [1, 0, 0, 1, 0, 8], [4, 0, 0, 5, 1, 0], [0, 0, 0, 1, 0, 0]],
         [False] * 6)
def test_no_masked_value_is_recoverable_across_variants(counts: list[list[int]],
                                                         undefined: list[bool]) -> None:
    """Avoidable care: all four conditions = the sum of the four, and the crude rate has the
    same numerators as the standardised one; no masked count follows from the relations
    within each variant and between the variants at each cell. Some municipality cells of the
    standardised total are ``missing`` (an age group without population leaves the rate
    undefined) and still show their numerator."""
    _check_variants(MUNIS, counts, undefined)


@st.composite
def _shapes(draw: st.DrawFn) -> tuple[dict[str, str], list[list[int]], list[bool]]:
    """A country of one to three regions with one to three municipalities each, and each
    condition's counts for every municipality's women and men."""
    munis = draw(_countries())
    cells = 2 * len(munis)
    counts = draw(st.lists(st.lists(st.integers(0, 9), min_size=cells, max_size=cells),
                           min_size=4, max_size=4))
    undefined = draw(st.lists(st.booleans(), min_size=cells, max_size=cells))
    return munis, counts, undefined


@settings(max_examples=150, deadline=None)
@given(_shapes())
def test_no_masked_value_is_recoverable_across_variants_in_any_shape(
        shape: tuple[dict[str, str], list[list[int]], list[bool]]) -> None:
    """The same in countries of other shapes: a region with one municipality (its figures are
    the region's), regions of two or three, one region alone (Sweden's figures are its)."""
    _check_variants(*shape)


def _check_variants(munis: dict[str, str], counts: list[list[int]],
                    undefined: list[bool]) -> None:
    d = shipped_catalogue().definition("avoidable_inpatient_chronic")
    keys = [(m, s) for m in munis for s in ("K", "M")]
    by_category = {c: {k: float(n) for k, n in zip(keys, ns, strict=True)}
                   for c, ns in zip(("heart_failure", "diabetes", "asthma", "copd"), counts,
                                    strict=True)}
    total = {k: sum(n[k] for n in by_category.values()) for k in keys}
    tables = {"all": total, "all_crude": total, **by_category}
    rows = [r for v, nums in tables.items() for r in _variant_rows(d, v, nums, munis)]
    gone = {k for k, flag in zip(keys, undefined, strict=True) if flag}
    for r in rows:  # a rate is left undefined only by events (in an age group without people)
        if r["variant"] == "all" and (r["area_code"], r["sex"]) in gone and r["numerator"]:
            r.update(value=None, status="missing")
    out = disclose_rows(rows, {d.id: d}, RULE)
    # relations within each variant, then between variants at each cell
    size = len(rows) // len(tables)
    rels = [[(i + t * size, coef) for i, coef in rel]
            for t in range(len(tables)) for rel in _relations(rows[:size], munis)]
    at = {(r["variant"], r["area_level"], r["area_code"], r["sex"]): i
          for i, r in enumerate(rows)}
    for level, code, sex in [(r["area_level"], r["area_code"], r["sex"]) for r in rows[:size]]:
        whole = at[("all", level, code, sex)]
        rels.append([(whole, -1.0)] + [(at[(c, level, code, sex)], 1.0) for c in by_category])
        rels.append([(whole, -1.0), (at[("all_crude", level, code, sex)], 1.0)])
    masked = [i for i, r in enumerate(out) if r["status"] == "suppressed"]
    assert _determined(rels, masked) == []
    for r in out:  # no small count is shown in any variant
        assert r["status"] == "suppressed" or r["numerator"] == 0 or r["numerator"] >= 5


def test_variants_are_decided_as_one_table_by_hand() -> None:
    """1280 has 3 asthma stays among women: asthma masks them, with the cells its own table
    needs. All four conditions less the other three would give each masked cell back, so at
    each of them one more condition is masked — heart failure, the smallest — while the total
    of all four (and its crude rate) stays shown."""
    d = shipped_catalogue().definition("avoidable_inpatient_chronic")
    keys = [(m, s) for m in MUNIS for s in ("K", "M")]
    parts = {c: dict.fromkeys(keys, n) for c, n in
             (("heart_failure", 10.0), ("diabetes", 11.0), ("copd", 12.0))}
    parts["asthma"] = {**dict.fromkeys(keys, 13.0), ("1280", "K"): 3.0}
    total = {k: sum(p[k] for p in parts.values()) for k in keys}
    tables = {"all": total, "all_crude": total, **parts}
    rows = [r for v, nums in tables.items() for r in _variant_rows(d, v, nums)]
    out = disclose_rows(rows, {d.id: d}, RULE)
    masked = {v: sorted((r["area_level"], r["area_code"], r["sex"]) for r in out
                        if r["variant"] == v and r["status"] == "suppressed") for v in tables}
    assert ("municipality", "1280", "K") in masked["asthma"]
    assert masked["heart_failure"] == masked["asthma"]
    assert masked["all"] == masked["all_crude"] == masked["diabetes"] == masked["copd"] == []


def test_a_variant_the_definition_no_longer_has_is_still_controlled() -> None:
    d = shipped_catalogue().definition("readmission_30d_65plus")
    keys = [(m, s) for m in MUNIS for s in ("K", "M")]
    nums = {**dict.fromkeys(keys, 10.0), ("0114", "K"): 3.0}
    rows = [*_variant_rows(d, "all_causes", nums), *_variant_rows(d, "retired", nums)]
    out = disclose_rows(rows, {d.id: d}, RULE)
    hidden = {(r["variant"], r["area_code"], r["sex"]) for r in out if r["status"] == "suppressed"}
    assert ("retired", "0114", "K") in hidden and ("all_causes", "0114", "K") in hidden
