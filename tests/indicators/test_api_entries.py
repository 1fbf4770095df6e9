"""API paging groups the stored rows in one pass, in the order a full sort of the keys gives."""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.finalise import LEVEL_ORDER, SEX_ORDER
from naravard.storage.indicator_repo import ResultSet
from naravard.web import indicators_api
from naravard.web.indicators_api import _Entries
from tests.indicators.helpers import race

D = shipped_catalogue().definition("continuity_primary_care")
VARIANTS = [v.id for v in D.variants]  # coc_doctor, coc_all, …: not alphabetical
AREAS = {"nation": ["00"], "region": ["01", "13"], "municipality": ["0114", "1384"],
         "care_unit": ["VC1", "VC2"]}


@st.composite
def stored_rows(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Distinct cells, sorted as a stored result set is."""
    cells = draw(st.sets(st.tuples(
        st.sampled_from(VARIANTS), st.sampled_from(["2021", "2023"]),
        st.sampled_from(list(AREAS)).flatmap(
            lambda level: st.tuples(st.just(level), st.sampled_from(AREAS[level]))),
        st.sampled_from(["T", "K", "M"])), max_size=60))
    rows = [{"indicator": D.id, "variant": v, "period": p, "area_level": lv, "area_code": a,
             "sex": s, "value": 1.0} for v, p, (lv, a), s in cells]
    rows.sort(key=lambda r: (r["indicator"], r["variant"], r["period"],
                             LEVEL_ORDER[r["area_level"]], r["area_code"], SEX_ORDER[r["sex"]]))
    return rows


@settings(max_examples=200, deadline=None)
@given(stored_rows(), st.integers(0, 70), st.integers(1, 30))
def test_pages_match_a_full_sort(rows: list[dict[str, Any]], first: int, size: int) -> None:
    expected: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        expected[(r["variant"], r["period"], r["area_level"], r["area_code"])].append(r)
    order = {v: i for i, v in enumerate(VARIANTS)}
    keys = sorted(expected, key=lambda k: (order[k[0]], k[1], LEVEL_ORDER[k[2]], k[3]))
    whole = [(k, expected[k]) for k in keys]
    entries = _Entries(rows, D)
    assert entries.count == len(whole)
    assert entries.page(0, entries.count) == whole
    assert entries.page(first, first + size) == whole[first: first + size]


def test_variants_in_the_definitions_order() -> None:
    rows = [{"variant": v, "period": "2023", "area_level": "nation", "area_code": "00",
             "sex": "T"} for v in sorted(VARIANTS)]
    assert [key[0] for key, _ in _Entries(rows, D).page(0, 99)] == VARIANTS
    assert sorted(VARIANTS) != VARIANTS


def test_no_rows() -> None:
    entries = _Entries([], D)
    assert (entries.count, entries.page(0, 100)) == (0, [])


def test_selections_kept_safely_under_concurrent_requests() -> None:
    """Requests in several threads find, keep and let go selections of one result set: each
    gets the entries of its own selection, and at most KEPT_SELECTIONS stay."""
    rows = tuple(
        {"indicator": D.id, "variant": "coc_doctor", "period": "2023", "area_level": level,
         "area_code": code, "sex": sex, "value": 1.0}
        for level, codes in AREAS.items() for code in codes for sex in "TKM")
    results = ResultSet(D.id, cast(Any, None), rows, {}, False, shipped_rule())
    selections = [([code], None) for codes in AREAS.values() for code in codes]
    selections += [(None, [sex]) for sex in "TKM"] + [(None, None)]

    def work(seed: int) -> None:
        for i in range(400):
            areas, genders = selections[(seed * 7 + i) % len(selections)]
            found = indicators_api._entries(results, D, areas, genders)
            expected = sum(1 for r in rows if (areas is None or r["area_code"] in areas)
                           and (genders is None or r["sex"] in genders))
            assert len(found.rows) == expected

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(indicators_api, "KEPT_SELECTIONS", 4)
        assert race(work) == []
    assert 1 <= len(results.derived) <= 4
