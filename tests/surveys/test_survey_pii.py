"""Public-document guard: no false alarms on real answers, every planted identifier caught."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from naravard.surveys.catalog import find_form, shipped_forms
from naravard.surveys.demo import demo_answer_sets
from naravard.surveys.pii import PiiKind, highlight, scan_answers, scan_text
from naravard.surveys.yamlform import read_yaml_form

FIXTURE = Path(__file__).parent / "fixtures" / "halland_free_text.yaml"


def check_digit(nine: str) -> str:
    """Luhn check digit of a 9-digit string (weights 2, 1, 2, … from the left)."""
    total = 0
    for index, char in enumerate(nine):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return str((10 - total % 10) % 10)


def identity_number(day: dt.date, serial: int, *, coordination: bool, century: bool,
                    separator: str) -> str:
    dd = day.day + (60 if coordination else 0)
    short = f"{day:%y%m}{dd:02d}"
    serial_text = f"{serial:03d}"
    check = check_digit(short + serial_text)
    head = f"{day.year // 100}{short}" if century else short
    return f"{head}{separator}{serial_text}{check}"


@pytest.mark.parametrize("item", yaml.safe_load(FIXTURE.read_text(encoding="utf-8")),
                         ids=lambda i: i["question"])
def test_no_false_alarms_in_hallands_answers(item: dict[str, str]) -> None:
    assert scan_text(item["text"]) == []


def test_no_false_alarms_in_the_demo_answer_sets() -> None:
    forms = list(shipped_forms())
    for answers in demo_answer_sets():
        form = find_form(forms, answers.form_id).form
        assert scan_answers(form, answers.answers) == []


PLACES = st.sampled_from([
    ("Kontaktperson är ", "."),
    ("Patienten (", ") skrevs ut."),
    ("Enligt journal ", " har"),
    ("", ""),
    ("Se ärendet för\n", ", tack."),
])


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(dt.date(1890, 1, 1), dt.date(2024, 12, 31)),
    serial=st.integers(0, 999),
    coordination=st.booleans(),
    century=st.booleans(),
    separator=st.sampled_from(["-", "+", ""]),
    place=PLACES,
)
def test_every_planted_identity_number_is_caught(
    day: dt.date, serial: int, coordination: bool, century: bool, separator: str,
    place: tuple[str, str],
) -> None:
    number = identity_number(day, serial, coordination=coordination, century=century,
                             separator=separator)
    before, after = place
    text = before + number + after
    hits = scan_text(text)
    kind = PiiKind.COORDINATION_NUMBER if coordination else PiiKind.PERSONAL_IDENTITY_NUMBER
    assert [(h.kind, h.start, h.end, h.text) for h in hits] == [
        (kind, len(before), len(before) + len(number), number)
    ]


@settings(max_examples=150, deadline=None)
@given(day=st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)), serial=st.integers(0, 999),
       wrong=st.integers(1, 9))
def test_a_wrong_check_digit_is_not_flagged(day: dt.date, serial: int, wrong: int) -> None:
    number = identity_number(day, serial, coordination=False, century=True, separator="-")
    broken = number[:-1] + str((int(number[-1]) + wrong) % 10)
    assert scan_text(f"Nummer {broken} i texten") == []


def test_impossible_dates_and_organisation_numbers_are_not_flagged() -> None:
    for text in (
        "850230-1232",  # 30 February
        "851310-1234",  # month 13
        "232100-0016",  # organisation number: month 21
        "19851210-12345",  # too many digits
        "lagen (2022:913) och (2009:400), 1994-1999, 18 kap. 13 §",
    ):
        assert scan_text(text) == [], text


def test_known_valid_examples() -> None:
    hits = scan_text("Skatteverkets testnummer 19121212-1212, 121212+1212 och 7010632391; "
                     "även 121212 1212 och 121212\u20131212.")
    assert [(h.kind, h.text) for h in hits] == [
        (PiiKind.PERSONAL_IDENTITY_NUMBER, "19121212-1212"),
        (PiiKind.PERSONAL_IDENTITY_NUMBER, "121212+1212"),
        (PiiKind.COORDINATION_NUMBER, "7010632391"),
        (PiiKind.PERSONAL_IDENTITY_NUMBER, "121212 1212"),
        (PiiKind.PERSONAL_IDENTITY_NUMBER, "121212\u20131212"),
    ]


@pytest.mark.parametrize(
    "phone",
    ["070-123 45 67", "0701234567", "070 123 45 67", "+46 70 123 45 67", "+46701234567",
     "0046 70 123 45 67", "08-123 456 78", "08-12 34 56", "031-12 34 56", "(08) 123 45 67",
     "0500-12 34 56", "+46 (0)8 123 456 78", "010-123 45 67"],
)
def test_swedish_phone_numbers(phone: str) -> None:
    text = f"Ring {phone} om du har frågor."
    assert [(h.kind, h.text, h.start) for h in scan_text(text)] == [(PiiKind.PHONE, phone, 5)]


@pytest.mark.parametrize(
    "text",
    ["1177", "Ring 112 vid nödläge", "år 2023-03-31", "0,5 procent", "kl. 08.00-17.00",
     "Ko05L i Primärvårdskvalitet", "4698 tecken", "SFS 2018:858", "07 2023"],
)
def test_not_phone_numbers(text: str) -> None:
    assert scan_text(text) == []


def test_e_mail_addresses() -> None:
    text = "Skriv till anna.a-berg+gonv@region.example.se eller enkät@socialstyrelsen.se."
    hits = scan_text(text)
    assert [(h.kind, h.text) for h in hits] == [
        (PiiKind.EMAIL, "anna.a-berg+gonv@region.example.se"),
        (PiiKind.EMAIL, "enkät@socialstyrelsen.se"),
    ]
    assert PiiKind.EMAIL.label.sv == "e-postadress"


def test_highlight_segments() -> None:
    text = "Ring 070-123 45 67 eller mejla a@b.se."
    segments = highlight(text, scan_text(text))
    assert segments == [
        ("Ring ", None), ("070-123 45 67", PiiKind.PHONE), (" eller mejla ", None),
        ("a@b.se", PiiKind.EMAIL), (".", None),
    ]
    assert "".join(s for s, _ in segments) == text


def test_scan_answers_covers_text_questions_and_text_cells() -> None:
    form = read_yaml_form(
        """
settings: {form_id: p, version: '1', form_title::sv: P, respondent: region}
survey:
  - {type: text, name: a, label::sv: A}
  - {type: integer, name: n, label::sv: N}
  - {type: begin table, name: t, label::sv: T}
  - {type: text, name: note, label::sv: Anteckning}
  - {type: end table}
choices:
  t_rows:
    - {name: r1, label::sv: R1}
""".replace("begin table,", "begin table t_rows,"))
    found = scan_answers(form, {"a": "Mejla x@y.se", "n": 5,
                                "t": {"r1": {"note": "tel 08-123 456 78"}}})
    assert [(f.name, f.row, f.column, [h.kind for h in f.hits]) for f in found] == [
        ("a", None, None, [PiiKind.EMAIL]), ("t", "r1", "note", [PiiKind.PHONE]),
    ]
