"""Keys: population, the municipal key and key files."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from naravard.funding.allocation import AllocationError, allocate
from naravard.funding.keys import (
    Level,
    municipal_key,
    municipal_key_rows,
    parse_key_csv,
    population_key,
)
from naravard.reference.population import PopulationCount

DAY = dt.date(2020, 12, 31)
COUNTIES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18",
            "19", "20", "21", "22", "23", "24", "25"]


def fake_population(day: dt.date = DAY) -> list[PopulationCount]:
    """County n has population 1000 × (position + 1); plus rows a key must ignore."""
    out = [PopulationCount(day, c, "T", 1000 * (i + 1)) for i, c in enumerate(COUNTIES)]
    out.append(PopulationCount(day, "00", "T", 231_000))
    out.append(PopulationCount(day, "0114", "T", 5))
    out.append(PopulationCount(day, "01", "K", 7))
    return out


def test_population_key_for_regions_and_rss() -> None:
    regions = population_key(fake_population(), DAY, Level.REGION)
    assert [(r.code, r.weight) for r in regions[:2]] == [("01", 1000), ("03", 2000)]
    assert regions[0].name == "Region Stockholm"
    assert len(regions) == 21
    rss = population_key(fake_population(), DAY, Level.RSS)
    assert [(r.code, r.weight) for r in rss[:2]] == [("RSS01", 1000), ("RSS03", 2000)]
    assert rss[0].name.startswith("RSS ")


def test_population_key_needs_every_county_on_the_date() -> None:
    with pytest.raises(AllocationError, match="no county population on 2019-11-01"):
        population_key(fake_population(), dt.date(2019, 11, 1))
    partial = [p for p in fake_population() if p.org_code != "25"]
    with pytest.raises(AllocationError, match="lacks counties 25"):
        population_key(partial, DAY)


def test_municipal_key_is_half_care_half_population() -> None:
    # care 1 : 3 → 1/4, 3/4; population 1 : 1 → 1/2, 1/2; combined 3/8 and 5/8
    rows = municipal_key({"01": 1, "03": 3}, {"01": 500, "03": 500})
    assert [(r.code, r.care_share, r.population_share, r.share) for r in rows] == [
        ("RSS01", Fraction(1, 4), Fraction(1, 2), Fraction(3, 8)),
        ("RSS03", Fraction(3, 4), Fraction(1, 2), Fraction(5, 8)),
    ]
    table = allocate(1000, municipal_key_rows(rows))
    assert [r.amount_sek for r in table.rows] == [375, 625]


def test_municipal_key_rounds_once_on_the_combined_share() -> None:
    # care 3/4, 1/4 and population 1/4, 3/4 combine to 1/2 each: 1001 kr → 500.5 each, one
    # rounding step on the combined share, the tie going to the smaller code.
    rows = municipal_key({"01": 30, "03": 10}, {"01": 100, "03": 300})
    table = allocate(1001, municipal_key_rows(rows))
    assert [r.amount_sek for r in table.rows] == [501, 500]


def test_municipal_key_refuses_mismatched_counties_and_zero_totals() -> None:
    with pytest.raises(AllocationError, match=r"only in counts \['03'\]"):
        municipal_key({"01": 1, "03": 1}, {"01": 1})
    with pytest.raises(AllocationError, match="all care recipients counts are zero"):
        municipal_key({"01": 0}, {"01": 1})
    with pytest.raises(AllocationError, match="county 01: population -1 is negative"):
        municipal_key({"01": 1}, {"01": -1})


def test_parse_key_csv_reads_codes_weights_and_names() -> None:
    text = "\ufeffcode,weight,name\n01,10,Första\n03,\"2,5\",\n"
    rows = parse_key_csv(text, names={"03": "Region Uppsala"})
    assert [(r.code, r.name, r.weight) for r in rows] == [
        ("01", "Första", 10),
        ("03", "Region Uppsala", Fraction(5, 2)),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code,value\n01,1\n", "missing columns weight"),
        ("code,weight\n01,abc\n", "line 2 \\(code 01\\): weight 'abc' is not a number"),
        ("code,weight\n01,1\n01,2\n", "line 3: code 01 appears twice"),
        ("code,weight\n01,-4\n", "line 2 \\(code 01\\): weight '-4' is negative"),
        ("code,weight\n,4\n", "line 2: code is empty"),
        ("code,weight\n01,\n", "line 2 \\(code 01\\): weight is empty"),
        ("code,weight\n01,NaN\n", "not a finite number"),
        ("code,weight\n", "no rows"),
    ],
)
def test_parse_key_csv_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(AllocationError, match=message):
        parse_key_csv(text)
