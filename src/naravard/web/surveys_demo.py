"""The surveys part of ``naravard demo``: rounds marked as demo data.

* ``2023-region`` and ``2023-rss`` (deadline 2024-03-31): Region Halland's and RSS Halland's
  legible answers from the printed committee paper (``naravard.surveys.demo``) submitted on time;
  Region Dalarna with a partial draft; Region Värmland reopened and submitted late, then returned
  for correction with a comment on question 22, replied to and answered by version 2;
* ``2023-kommuner``: the municipal questions for Halland's six municipalities (no answers: the
  sources hold none), which the RSS form summarises;
* ``2021-region``: the 2021 reporting structure with an interim (2021-09-30) and a final
  (2022-03-31) report;
* ``ovning-2023-region``: a practice round of the 2023 region questionnaire, open for 90 days
  from the day the demo is loaded, so that the demo users can answer and submit.

Past events are stored with their historical times. The step is idempotent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from naravard.storage import survey_comments as comments
from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.catalog import find_form, shipped_forms
from naravard.surveys.demo import demo_answer_sets
from naravard.surveys.model import Questionnaire
from naravard.web.surveys_receipt import renderer

#: Answers to choice questions that Dalarna's draft and Värmland's late report borrow.
PARTIAL = ("r2", "r7", "r8", "r11", "r13", "r14")
#: Example figures in Värmland's late answers (invented, like the rest of its answers), so that
#: the register cross-check has reported numbers to compare: Halland's own figures for these
#: questions were lost in the printed paper the Halland answers come from.
EXAMPLE_FIGURES = {"r22": "48,5", "r24": "92,0", "r25": "0,410"}
#: The follow-up authority's question about Värmland's share (an example), its reply and the
#: comment added to the answers in version 2.
VARMLAND_COMMENT = ("Andelen 48,5 % ligger långt från registrets värde för regionen. Avser den "
                    "hela befolkningen den 31 december 2023?")
VARMLAND_REPLY = ("Ja. Andelen är räknad på hela befolkningen ur vår listningsstatistik; vi har "
                  "förklarat skillnaden i kommentaren till frågan.")
VARMLAND_NOTE = ("Andelen är räknad ur regionens listningssystem på hela befolkningen; den som "
                 "har en namngiven sjuksköterska räknas inte. Exempeltext.")
HALLAND_MUNICIPALITIES = ("1315", "1380", "1381", "1382", "1383", "1384")


def _at(day: str, clock: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=repo.STOCKHOLM)


def _form(form_id: str) -> Questionnaire:
    return find_form(list(shipped_forms()), form_id).form


def _round(session: Session, form_id: str, code: str, title: str, respondents: list[str],
           opens: str, deadline: str, interim: str | None = None,
           now: dt.datetime | None = None) -> SurveyRound:  # fmt: skip
    created = now or _at(opens) - dt.timedelta(days=5)
    survey_round = repo.create_round(
        session, _form(form_id), code=code, title=title, respondents=respondents,
        opens_on=dt.date.fromisoformat(opens), deadline=dt.date.fromisoformat(deadline),
        interim_deadline=dt.date.fromisoformat(interim) if interim else None, actor="demo",
        now=created, demo=True)
    repo.open_round(session, survey_round, "demo", created)
    return survey_round


def _answer(session: Session, survey_round: SurveyRound, org: str, answers: dict[str, object],
            actor: str, saved: dt.datetime, submitted: dt.datetime | None) -> None:  # fmt: skip
    response = repo.response_for(session, survey_round, org)
    assert response is not None
    repo.save_answers(session, response, answers, actor=actor, now=saved)
    if submitted is not None:
        name = "Demo: " + repo.organisation_name(session, org)
        submission = repo.submit(session, response, actor=actor, actor_name=name, now=submitted,
                                 confirmed=(), render_receipt=renderer("sv"), source=repo.DEMO)
        repo.record_mail(session, submission, repo.MAIL_NOT_SENT, None, "demo data", "demo")


def _returned(session: Session, region_2023: SurveyRound) -> None:
    """Värmland's late version returned for correction with a comment on question 22 (its
    share differs from the register's), replied to and answered by version 2."""
    comments.return_for_correction(
        session, region_2023, "17", {"r22": VARMLAND_COMMENT},
        reason="Kontrollfråga om andelen med fast läkarkontakt (exempel)",
        deadline=dt.date(2024, 4, 30), actor="demo", now=_at("2024-04-15", "11:20"))
    response = repo.response_for(session, region_2023, "17")
    assert response is not None
    [comment] = comments.open_comments(response)
    comments.save_replies(session, response, {comment.id: VARMLAND_REPLY}, actor="demo",
                          now=_at("2024-04-22", "09:30"))
    _answer(session, region_2023, "17", {"r22_comment": VARMLAND_NOTE}, "demo",
            _at("2024-04-22", "09:35"), _at("2024-04-22", "09:40"))


def survey_demo(session: Session) -> str:
    """Add the demo rounds (once); returns a one-line summary."""
    if repo.get_round(session, "2023-region") is not None:
        return "Questionnaire rounds: already present."
    regions = repo.organisations_of_kind(session, "region")
    sets = {s.form_id: s for s in demo_answer_sets()}
    region_2023 = _round(session, "gonv-2023-region", "2023-region",
                         "Uppföljning 2023, regioner (exempeldata)", regions, "2024-01-15",
                         "2024-03-31")
    halland = dict(sets["gonv-2023-region"].answers)
    _answer(session, region_2023, "13", halland, "halland", _at("2024-03-20"),
            _at("2024-03-28", "10:15"))
    partial = {k: halland[k] for k in PARTIAL if k in halland}
    _answer(session, region_2023, "20", partial, "dalarna", _at("2024-03-12", "14:30"), None)
    repo.reopen(session, region_2023, "17", reason="Anstånd efter begäran (exempel)",
                deadline=dt.date(2024, 4, 12), actor="demo", now=_at("2024-04-02", "09:00"))
    _answer(session, region_2023, "17", {**partial, **EXAMPLE_FIGURES}, "demo", _at("2024-04-05"),
            _at("2024-04-08", "16:40"))
    _returned(session, region_2023)
    rss_2023 = _round(session, "gonv-2023-rss", "2023-rss",
                      "Uppföljning 2023, RSS (exempeldata)",
                      repo.organisations_of_kind(session, "rss"), "2024-01-15", "2024-03-31")
    _answer(session, rss_2023, "RSS13", dict(sets["gonv-2023-rss"].answers), "rss-halland",
            _at("2024-03-18"), _at("2024-03-27", "13:05"))
    _round(session, "gonv-2023-municipality", "2023-kommuner",
           "Kommunfrågor 2023 via RSS Halland (exempel)", list(HALLAND_MUNICIPALITIES),
           "2024-01-15", "2024-03-31")
    _round(session, "gonv-2021-region", "2021-region",
           "Redovisning 2021, regioner (exempel)", regions, "2021-06-01", "2022-03-31",
           interim="2021-09-30")
    today = dt.datetime.now(repo.STOCKHOLM).date()
    _round(session, "gonv-2023-region", "ovning-2023-region",
           "Övningsomgång: regionenkät 2023 (exempel)", regions, today.isoformat(),
           (today + dt.timedelta(days=90)).isoformat(), now=dt.datetime.now(dt.UTC))
    session.flush()
    return ("Questionnaire rounds: 2023 regions (Halland submitted, Dalarna draft, Värmland "
            "late and returned for correction), 2023 RSS (Halland submitted), 2023 municipal "
            "questions, 2021 regions (interim and final), a practice round open for 90 days.")
