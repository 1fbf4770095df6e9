"""Store and change survey data: rounds, drafts, submissions, reopening and answer history.

Rules come from :mod:`naravard.surveys` (validation, the personal-data guard); this module
decides *when* answers may change (round status, opening date, deadlines in Europe/Stockholm),
stores what is typed exactly as typed, and writes an audit event in the same transaction as every
change. The caller passes the clock (``now``, timezone-aware) so that nothing here reads the time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.storage import audit
from naravard.storage.models import Organisation
from naravard.storage.survey_tables import (
    CLOSED,
    DRAFT,
    NOT_STARTED,
    OPEN,
    PLANNED,
    SUBMITTED,
    SurveyAnswerChange,
    SurveyResponse,
    SurveyRound,
    SurveySubmission,
)
from naravard.surveys.model import Questionnaire, RoundKind
from naravard.surveys.pii import AnswerHits, PiiHit, scan_answers
from naravard.surveys.respondents import RespondentFacts, facts_for_organisation
from naravard.surveys.validation import FieldError, ValidationResult, is_empty, to_jsonable
from naravard.surveys.validation import validate_answers as _validate
from naravard.surveys.yamlform import read_yaml_form, yaml_form_text

STOCKHOLM = ZoneInfo("Europe/Stockholm")
_CODE_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}\Z")
#: Where a submission came from: the web form, an import by staff, or the demo data set.
WEB, IMPORT, DEMO = "web", "import", "demo"


class SurveyError(ValueError):
    """A change the survey rules refuse.

    ``msgid`` is an English message with ``%(name)s`` placeholders filled from ``params`` (the web
    layer translates it); ``str()`` gives the English text.
    """

    def __init__(self, msgid: str, **params: object) -> None:
        self.msgid = msgid
        self.params = {k: str(v) for k, v in params.items()}
        super().__init__(msgid % self.params if self.params else msgid)


class SubmissionRefused(SurveyError):
    """Submission refused: the errors to correct and the personal-data findings to confirm."""

    def __init__(self, errors: Sequence[FieldError], unconfirmed: Sequence[PiiFinding]) -> None:
        self.errors = tuple(errors)
        self.unconfirmed = tuple(unconfirmed)
        super().__init__(
            "Submission refused: %(errors)s problems, %(pii)s possible personal data to confirm.",
            errors=len(self.errors), pii=len(self.unconfirmed),
        )


# --- time --------------------------------------------------------------------------------------


def aware(moment: dt.datetime) -> dt.datetime:
    """A stored time with its zone (SQLite returns UTC times without one)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def day_starts(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``, Stockholm time."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=STOCKHOLM)


def day_ends(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` in Stockholm: a deadline on ``day`` locks then."""
    return day_starts(day + dt.timedelta(days=1))


def local_day(moment: dt.datetime) -> dt.date:
    """The Stockholm calendar day of ``moment``."""
    return aware(moment).astimezone(STOCKHOLM).date()


def _utc(now: dt.datetime) -> dt.datetime:
    """``now`` in UTC, as stored (SQLite would otherwise keep the local wall time)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise SurveyError("Time %(time)s has no time zone.", time=now.isoformat())
    return now.astimezone(dt.UTC)


# --- definitions -------------------------------------------------------------------------------


_FORMS: OrderedDict[str, Questionnaire] = OrderedDict()
_FORMS_KEPT = 64


def _remember(digest: str, form: Questionnaire) -> Questionnaire:
    _FORMS[digest] = form
    _FORMS.move_to_end(digest)
    while len(_FORMS) > _FORMS_KEPT:
        _FORMS.popitem(last=False)
    return form


def round_form(survey_round: SurveyRound) -> Questionnaire:
    """The questionnaire pinned to the round (parsed once per definition, by its SHA-256)."""
    found = _FORMS.get(survey_round.definition_sha256)
    if found is not None:
        return found
    form = read_yaml_form(survey_round.definition, name=f"round {survey_round.code}")
    return _remember(survey_round.definition_sha256, form)


def report_kind(survey_round: SurveyRound, now: dt.datetime) -> RoundKind:
    """Which report an answer given at ``now`` belongs to: the interim report until the end of
    the interim deadline day, the final report after it (and always, without an interim)."""
    if survey_round.interim_deadline and now < day_ends(survey_round.interim_deadline):
        return RoundKind.INTERIM
    return RoundKind.FINAL


def due_report(response: SurveyResponse, now: dt.datetime) -> tuple[RoundKind, dt.date]:
    """The report a respondent owes at ``now`` and its last day: the interim report until the
    end of its deadline day, then the final one by the respondent's own deadline."""
    kind = report_kind(response.round, now)
    if kind is RoundKind.INTERIM and response.round.interim_deadline is not None:
        return kind, response.round.interim_deadline
    return kind, effective_deadline(response)


def reopened_since_submission(response: SurveyResponse) -> bool:
    """Whether the respondent was given a deadline of its own after its last submission (so a
    new version is expected)."""
    if response.deadline_override is None or response.reopened_at is None:
        return False
    last = max((aware(s.submitted_at) for s in response.submissions), default=None)
    return last is not None and last < aware(response.reopened_at)


def owes_report(response: SurveyResponse, now: dt.datetime) -> bool:
    """Whether the round is open and the respondent has not submitted the report now due, or
    has been reopened since it last submitted."""
    if response.round.status != OPEN:
        return False
    kind, _ = due_report(response, now)
    return (not any(s.report_kind == kind.value for s in response.submissions)
            or reopened_since_submission(response))


def facts_for(response: SurveyResponse) -> RespondentFacts | None:
    """Facts about the respondent on the round's deadline (``None`` if not in the reference)."""
    try:
        return facts_for_organisation(response.organisation_code, response.round.deadline)
    except KeyError:
        return None


def validate_draft(
    response: SurveyResponse, now: dt.datetime, *, for_submission: bool = False
) -> ValidationResult:
    """The draft checked against the round's questionnaire for the report due at ``now``."""
    return _validate(
        round_form(response.round), response.draft, facts_for(response),
        round_kind=report_kind(response.round, now), for_submission=for_submission,
    )


# --- rounds ------------------------------------------------------------------------------------


def organisations_of_kind(session: Session, kind: str, county: str | None = None) -> list[str]:
    """Codes of every organisation of ``kind`` (optionally in one county), in code order."""
    query = select(Organisation.code).where(Organisation.kind == kind)
    if county is not None:
        query = query.where(Organisation.county_code == county)
    return list(session.scalars(query.order_by(Organisation.code)))


def create_round(
    session: Session,
    form: Questionnaire,
    *,
    code: str,
    title: str,
    respondents: Sequence[str],
    opens_on: dt.date,
    deadline: dt.date,
    interim_deadline: dt.date | None = None,
    actor: str,
    now: dt.datetime,
    demo: bool = False,
) -> SurveyRound:
    """Create a round of ``form`` (pinned as a copy) for ``respondents`` (organisation codes).

    Every problem is checked before anything is stored; the round starts as ``planned``.
    """
    now = _utc(now)
    code = code.strip().lower()
    if not _CODE_RE.match(code):
        raise SurveyError("The round code %(code)s may use lower-case letters, digits and . _ - "
                          "(at most 64 characters).", code=code or "''")
    if session.scalar(select(SurveyRound.id).where(SurveyRound.code == code)) is not None:
        raise SurveyError("There is already a round %(code)s.", code=code)
    if opens_on > deadline:
        raise SurveyError("The round opens %(opens)s, after its deadline %(deadline)s.",
                          opens=opens_on, deadline=deadline)
    if interim_deadline is not None:
        if RoundKind.INTERIM not in form.settings.rounds:
            raise SurveyError("Questionnaire %(form)s has no interim report.", form=form.form_id)
        if not opens_on <= interim_deadline < deadline:
            raise SurveyError("The interim deadline %(interim)s must fall between the opening "
                              "%(opens)s and the deadline %(deadline)s.", interim=interim_deadline,
                              opens=opens_on, deadline=deadline)
    wanted = list(dict.fromkeys(c.strip() for c in respondents if c.strip()))
    if not wanted:
        raise SurveyError("Choose at least one respondent organisation.")
    kinds = dict(session.execute(
        select(Organisation.code, Organisation.kind).where(Organisation.code.in_(wanted))
    ).all())  # fmt: skip
    unknown = [c for c in wanted if c not in kinds]
    if unknown:
        raise SurveyError("Unknown organisation codes: %(codes)s.", codes=", ".join(unknown))
    kind = form.settings.respondent.value
    wrong = [c for c in wanted if kinds[c] != kind]
    if wrong:
        raise SurveyError("Questionnaire %(form)s is answered by %(kind)s, not by %(codes)s.",
                          form=form.form_id, kind=kind, codes=", ".join(wrong))
    definition = yaml_form_text(form)
    digest = hashlib.sha256(definition.encode()).hexdigest()
    _remember(digest, form)  # the text reads back to the same form (tested round trip)
    survey_round = SurveyRound(
        code=code, title=title.strip() or form.settings.title.sv, form_id=form.form_id,
        form_version=form.version, definition=definition,
        definition_sha256=digest, respondent_kind=kind,
        opens_on=opens_on, deadline=deadline, interim_deadline=interim_deadline, status=PLANNED,
        demo=demo, created_at=now, created_by=actor,
    )
    session.add(survey_round)
    session.flush()
    for org in sorted(wanted):
        session.add(SurveyResponse(round_id=survey_round.id, organisation_code=org, draft={},
                                   status=NOT_STARTED, page=1, latest_version=0,
                                   changed_since_submission=False, reopen_reason=""))
    audit.record(session, actor, "survey.round.create", "survey_round", survey_round.id, None,
                 code=code, form_id=form.form_id, form_version=form.version,
                 respondents=len(wanted), opens_on=opens_on.isoformat(),
                 deadline=deadline.isoformat(),
                 interim_deadline=interim_deadline.isoformat() if interim_deadline else None)
    session.flush()
    return survey_round


def get_round(session: Session, ident: str | int) -> SurveyRound | None:
    """A round by id or by code."""
    text = str(ident).strip()
    if text.isdigit():
        found = session.get(SurveyRound, int(text))
        if found is not None:
            return found
    return session.scalar(select(SurveyRound).where(SurveyRound.code == text.lower()))


def list_rounds(session: Session) -> list[SurveyRound]:
    """Every round, newest deadline first."""
    return list(session.scalars(
        select(SurveyRound).order_by(SurveyRound.deadline.desc(), SurveyRound.code)
    ))  # fmt: skip


def open_round(session: Session, survey_round: SurveyRound, actor: str, now: dt.datetime) -> None:
    """Open a planned or closed round for answers."""
    now = _utc(now)
    if survey_round.status == OPEN:
        raise SurveyError("Round %(code)s is already open.", code=survey_round.code)
    before = survey_round.status
    survey_round.status = OPEN
    survey_round.opened_at = now
    audit.record(session, actor, "survey.round.open", "survey_round", survey_round.id, None,
                 code=survey_round.code, previous=before)
    session.flush()


def close_round(session: Session, survey_round: SurveyRound, actor: str,
                now: dt.datetime) -> None:
    """Close an open round: no answer can change any more (it can be opened again)."""
    now = _utc(now)
    if survey_round.status != OPEN:
        raise SurveyError("Round %(code)s is not open.", code=survey_round.code)
    survey_round.status = CLOSED
    survey_round.closed_at = now
    audit.record(session, actor, "survey.round.close", "survey_round", survey_round.id, None,
                 code=survey_round.code)
    session.flush()


# --- responses and access ----------------------------------------------------------------------


def get_response(
    session: Session, response_id: int, *, lock: bool = False
) -> SurveyResponse | None:
    """A response by id (``lock``: for update, so concurrent saves never lose a change)."""
    if lock:
        return session.scalar(
            select(SurveyResponse).where(SurveyResponse.id == response_id)
            .with_for_update(of=SurveyResponse).execution_options(populate_existing=True)
        )
    return session.get(SurveyResponse, response_id)


def response_owner(session: Session, response_id: int) -> str | None:
    """The organisation that owns a response (for the route guard)."""
    return session.scalar(
        select(SurveyResponse.organisation_code).where(SurveyResponse.id == response_id)
    )


def response_for(session: Session, survey_round: SurveyRound, org: str) -> SurveyResponse | None:
    """The response of ``org`` to ``survey_round``."""
    return session.scalar(select(SurveyResponse).where(
        SurveyResponse.round_id == survey_round.id, SurveyResponse.organisation_code == org
    ))  # fmt: skip


def responses_of(session: Session, org: str) -> list[SurveyResponse]:
    """The responses an organisation is asked for in rounds that have been opened."""
    return list(session.scalars(
        select(SurveyResponse).join(SurveyRound)
        .where(SurveyResponse.organisation_code == org, SurveyRound.status != PLANNED)
        .order_by(SurveyRound.deadline.desc(), SurveyRound.code)
    ))  # fmt: skip


def organisation_name(session: Session, code: str) -> str:
    """The organisation's name (the code when unknown)."""
    return session.scalar(select(Organisation.name).where(Organisation.code == code)) or code


@dataclass(frozen=True)
class Access:
    """Whether a respondent may change its answers now, and why not."""

    editable: bool
    reason: str  # "open", "planned", "closed", "not_yet", "locked"
    deadline: dt.date
    locks_at: dt.datetime
    opens_at: dt.datetime


def effective_deadline(response: SurveyResponse) -> dt.date:
    """The respondent's deadline: its own after reopening, else the round's."""
    return response.deadline_override or response.round.deadline


def access(response: SurveyResponse, now: dt.datetime) -> Access:
    """May the respondent change answers at ``now``?"""
    r = response.round
    deadline = effective_deadline(response)
    locks_at, opens_at = day_ends(deadline), day_starts(r.opens_on)
    if r.status != OPEN:
        reason = "closed" if r.status == CLOSED else "planned"
    elif now < opens_at:
        reason = "not_yet"
    elif now >= locks_at:
        reason = "locked"
    else:
        reason = "open"
    return Access(reason == "open", reason, deadline, locks_at, opens_at)


def refuse_if_locked(response: SurveyResponse, now: dt.datetime) -> None:
    """Raise :class:`SurveyError` saying why, unless the answers can be changed at ``now``."""
    state = access(response, now)
    if state.editable:
        return
    messages = {
        "planned": "The round has not been opened yet.",
        "closed": "The round is closed; the answers can no longer be changed.",
        "not_yet": "The round opens %(day)s.",
        "locked": "The deadline %(day)s has passed; the answers are locked.",
    }
    day = state.opens_at.date() if state.reason == "not_yet" else state.deadline
    raise SurveyError(messages[state.reason], day=day.isoformat())


# --- saving ------------------------------------------------------------------------------------


def clean_value(value: object) -> object | None:
    """A raw answer as stored in a draft: blanks removed, ``None`` when nothing is left."""
    if isinstance(value, Mapping):
        rows: dict[str, object] = {}
        for row, cells in value.items():
            if isinstance(cells, Mapping):
                kept = {str(c): v for c, v in cells.items() if not is_empty(v)}
                if kept:
                    rows[str(row)] = kept
            elif not is_empty(cells):
                rows[str(row)] = cells
        return rows or None
    if isinstance(value, list | tuple):
        items = [v for v in value if not is_empty(v)]
        return items or None
    return None if is_empty(value) else value


def save_answers(
    session: Session,
    response: SurveyResponse,
    updates: Mapping[str, object],
    *,
    actor: str,
    now: dt.datetime,
    page: int | None = None,
) -> list[str]:
    """Store ``updates`` (question name → value as typed; blank removes the answer) in the draft.

    Nothing is validated here: a value that breaks a rule is kept as typed and reported by
    :func:`validate_draft`. Every changed answer is appended to the history; returns the names
    that changed. Refused when the round is not open for this respondent.
    """
    now = _utc(now)
    refuse_if_locked(response, now)
    form = round_form(response.round)
    items = {i.name: i for i in form.items()}
    unknown = sorted(set(updates) - set(items))
    if unknown:
        raise SurveyError("No question %(names)s in the questionnaire.", names=", ".join(unknown))
    draft = dict(response.draft or {})
    changed: list[str] = []
    for name, raw in updates.items():
        new = clean_value(raw)
        old = draft.get(name)
        if new == old:
            continue
        if new is None:
            draft.pop(name, None)
        else:
            draft[name] = new
        session.add(SurveyAnswerChange(
            response_id=response.id, at=now, actor=actor, name=name, key=items[name].key,
            old_value=old, new_value=new, version=response.latest_version + 1,
        ))  # fmt: skip
        changed.append(name)
    if page is not None:
        response.page = page
    if changed:
        response.draft = draft
        if response.status == NOT_STARTED:
            response.status = DRAFT
        if response.latest_version > 0:
            response.changed_since_submission = True
        response.updated_at, response.updated_by = now, actor
        audit.record(session, actor, "survey.answers.save", "survey_response", response.id,
                     response.organisation_code, round=response.round.code, changed=changed,
                     page=page)
    session.flush()
    return changed


# --- the personal-data guard -------------------------------------------------------------------


@dataclass(frozen=True)
class PiiFinding:
    """One possible piece of personal data in one answer, with a stable signature that the
    respondent's confirmation refers to."""

    name: str
    row: str | None
    column: str | None
    hit: PiiHit
    text: str

    @property
    def signature(self) -> str:
        """``name|row|column|kind|found text``."""
        return "|".join((self.name, self.row or "", self.column or "", self.hit.kind.value,
                         self.hit.text))

    def as_dict(self) -> dict[str, Any]:
        """What the submission stores about a confirmed finding."""
        return {"name": self.name, "row": self.row, "column": self.column,
                "kind": self.hit.kind.value, "text": self.hit.text}


def _answer_text(values: Mapping[str, object], hits: AnswerHits) -> str:
    value = values.get(hits.name)
    if hits.row is not None and isinstance(value, Mapping):
        cells = value.get(hits.row)
        value = cells.get(hits.column or "") if isinstance(cells, Mapping) else None
    return value if isinstance(value, str) else ""


def pii_findings(form: Questionnaire, values: Mapping[str, object]) -> list[PiiFinding]:
    """Every possible piece of personal data in the free-text answers of ``values``."""
    out: list[PiiFinding] = []
    for answer in scan_answers(form, values):
        text = _answer_text(values, answer)
        for hit in answer.hits:
            out.append(PiiFinding(answer.name, answer.row, answer.column, hit, text))
    return out


# --- submission --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptData:
    """Everything a receipt shows."""

    round_code: str
    round_title: str
    form: Questionnaire
    organisation_code: str
    organisation_name: str
    version: int
    report_kind: RoundKind
    submitted_at: dt.datetime
    submitted_by: str
    source: str
    values: Mapping[str, object]
    answered: int
    required: int
    deadline: dt.date
    on_time: bool
    answers_sha256: str
    pii_confirmations: tuple[Mapping[str, Any], ...] = field(default=())


ReceiptRenderer = Callable[[ReceiptData], bytes]


def answers_digest(values: Mapping[str, object]) -> str:
    """SHA-256 of the answers as canonical JSON (shown on the receipt)."""
    text = json.dumps(to_jsonable(values), sort_keys=True, ensure_ascii=False,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def submit(
    session: Session,
    response: SurveyResponse,
    *,
    actor: str,
    actor_name: str,
    now: dt.datetime,
    confirmed: Collection[str],
    render_receipt: ReceiptRenderer,
    source: str = WEB,
) -> SurveySubmission:
    """Submit the draft as a new version.

    Refused (:class:`SubmissionRefused`) while a required answer is missing, a rule is broken or
    a possible piece of personal data is not in ``confirmed`` (signatures of
    :class:`PiiFinding`). Imports and the demo (``source``) may leave required answers out (the
    source lost them) but never break a rule. The receipt is rendered with the stored time.
    """
    now = _utc(now)
    refuse_if_locked(response, now)
    form = round_form(response.round)
    result = validate_draft(response, now, for_submission=True)
    errors = [e for e in result.errors if source == WEB or e.code != "required"]
    values = result.submission_values()
    findings = pii_findings(form, values)
    unconfirmed = [f for f in findings if f.signature not in set(confirmed)]
    if errors or unconfirmed:
        raise SubmissionRefused(errors, unconfirmed)
    kind = report_kind(response.round, now)
    due = (response.round.interim_deadline if kind is RoundKind.INTERIM
           else response.round.deadline) or response.round.deadline
    on_time = now < day_ends(due)
    digest = answers_digest(values)
    confirmations = tuple(f.as_dict() for f in findings)
    data = ReceiptData(
        round_code=response.round.code, round_title=response.round.title, form=form,
        organisation_code=response.organisation_code,
        organisation_name=organisation_name(session, response.organisation_code),
        version=response.latest_version + 1, report_kind=kind, submitted_at=now,
        submitted_by=actor_name, source=source, values=values,
        answered=result.completeness.answered, required=result.completeness.required,
        deadline=due, on_time=on_time, answers_sha256=digest, pii_confirmations=confirmations,
    )
    pdf = render_receipt(data)
    submission = SurveySubmission(
        response_id=response.id, version=data.version, report_kind=kind.value, submitted_at=now,
        submitted_by=actor, source=source, answers=to_jsonable(values), answers_sha256=digest,
        answered=data.answered, required=data.required, deadline=due, on_time=on_time,
        pii_confirmations=[dict(c) for c in confirmations], receipt_pdf=pdf,
        receipt_sha256=hashlib.sha256(pdf).hexdigest(), mail_status="pending", mail_detail="",
    )
    session.add(submission)
    response.latest_version = data.version
    response.status = SUBMITTED
    response.changed_since_submission = False
    audit.record(session, actor, "survey.submit", "survey_response", response.id,
                 response.organisation_code, round=response.round.code, version=data.version,
                 report_kind=kind.value, on_time=on_time, source=source,
                 answered=data.answered, required=data.required, answers_sha256=digest)
    if confirmations:
        audit.record(session, actor, "survey.pii.confirm", "survey_response", response.id,
                     response.organisation_code, round=response.round.code,
                     version=data.version, confirmed=[dict(c) for c in confirmations])
    session.flush()
    return submission


#: Outcomes of the receipt e-mail.
MAIL_SENT, MAIL_NO_ADDRESS, MAIL_NO_SERVER = "sent", "no_address", "no_server"
MAIL_FAILED, MAIL_NOT_SENT = "failed", "not_sent"  # not_sent: imports and demo data


def record_mail(session: Session, submission: SurveySubmission, status: str, to: str | None,
                detail: str, actor: str) -> None:
    """Record what happened to the receipt e-mail (the submission stands whatever happened)."""
    submission.mail_status, submission.mail_to, submission.mail_detail = status, to, detail[:1000]
    response = submission.response
    audit.record(session, actor, "survey.receipt.mail", "survey_response", response.id,
                 response.organisation_code, version=submission.version, status=status, to=to,
                 detail=detail[:500])
    session.flush()


def get_submission(session: Session, response: SurveyResponse,
                   version: int) -> SurveySubmission | None:
    """One submitted version of a response."""
    return session.scalar(select(SurveySubmission).where(
        SurveySubmission.response_id == response.id, SurveySubmission.version == version
    ))  # fmt: skip


def latest_submission(session: Session, response: SurveyResponse) -> SurveySubmission | None:
    """The newest submitted version."""
    return get_submission(session, response, response.latest_version)


# --- reopening ---------------------------------------------------------------------------------


def reopen(
    session: Session,
    survey_round: SurveyRound,
    org: str,
    *,
    reason: str,
    deadline: dt.date,
    actor: str,
    now: dt.datetime,
) -> SurveyResponse:
    """Give one respondent of an open round a new deadline of its own (audited with reason)."""
    now = _utc(now)
    response = response_for(session, survey_round, org)
    if response is None:
        raise SurveyError("%(org)s is not a respondent of round %(code)s.", org=org,
                          code=survey_round.code)
    if survey_round.status != OPEN:
        raise SurveyError("Open round %(code)s before reopening a respondent.",
                          code=survey_round.code)
    if not reason.strip():
        raise SurveyError("Give the reason for reopening.")
    if day_ends(deadline) <= now:
        raise SurveyError("The new deadline %(day)s has already passed.", day=deadline)
    previous = effective_deadline(response)
    response.deadline_override = deadline
    response.reopen_reason = reason.strip()
    response.reopened_at, response.reopened_by = now, actor
    audit.record(session, actor, "survey.reopen", "survey_response", response.id, org,
                 round=survey_round.code, reason=reason.strip(), previous=previous.isoformat(),
                 deadline=deadline.isoformat())
    session.flush()
    return response


# --- history -----------------------------------------------------------------------------------


def history(session: Session, response: SurveyResponse,
            name: str | None = None) -> list[SurveyAnswerChange]:
    """Every change of the response's answers (of one question), oldest first."""
    query = select(SurveyAnswerChange).where(SurveyAnswerChange.response_id == response.id)
    if name is not None:
        query = query.where(SurveyAnswerChange.name == name)
    return list(session.scalars(query.order_by(SurveyAnswerChange.id)))


def draft_as_of(session: Session, response: SurveyResponse, moment: dt.datetime) -> dict[str, Any]:
    """The draft as it stood at ``moment``, replayed from the history."""
    draft: dict[str, Any] = {}
    for change in history(session, response):
        if aware(change.at) > moment:
            break
        if change.new_value is None:
            draft.pop(change.name, None)
        else:
            draft[change.name] = change.new_value
    return draft


def submission_as_of(session: Session, response: SurveyResponse,
                     moment: dt.datetime) -> SurveySubmission | None:
    """The submitted version that was current at ``moment``."""
    found = None
    for sub in response.submissions:
        if aware(sub.submitted_at) <= moment:
            found = sub
    return found
