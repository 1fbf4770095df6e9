"""One question across rounds: every round whose questionnaire asks the question with a given
stable key, the respondents' latest submitted answers to it, and the summary of each round.

The stable key is what links a question across questionnaire versions and years; its wording
may differ between versions, so each round keeps its own label.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_results import QuestionResult, latest_answers, question_results
from naravard.storage.survey_tables import PLANNED, SurveyRound
from naravard.surveys.model import Question, Questionnaire, Table
from naravard.surveys.validation import is_empty

__all__ = ["AcrossRounds", "RoundOfKey", "across_rounds", "keys_in_several_rounds"]


@dataclass(frozen=True)
class RoundOfKey:
    """One round that asks the question: the item in its version, the summary over the latest
    submitted versions, and each respondent's answer (organisation code → stored value)."""

    round: SurveyRound
    form: Questionnaire
    item: Question | Table
    result: QuestionResult
    answers: Mapping[str, object]


@dataclass(frozen=True)
class AcrossRounds:
    """The question with ``key`` in every round that asks it, the earliest deadline first."""

    key: str
    rounds: tuple[RoundOfKey, ...]
    #: (code, name) of every organisation that answered in some round, by code.
    organisations: tuple[tuple[str, str], ...]

    @property
    def latest(self) -> RoundOfKey:
        return self.rounds[-1]

    @property
    def kind(self) -> str:
        """The latest round's kind of question (``choice``, ``number``, ``text``, ``table``,
        ``other``); a round whose version asks it differently is shown but not charted."""
        return self.latest.result.kind

    def comparable(self) -> tuple[RoundOfKey, ...]:
        """The rounds whose item is of the latest round's kind (and, for choices, lists)."""
        latest = self.latest
        out = []
        for r in self.rounds:
            if r.result.kind != self.kind:
                continue
            if self.kind == "choice" and [c.name for c in r.form.options(r.item)] != [
                    c.name for c in latest.form.options(latest.item)]:
                continue
            out.append(r)
        return tuple(out)


def _asked(session: Session) -> list[SurveyRound]:
    """The rounds opened at least once, by deadline, opening day and code."""
    return sorted((r for r in repo.list_rounds(session) if r.status != PLANNED),
                  key=lambda r: (r.deadline, r.opens_on, r.code))


def keys_in_several_rounds(session: Session) -> set[str]:
    """The stable keys asked in more than one round (opened at least once)."""
    seen: dict[str, int] = {}
    for survey_round in _asked(session):
        for item in repo.round_form(survey_round).items():
            seen[item.key] = seen.get(item.key, 0) + 1
    return {key for key, count in seen.items() if count > 1}


def across_rounds(session: Session, key: str) -> AcrossRounds | None:
    """The question with stable ``key`` in every opened round; ``None`` when none asks it."""
    rounds = []
    names: dict[str, str] = {}
    for survey_round in _asked(session):
        form = repo.round_form(survey_round)
        item = form.by_key(key)
        if item is None:
            continue
        answers = latest_answers(session, survey_round)
        [result] = [q for q in question_results(form, answers) if q.item.name == item.name]
        given = {a.organisation_code: a.values[item.name] for a in answers
                 if not is_empty(a.values.get(item.name))}
        names.update({a.organisation_code: a.organisation_name for a in answers
                      if a.organisation_code in given})
        rounds.append(RoundOfKey(survey_round, form, item, result, given))
    if not rounds:
        return None
    return AcrossRounds(key, tuple(rounds), tuple(sorted(names.items())))
