"""Return for correction: the follow-up authority comments on questions of a submitted version
and reopens the respondent; the respondent replies beside each question and submits a new version.

A comment is never changed or removed once sent. It is *open* while no version has been
submitted after the one it comments on, and *answered* by the first version submitted after it;
the respondent's reply can be changed while the comment is open and the answers editable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from naravard.storage import audit
from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyComment, SurveyResponse, SurveyRound

__all__ = ["MAX_CHARS", "CommentChange", "answered_by", "is_open", "open_comments",
           "return_for_correction", "save_replies", "unanswered"]

#: The longest comment or reply accepted.
MAX_CHARS = 4000


@dataclass(frozen=True)
class CommentChange:
    """How the answer to a commented question changed in the version that answered it."""

    comment: SurveyComment
    before: Any
    after: Any

    @property
    def changed(self) -> bool:
        return bool(self.before != self.after)


def is_open(comment: SurveyComment) -> bool:
    """Whether no version has been submitted after the one the comment is on."""
    return comment.response.latest_version <= comment.version


def open_comments(response: SurveyResponse) -> list[SurveyComment]:
    """The response's comments still awaiting a new version, oldest first."""
    return [c for c in response.comments if is_open(c)]


def unanswered(response: SurveyResponse) -> list[SurveyComment]:
    """The open comments without a reply."""
    return [c for c in open_comments(response) if not c.reply.strip()]


def answered_by(response: SurveyResponse, version: int) -> list[CommentChange]:
    """The comments version ``version`` answered (those on the version before it), each with
    the question's answer before and after."""
    subs = {s.version: s for s in response.submissions}
    after = subs.get(version)
    before = subs.get(version - 1)
    if after is None or before is None:
        return []
    return [CommentChange(c, before.answers.get(c.name), after.answers.get(c.name))
            for c in response.comments if c.version == version - 1]


def return_for_correction(
    session: Session,
    survey_round: SurveyRound,
    org: str,
    comments: Mapping[str, str],
    *,
    reason: str,
    deadline: dt.date,
    actor: str,
    now: dt.datetime,
) -> list[SurveyComment]:
    """Reopen ``org``'s submitted response with a new deadline and the reason, and send
    comments on named questions of its latest version (blank comments are left out).

    Refused, with nothing stored, when the respondent has submitted nothing, no comment is
    given, a question is not
    in the round's questionnaire, a comment is too long, or the reopening is refused."""
    response = repo.response_for(session, survey_round, org)
    if response is None:
        raise repo.SurveyError("%(org)s is not a respondent of round %(code)s.", org=org,
                               code=survey_round.code)
    if response.latest_version == 0:
        raise repo.SurveyError("%(org)s has submitted nothing to return for correction.",
                               org=org)
    texts = {name: text.strip() for name, text in comments.items() if text.strip()}
    if not texts:
        raise repo.SurveyError("Write a comment on at least one question.")
    form = repo.round_form(survey_round)
    unknown = sorted(n for n in texts if form.item(n) is None)
    if unknown:
        raise repo.SurveyError("No question %(names)s in the questionnaire.",
                               names=", ".join(unknown))
    if any(len(t) > MAX_CHARS for t in texts.values()):
        raise repo.SurveyError("A comment can be at most %(n)s characters.", n=MAX_CHARS)
    repo.reopen(session, survey_round, org, reason=reason, deadline=deadline, actor=actor,
                now=now)
    at = now.astimezone(dt.UTC)
    made = [SurveyComment(response_id=response.id, version=response.latest_version, name=name,
                          text=text, created_at=at, created_by=actor, reply="")
            for name, text in texts.items()]
    session.add_all(made)
    audit.record(session, actor, "survey.return", "survey_response", response.id, org,
                 round=survey_round.code, version=response.latest_version,
                 questions=sorted(texts), deadline=deadline.isoformat())
    session.flush()
    session.refresh(response, ["comments"])
    return made


def save_replies(session: Session, response: SurveyResponse, replies: Mapping[int, str], *,
                 actor: str, now: dt.datetime) -> list[int]:
    """Store the respondent's replies to its open comments (id → text as typed; blank removes
    the reply); returns the ids whose reply changed.

    Refused, with nothing stored, when the answers cannot be changed now, an id is not an open
    comment of this response, or a reply is too long."""
    repo.refuse_if_locked(response, now)
    mine = {c.id: c for c in open_comments(response)}
    if any(i not in mine for i in replies):
        raise repo.SurveyError("A comment replied to is not open for a reply.")
    if any(len(t.strip()) > MAX_CHARS for t in replies.values()):
        raise repo.SurveyError("A reply can be at most %(n)s characters.", n=MAX_CHARS)
    changed = []
    at = now.astimezone(dt.UTC)
    for cid, text in replies.items():
        comment = mine[cid]
        if text.strip() == comment.reply:
            continue
        comment.reply = text.strip()
        comment.replied_at, comment.replied_by = at, actor
        changed.append(cid)
    if changed:
        audit.record(session, actor, "survey.comment.reply", "survey_response", response.id,
                     response.organisation_code, round=response.round.code, comments=changed)
    session.flush()
    return changed
