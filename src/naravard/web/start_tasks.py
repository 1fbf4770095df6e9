"""What the start page lists for each role: what is due next, and what is late.

A respondent sees its organisation's questionnaires that still wait for a report and what its
funds ask of it (money still to requisition, the financial report, repayments, reclaim cases,
conditions for next year's money) or await (its requisitions not yet decided or paid), and an
RSS its municipalities' submissions; an analyst the open questionnaire rounds and how far they
have come, and the answers that differ from the register; a grant officer, per
agreement, the requisitions to decide or pay, the late items, the reclaim cases to decide and
the lines not yet frozen. Each task links to the page where it is done; late tasks come first,
then the rest by deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial

from sqlalchemy.orm import Session

from naravard.funding.deadlines import Deadline, is_overdue
from naravard.funding.eligibility import Eligibility
from naravard.funding.reports import ReclaimStatus
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.crosscheck import shipped_crosschecks
from naravard.indicators.disclosure import shipped_rule
from naravard.storage import funding_overview as overview
from naravard.storage import funding_repo, survey_repo
from naravard.storage.indicator_crosscheck import cross_check
from naravard.storage.survey_comments import open_comments
from naravard.storage.survey_results import member_view
from naravard.storage.survey_status import round_counts
from naravard.storage.survey_tables import OPEN
from naravard.surveys.model import RoundKind
from naravard.web.funding_reminders import reports_due

__all__ = ["Task", "analyst_tasks", "crosscheck_tasks", "fund_tasks", "grant_officer_tasks",
           "grouped", "member_tasks", "ordered", "questionnaire_tasks"]


@dataclass(frozen=True)
class Task:
    """One thing to do or to follow, for the start page.

    ``kind`` says which sentence the page gives; ``title`` names the questionnaire, round or
    agreement; ``day`` is the deadline (``None`` when there is none) and ``late`` whether it has
    passed with the task still undone. ``amount_sek``, ``count`` and ``total`` are the figures
    the sentence needs (``count`` the days late of a reclaim case), ``status`` a stored status
    shown beside it.
    """

    kind: str
    href: str
    title: str
    day: dt.date | None
    late: bool = False
    amount_sek: int = 0
    count: int = 0
    total: int = 0
    status: str = ""
    detail: str = ""
    #: Why a respondent was reopened after submitting (a new version is expected).
    reason: str = ""
    #: The day a round opens for answers, while it has not yet.
    opens: dt.date | None = None
    #: The page of the task's group (its agreement); the sentence itself links ``href`` where
    #: that differs.
    home: str = ""
    #: Whether the report due is the interim one.
    interim: bool = False
    #: The number of a requisition.
    number: int = 0


def ordered(tasks: list[Task]) -> list[Task]:
    """Late tasks first, then by deadline (none last), then by title."""
    return sorted(tasks, key=lambda t: (not t.late, t.day or dt.date.max, t.title, t.kind))


def _urgent_first(groups: list[list[Task]]) -> list[Task]:
    """The groups (each already ordered) with those holding a late task first, then by their
    earliest deadline; otherwise in the order given."""
    def key(group: list[Task]) -> tuple[bool, dt.date]:
        return (not any(t.late for t in group),
                min((t.day for t in group if t.day is not None), default=dt.date.max))
    return [t for group in sorted(groups, key=key) for t in group]


def grouped(tasks: list[Task]) -> list[list[Task]]:
    """Consecutive tasks of the same title (an agreement) as one group each, in order."""
    groups: list[list[Task]] = []
    for task in tasks:
        if groups and groups[-1][0].title == task.title:
            groups[-1].append(task)
        else:
            groups.append([task])
    return groups


def questionnaire_tasks(db: Session, code: str, now: dt.datetime, lang: str) -> list[Task]:
    """The questionnaires of open rounds for which ``code`` has not yet submitted the report
    now due (the interim report until its deadline has passed, then the final one), or which
    were reopened for it after it submitted."""
    out = []
    for response in survey_repo.responses_of(db, code):
        if not survey_repo.owes_report(response, now):
            continue
        kind, day = survey_repo.due_report(response, now)
        state = survey_repo.access(response, now)
        title = survey_repo.round_form(response.round).settings.title.get(lang)
        reopened = survey_repo.reopened_since_submission(response)
        out.append(Task(
            "questionnaire", f"/surveys/responses/{response.id}", title, day,
            late=state.reason == "locked", status=response.status, detail=response.round.title,
            interim=kind is RoundKind.INTERIM,
            reason=(response.reopen_reason or "") if reopened else "",
            count=len(open_comments(response)) if reopened else 0,
            opens=state.opens_at.date() if state.reason == "not_yet" else None,
        ))
    return ordered(out)


def member_tasks(db: Session, code: str, now: dt.datetime, lang: str) -> list[Task]:
    """For an RSS: each open round of its own whose form adds up its municipalities' answers,
    with how many of the municipalities have submitted to the municipal round (late once that
    round's deadline has passed with some missing)."""
    out = []
    for response in survey_repo.responses_of(db, code):
        if response.round.status != OPEN:
            continue
        members = member_view(db, response)
        if members is None:
            continue
        source = members.source
        title = survey_repo.round_form(source).settings.title.get(lang)
        done, total = len(members.submitted), len(members.municipalities)
        late = now >= survey_repo.day_ends(source.deadline) and done < total
        out.append(Task("members", f"/surveys/responses/{response.id}/municipalities", title,
                        source.deadline, late=late, count=done, total=total,
                        detail=source.title))
    return ordered(out)


def _day(deadline: Deadline | None) -> dt.date | None:
    return None if deadline is None else deadline.effective_day


def fund_tasks(db: Session, code: str, now: dt.datetime) -> list[Task]:
    """What ``code``'s funds ask of it at ``now``, under every stored agreement (each
    agreement's tasks together, late first, then by deadline; the agreements with something
    late first, then by their nearest deadline)."""
    found: list[list[Task]] = []
    for v in overview.recipient_view(db, code, now):
        out: list[Task] = []
        name = v.agreement.name
        href = f"/funding/org/{code}#agr-{v.agreement.code}"
        task = partial(Task, title=name, home=href)
        remaining = sum(li.remaining_sek for li in v.lines)
        if v.requisition_open and remaining > 0:
            out.append(task("requisition", href, day=_day(v.requisition_deadline),
                            amount_sek=remaining))
        if v.report is None and v.paid_sek > 0:
            late = v.report_deadline is not None and is_overdue(now, v.report_deadline)
            out.append(task("financial_report", href, day=_day(v.report_deadline), late=late,
                            amount_sek=v.paid_sek))
        if v.repayment is not None and v.repayment.outstanding_sek > 0:
            out.append(task("repayment", href, day=v.repayment.obligation.deadline.effective_day,
                            late=v.repayment.overdue, amount_sek=v.repayment.outstanding_sek))
        for r in v.requisitions:  # the recipient's own, waiting for the grant officer
            if r.status in (funding_repo.SUBMITTED, funding_repo.APPROVED):
                out.append(task(f"requisition_{r.status}", f"/funding/requisitions/{r.id}",
                                day=None, amount_sek=r.amount_sek, number=r.id, status=r.status))
        for case in v.reclaims:
            if case.status == ReclaimStatus.TO_DECIDE.value:
                out.append(task("reclaim", href, day=case.deadline, count=case.days_late,
                                status=case.status))
        for e in v.eligibility:
            if e.status is Eligibility.PENDING:
                out.append(task("condition", href, day=e.deadline,
                                detail=f"{e.condition_id} ({e.duty_id})"))
        found.append(ordered(out))
    return _urgent_first(found)


def analyst_tasks(db: Session, now: dt.datetime) -> list[Task]:
    """The open rounds: how many respondents have submitted, by the next deadline."""
    counts = round_counts(db)
    out = []
    for survey_round in survey_repo.list_rounds(db):
        if survey_round.status != OPEN:
            continue
        total, done = counts.get(survey_round.id, (0, 0))
        kind = survey_repo.report_kind(survey_round, now)
        day = (survey_round.interim_deadline
               if kind is RoundKind.INTERIM and survey_round.interim_deadline is not None
               else survey_round.deadline)
        late = now >= survey_repo.day_ends(survey_round.deadline)
        out.append(Task("round", f"/surveys/rounds/{survey_round.id}", survey_round.title, day,
                        late=late and done < total, count=done, total=total,
                        detail=survey_round.code))
    return ordered(out)


def crosscheck_tasks(db: Session, lang: str) -> list[Task]:
    """Each cross-check that has submitted answers to compare: how many regions' answers differ
    from the register by more than its threshold (``detail`` names them), of those compared."""
    out = []
    for check in shipped_crosschecks().checks:
        result = cross_check(db, check, shipped_catalogue(), shipped_rule())
        if not result.rows:
            continue
        flagged = [r.reported.organisation_name for r in result.rows if r.comparison.flagged]
        compared = sum(1 for r in result.rows if r.comparison.difference is not None)
        out.append(Task("crosscheck", f"/indicators/{check.indicator}#h-crosscheck",
                        check.title.get(lang), None, late=bool(flagged), count=len(flagged),
                        total=compared, detail=", ".join(flagged)))
    return out


def grant_officer_tasks(db: Session, now: dt.datetime) -> list[Task]:
    """Per agreement: requisitions to decide and to pay, financial reports awaited before
    their deadline, late items, reclaim cases to decide, lines whose allocation is not yet
    frozen (grouped and ordered as :func:`fund_tasks`). Late items are counted by recipient;
    each task links to its part of the agreement's page."""
    found: list[list[Task]] = []
    for stored in funding_repo.list_agreements(db):
        out: list[Task] = []
        page = f"/funding/agreements/{stored.code}"
        task = partial(Task, title=stored.name, home=page)
        reqs = overview.requisitions_of(db, stored.code)
        for status, kind in ((funding_repo.SUBMITTED, "to_decide"),
                             (funding_repo.APPROVED, "to_pay")):
            mine = [r for r in reqs if r.status == status]
            if mine:
                out.append(task(kind, f"{page}#requisitions", day=None, count=len(mine),
                                amount_sek=sum(r.amount_sek for r in mine)))
        cases = [c for c in overview.reclaim_cases(db, stored.code)
                 if c.status == ReclaimStatus.TO_DECIDE.value]
        if cases:
            out.append(task("reclaims", f"{page}#reclaims", day=min(c.deadline for c in cases),
                            count=len(cases)))
        awaited = [d for d in reports_due(db, stored.code, now) if not d.late]
        if awaited:
            out.append(task("reports_awaited", f"{page}#report-reminders",
                            day=min(d.deadline for d in awaited), count=len(awaited)))
        late = overview.late_items(db, stored.code, now)
        if late:
            out.append(task("late_items", f"{page}#late", day=min(i.deadline for i in late),
                            late=True, count=len({i.recipient_code for i in late})))
        unfrozen = sum(1 for li in stored.lines if funding_repo.current_run(db, li.id) is None)
        if unfrozen:
            out.append(task("unfrozen", f"{page}#lines", day=None, count=unfrozen,
                            total=len(stored.lines)))
        found.append(ordered(out))
    return _urgent_first(found)
