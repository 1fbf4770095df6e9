"""The surveys demo step: rounds with Halland's submitted answers, a draft, a late report
returned for correction and answered."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_comments import answered_by
from naravard.storage.survey_status import round_status
from naravard.web.surveys_demo import survey_demo
from tests.surveys.rounds import at
from tests.surveys.test_survey_web import text_of

Client = Callable[[str | None], TestClient]


def test_demo_rounds(session: Session) -> None:
    summary = survey_demo(session)
    session.commit()
    assert summary.startswith("Questionnaire rounds: 2023 regions (Halland submitted")
    assert survey_demo(session) == "Questionnaire rounds: already present."
    rounds = {r.code: r for r in repo.list_rounds(session)}
    assert set(rounds) == {"2023-region", "2023-rss", "2023-kommuner", "2021-region",
                           "ovning-2023-region"}
    assert all(r.demo and r.status == "open" for r in rounds.values())
    status = round_status(session, rounds["2023-region"], at("2024-05-01"))
    f = status.final
    assert (f.expected, f.submitted, f.on_time, f.late, f.missing) == (21, 2, 1, 1, 19)
    rows = {r.organisation_code: r for r in status.rows}
    assert (rows["13"].answered, rows["13"].required, rows["13"].final.on_time) == (46, 67, True)
    assert rows["17"].final.on_time is False and rows["17"].reopened
    assert rows["20"].status == "draft" and not rows["20"].from_submission
    halland = repo.response_for(session, rounds["2023-region"], "13")
    assert halland is not None
    sub = repo.latest_submission(session, halland)
    assert sub is not None and sub.source == "demo" and sub.receipt_pdf.startswith(b"%PDF")
    assert sub.mail_status == "not_sent"
    assert repo.aware(sub.submitted_at).isoformat() == "2024-03-28T09:15:00+00:00"
    rss = round_status(session, rounds["2023-rss"], at("2024-05-01"))
    assert (rss.final.submitted, rss.final.on_time) == (1, 1)
    assert rounds["2021-region"].interim_deadline is not None
    assert rounds["2021-region"].interim_deadline.isoformat() == "2021-09-30"
    varmland = repo.response_for(session, rounds["2023-region"], "17")
    assert varmland is not None and varmland.latest_version == 2
    [note] = varmland.comments
    assert (note.name, note.version, note.reply.startswith("Ja. Andelen")) == ("r22", 1, True)
    assert [(a.before, a.changed) for a in answered_by(varmland, 2)] == [("48.5", False)]
    assert varmland.submissions[1].answers["r22_comment"].startswith("Andelen är räknad")


def test_demo_return_reads_in_swedish(client_as: Client, session: Session) -> None:
    survey_demo(session)
    session.commit()
    varmland = repo.response_for(session, repo.get_round(session, "2023-region"), "17")
    assert varmland is not None
    page = text_of(client_as("analyst").get(
        f"/surveys/responses/{varmland.id}/submissions/2").text)
    assert ("Svar före Svar nu 22. Hur stor andel av befolkningen i regionen hade en fast "
            "namngiven läkarkontakt den 31 december 2023? Andelen 48,5 % ligger långt") in page
    assert "frågan. 48,5 % oförändrat" in page  # the thin space collapsed
