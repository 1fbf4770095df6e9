"""Completeness and timeliness of a round: who was asked, who submitted, on time or late, and
how much of each questionnaire is answered (required items answered ÷ required items)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload

from naravard.reference.organisations import county_names
from naravard.storage.models import Organisation
from naravard.storage.survey_comments import open_comments
from naravard.storage.survey_repo import access, aware, effective_deadline, validate_draft
from naravard.storage.survey_tables import SurveyResponse, SurveyRound, SurveySubmission
from naravard.surveys.model import RoundKind


def percent(part: int, whole: int) -> Decimal | None:
    """``part / whole`` as a percentage with one decimal (``None`` when ``whole`` is 0)."""
    if whole == 0:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ReportStatus:
    """One respondent's report of one kind (interim or final)."""

    first_submitted_at: dt.datetime | None
    last_submitted_at: dt.datetime | None
    versions: int
    on_time: bool | None  # None: not submitted

    @property
    def submitted(self) -> bool:
        """Whether any version was submitted."""
        return self.first_submitted_at is not None


@dataclass(frozen=True)
class RespondentStatus:
    """One row of the completeness table."""

    response_id: int
    organisation_code: str
    organisation_name: str
    county_code: str | None
    status: str
    final: ReportStatus
    interim: ReportStatus | None
    answered: int
    required: int
    from_submission: bool
    deadline: dt.date
    reopened: bool
    reopen_reason: str
    editable: bool
    changed_since_submission: bool
    #: Comments of a return for correction that await a new version.
    open_comments: int = 0

    @property
    def completeness(self) -> Decimal | None:
        """Share of required items answered, in per cent."""
        return percent(self.answered, self.required)


@dataclass(frozen=True)
class Counts:
    """Expected, submitted, on time, late and missing reports of one kind."""

    expected: int
    submitted: int
    on_time: int
    late: int

    @property
    def missing(self) -> int:
        """Expected but not submitted."""
        return self.expected - self.submitted

    @property
    def submitted_percent(self) -> Decimal | None:
        """Submitted ÷ expected in per cent."""
        return percent(self.submitted, self.expected)


@dataclass(frozen=True)
class RoundStatus:
    """A round's completeness and timeliness."""

    survey_round: SurveyRound
    rows: tuple[RespondentStatus, ...]
    final: Counts
    interim: Counts | None

    @property
    def mean_completeness(self) -> Decimal | None:
        """Required items answered over all respondents ÷ required items, in per cent."""
        return percent(sum(r.answered for r in self.rows), sum(r.required for r in self.rows))


@dataclass(frozen=True)
class CountyCounts:
    """The final reports of one county's respondents."""

    county_code: str
    county_name: str
    counts: Counts


def by_county(status: RoundStatus) -> list[CountyCounts]:
    """Expected, submitted, on time and late final reports per county, in county code order
    (respondents without a county left out)."""
    names = county_names()
    codes = sorted({r.county_code for r in status.rows if r.county_code is not None})
    return [CountyCounts(code, names.get(code, code),
                         _counts([r.final for r in status.rows if r.county_code == code]))
            for code in codes]


def _report(subs: list[SurveySubmission]) -> ReportStatus:
    if not subs:
        return ReportStatus(None, None, 0, None)
    return ReportStatus(aware(subs[0].submitted_at), aware(subs[-1].submitted_at), len(subs),
                        subs[0].on_time)


def _counts(reports: list[ReportStatus]) -> Counts:
    submitted = [r for r in reports if r.submitted]
    return Counts(len(reports), len(submitted), sum(1 for r in submitted if r.on_time),
                  sum(1 for r in submitted if not r.on_time))


def round_status(session: Session, survey_round: SurveyRound, now: dt.datetime) -> RoundStatus:
    """Completeness and timeliness of every respondent of ``survey_round`` at ``now``.

    A report is on time when its first version arrived before the end of the deadline day
    (Europe/Stockholm; the round's deadline, not a reopened respondent's own). Item completeness
    comes from the latest submission, or from the draft when nothing is submitted yet.
    """
    responses = list(session.scalars(
        select(SurveyResponse).where(SurveyResponse.round_id == survey_round.id)
        .options(selectinload(SurveyResponse.submissions),
                 selectinload(SurveyResponse.comments))
        .order_by(SurveyResponse.organisation_code)
    ))  # fmt: skip
    orgs = {o.code: o for o in session.scalars(select(Organisation).where(
        Organisation.code.in_([r.organisation_code for r in responses])))}  # fmt: skip
    with_interim = survey_round.interim_deadline is not None
    rows = []
    for response in responses:
        subs = sorted(response.submissions, key=lambda s: s.version)
        final = _report([s for s in subs if s.report_kind == RoundKind.FINAL.value])
        interim = (_report([s for s in subs if s.report_kind == RoundKind.INTERIM.value])
                   if with_interim else None)
        if subs:
            answered, required, from_submission = subs[-1].answered, subs[-1].required, True
        else:
            result = validate_draft(response, now).completeness
            answered, required, from_submission = result.answered, result.required, False
        org = orgs.get(response.organisation_code)
        rows.append(RespondentStatus(
            response_id=response.id, organisation_code=response.organisation_code,
            organisation_name=org.name if org else response.organisation_code,
            county_code=org.county_code if org else None, status=response.status,
            final=final, interim=interim, answered=answered, required=required,
            from_submission=from_submission, deadline=effective_deadline(response),
            reopened=response.deadline_override is not None,
            reopen_reason=response.reopen_reason, editable=access(response, now).editable,
            changed_since_submission=response.changed_since_submission,
            open_comments=len(open_comments(response)),
        ))  # fmt: skip
    interim_counts = (_counts([r.interim for r in rows if r.interim is not None])
                      if with_interim else None)
    return RoundStatus(survey_round, tuple(rows), _counts([r.final for r in rows]),
                       interim_counts)


def round_counts(session: Session) -> dict[int, tuple[int, int]]:
    """Round id → (respondents, respondents with a submitted version), for round lists."""
    rows = session.execute(
        select(SurveyResponse.round_id, func.count(),
               func.sum(case((SurveyResponse.latest_version > 0, 1), else_=0)))
        .group_by(SurveyResponse.round_id)
    )  # fmt: skip
    return {rid: (int(total), int(done or 0)) for rid, total, done in rows}


def first_submissions(
    session: Session, due: dt.date, respondent_kind: str
) -> dict[str, dt.datetime]:
    """Organisation code → its first submission to any round of ``respondent_kind`` whose
    interim or final deadline is ``due`` (interim submissions for an interim deadline).

    This is how the funding side checks a condition such as "interim report submitted by
    30 September" against the questionnaire rounds.
    """
    found: dict[str, dt.datetime] = {}
    rounds = session.scalars(
        select(SurveyRound).where(
            SurveyRound.respondent_kind == respondent_kind,
            (SurveyRound.interim_deadline == due) | (SurveyRound.deadline == due),
        )
    )
    for survey_round in rounds:
        kind = (RoundKind.INTERIM.value if survey_round.interim_deadline == due
                else RoundKind.FINAL.value)
        rows = session.execute(
            select(SurveyResponse.organisation_code, func.min(SurveySubmission.submitted_at))
            .join(SurveySubmission, SurveySubmission.response_id == SurveyResponse.id)
            .where(SurveyResponse.round_id == survey_round.id,
                   SurveySubmission.report_kind == kind)
            .group_by(SurveyResponse.organisation_code)
        )
        for code, at in rows:
            at = aware(at)
            if code not in found or at < found[code]:
                found[code] = at
    return found
