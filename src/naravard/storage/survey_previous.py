"""Answers from an earlier round: a respondent fills its draft with what it submitted before.

Questions are matched by their stable key (the same key means the same question across
questionnaire versions and years) and their kind: a question's type must be the same, a choice
must still be offered, a table's rows and columns must still exist. Only questions the draft has
not answered are filled — nothing the respondent typed is changed — and each filled answer goes
through the answer history like a typed one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from naravard.storage import audit
from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyResponse, SurveySubmission
from naravard.surveys.expressions import CANNOT_ESTIMATE
from naravard.surveys.model import Question, Questionnaire, Table
from naravard.surveys.validation import is_empty

__all__ = ["Earlier", "carried_answers", "earlier_responses", "fill_from"]


@dataclass(frozen=True)
class Earlier:
    """An earlier response of the same organisation whose latest version can fill the draft."""

    response: SurveyResponse
    submission: SurveySubmission
    #: How many of its answers match a question of the current questionnaire.
    matching: int


def _typed(q: Question, value: object) -> object:
    """A stored answer as a respondent would type it (decimal comma for numbers)."""
    if q.type.is_numeric and value != CANNOT_ESTIMATE and not isinstance(value, bool):
        return str(value).replace(".", ",")
    return value


def _choices(target: Questionnaire, q: Question, value: object) -> object | None:
    offered = {c.name for c in target.options(q)}
    if isinstance(value, list | tuple):
        kept = [v for v in value if v in offered]
        return kept or None
    return value if value in offered else None


def _table(target: Questionnaire, t: Table, source: Table, value: object) -> object | None:
    if not isinstance(value, Mapping):
        return None
    rows = {c.name for c in target.options(t)}
    columns = {c.name: c for c in t.columns
               if (s := source.column(c.name)) is not None and s.type is c.type}
    out: dict[str, dict[str, object]] = {}
    for row, cells in value.items():
        if row not in rows or not isinstance(cells, Mapping):
            continue
        kept = {name: _typed(columns[name], v) for name, v in cells.items()
                if name in columns and not is_empty(v)}
        if kept:
            out[str(row)] = kept
    return out or None


def carried_answers(target: Questionnaire, source: Questionnaire,
                    answers: Mapping[str, object]) -> dict[str, object]:  # fmt: skip
    """The answers of ``source`` that fit ``target``: target item name → value as typed."""
    out: dict[str, object] = {}
    for name, value in answers.items():
        before = source.item(name)
        now = target.by_key(before.key) if before is not None else None
        if before is None or now is None or is_empty(value):
            continue
        carried: object | None
        if isinstance(now, Table) or isinstance(before, Table):
            carried = (_table(target, now, before, value)
                       if isinstance(now, Table) and isinstance(before, Table) else None)
        elif now.type is not before.type:
            carried = None
        elif now.type.is_select:
            carried = _choices(target, now, value)
        else:
            carried = _typed(now, value)
        if carried is not None:
            out[now.name] = carried
    return out


def earlier_responses(session: Session, response: SurveyResponse) -> list[Earlier]:
    """The organisation's other responses with a submitted version, to respondents of the same
    kind, whose answers match at least one question; the latest round first."""
    target = repo.round_form(response.round)
    out = []
    for other in repo.responses_of(session, response.organisation_code):
        if (other.id == response.id or not other.submissions
                or other.round.respondent_kind != response.round.respondent_kind):
            continue
        latest = other.submissions[-1]
        matching = carried_answers(target, repo.round_form(other.round), latest.answers)
        if matching:
            out.append(Earlier(other, latest, len(matching)))
    return out


def fill_from(session: Session, response: SurveyResponse, source: SurveyResponse, *, actor: str,
              now: dt.datetime) -> tuple[list[str], list[str]]:  # fmt: skip
    """Fill the draft's unanswered questions with the matching answers of ``source``'s latest
    version; returns (the names filled, the names left as they were because answered).

    Refused when the answers cannot be changed now or ``source`` is not an earlier response of
    the same organisation."""
    repo.refuse_if_locked(response, now)
    found = next((e for e in earlier_responses(session, response)
                  if e.response.id == source.id), None)
    if found is None:
        raise repo.SurveyError("Choose one of the earlier rounds listed.")
    carried = carried_answers(repo.round_form(response.round), repo.round_form(source.round),
                              found.submission.answers)
    draft = response.draft or {}
    fill = {name: value for name, value in carried.items() if is_empty(draft.get(name))}
    kept = sorted(set(carried) - set(fill))
    repo.save_answers(session, response, fill, actor=actor, now=now)
    audit.record(session, actor, "survey.answers.fill", "survey_response", response.id,
                 response.organisation_code, round=response.round.code,
                 source_round=source.round.code, source_version=found.submission.version,
                 filled=sorted(fill), kept=kept)
    session.flush()
    return sorted(fill), kept
