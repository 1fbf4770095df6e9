"""Cross-checks: a figure a region reports in a questionnaire beside the register-based value.

Which questions are compared with which indicator, and the threshold above which a difference
is flagged, are versioned settings in ``crosscheck.yaml`` (each threshold with its evidence tag
and a note). The comparison itself is here; reading the answers and the published values is the
storage layer's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from naravard.indicators.catalogue import Catalogue, shipped_catalogue
from naravard.indicators.kinds import EVIDENCE
from naravard.indicators.text import DefinitionError, Reader, Text

#: How a questionnaire answer stands: a number, "cannot be estimated", or no answer at all.
ANSWERED, CANNOT_ESTIMATE, NOT_ANSWERED = "answered", "cannot_estimate", "not_answered"


@dataclass(frozen=True)
class CrossCheck:
    """One question compared with one indicator variant and period, for regions."""

    id: str
    title: Text
    indicator: str
    variant: str
    period: str
    form_id: str
    question: str
    threshold: float
    evidence: str
    note: str


@dataclass(frozen=True)
class CrossCheckSettings:
    """The versioned set of cross-checks."""

    version: str
    checks: tuple[CrossCheck, ...]

    def for_indicator(self, indicator: str) -> tuple[CrossCheck, ...]:
        """The checks of one indicator."""
        return tuple(c for c in self.checks if c.indicator == indicator)


def parse_settings(source: str, data: Mapping[str, Any], catalogue: Catalogue
                   ) -> CrossCheckSettings:
    """Settings from a parsed YAML mapping, checked against the catalogue."""
    r = Reader(source, data)
    r.only({"version", "checks"})
    raw = r.raw("checks")
    if not isinstance(raw, list):
        raise r.fail("checks", "must be a list")
    checks: list[CrossCheck] = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict):
            raise r.fail(f"checks[{i}]", "must be a mapping")
        c = Reader(source, item, f"checks[{i}]")
        c.only({"id", "title", "indicator", "variant", "period", "form_id", "question",
                "threshold"})
        t = c.sub("threshold")
        t.only({"value", "evidence", "note"})
        value = t.raw("value")
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            raise t.fail("value", "must be a number of at least 0")
        try:
            definition = catalogue.definition(c.string("indicator"))
        except KeyError as exc:
            raise c.fail("indicator", str(exc.args[0])) from None
        variant = c.string("variant")
        if variant not in {v.id for v in definition.variants}:
            raise c.fail("variant", f"{definition.id} has no variant {variant!r}")
        if "region" not in definition.areas:
            raise c.fail("indicator", f"{definition.id} has no values for regions")
        checks.append(CrossCheck(
            id=c.string("id"), title=c.text("title"), indicator=definition.id, variant=variant,
            period=c.string("period"), form_id=c.string("form_id"),
            question=c.string("question"), threshold=float(value),
            evidence=t.choice("evidence", EVIDENCE), note=t.string("note"),
        ))  # fmt: skip
    ids = [c.id for c in checks]
    if len(set(ids)) != len(ids):
        raise r.fail("checks", "ids must be unique")
    return CrossCheckSettings(r.string("version"), tuple(checks))


@cache
def shipped_crosschecks() -> CrossCheckSettings:
    """The shipped cross-checks (``naravard/indicators/crosscheck.yaml``)."""
    text = files("naravard.indicators").joinpath("crosscheck.yaml").read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    if not isinstance(loaded, dict):
        raise DefinitionError("crosscheck.yaml: the file must hold a mapping")
    return parse_settings("crosscheck.yaml", loaded, shipped_catalogue())


def read_answer(value: object) -> tuple[str, Decimal | None]:
    """A stored answer as (status, number): answers are stored as decimal text."""
    if value is None or value == "":
        return NOT_ANSWERED, None
    if value == "cannot_estimate":
        return CANNOT_ESTIMATE, None
    if isinstance(value, bool):
        return NOT_ANSWERED, None
    try:
        return ANSWERED, Decimal(str(value).replace(",", ".").strip())
    except InvalidOperation:
        return NOT_ANSWERED, None


@dataclass(frozen=True)
class Comparison:
    """A reported figure beside the register value; ``difference`` = reported − register."""

    area_code: str
    answer: str
    reported: Decimal | None
    register: float | None
    register_status: str
    difference: float | None
    flagged: bool


def compare(area_code: str, answer: object, register: float | None, register_status: str,
            threshold: float) -> Comparison:
    """Compare one region's answer with its published register value.

    Only two numbers can differ: a masked, missing or too-few register value, or an answer
    that is not a number, gives no difference and no flag. A difference is flagged when its
    size is *more* than the threshold.
    """
    status, reported = read_answer(answer)
    if reported is None or register is None or register_status != "ok":
        return Comparison(area_code, status, reported, register, register_status, None, False)
    difference = reported - Decimal(repr(register))  # exact: 60.0 − 55.0 is not above 5
    return Comparison(area_code, status, reported, register, register_status,
                      float(difference), abs(difference) > Decimal(repr(threshold)))
