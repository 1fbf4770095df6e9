"""Synthetic registers at a tiny scale: valid, deterministic, and shaped as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from naravard.indicators.data import RegisterData
from naravard.indicators.loader import validate
from naravard.indicators.synth.generate import synthesise

SCALE = 0.0005
YEARS = [2019, 2020, 2021, 2022, 2023]


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth")
    synthesise(SCALE, YEARS, 7, out, chunk_size=2000)
    return out


def _query(root: Path, sql: str) -> list[tuple[Any, ...]]:
    con = duckdb.connect()
    RegisterData.from_directory(root).attach(con)
    rows = con.execute(sql).fetchall()
    con.close()
    return rows


def test_synthetic_data_pass_validation(synth_dir: Path) -> None:
    data = RegisterData.from_directory(synth_dir)
    assert validate(data) == []
    assert data.years("persons") == YEARS
    assert data.years("outpatient_contacts") == YEARS


def test_same_seed_same_data_other_seed_other_data(synth_dir: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    other = tmp_path / "other"
    synthesise(SCALE, YEARS, 7, again, chunk_size=2000)
    synthesise(SCALE, YEARS, 8, other, chunk_size=2000)
    for rel in ("outpatient_contacts/year=2021/part-0.parquet", "listings/year=2023/part-0.parquet",
                "inpatient_episodes/year=2020/part-0.parquet", "population/part-0.parquet"):
        assert pq.read_table(synth_dir / rel).equals(pq.read_table(again / rel)), rel
    rel = "outpatient_contacts/year=2021/part-0.parquet"
    assert not pq.read_table(synth_dir / rel).equals(pq.read_table(other / rel))


def test_population_table_matches_persons(synth_dir: Path) -> None:
    [(diff, total)] = _query(synth_dir, """
        WITH alive AS (
            SELECT year, municipality_code, sex, year - year(birth_date) AS age, count(*) AS n
            FROM persons WHERE death_date IS NULL GROUP BY ALL)
        SELECT sum(abs(coalesce(a.n, 0) - coalesce(p.count, 0))), sum(p.count)
        FROM alive a FULL JOIN population p USING (year, municipality_code, sex, age)
    """)
    assert diff == 0
    # about 0.05 % of Sweden's 10.4–10.6 M a year
    assert 5 * 5000 < total < 5 * 5500


def test_dynamics_deaths_moves_and_trends(synth_dir: Path) -> None:
    [(deaths,)] = _query(synth_dir, "SELECT count(*) FROM persons WHERE death_date IS NOT NULL")
    assert deaths > 0
    [(movers,)] = _query(synth_dir, """
        SELECT count(*) FROM outpatient_contacts c JOIN persons p USING (year, person_id)
        WHERE c.residence_municipality <> p.municipality_code""")
    assert movers > 0
    video = dict(_query(synth_dir, """
        SELECT year, avg(CASE WHEN mode = 'video' THEN 1.0 ELSE 0 END) FROM outpatient_contacts
        WHERE care_level = 'primary' AND profession = 'doctor' GROUP BY year"""))
    assert video[2019] < 0.01 < video[2020] < video[2023]
    transfers = _query(synth_dir, """
        SELECT count(*) FROM inpatient_episodes WHERE admitted_from = 'other_hospital'""")
    assert transfers[0][0] > 0
    [(young, old)] = _query(synth_dir, """
        WITH ed AS (SELECT c.year, (c.year - year(p.birth_date)) >= 80 AS old
                    FROM outpatient_contacts c JOIN persons p USING (year, person_id)
                    WHERE care_level = 'emergency'),
             pop AS (SELECT year, age >= 80 AS old, sum(count) AS n FROM population GROUP BY ALL)
        SELECT max(CASE WHEN NOT old THEN rate END), max(CASE WHEN old THEN rate END)
        FROM (SELECT old, count(*) / any_value(n) AS rate
              FROM ed JOIN pop USING (year, old) GROUP BY old)""")
    assert old > 2 * young


def test_refuses_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale must be in"):
        synthesise(0, [2023], 1, tmp_path / "a")
    with pytest.raises(ValueError, match="consecutive range"):
        synthesise(0.001, [2020, 2023], 1, tmp_path / "b")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "note.txt").write_text("keep", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not empty"):
        synthesise(0.0001, [2023], 1, tmp_path / "c")
