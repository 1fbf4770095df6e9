"""Public-document guard: find personal data in free text before it is submitted.

Answers are public documents (allmänna handlingar), and the forms forbid personal data in free
text. :func:`scan_text` finds Swedish personal identity numbers and coordination numbers
(samordningsnummer, day + 60) with a valid date and check digit — with or without century, with
or without the ``-``/``+`` separator — e-mail addresses and Swedish phone numbers, and returns
each hit with its span so that the form can highlight it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from naravard.surveys.model import LocalText, Question, Questionnaire, QuestionType, Table


class PiiKind(StrEnum):
    """What was found."""

    PERSONAL_IDENTITY_NUMBER = "personal_identity_number"
    COORDINATION_NUMBER = "coordination_number"
    EMAIL = "email"
    PHONE = "phone"

    @property
    def label(self) -> LocalText:
        """Name of the kind in Swedish and English."""
        return _LABELS[self]


_LABELS = {
    PiiKind.PERSONAL_IDENTITY_NUMBER: LocalText("personnummer", "personal identity number"),
    PiiKind.COORDINATION_NUMBER: LocalText("samordningsnummer", "coordination number"),
    PiiKind.EMAIL: LocalText("e-postadress", "e-mail address"),
    PiiKind.PHONE: LocalText("telefonnummer", "phone number"),
}


@dataclass(frozen=True)
class PiiHit:
    """One finding: its kind and the span ``text[start:end]``."""

    kind: PiiKind
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class AnswerHits:
    """Findings in one free-text answer (or one text cell of a table)."""

    name: str
    hits: tuple[PiiHit, ...]
    row: str | None = None
    column: str | None = None


_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
_ID_RE = re.compile(
    r"(?<![\w+\-/.,:])"
    r"(?P<century>\d{2})?(?P<yy>\d{2})(?P<mm>\d{2})(?P<dd>\d{2})"
    r"(?: ?[-+\u2013\u2212] ?| )?"
    r"(?P<serial>\d{3})(?P<check>\d)"
    r"(?![\w\-/]|[.,:]\d)"
)
_PHONE_RE = re.compile(
    r"(?<![\w+\-/.,:])"
    r"(?:(?:\+|00) ?46[ \-]?(?:\(0\)[ \-]?)?|\(?0)"
    r"(?P<nsn>[1-9](?:[ \-/)]{0,2}\d){6,8})"
    r"(?![\w\-/]|[.,:]\d)"
)


def luhn_ok(digits: str) -> bool:
    """Whether ``digits`` end in a valid Luhn (mod 10) check digit."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _date_exists(century: str | None, yy: str, mm: int, dd: int) -> bool:
    years = [int(century + yy)] if century else [1900 + int(yy), 2000 + int(yy)]
    for year in years:
        try:
            dt.date(year, mm, dd)
        except ValueError:
            continue
        return True
    return False


def _identity_kind(match: re.Match[str]) -> PiiKind | None:
    century = match.group("century")
    if century is not None and century not in ("18", "19", "20"):
        return None
    mm, day = int(match.group("mm")), int(match.group("dd"))
    kind = PiiKind.PERSONAL_IDENTITY_NUMBER
    if day > 60:
        kind, day = PiiKind.COORDINATION_NUMBER, day - 60
    if not 1 <= mm <= 12 or not _date_exists(century, match.group("yy"), mm, day):
        return None
    ten = "".join(match.group(g) for g in ("yy", "mm", "dd", "serial", "check"))
    return kind if luhn_ok(ten) else None


def scan_text(text: str) -> list[PiiHit]:
    """All findings in ``text``, ordered by position; spans never overlap."""
    hits: list[PiiHit] = []

    def free(start: int, end: int) -> bool:
        return all(end <= h.start or start >= h.end for h in hits)

    for match in _EMAIL_RE.finditer(text):
        hits.append(PiiHit(PiiKind.EMAIL, match.start(), match.end(), match.group()))
    for match in _ID_RE.finditer(text):
        kind = _identity_kind(match)
        if kind is not None and free(match.start(), match.end()):
            hits.append(PiiHit(kind, match.start(), match.end(), match.group()))
    for match in _PHONE_RE.finditer(text):
        if free(match.start(), match.end()):
            hits.append(PiiHit(PiiKind.PHONE, match.start(), match.end(), match.group()))
    return sorted(hits, key=lambda h: h.start)


def highlight(text: str, hits: list[PiiHit]) -> list[tuple[str, PiiKind | None]]:
    """``text`` cut into segments, each with the kind of finding it is (or ``None``)."""
    out: list[tuple[str, PiiKind | None]] = []
    position = 0
    for hit in sorted(hits, key=lambda h: h.start):
        if hit.start > position:
            out.append((text[position:hit.start], None))
        out.append((text[hit.start:hit.end], hit.kind))
        position = hit.end
    if position < len(text):
        out.append((text[position:], None))
    return out


def scan_answers(form: Questionnaire, values: Mapping[str, object]) -> list[AnswerHits]:
    """Findings in every text answer (and text table cell) of ``values``, in form order."""
    out: list[AnswerHits] = []
    for item in form.items():
        value = values.get(item.name)
        if isinstance(item, Table) and isinstance(value, Mapping):
            text_columns = [c for c in item.columns if c.type is QuestionType.TEXT]
            for row_name, cells in value.items():
                if not isinstance(cells, Mapping):
                    continue
                for column in text_columns:
                    cell = cells.get(column.name)
                    hits = scan_text(cell) if isinstance(cell, str) else []
                    if hits:
                        out.append(AnswerHits(item.name, tuple(hits), str(row_name), column.name))
        elif isinstance(item, Question) and item.type is QuestionType.TEXT:
            hits = scan_text(value) if isinstance(value, str) else []
            if hits:
                out.append(AnswerHits(item.name, tuple(hits)))
    return out
