"""Disclosure control across a year and its months: the months add up to the year, so a masked
month must not be the year less the published months."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import disclose_rows, table_key, table_periods
from naravard.storage import indicator_repo
from tests.indicators.test_disclosure import MUNIS, RULE, _determined
from tests.indicators.test_indicator_store import published, store

CG = shipped_catalogue().definition("care_guarantee_3_days")  # counts, per year and month
MONTHS = ("2023-01", "2023-02", "2023-03")


def _row(period: str, level: str, code: str, sex: str, num: float, den: float) -> dict[str, Any]:
    return {"indicator": CG.id, "version": CG.version, "variant": "licensed_staff",
            "period": period, "area_level": level, "area_code": code, "sex": sex,
            "numerator": num, "denominator": den, "value": num / den * 100 if den else None,
            "status": "ok" if den else "missing"}


def test_a_hidden_month_hides_a_second_one() -> None:
    # January (2 of 50) is primary; the year is January + February + March, so one more month
    # goes: March, the smaller of the two (30 against 40).
    rows = [_row("2023", "nation", "00", "T", 72, 180), _row("2023-01", "nation", "00", "T", 2, 50),
            _row("2023-02", "nation", "00", "T", 40, 60),
            _row("2023-03", "nation", "00", "T", 30, 70)]
    out = disclose_rows(rows, {CG.id: CG}, RULE)
    assert [r["status"] for r in out] == ["ok", "suppressed", "ok", "suppressed"]
    assert (out[3]["numerator"], out[3]["value"]) == (None, None)
    assert out[0] == rows[0] and out[2] == rows[2]
    # a yearly indicator's tables are its years, as before
    assert table_key(rows[1]) == (CG.id, "licensed_staff", "2023")


def test_the_periods_read_together() -> None:
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    assert table_periods(CG, ["2023-03"]) == ["2023", *months]
    assert table_periods(CG, ["2023"]) == ["2023", *months]
    readmission = shipped_catalogue().definition("readmission_30d_65plus")
    assert table_periods(readmission, ["2023", "2021"]) == ["2021", "2023"]


def _table(nums: dict[tuple[str, str, str], int],
           dens: dict[tuple[str, str, str], int]) -> list[dict[str, Any]]:
    """Municipal month cells with every sum: region, Riket, T, and the year of each."""
    cells: dict[tuple[str, str, str, str], list[float]] = {}
    for (month, muni, sex), n in nums.items():
        for period in (month, "2023"):
            for level, code in (("municipality", muni), ("region", MUNIS[muni]),
                                ("nation", "00")):
                for s in (sex, "T"):
                    c = cells.setdefault((period, level, code, s), [0.0, 0.0])
                    c[0] += n
                    c[1] += dens[(month, muni, sex)]
    return [_row(p, lv, c, s, n, m) for (p, lv, c, s), (n, m) in sorted(cells.items())]


def _relations(rows: list[dict[str, Any]]) -> list[list[tuple[int, float]]]:
    """Every additive relation of the table, written out independently of the implementation."""
    at = {(r["period"], r["area_level"], r["area_code"], r["sex"]): i for i, r in enumerate(rows)}
    regions = sorted(set(MUNIS.values()))
    rels: list[list[tuple[int, float]]] = []
    for period in ("2023", *MONTHS):
        for sex in ("T", "K", "M"):
            rels.append([(at[(period, "nation", "00", sex)], -1.0)]
                        + [(at[(period, "region", r, sex)], 1.0) for r in regions])
            for reg in regions:
                rels.append([(at[(period, "region", reg, sex)], -1.0)]
                            + [(at[(period, "municipality", m, sex)], 1.0)
                               for m, rr in MUNIS.items() if rr == reg])
    return rels + _sex_and_year_relations(at)


def _sex_and_year_relations(at: dict[tuple[str, str, str, str], int]
                            ) -> list[list[tuple[int, float]]]:
    """T = K + M in every period and area, and each year cell the sum of its months."""
    rels: list[list[tuple[int, float]]] = []
    for (period, level, code, sex), i in at.items():
        if sex == "T":
            rels.append([(i, -1.0), (at[(period, level, code, "K")], 1.0),
                         (at[(period, level, code, "M")], 1.0)])
        if period == "2023":
            rels.append([(i, -1.0)] + [(at[(m, level, code, sex)], 1.0) for m in MONTHS])
    return rels


def _published_as_computed(rows: list[dict[str, Any]], out: list[dict[str, Any]]) -> list[int]:
    """Check that every shown row is as computed and passes the primary rule; the masked."""
    for before, after in zip(rows, out, strict=True):
        if after["status"] != "suppressed":
            assert after == before
            assert after["numerator"] == 0 or after["numerator"] >= RULE.min_count
            assert after["denominator"] >= RULE.min_denominator
    return [i for i, r in enumerate(out) if r["status"] == "suppressed"]


KEYS = [(month, muni, sex) for month in MONTHS for muni in MUNIS for sex in ("K", "M")]


@settings(max_examples=40, deadline=None)
@given(nums=st.lists(st.integers(0, 12), min_size=len(KEYS), max_size=len(KEYS)),
       dens=st.lists(st.integers(10, 60), min_size=len(KEYS), max_size=len(KEYS)))
def test_no_hidden_month_or_year_is_recoverable(nums: list[int], dens: list[int]) -> None:
    rows = _table(dict(zip(KEYS, nums, strict=True)),
                  {k: max(n, m) for k, n, m in zip(KEYS, nums, dens, strict=True)})
    out = disclose_rows(rows, {CG.id: CG}, RULE)
    masked = _published_as_computed(rows, out)
    assert _determined(_relations(rows), masked) == []


YEAR_2023 = [_row("2023", "nation", "00", "T", 72, 180),
             _row("2023-01", "nation", "00", "T", 2, 50),
             _row("2023-02", "nation", "00", "T", 40, 60),
             _row("2023-03", "nation", "00", "T", 30, 70)]


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    indicator_repo.clear_caches()
    yield
    indicator_repo.clear_caches()


def test_any_selection_of_periods_is_published_as_the_whole_year(session: Session,
                                                                  fresh_cache: None) -> None:
    """A page or API call asking for one month gets it as disclosure control of the whole
    year decides: reading March alone must not show what the year's table hides."""
    store(session, YEAR_2023)
    march = published(session, CG.id, periods=["2023-03"])[0]  # asked first, nothing cached
    assert (march["status"], march["numerator"], march["value"]) == ("suppressed", None, None)
    indicator_repo.clear_caches()
    whole = {r["period"]: r["status"] for r in published(session, CG.id)}
    assert whole == {"2023": "ok", "2023-01": "suppressed", "2023-02": "ok",
                     "2023-03": "suppressed"}
    for periods in (["2023-03"], ["2023-02", "2023-03"], ["2023"], ["2023-01", "2023"]):
        chosen = published(session, CG.id, periods=periods)
        assert {r["period"]: r["status"] for r in chosen} == {p: whole[p] for p in periods}


def test_disclosure_decisions_are_made_once_per_table(session: Session, fresh_cache: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def counted(rows: list[dict[str, Any]], *args: Any) -> list[dict[str, Any]]:
        calls.append(sorted({r["period"] for r in rows}))
        return disclose_rows(rows, *args)

    monkeypatch.setattr(indicator_repo, "disclose_rows", counted)
    store(session, YEAR_2023)
    assert [r["status"] for r in published(session, CG.id, periods=["2023-02"])] == ["ok"]
    assert calls == [["2023", "2023-01", "2023-02", "2023-03"]]  # the whole year, once
    indicator_repo._CACHE.clear()  # rows gone from the row cache: the decisions stay
    assert [r["status"] for r in published(session, CG.id, periods=["2023-03"])] == [
        "suppressed"]
    assert [r["status"] for r in published(session, CG.id)] == [
        "ok", "suppressed", "ok", "suppressed"]
    assert len(calls) == 1
    # new figures (January 10 of 50) are a new revision of the snapshot: decided again
    store(session, [_row("2023-01", "nation", "00", "T", 10, 50), *YEAR_2023[2:],
                    _row("2023", "nation", "00", "T", 80, 180)])
    assert [r["status"] for r in published(session, CG.id)] == ["ok"] * 4
    assert len(calls) == 2


@settings(max_examples=40, deadline=None)
@given(nums=st.lists(st.integers(0, 12), min_size=len(KEYS), max_size=len(KEYS)),
       dens=st.lists(st.integers(10, 60), min_size=len(KEYS), max_size=len(KEYS)),
       order=st.randoms(use_true_random=False))
def test_the_same_table_is_masked_alike_in_any_row_order(
        nums: list[int], dens: list[int], order: Any) -> None:
    """Rows come from the engine, the database (by whichever index) or a file in different
    orders; two different masks of one table, published side by side, could reveal cells."""
    rows = _table(dict(zip(KEYS, nums, strict=True)),
                  {k: max(n, m) for k, n, m in zip(KEYS, nums, dens, strict=True)})
    shuffled = list(rows)
    order.shuffle(shuffled)

    def hidden(table: list[dict[str, Any]]) -> set[tuple[str, str, str, str]]:
        return {(r["period"], r["area_level"], r["area_code"], r["sex"])
                for r in disclose_rows(table, {CG.id: CG}, RULE) if r["status"] == "suppressed"}

    assert hidden(shuffled) == hidden(rows) == hidden(list(reversed(rows)))


@st.composite
def _units_country(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str]]:
    """One or two regions of one or two municipalities, each with one or two care units:
    (care unit → municipality, municipality → region)."""
    munis: dict[str, str] = {}
    units: dict[str, str] = {}
    for r in range(draw(st.integers(1, 2))):
        for m in range(draw(st.integers(1, 2))):
            muni = f"{r + 1:02d}{m + 1:02d}"
            munis[muni] = f"{r + 1:02d}"
            for u in range(draw(st.integers(1, 2))):
                units[f"U{muni}{u}"] = muni
    return units, munis


def _unit_table(units: dict[str, str], munis: dict[str, str],
                nums: dict[tuple[str, str, str], int],
                dens: dict[tuple[str, str, str], int]) -> list[dict[str, Any]]:
    """Care-unit month cells with every sum: the unit's municipality, region, Riket, T, and
    the year of each (the care guarantee counts assessments where the unit lies)."""
    cells: dict[tuple[str, str, str, str], list[float]] = {}
    for (month, unit, sex), n in nums.items():
        muni = units[unit]
        for period in (month, "2023"):
            for level, code in (("care_unit", unit), ("municipality", muni),
                                ("region", munis[muni]), ("nation", "00")):
                for s in (sex, "T"):
                    c = cells.setdefault((period, level, code, s), [0.0, 0.0])
                    c[0] += n
                    c[1] += dens[(month, unit, sex)]
    return [_row(p, lv, c, s, n, m) for (p, lv, c, s), (n, m) in sorted(cells.items())]


def _unit_relations(rows: list[dict[str, Any]], units: dict[str, str],
                    munis: dict[str, str]) -> list[list[tuple[int, float]]]:
    """Every additive relation of a table with care units, written out independently."""
    at = {(r["period"], r["area_level"], r["area_code"], r["sex"]): i for i, r in enumerate(rows)}
    parts = [(("nation", "00"), [("region", r) for r in sorted(set(munis.values()))])]
    parts += [(("region", reg), [("municipality", m) for m, rr in munis.items() if rr == reg])
              for reg in sorted(set(munis.values()))]
    parts += [(("municipality", m), [("care_unit", u) for u, mm in units.items() if mm == m])
              for m in munis]
    rels: list[list[tuple[int, float]]] = []
    for period in ("2023", *MONTHS):
        for sex in ("T", "K", "M"):
            for (level, code), kids in parts:
                rels.append([(at[(period, level, code, sex)], -1.0)]
                            + [(at[(period, lv, c, sex)], 1.0) for lv, c in kids])
    return rels + _sex_and_year_relations(at)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_no_hidden_care_unit_month_or_year_is_recoverable(data: st.DataObject) -> None:
    """Care units inside their municipalities, months inside the year: no masked cell follows
    from the published ones, whatever the country's shape."""
    units, munis = data.draw(_units_country())
    keys = [(month, unit, sex) for month in MONTHS for unit in units for sex in ("K", "M")]
    nums = data.draw(st.lists(st.integers(0, 12), min_size=len(keys), max_size=len(keys)))
    dens = data.draw(st.lists(st.integers(10, 60), min_size=len(keys), max_size=len(keys)))
    rows = _unit_table(units, munis, dict(zip(keys, nums, strict=True)),
                       {k: max(n, m) for k, n, m in zip(keys, nums, dens, strict=True)})
    out = disclose_rows(rows, {CG.id: CG}, RULE, units)
    masked = _published_as_computed(rows, out)
    assert _determined(_unit_relations(rows, units, munis), masked) == []
