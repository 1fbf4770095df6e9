"""The agreement model: the shipped agreements, validation, YAML and Excel."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from naravard.funding.agreement_files import (
    agreement_from_dict,
    agreement_to_dict,
    dump_agreement_yaml,
    escape_cell,
    export_agreement_xlsx,
    find_agreement,
    import_agreement_xlsx,
    load_agreement_file,
    load_agreement_yaml,
    shipped_agreements,
    shipped_file,
    unescape_cell,
)
from naravard.funding.agreements import Agreement, MethodKind, RecipientClass
from naravard.funding.validation import AgreementError, agreement_problems

REGIONAL = (RecipientClass.REGIONS, RecipientClass.REGIONS_TO_SKR)


def gonv2020() -> Agreement:
    return find_agreement(shipped_agreements(), "gonv-2020")


def test_shipped_agreements_are_2020_2021_2023() -> None:
    assert [(a.id, a.year, a.complete) for a in shipped_agreements()] == [
        ("gonv-2020", 2020, True),
        ("gonv-2021", 2021, False),
        ("gonv-2023", 2023, False),
    ]


def test_2020_section_8_table() -> None:
    a = gonv2020()
    assert [(li.section, li.amount_sek, li.recipient) for li in a.lines] == [
        ("3", 2_935_000_000, RecipientClass.REGIONS),
        ("4", 114_500_000, RecipientClass.REGIONS),
        ("5.4–5.5", 1_819_000_000, RecipientClass.REGIONS),
        ("5.4–5.5", 500_000_000, RecipientClass.MUNICIPALITIES_VIA_RSS),
        ("5.6", 500_000_000, RecipientClass.REGIONS),
        ("5.7", 100_000_000, RecipientClass.REGIONS),
        ("6.1", 130_000_000, RecipientClass.REGIONS_TO_SKR),
        ("6.2–6.3", 100_000_000, RecipientClass.REGIONS),
        ("3–6", 52_000_000, RecipientClass.SKR),
    ]
    assert a.total_sek == 6_250_500_000
    assert sum(li.amount_sek or 0 for li in a.lines) == 6_250_500_000
    assert a.amount_to(REGIONAL) == 5_698_500_000
    assert a.amount_to((RecipientClass.MUNICIPALITIES_VIA_RSS,)) == 500_000_000


def test_2020_section_9_keys() -> None:
    a = gonv2020()
    methods = {li.id: li.method for li in a.lines}
    assert methods["nara-vard"] is not None
    assert methods["nara-vard"].kind is MethodKind.POPULATION_SHARE
    assert methods["nara-vard"].population_date is not None
    assert methods["nara-vard"].population_date.isoformat() == "2019-11-01"
    municipal = methods["medarbetare-kommuner"]
    assert municipal is not None
    assert (municipal.kind, municipal.key_id) == (MethodKind.MUNICIPAL_KEY, "khsv-2020")
    care = a.key("khsv-2020")
    assert len(care.entries) == 21
    assert "register för insatser i kommunal hälso- och sjukvård" in care.source
    assert not care.available and care.missing
    bhv = methods["barnhalsovard"]
    assert bhv is not None and bhv.kind is MethodKind.IMPORTED_KEY


def test_2020_deadlines() -> None:
    a = gonv2020()
    deadlines = {d.id: d.deadline.isoformat() if d.deadline else None for d in a.duties}
    assert deadlines["delredovisning-regioner"] == "2020-09-30"
    assert deadlines["rekvisition"] == "2020-12-01"
    assert deadlines["ekonomisk-redovisning"] == "2021-03-31"
    assert deadlines["aterbetalning"] == "2021-03-31"
    assert a.duty("rekvisition-rss").assumed


def test_partial_agreements_say_what_is_missing() -> None:
    for a in shipped_agreements()[1:]:
        assert a.total_sek is None and a.missing
        assert all(li.method is None and li.missing for li in a.lines)
    a2021 = find_agreement(shipped_agreements(), "gonv-2021")
    assert a2021.case_numbers.agreement == "S2021/00820"
    assert [li.amount_sek for li in a2021.lines] == [400_000_000, 100_000_000, 85_000_000]
    a2023 = find_agreement(shipped_agreements(), "gonv-2023")
    assert [li.amount_sek for li in a2023.lines] == [300_000_000, None]


def test_khsv_template_lists_every_county_without_figures() -> None:
    lines = shipped_file("khsv-2020.csv").splitlines()
    assert lines[0] == "code,name,weight"
    assert len(lines) == 22
    assert all(line.endswith(",") for line in lines[1:])


def data_2020() -> dict[str, Any]:
    return agreement_to_dict(gonv2020())


def test_lines_that_do_not_sum_to_the_total_are_refused() -> None:
    data = data_2020()
    data["lines"][0]["amount_sek"] = 2_935_000_001
    with pytest.raises(AgreementError) as info:
        agreement_from_dict(data)
    assert "lines sum to 6250500001 kr, the agreement states 6250500000 kr" in str(info.value)
    assert "lines to regions, regions_to_skr sum to 5698500001 kr" in str(info.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["lines"][1]["method"].update(key_id="nope"), "unknown key 'nope'"),
        (lambda d: d["lines"][0].update(colour="red"), "lines.0.colour: Unexpected keyword"),
        (lambda d: d["lines"][0].update(amount_sek="many"), "lines.0.amount_sek"),
        (lambda d: d["lines"][0].update(area="none"), "line nara-vard: unknown area 'none'"),
        (lambda d: d["lines"][1].update(id="nara-vard"), "line id 'nara-vard' is used 2 times"),
        (lambda d: d["lines"][0]["method"].update(population_date=None), "needs population_date"),
        (lambda d: d["lines"][8]["method"]["fixed"][0].update(amount_sek=1), "fixed amounts sum"),
        (lambda d: d["lines"][0].update(recipient="skr"), "cannot pay recipient skr"),
        (lambda d: d["conditions"][1].update(duty="x"), "condition C2: unknown duty 'x'"),
        (lambda d: d.pop("year"), "year: Field required"),
    ],
)
def test_validation_errors_name_the_element(change: Any, message: str) -> None:
    data = data_2020()
    change(data)
    with pytest.raises(AgreementError, match=message):
        agreement_from_dict(data)


def test_line_without_amount_must_say_it_is_missing() -> None:
    data = agreement_to_dict(find_agreement(shipped_agreements(), "gonv-2023"))
    data["lines"][1]["missing"] = []
    problems = agreement_problems(agreement_from_dict_unchecked(data))
    assert "line vfu-veckor: amount is not given and not listed as missing" in problems


def agreement_from_dict_unchecked(data: dict[str, Any]) -> Agreement:
    from pydantic import TypeAdapter

    return TypeAdapter(Agreement).validate_python(data)


def test_yaml_errors() -> None:
    with pytest.raises(AgreementError, match="not valid YAML"):
        load_agreement_yaml("id: [unclosed", "x.yaml")
    with pytest.raises(AgreementError, match="expected a mapping"):
        load_agreement_yaml("- 1\n- 2\n", "x.yaml")
    with pytest.raises(AgreementError, match="unknown file type"):
        load_agreement_file("x.txt", b"")


@pytest.mark.parametrize("agreement", shipped_agreements(), ids=lambda a: a.id)
def test_yaml_round_trip(agreement: Agreement) -> None:
    text = dump_agreement_yaml(agreement)
    assert load_agreement_yaml(text) == agreement
    assert yaml.safe_load(text)["id"] == agreement.id


@pytest.mark.parametrize("agreement", shipped_agreements(), ids=lambda a: a.id)
def test_excel_round_trip(agreement: Agreement) -> None:
    assert import_agreement_xlsx(export_agreement_xlsx(agreement)) == agreement


def test_excel_round_trip_with_mixed_methods_and_key_weights() -> None:
    a = gonv2020()
    lines = list(a.lines)
    lines[0] = dataclasses.replace(lines[0], method=None, missing=("allocation method",))
    key = a.key("khsv-2020")
    entries = tuple(dataclasses.replace(e, weight=1000 + i) for i, e in enumerate(key.entries))
    keys = (dataclasses.replace(key, entries=entries, missing=()), a.key("bhv-2020"))
    changed = dataclasses.replace(a, lines=tuple(lines), keys=keys)
    assert import_agreement_xlsx(export_agreement_xlsx(changed)) == changed


def test_excel_export_escapes_formula_injection() -> None:
    a = gonv2020()
    evil = ["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tcmd", "\r\ncmd"]
    lines = tuple(
        dataclasses.replace(li, note=evil[i % len(evil)]) for i, li in enumerate(a.lines)
    )
    changed = dataclasses.replace(a, lines=lines)
    content = export_agreement_xlsx(changed)
    ws = load_workbook(io.BytesIO(content))["lines"]
    header = [c.value for c in ws[1]]
    notes = [row[header.index("note")] for row in ws.iter_rows(min_row=2)]
    for cell in notes:
        assert cell.data_type == "s"
        assert isinstance(cell.value, str) and cell.value.startswith("'")
    back = import_agreement_xlsx(content)
    assert [li.note for li in back.lines] == [n.replace("\r\n", "\n") for n in
                                              (li.note for li in changed.lines)]


def test_escape_cell() -> None:
    assert escape_cell("=1+1") == "'=1+1"
    assert escape_cell("plain - text") == "plain - text"
    assert escape_cell("\rcmd") == "'\ncmd"
    assert unescape_cell("'\ncmd") == "\ncmd"
    assert unescape_cell("'=1+1") == "=1+1"
    assert escape_cell("'quoted") == "''quoted"
    assert unescape_cell(escape_cell("'quoted")) == "'quoted"


def test_excel_import_errors() -> None:
    with pytest.raises(AgreementError, match="not a readable Excel workbook"):
        import_agreement_xlsx(b"not a zip", "bad.xlsx")
