"""Read what regions reported in questionnaires and compare it with published register values.

Answers are read through the survey storage's public functions (submitted versions only, never
drafts); register values through :func:`naravard.storage.indicator_repo.published`, so a masked
value is never compared (and so never leaked through a difference).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from naravard.indicators.catalogue import Catalogue
from naravard.indicators.crosscheck import Comparison, CrossCheck, compare
from naravard.indicators.disclosure import DisclosureRule
from naravard.storage import indicator_repo, survey_repo
from naravard.storage.survey_results import latest_answers
from naravard.surveys.model import LocalText


@dataclass(frozen=True)
class Reported:
    """One region's newest submitted answer to the question."""

    organisation_code: str
    organisation_name: str
    value: object
    round_code: str
    version: int
    submitted_at: dt.datetime


@dataclass(frozen=True)
class Question:
    """The question as the newest round with the form asks it."""

    form_id: str
    number: str
    label: LocalText
    round_code: str


def reported_answers(session: Session, check: CrossCheck, today: dt.date | None = None
                     ) -> tuple[Question | None, dict[str, Reported]]:
    """The question and each respondent's answer to it (by organisation): the newest submitted
    in a round whose deadline has passed, else the newest in a round still running.

    A finished round's submissions are the follow-up's answers; a later round of the same form
    (a practice round, say) that is still running does not replace them.
    """
    today = today or dt.datetime.now(survey_repo.STOCKHOLM).date()
    rounds = [r for r in survey_repo.list_rounds(session) if r.form_id == check.form_id]
    question: Question | None = None
    best: dict[str, tuple[tuple[bool, dt.datetime], Reported]] = {}  # (finished, submitted)
    for survey_round in reversed(rounds):  # oldest deadline first: newer answers win
        form = survey_repo.round_form(survey_round)
        item = form.by_key(check.question)
        if item is None:
            continue
        question = Question(check.form_id, getattr(item, "number", ""), item.label,
                            survey_round.code)
        for answers in latest_answers(session, survey_round):
            found = Reported(answers.organisation_code, answers.organisation_name,
                             answers.values.get(item.name), survey_round.code, answers.version,
                             answers.submitted_at)
            rank = (survey_round.deadline < today, found.submitted_at)
            earlier = best.get(found.organisation_code)
            if earlier is None or rank >= earlier[0]:
                best[found.organisation_code] = (rank, found)
    return question, {code: found for code, (_, found) in best.items()}


@dataclass(frozen=True)
class CrossCheckRow:
    """A region's answer beside its register value."""

    reported: Reported
    comparison: Comparison


@dataclass(frozen=True)
class CrossCheckResult:
    """One cross-check for every region that submitted the questionnaire."""

    check: CrossCheck
    question: Question | None
    rows: tuple[CrossCheckRow, ...]
    has_results: bool


def cross_check(session: Session, check: CrossCheck, catalogue: Catalogue, rule: DisclosureRule,
                region: str | None = None) -> CrossCheckResult:
    """Compare the answers (of ``region`` only, when given) with the published region values."""
    question, answers = reported_answers(session, check)
    results = indicator_repo.published(session, check.indicator, catalogue, rule,
                                       variant=check.variant, periods=[check.period],
                                       levels=["region"])
    values = {} if results is None else {
        r["area_code"]: r for r in results.rows
        if r["area_level"] == "region" and r["sex"] == "T"}
    rows = []
    for code in sorted(answers):
        if region is not None and code != region:
            continue
        found = values.get(code)
        comparison = compare(code, answers[code].value,
                             None if found is None else found["value"],
                             "missing" if found is None else found["status"], check.threshold)
        rows.append(CrossCheckRow(answers[code], comparison))
    return CrossCheckResult(check, question, tuple(rows), results is not None)
