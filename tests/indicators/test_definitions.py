"""Definitions as data: the shipped catalogue, its documentation and clear errors on bad files."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from naravard.indicators.catalogue import load_catalogue, shipped_catalogue
from naravard.indicators.codelists import matches
from naravard.indicators.definition import parse_definition
from naravard.indicators.docgen import render_indicators, replace_block
from naravard.indicators.kinds import KINDS
from naravard.indicators.text import DefinitionError

PKG = Path(__file__).resolve().parents[2] / "src" / "naravard" / "indicators"
DOCS = Path(__file__).resolve().parents[2] / "docs"

SHIPPED = {
    "avoidable_inpatient_chronic", "readmission_30d_65plus", "ed_visits_80plus",
    "distance_share_doctor_visits", "health_centres_offering_distance", "named_doctor_listed",
    "named_doctor_population", "named_doctor_special_housing", "continuity_primary_care",
    "continuity_change", "care_guarantee_3_days", "primary_care_cost_share",
}


def _raw(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(
        (PKG / "definitions" / f"{name}.yaml").read_text(encoding="utf-8"))
    return loaded


def test_catalogue_ships_every_indicator_of_the_issue() -> None:
    cat = shipped_catalogue()
    assert {d.id for d in cat.definitions} == SHIPPED
    for d in cat.definitions:
        assert d.version and d.title.sv and d.title.en and d.sources
        for setting in d.settings.values():
            assert setting.evidence in ("C", "P", "I") and setting.note
        assert set(d.settings) == {s.name for s in KINDS[d.kind].settings}


def test_indicator_doc_is_current() -> None:
    text = (DOCS / "indicators.md").read_text(encoding="utf-8")
    assert replace_block(text, "indicators", render_indicators(shipped_catalogue())) == text


def test_avoidable_care_settings_and_codes() -> None:
    cat = shipped_catalogue()
    d = cat.definition("avoidable_inpatient_chronic")
    assert (d.age.min, d.age.max, d.scale) == (20, None, 100000)
    assert d.standardisation is not None and d.standardisation.standard == "esp2013"
    assert [v.id for v in d.variants] == ["all", "all_crude", "heart_failure", "diabetes",
                                          "asthma", "copd"]
    assert [d.standard_for(v.id) for v in d.variants[:3]] == ["esp2013", None, "esp2013"]
    assert d.resolved("copd")["categories"] == ["copd"]
    assert cat.prefixes(d, ["heart_failure"]) == ("I110", "I130", "I132", "I50")
    assert matches("I509", ("I50",)) and not matches("I51", ("I50",)) and not matches(None, ("I",))


def test_targets_are_data() -> None:
    cat = shipped_catalogue()
    targets = {d.id: d.target.value for d in cat.definitions if d.target is not None}
    assert targets == {"named_doctor_listed": 55.0, "named_doctor_population": 55.0,
                       "named_doctor_special_housing": 80.0, "continuity_change": 20.0}


def test_every_indicator_states_its_desired_direction() -> None:
    cat = shipped_catalogue()
    directions = {d.id: (d.direction.value, d.direction.evidence) for d in cat.definitions}
    assert directions == {
        "avoidable_inpatient_chronic": ("lower", "C"),
        "readmission_30d_65plus": ("lower", "P"),
        "ed_visits_80plus": ("lower", "P"),
        "distance_share_doctor_visits": ("none", "I"),
        "health_centres_offering_distance": ("higher", "I"),
        "named_doctor_listed": ("higher", "C"),
        "named_doctor_population": ("higher", "C"),
        "named_doctor_special_housing": ("higher", "C"),
        "continuity_primary_care": ("higher", "C"),
        "continuity_change": ("higher", "C"),
        "care_guarantee_3_days": ("higher", "C"),
        "primary_care_cost_share": ("higher", "P"),
    }
    assert all(d.direction.note for d in cat.definitions)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(colour="red"), "x.yaml: colour: unknown key"),
        (lambda d: d["settings"].pop("window_last_day"),
         "x.yaml: settings.window_last_day: missing (kind readmission requires it)"),
        (lambda d: d["settings"]["window_last_day"].update(value="thirty"),
         "x.yaml: settings.window_last_day: must be a whole number"),
        (lambda d: d["settings"]["deaths_after_discharge"].update(value="ignore"),
         "x.yaml: settings.deaths_after_discharge: must be one of keep, exclude"),
        (lambda d: d["settings"]["age_reference"].update(evidence="maybe"),
         "x.yaml: settings.age_reference.evidence: must be one of C, P, I"),
        (lambda d: d["breakdowns"].update(areas=["region"]),
         "x.yaml: breakdowns.areas: nation (Riket) is always produced"),
        (lambda d: d["variants"][1]["settings"].update(colour=1),
         "x.yaml: variants[1].settings.colour: not a setting of kind readmission"),
        (lambda d: d.update(kind="magic"), "x.yaml: kind: must be one of"),
        (lambda d: d["variants"][1].update(standard="crude"),
         "x.yaml: variants[1].standard: the indicator is not standardised"),
        (lambda d: d["window"].update(periods=["month"]),
         "x.yaml: window.periods: 'month' not possible for kind readmission"),
        (lambda d: d.pop("direction"), "x.yaml: direction: missing"),
        (lambda d: d["direction"].update(value="down"),
         "x.yaml: direction.value: must be one of higher, lower, none"),
        (lambda d: d["direction"].pop("note"), "x.yaml: direction.note: missing"),
        (lambda d: d.update(target={"value": 10, "comparison": "<=", "sv": "s", "en": "e"},
                            direction={"value": "higher", "evidence": "I", "note": "n"}),
         "x.yaml: direction.value: the target (<=) asks for lower values"),
    ],
)
def test_bad_definitions_name_file_and_key(change: Any, message: str) -> None:
    raw = copy.deepcopy(_raw("readmission_30d_65plus"))
    change(raw)
    with pytest.raises(DefinitionError) as err:
        parse_definition("x.yaml", raw)
    assert str(err.value).startswith(message)


def _write_catalogue(tmp_path: Path, definition: dict[str, Any]) -> Path:
    (tmp_path / "definitions").mkdir(parents=True)
    (tmp_path / "codelists").mkdir(parents=True)
    for p in (PKG / "codelists").glob("*.yaml"):
        (tmp_path / "codelists" / p.name).write_text(p.read_text(encoding="utf-8"),
                                                    encoding="utf-8")
    (tmp_path / "definitions" / f"{definition['id']}.yaml").write_text(
        yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    return tmp_path


def test_unknown_category_and_bad_age_limit_are_caught(tmp_path: Path) -> None:
    raw = copy.deepcopy(_raw("avoidable_inpatient_chronic"))
    raw["variants"][2]["settings"]["categories"] = ["gout"]
    with pytest.raises(DefinitionError, match=r"variant heart_failure: .*no category 'gout'"):
        load_catalogue(_write_catalogue(tmp_path / "a", raw))
    raw = copy.deepcopy(_raw("avoidable_inpatient_chronic"))
    raw["age"]["min"] = 18
    with pytest.raises(DefinitionError, match="age limit 18 is not the start of an esp2013"):
        load_catalogue(_write_catalogue(tmp_path / "b", raw))


def test_a_variant_names_a_known_standard() -> None:
    raw = copy.deepcopy(_raw("avoidable_inpatient_chronic"))
    raw["variants"][1]["standard"] = "se1900"
    with pytest.raises(DefinitionError, match=r"x.yaml: variants\[1\].standard: must be one "
                                              r"of esp2013, sweden_YYYY, crude"):
        parse_definition("x.yaml", raw)
    raw["variants"][1]["standard"] = "sweden_2021"
    assert parse_definition("x.yaml", raw).standard_for("all_crude") == "sweden_2021"


def test_file_name_must_match_id(tmp_path: Path) -> None:
    raw = copy.deepcopy(_raw("ed_visits_80plus"))
    folder = _write_catalogue(tmp_path, raw)
    (folder / "definitions" / "ed_visits_80plus.yaml").rename(
        folder / "definitions" / "ed.yaml")
    with pytest.raises(DefinitionError, match=r"ed\.yaml: id: must equal the file name 'ed'"):
        load_catalogue(folder)


@pytest.mark.parametrize(("interval", "message"), [
    ({"method": "none"}, r"MOVER-R needs intervals of continuity_primary_care at the same level "
                         r"\(continuity_primary_care has none, 0\.95\)"),
    ({"level": 0.9}, r"continuity_primary_care has t, 0\.9\)"),
])
def test_a_change_with_limits_needs_its_source_s_at_the_same_level(
        tmp_path: Path, interval: dict[str, Any], message: str) -> None:
    source, change = _raw("continuity_primary_care"), copy.deepcopy(_raw("continuity_change"))
    source = copy.deepcopy(source)
    source["interval"].update(interval)
    folder = _write_catalogue(tmp_path, change)
    (folder / "definitions" / "continuity_primary_care.yaml").write_text(
        yaml.safe_dump(source, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DefinitionError, match=message):
        load_catalogue(folder)
    change["interval"]["method"] = "none"
    (folder / "definitions" / "continuity_change.yaml").write_text(
        yaml.safe_dump(change, allow_unicode=True), encoding="utf-8")
    assert load_catalogue(folder).definition("continuity_change").interval.method == "none"
