"""Storing results by data snapshot, reading them back published (disclosure control) or
internal, atomic replacement, and the ``--store``/``load``/``snapshots`` commands.

The hand-made result sets here are also used by the web tests and the authorisation matrix.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.publish import COLUMNS, check_rows, publish
from naravard.storage import indicator_repo
from naravard.storage.db import session_factory
from naravard.storage.indicator_repo import ResultsError, store_results
from naravard.storage.indicator_snapshot import CareUnit, SnapshotInfo
from naravard.storage.indicator_tables import (
    IndicatorDisclosure,
    IndicatorResult,
    IndicatorSnapshot,
)
from naravard.storage.models import AuditEvent

Row = dict[str, Any]
ND = "named_doctor_population"
VERSION = shipped_catalogue().definition(ND).version
COC = "continuity_primary_care"
CHANGE = "continuity_change"
SNAPSHOT = "a" * 64


def row(indicator: str, period: str, level: str, code: str, sex: str, num: float | None,
        den: float | None, scale: float = 100, variant: str = "all",
        status: str | None = None) -> Row:
    """A result row; the value is num / den × scale when the status is ok."""
    version = shipped_catalogue().definition(indicator).version
    ok = status is None and num is not None and den
    return {"indicator": indicator, "version": version, "variant": variant, "period": period,
            "area_level": level, "area_code": code, "sex": sex, "numerator": num,
            "denominator": den, "value": num / den * scale if ok else None,
            "status": "ok" if ok else (status or "missing")}


#: (level, code) → (T, K, M) as (numerator, denominator): Riket = Halland + Dalarna; Halland =
#: Halmstad (1380) + Kungsbacka (1384); Kungsbacka's counts (3, 2, 1) are under 5.
NAMED_DOCTOR_2023 = {
    ("nation", "00"): ((1000, 2000), (520, 1010), (480, 990)),
    ("region", "13"): ((600, 1000), (303, 505), (297, 495)),
    ("region", "20"): ((400, 1000), (217, 505), (183, 495)),
    ("municipality", "1380"): ((597, 950), (301, 480), (296, 470)),
    ("municipality", "1384"): ((3, 50), (2, 25), (1, 25)),
}


def named_doctor_rows(period: str = "2023", factor: int = 1) -> list[Row]:
    """The hand-made named-doctor table (``factor`` multiplies every count)."""
    out = []
    for (level, code), cells in NAMED_DOCTOR_2023.items():
        for sex, (num, den) in zip("TKM", cells, strict=True):
            out.append(row(ND, period, level, code, sex, num * factor, den * factor))
    return out


#: Continuity (mean COC per patient, doctors): 2021 is the base year. In 2023 Kungsbacka has
#: 12 patients (under 20, so masked), and Halmstad is masked with it (region = Σ municipalities).
COC_CELLS = {
    "2021": {("nation", "00"): (60.0, 100), ("region", "13"): (60.0, 100),
             ("municipality", "1380"): (30.0, 50), ("municipality", "1384"): (30.0, 50),
             ("care_unit", "VC1"): (30.0, 50)},
    "2023": {("nation", "00"): (66.0, 100), ("region", "13"): (66.0, 100),
             ("municipality", "1380"): (57.6, 88), ("municipality", "1384"): (8.4, 12),
             ("care_unit", "VC1"): (40.0, 70)},
}


def continuity_rows() -> list[Row]:
    """Hand-made continuity rows (sex T only, variant coc_doctor) and their changes."""
    out = []
    for period, cells in COC_CELLS.items():
        for (level, code), (num, den) in cells.items():
            out.append(row(COC, period, level, code, "T", num, den, scale=1,
                           variant="coc_doctor"))
    base = {(r["area_level"], r["area_code"]): r for r in out if r["period"] == "2021"}
    for r in [r for r in out if r["period"] in ("2021", "2023")]:
        b = base[(r["area_level"], r["area_code"])]
        out.append({**r, "indicator": CHANGE,
                    "version": shipped_catalogue().definition(CHANGE).version,
                    "numerator": r["value"], "denominator": b["value"],
                    "value": (r["value"] / b["value"] - 1) * 100})
    return out


UNITS = [CareUnit("VC1", "=HYPERLINK(\"http://x\")", "13", "1380", "health_centre")]


def info(checksum: str = SNAPSHOT, label: str = "test data", years: tuple[int, ...] = (2023,)
         ) -> SnapshotInfo:
    return SnapshotInfo(checksum, label, "/data/test", "reference", years,
                        {"persons/year=2023/part-0.parquet": "0" * 64})


def store(session: Session, rows: list[Row], checksum: str = SNAPSHOT,
          units: list[CareUnit] | None = None) -> indicator_repo.StoreOutcome:
    """Store ``rows`` as a snapshot and commit."""
    outcome = store_results(session, rows, info(checksum), units or [], shipped_catalogue(),
                            actor="tester")
    session.commit()
    return outcome


def published(session: Session, indicator: str = ND, **kw: Any) -> list[Row]:
    found = indicator_repo.published(session, indicator, shipped_catalogue(), shipped_rule(),
                                     **kw)
    assert found is not None
    return list(found.rows)


def internal(session: Session, indicator: str = ND, **kw: Any) -> list[Row]:
    found = indicator_repo.internal(session, indicator, shipped_catalogue(), shipped_rule(), **kw)
    assert found is not None
    return list(found.rows)


def cell(rows: list[Row], code: str, sex: str = "T", period: str = "2023") -> Row:
    return next(r for r in rows if r["area_code"] == code and r["sex"] == sex
                and r["period"] == period)


@pytest.fixture
def clean_cache() -> Iterator[None]:
    indicator_repo._CACHE.clear()
    yield
    indicator_repo._CACHE.clear()


# --- storing -----------------------------------------------------------------------------------


def test_store_then_read_the_same_rows(session: Session, clean_cache: None) -> None:
    outcome = store(session, named_doctor_rows())
    assert (outcome.created, outcome.indicators, outcome.replaced, outcome.stored) == (
        True, (ND,), 0, 15)
    snap = session.scalars(select(IndicatorSnapshot)).one()
    assert (snap.checksum, snap.label, snap.years, snap.definitions, snap.revision) == (
        SNAPSHOT, "test data", [2023], {ND: VERSION}, 1)
    stored = indicator_repo.stored_rows(session, snap.id, [ND])
    key = lambda r: (r["area_code"], r["sex"])  # noqa: E731
    # rows made before intervals were computed are stored without one
    assert sorted(stored, key=key) == sorted(
        ({**r, "ci_low": None, "ci_high": None} for r in named_doctor_rows()), key=key)
    assert cell(stored, "13")["value"] == 60.0 and cell(stored, "00")["value"] == 50.0
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "indicators.store")).one()
    assert event.details["rows"] == 15 and event.details["indicators"] == [ND]


def test_rows_read_back_share_their_texts(session: Session) -> None:
    store(session, named_doctor_rows("2022") + named_doctor_rows("2023"))
    rows = indicator_repo.stored_rows(session, 1, [ND])
    assert indicator_repo._READ == COLUMNS
    assert all(tuple(r) == COLUMNS for r in rows)  # the columns in the published order
    for column in ("indicator", "version", "variant", "period", "area_level", "area_code",
                   "sex", "status"):
        values = [r[column] for r in rows]
        assert len({id(v) for v in values}) == len(set(values)), column  # one object each
    assert sorted((r["period"], r["area_code"], r["sex"], r["numerator"]) for r in rows) == sorted(
        (r["period"], r["area_code"], r["sex"], r["numerator"])
        for r in named_doctor_rows("2022") + named_doctor_rows("2023"))


def test_published_rows_are_masked_internal_rows_are_not(session: Session,
                                                         clean_cache: None) -> None:
    store(session, named_doctor_rows())
    rows = published(session)
    masked = sorted((r["area_code"], r["sex"]) for r in rows if r["status"] == "suppressed")
    # Kungsbacka's counts are under 5; Halmstad is masked with it, for every sex, so that
    # neither follows from Halland's total or from T = K + M.
    assert masked == [(c, s) for c in ("1380", "1384") for s in "KMT"]
    kungsbacka = cell(rows, "1384")
    assert (kungsbacka["numerator"], kungsbacka["value"], kungsbacka["denominator"]) == (
        None, None, 50)  # the population denominator is public
    assert cell(rows, "13")["value"] == 60.0 and cell(rows, "20", "M")["numerator"] == 183
    internal = indicator_repo.internal(session, ND, shipped_catalogue(), shipped_rule())
    assert internal is not None and internal.internal
    assert cell(list(internal.rows), "1384")["numerator"] == 3


def test_narrowing_never_changes_a_published_cell(session: Session, clean_cache: None) -> None:
    store(session, named_doctor_rows("2022", 2) + named_doctor_rows("2023"))
    whole = published(session)
    for periods in (["2023"], ["2022"]):
        part = published(session, variant="all", periods=periods)
        assert part == [r for r in whole if r["period"] in periods]
    session.execute(delete(IndicatorDisclosure))  # no decisions stored: decided on reading
    session.commit()
    for levels in (["nation"], ["municipality"], ["nation", "region"]):
        indicator_repo.clear_caches()  # the level read first, its table decided from it all
        part = published(session, periods=["2023"], levels=levels)
        assert part == [r for r in whole if r["period"] == "2023" and r["area_level"] in levels]
    indicator_repo.clear_caches()
    kungsbacka = [(r["period"], r["sex"], r["status"])
                  for r in published(session, levels=["municipality"]) if r["area_code"] == "1384"]
    assert kungsbacka == [("2022", "T", "ok"), ("2022", "K", "suppressed"),
                          ("2022", "M", "suppressed"), ("2023", "T", "suppressed"),
                          ("2023", "K", "suppressed"), ("2023", "M", "suppressed")]


def test_narrowing_by_level_keeps_a_derived_change_and_internal_rows(
        session: Session, clean_cache: None) -> None:
    store(session, continuity_rows(), units=UNITS)
    for read in (published, internal):
        for indicator in (CHANGE, COC):
            whole = read(session, indicator)
            for levels in (["care_unit"], ["municipality", "nation"]):
                assert read(session, indicator, levels=levels) == [
                    r for r in whole if r["area_level"] in levels]
    masked = {r["area_code"]: r["status"] for r in published(session, CHANGE, periods=["2023"],
                                                             levels=["municipality"])}
    assert masked == {"1380": "suppressed", "1384": "suppressed"}


def test_storing_again_replaces_only_those_indicators_and_years(session: Session,
                                                                clean_cache: None) -> None:
    store(session, named_doctor_rows("2022") + named_doctor_rows("2023") + continuity_rows())
    again = store(session, named_doctor_rows("2023", factor=2))
    assert (again.created, again.replaced, again.stored) == (False, 15, 15)
    snap = session.scalars(select(IndicatorSnapshot)).one()
    assert snap.revision == 2 and snap.years == [2021, 2022, 2023]
    rows = published(session)
    assert cell(rows, "13", period="2023")["numerator"] == 1200
    assert cell(rows, "13", period="2022")["numerator"] == 600
    assert published(session, COC)  # the other indicators stay
    other = store(session, named_doctor_rows("2023", factor=3), checksum="b" * 64)
    assert other.created
    assert indicator_repo.current_snapshots(session)[ND].checksum == "b" * 64
    assert indicator_repo.current_snapshots(session)[COC].checksum == SNAPSHOT
    assert cell(published(session), "13")["numerator"] == 1800


def test_a_failure_while_storing_leaves_the_previous_results(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, clean_cache: None
) -> None:
    factory = session_factory(engine)
    with factory() as s:
        store(s, named_doctor_rows())

    def crash(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(indicator_repo.audit, "record", crash)
    with pytest.raises(RuntimeError, match="disk full"), factory() as s, s.begin():
        store_results(s, named_doctor_rows(factor=2), info(), [], shipped_catalogue(), "tester")
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(IndicatorResult)) == 15
        assert cell(published(s), "13")["numerator"] == 600
        assert s.scalars(select(IndicatorSnapshot)).one().revision == 1


def test_bad_rows_are_refused_with_their_place(session: Session) -> None:
    rows = named_doctor_rows()
    rows[0] = {**rows[0], "status": "ok", "value": None}
    rows[1] = {**rows[1], "sex": "X"}
    rows[2] = {**rows[2], "indicator": "nope"}
    rows.append(dict(rows[3]))
    rows[4] = {**rows[4], "numerator": float("nan")}
    assert check_rows(rows, shipped_catalogue()) == [
        "row 1: value: a value is given exactly when the status is ok",
        "row 2: sex: 'X' is not T, K or M",
        "row 3: indicator: unknown indicator 'nope'",
        "row 5: numerator: nan is not a number",
        "row 16: indicator: the same indicator, variant, period, area and sex twice",
    ]
    with pytest.raises(ResultsError, match="row 2: sex"):
        store_results(session, rows, info(), [], shipped_catalogue(), "tester")
    with pytest.raises(ResultsError, match="no result rows"):
        store_results(session, [], info(), [], shipped_catalogue(), "tester")
    assert session.scalar(select(func.count()).select_from(IndicatorSnapshot)) == 0


def test_a_derived_change_follows_its_published_source(session: Session,
                                                       clean_cache: None) -> None:
    store(session, continuity_rows(), units=UNITS)
    source = published(session, COC)
    change = published(session, CHANGE)
    # 2023: Kungsbacka's 12 patients are under 20; Halmstad is masked with it (Halland = Σ its
    # municipalities), so both changes are masked too.
    assert sorted(r["area_code"] for r in source if r["status"] == "suppressed") == [
        "1380", "1384"]
    assert sorted(r["area_code"] for r in change if r["status"] == "suppressed") == [
        "1380", "1384"]
    nation = cell(change, "00")
    assert (nation["numerator"], nation["denominator"]) == (0.66, 0.6)
    assert nation["value"] == pytest.approx(10.0, abs=1e-12)
    base = cell(change, "00", period="2021")
    assert base["value"] == 0.0 and base["status"] == "ok"
    internal = indicator_repo.internal(session, CHANGE, shipped_catalogue(), shipped_rule())
    assert internal is not None
    assert cell(list(internal.rows), "1384")["value"] == pytest.approx((0.7 / 0.6 - 1) * 100)


def test_the_cache_keeps_a_bounded_number_of_rows(session: Session, clean_cache: None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store(session, named_doctor_rows("2022") + named_doctor_rows("2023"))
    monkeypatch.setattr(indicator_repo, "_CACHE_ROWS", 20)
    published(session, periods=["2022"])
    published(session, periods=["2023"])
    assert [len(rows) for rows, _, _ in indicator_repo._CACHE.values()] == [15]
    both = published(session)  # larger than the limit: kept alone
    assert len(both) == 30 and len(indicator_repo._CACHE) == 1


def test_publish_without_the_source_rows_shows_nothing(clean_cache: None) -> None:
    rows = [r for r in continuity_rows() if r["indicator"] == CHANGE]
    cat = shipped_catalogue()
    out = publish(rows, {CHANGE: cat.definition(CHANGE), COC: cat.definition(COC)},
                  shipped_rule())
    assert {r["status"] for r in out} == {"missing"}
    assert {r["value"] for r in out} == {None}


# --- commands ----------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def cli_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


@pytest.fixture(scope="module")
def registers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("store") / "registers"
    result = runner.invoke(app, ["synth", "--scale", "0.0005", "--years", "2023", "--seed",
                                 "5", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_compute_store_load_and_list(cli_env: Path, registers: Path, engine: Engine,
                                     clean_cache: None) -> None:
    args = ["indicators", "compute", "--data", str(registers), "--years", "2023",
            "-i", ND, "-i", "primary_care_cost_share", "--store"]
    first = runner.invoke(app, [*args, "--out", str(cli_env / "r.parquet")])
    assert first.exit_code == 0, first.output
    assert ("stored 958 rows of 2 indicators in new snapshot 1 (replaced 0 rows; disclosure "
            "decided for 2 tables)") in first.output
    second = runner.invoke(app, [*args, "--label", "second run"])
    assert second.exit_code == 0, second.output
    assert "in snapshot 1 (replaced 958 rows; disclosure decided for 2 tables)" in second.output
    file = pq.read_table(cli_env / "r.parquet")
    meta = json.loads(file.schema.metadata[b"naravard"])
    with session_factory(engine)() as s:
        snap = s.scalars(select(IndicatorSnapshot)).one()
        assert (snap.label, snap.revision, meta["snapshot"]["checksum"]) == (
            "second run", 2, snap.checksum)
        assert sorted(snap.files) == sorted(
            p.relative_to(registers).as_posix() for p in registers.rglob("*.parquet"))
        # the file has disclosure control applied; the database holds the internal figures
        hidden = file.column("status").to_pylist().count("suppressed")
        assert hidden > 0
        assert f"suppressed {hidden}" in " ".join(first.output.split())  # said of the file
        stored = indicator_repo.stored_rows(s, snap.id, [ND])
        assert "suppressed" not in {r["status"] for r in stored}
        assert _same_cells(published(s), [r for r in file.to_pylist() if r["indicator"] == ND])
    loaded = runner.invoke(app, ["indicators", "load", str(cli_env / "r.parquet")])
    assert loaded.exit_code == 0, loaded.output
    assert "in snapshot 1 (replaced 958 rows; disclosure decided for 2 tables)" in loaded.output
    assert "masked cells stay masked" in loaded.output
    listing = runner.invoke(app, ["indicators", "snapshots"])
    assert listing.exit_code == 0 and "958" in listing.output and "2023" in listing.output
    bad = runner.invoke(app, ["indicators", "compute", "--data", str(registers), "--years",
                              "2023", "-i", ND])
    assert bad.exit_code == 1 and "give --out FILE, --store, or both" in bad.output
    missing = runner.invoke(app, ["indicators", "load", str(cli_env / "none.parquet")])
    assert missing.exit_code == 1 and "give an existing .parquet file" in missing.output


def test_a_base_year_is_stored_only_for_the_source_of_a_change(
        cli_env: Path, registers: Path, engine: Engine, clean_cache: None) -> None:
    """The change against 2021 needs continuity in 2021; nothing else was asked for 2021."""
    result = runner.invoke(app, ["indicators", "compute", "--data", str(registers), "--years",
                                 "2023", "-i", CHANGE, "-i", ND, "--store"])
    assert result.exit_code == 0, result.output
    with session_factory(engine)() as s:
        years = {(i, y) for i, y in s.execute(select(
            IndicatorResult.indicator, func.substr(IndicatorResult.period, 1, 4)).distinct())}
        assert years == {(CHANGE, "2023"), (COC, "2021"), (COC, "2023"), (ND, "2023")}
        assert s.scalars(select(IndicatorSnapshot)).one().years == [2021, 2023]


def _same_cells(a: list[Row], b: list[Row]) -> bool:
    key = lambda r: (r["period"], r["area_level"], r["area_code"], r["sex"])  # noqa: E731
    return sorted(a, key=key) == sorted(b, key=key)


# --- the publication path, as a property ---------------------------------------------------------

MUNICIPALITIES = {"13": ("1380", "1384"), "20": ("2021", "2023")}
cells = st.tuples(st.integers(0, 30), st.integers(0, 60))  # (numerator, extra denominator)


def _table(period: str, counts: list[tuple[int, int]]) -> list[Row]:
    """A consistent table: municipalities by K and M, summed to T, regions and Riket."""
    sums: dict[tuple[str, str, str], list[float]] = {}

    def add(level: str, code: str, sex: str, num: int, den: int) -> None:
        cell_sum = sums.setdefault((level, code, sex), [0, 0])
        cell_sum[0] += num
        cell_sum[1] += den

    it = iter(counts)
    for region, codes in MUNICIPALITIES.items():
        for code in codes:
            for sex in "KM":
                num, extra = next(it)
                for level, area in (("municipality", code), ("region", region),
                                    ("nation", "00")):
                    for s in (sex, "T"):
                        add(level, area, s, num, num + extra)
    return [row(ND, period, level, code, sex, num, den)
            for (level, code, sex), (num, den) in sums.items()]


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.lists(cells, min_size=8, max_size=8), st.lists(cells, min_size=8, max_size=8))
def test_publishing_tables_together_or_alone_gives_the_same_cells(
    first: list[tuple[int, int]], second: list[tuple[int, int]]
) -> None:
    a, b = _table("2022", first), _table("2023", second)
    definitions = {ND: shipped_catalogue().definition(ND)}
    rule = shipped_rule()
    together = publish(a + b, definitions, rule)
    assert together == publish(a, definitions, rule) + publish(b, definitions, rule)
    for r in together:
        if r["status"] == "suppressed":
            assert r["numerator"] is None and r["value"] is None
        elif r["numerator"] is not None:
            assert r["numerator"] == 0 or r["numerator"] >= rule.min_count
