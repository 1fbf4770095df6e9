"""Tables of the surveys capability: rounds, responses (drafts), submissions, answer history and
the follow-up authority's comments on submitted answers.

A round pins its questionnaire: the definition is stored as YAML text with its SHA-256, so later
edits of a form never change a round. Drafts keep the answers exactly as typed (JSON); a
submission keeps the validated answers that count (relevant ones, normalised) and its receipt.
``survey_answer_changes`` is append-only (database triggers refuse UPDATE and DELETE).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from naravard.storage.models import Base, utcnow

#: Round statuses: created → open ⇄ closed.
PLANNED, OPEN, CLOSED = "planned", "open", "closed"
#: Response statuses.
NOT_STARTED, DRAFT, SUBMITTED = "not_started", "draft", "submitted"


class SurveyRound(Base):
    """A questionnaire version sent to respondent organisations with an opening date and
    deadlines (dates; a deadline ends at midnight after that day, Europe/Stockholm)."""

    __tablename__ = "survey_rounds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    form_id: Mapped[str] = mapped_column(String(100), index=True)
    form_version: Mapped[str] = mapped_column(String(50))
    definition: Mapped[str] = mapped_column(Text)
    definition_sha256: Mapped[str] = mapped_column(String(64))
    respondent_kind: Mapped[str] = mapped_column(String(16))
    opens_on: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    interim_deadline: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=PLANNED)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    responses: Mapped[list[SurveyResponse]] = relationship(
        back_populates="round", order_by="SurveyResponse.organisation_code"
    )


class SurveyResponse(Base):
    """One respondent organisation's answers to a round: the draft as typed, its status, and a
    deadline of its own when an analyst has reopened it."""

    __tablename__ = "survey_responses"
    __table_args__ = (UniqueConstraint("round_id", "organisation_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_rounds.id"), index=True)
    organisation_code: Mapped[str] = mapped_column(
        ForeignKey("organisations.code"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=NOT_STARTED)
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    page: Mapped[int] = mapped_column(Integer, default=1)
    latest_version: Mapped[int] = mapped_column(Integer, default=0)
    changed_since_submission: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[str | None] = mapped_column(String(100))
    deadline_override: Mapped[dt.date | None] = mapped_column(Date)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    reopened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_by: Mapped[str | None] = mapped_column(String(100))

    round: Mapped[SurveyRound] = relationship(back_populates="responses", lazy="joined")
    submissions: Mapped[list[SurveySubmission]] = relationship(
        back_populates="response", order_by="SurveySubmission.version"
    )
    comments: Mapped[list[SurveyComment]] = relationship(
        back_populates="response", order_by="SurveyComment.id"
    )


class SurveySubmission(Base):
    """One submitted version: the answers that count, the receipt, the personal-data
    confirmations and what happened to the receipt e-mail. Versions are never changed."""

    __tablename__ = "survey_submissions"
    __table_args__ = (UniqueConstraint("response_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    report_kind: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    submitted_by: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="web")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    answers_sha256: Mapped[str] = mapped_column(String(64))
    answered: Mapped[int] = mapped_column(Integer)
    required: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[dt.date] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean)
    pii_confirmations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    receipt_pdf: Mapped[bytes] = mapped_column(LargeBinary)
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    mail_status: Mapped[str] = mapped_column(String(16), default="pending")
    mail_to: Mapped[str | None] = mapped_column(String(254))
    mail_detail: Mapped[str] = mapped_column(String(1000), default="")

    response: Mapped[SurveyResponse] = relationship(back_populates="submissions")


class SurveyAnswerChange(Base):
    """Append-only history of every answer: who changed which question when, from what to what,
    and the submission version the change belongs to (the next one)."""

    __tablename__ = "survey_answer_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    version: Mapped[int] = mapped_column(Integer)


class SurveyComment(Base):
    """The follow-up authority's comment on one question of a submitted version, sent back with
    the response for correction, and the respondent's reply. The comment itself is never
    changed; it is answered by the first version submitted after the one it comments on."""

    __tablename__ = "survey_comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"), index=True)
    #: The submitted version commented on.
    version: Mapped[int] = mapped_column(Integer)
    #: The question's or table's name in the round's questionnaire.
    name: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    reply: Mapped[str] = mapped_column(Text, default="")
    replied_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    replied_by: Mapped[str | None] = mapped_column(String(100))

    response: Mapped[SurveyResponse] = relationship(back_populates="comments")
