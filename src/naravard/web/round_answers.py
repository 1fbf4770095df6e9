"""A questionnaire round's answers per question as a printable document (PDF): every question
across the respondents' latest submitted versions, free texts in full and the respondents
counted, for the analysts who read the answers side by side instead of region by region.

The same summaries (without the free texts) are the national report's annex of answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage import survey_results as results
from naravard.storage.survey_tables import SurveyRound
from naravard.web import surveys_view
from naravard.web.i18n import gettext_for
from naravard.web.rendering import templates
from naravard.web.surveys_receipt import stockholm_time
from naravard.web.workbook_cache import kept_pdf


@dataclass(frozen=True)
class RoundAnswers:
    """A round's counted submissions (of ``report``: interim, final, or the latest of either
    when None) and every question across them."""

    survey_round: SurveyRound
    report: str | None
    answers: list[results.RespondentAnswers]
    questions: list[results.QuestionResult]


def round_answers(db: Session, survey_round: SurveyRound,
                  report: str | None = None) -> RoundAnswers:
    """Each respondent's newest submitted version (of ``report`` when given) and the results
    per question."""
    answers = results.latest_answers(db, survey_round, report)
    return RoundAnswers(survey_round, report, answers,
                        results.question_results(repo.round_form(survey_round), answers))


def helpers(lang: str) -> dict[str, Any]:
    """What the answers' macros need besides the language: the survey view's helpers and the
    summary figures' format."""
    return {"v": surveys_view, "num": lambda x: surveys_view.summary_number(x, lang),
            "local_time": stockholm_time}


def answers_html(db: Session, survey_round: SurveyRound, report: str | None, lang: str,
                 site: str, created: str) -> str:
    """The round's answers per question as a standalone HTML document for print."""
    return templates.env.get_template("surveys/results_pdf.html").render(
        _=gettext_for(lang), lang=lang, site=site, created=created,
        form=repo.round_form(survey_round), found=round_answers(db, survey_round, report),
        **helpers(lang))


def answers_pdf(db: Session, survey_round: SurveyRound, report: str | None, lang: str,
                site: str, now: dt.datetime | None = None) -> bytes:
    """The round's answers per question as PDF, kept while they stay the same."""
    return kept_pdf(f"answers-{survey_round.id}",
                    lambda _when, created: answers_html(db, survey_round, report, lang, site,
                                                        created), now)
