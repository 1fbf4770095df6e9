"""Shipped reference data: organisations, memberships, population, ESP 2013."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from naravard.reference.organisations import (
    OrgKind,
    rss_code,
    shipped_memberships,
    shipped_organisations,
)
from naravard.reference.population import (
    PopulationFileError,
    closest_date,
    esp2013,
    parse_population_csv,
    shipped_dates,
    shipped_population,
)

NATIONAL = {
    dt.date(2020, 12, 31): 10_379_295,
    dt.date(2021, 12, 31): 10_452_326,
    dt.date(2022, 12, 31): 10_521_556,
    dt.date(2023, 12, 31): 10_551_707,
}


def test_organisation_counts() -> None:
    kinds = Counter(o.kind for o in shipped_organisations())
    assert kinds == {OrgKind.NATION: 1, OrgKind.REGION: 21, OrgKind.RSS: 21,
                     OrgKind.MUNICIPALITY: 290}


def test_region_codes_and_names() -> None:
    regions = {o.code: o.name for o in shipped_organisations() if o.kind is OrgKind.REGION}
    assert sorted(regions) == ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13",
                               "14", "17", "18", "19", "20", "21", "22", "23", "24", "25"]
    assert regions["13"] == "Region Halland"
    assert regions["14"] == "Västra Götalandsregionen"


def test_every_municipality_is_in_its_county_and_rss() -> None:
    members = Counter((m.parent_code, m.child_code[:2]) for m in shipped_memberships()
                      if len(m.child_code) == 4)
    for (parent, county), n in members.items():
        assert parent in (county, rss_code(county))
    halland = sorted(m.child_code for m in shipped_memberships() if m.parent_code == "RSS13")
    assert halland == ["1315", "1380", "1381", "1382", "1383", "1384"]


def test_national_totals_and_region_sums() -> None:
    assert shipped_dates() == sorted(NATIONAL)
    for day, national in NATIONAL.items():
        totals = {c.org_code: c.count for c in shipped_population()
                  if c.ref_date == day and c.sex == "T"}
        assert totals["00"] == national
        assert sum(v for k, v in totals.items() if len(k) == 2 and k != "00") == national
        assert sum(v for k, v in totals.items() if len(k) == 4) == national


def test_sex_split_where_given() -> None:
    rows = {(c.org_code, c.sex): c.count for c in shipped_population()
            if c.ref_date == dt.date(2020, 12, 31)}
    assert rows[("00", "M")] == 5_222_847
    assert rows[("00", "K")] == 5_156_448


def test_esp2013_weights() -> None:
    groups = esp2013()
    assert len(groups) == 21
    assert sum(g.weight for g in groups) == 100_000
    assert (groups[0].group, groups[0].weight) == ("0", 1000)
    assert groups[-1].age_to is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,level,total\n00,riket,1\n", "missing columns: men, women"),
        ("code,name,level,total,men,women\n00,Riket,land,5,,\n", "unknown level 'land'"),
        ("code,name,level,total,men,women\n00,Riket,riket,,,\n", "column total is empty"),
        ("code,name,level,total,men,women\n00,Riket,riket,-3,,\n", "not a non-negative integer"),
        ("code,name,level,total,men,women\n00,Riket,riket,10,4,5\n", "men + women != total"),
        ("code,name,level,total,men,women\n01,A,lan,1,,\n01,A,lan,1,,\n", "row 3: code 01 appears"),
    ],
)
def test_bad_population_file(text: str, message: str) -> None:
    with pytest.raises(PopulationFileError, match=re.escape(message)):
        parse_population_csv(text, dt.date(2019, 11, 1))


def test_closest_date() -> None:
    dates = list(NATIONAL)
    assert closest_date(dates, dt.date(2019, 11, 1)) == dt.date(2020, 12, 31)
    assert closest_date(dates, dt.date(2022, 7, 1)) == dt.date(2021, 12, 31)
    assert closest_date(dates, dt.date(2022, 7, 2)) == dt.date(2022, 12, 31)
    with pytest.raises(LookupError):
        closest_date([], dt.date(2020, 1, 1))


@given(st.lists(st.dates(), min_size=1, max_size=8), st.dates())
def test_closest_date_is_in_the_list_and_nearest(dates: list[dt.date], wanted: dt.date) -> None:
    best = closest_date(dates, wanted)
    assert best in dates
    assert all(abs((best - wanted).days) <= abs((d - wanted).days) for d in dates)
