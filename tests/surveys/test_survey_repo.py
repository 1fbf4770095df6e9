"""Rounds, drafts, submissions, reopening and answer history in the database (both engines)."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.models import AuditEvent
from naravard.storage.survey_tables import SurveyAnswerChange, SurveySubmission
from naravard.surveys.model import RoundKind
from naravard.surveys.yamlform import read_yaml_form
from tests.surveys.rounds import (
    AFTER,
    COMPLETE,
    CREATED,
    DEADLINE,
    DURING,
    FINAL_PHASE,
    at,
    fake_receipt,
    make_round,
    response,
    small_form,
)


def actions(session: Session) -> list[str]:
    return [e.action for e in session.scalars(
        select(AuditEvent).where(AuditEvent.action.like("survey.%")).order_by(AuditEvent.id))]


def submit(session: Session, resp: object, now: object, confirmed: tuple[str, ...] = (),
           source: str = repo.WEB) -> SurveySubmission:
    return repo.submit(session, resp, actor="respondent", actor_name="Respondent",  # type: ignore[arg-type]
                       now=now, confirmed=confirmed, render_receipt=fake_receipt,  # type: ignore[arg-type]
                       source=source)


# --- rounds ------------------------------------------------------------------------------------


def test_round_pins_a_copy_of_the_definition(session: Session) -> None:
    r = make_round(session)
    session.commit()
    assert (r.code, r.form_id, r.form_version, r.status) \
        == ("test-2024", "test-region", "1", "open")
    assert repo.round_form(r) == small_form()
    assert read_yaml_form(r.definition, name="x") == small_form()
    assert [x.organisation_code for x in r.responses] == ["13", "20"]
    assert {x.status for x in r.responses} == {"not_started"}
    assert actions(session) == ["survey.round.create", "survey.round.open"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"respondents": ("13", "99")}, "Unknown organisation codes: 99."),
        ({"respondents": ("13", "1384")},
         "Questionnaire test-region is answered by region, not by 1384."),
        ({"respondents": ()}, "Choose at least one respondent organisation."),
        ({"code": "Bad code!"}, "The round code bad code! may use lower-case letters"),
        ({"opens_on": "2025-04-01"}, "The round opens 2025-04-01, after its deadline 2025-03-31."),
        ({"interim_deadline": "2025-03-31"},
         "The interim deadline 2025-03-31 must fall between the opening 2024-01-15 and the "
         "deadline 2025-03-31."),
    ],
)
def test_round_creation_refuses_bad_input(session: Session, change: dict[str, object],
                                          message: str) -> None:
    import datetime as dt

    args: dict[str, object] = {
        "code": "x", "title": "X", "respondents": ("13",), "opens_on": dt.date(2024, 1, 15),
        "deadline": DEADLINE, "interim_deadline": None, "actor": "analyst", "now": CREATED,
    }
    for key, value in change.items():
        args[key] = dt.date.fromisoformat(value) if key in ("opens_on", "interim_deadline") \
            else value
    with pytest.raises(repo.SurveyError) as err:
        repo.create_round(session, small_form(), **args)  # type: ignore[arg-type]
    assert str(err.value).startswith(message)


def test_interim_needs_a_form_with_an_interim_report(session: Session) -> None:
    import datetime as dt

    form = small_form()
    final_only = dataclasses.replace(
        form, settings=dataclasses.replace(form.settings, rounds=(RoundKind.FINAL,)))
    with pytest.raises(repo.SurveyError, match="has no interim report"):
        repo.create_round(session, final_only, code="x", title="", respondents=["13"],
                          opens_on=dt.date(2024, 1, 1), deadline=DEADLINE,
                          interim_deadline=dt.date(2024, 9, 30), actor="a", now=CREATED)


def test_duplicate_code_and_state_changes(session: Session) -> None:
    r = make_round(session, open_it=False)
    with pytest.raises(repo.SurveyError, match="There is already a round test-2024"):
        make_round(session, open_it=False)
    with pytest.raises(repo.SurveyError, match="is not open"):
        repo.close_round(session, r, "analyst", CREATED)
    repo.open_round(session, r, "analyst", CREATED)
    with pytest.raises(repo.SurveyError, match="already open"):
        repo.open_round(session, r, "analyst", CREATED)
    repo.close_round(session, r, "analyst", CREATED)
    assert r.status == "closed"
    assert repo.get_round(session, "TEST-2024") is r
    assert repo.get_round(session, str(r.id)) is r


# --- access and saving -------------------------------------------------------------------------


def test_access_follows_status_opening_and_deadline(session: Session) -> None:
    r = make_round(session, open_it=False)
    resp = response(session, r)
    assert repo.access(resp, DURING).reason == "planned"
    repo.open_round(session, r, "analyst", CREATED)
    assert repo.access(resp, at("2024-01-14", "23:59")).reason == "not_yet"
    assert repo.access(resp, at("2024-01-15", "00:00")).editable
    assert repo.access(resp, at("2025-03-31", "23:59")).editable
    assert repo.access(resp, AFTER).reason == "locked"
    with pytest.raises(repo.SurveyError, match="The deadline 2025-03-31 has passed"):
        repo.save_answers(session, resp, {"plan": "ja"}, actor="respondent", now=AFTER)
    repo.close_round(session, r, "analyst", DURING)
    with pytest.raises(repo.SurveyError, match="The round is closed"):
        repo.save_answers(session, resp, {"plan": "ja"}, actor="respondent", now=DURING)


def test_save_keeps_what_was_typed_and_records_every_change(session: Session) -> None:
    r = make_round(session)
    resp = response(session, r)
    changed = repo.save_answers(
        session, resp, {"plan": "ja", "staff": "tolv", "share": "58,4", "comment": "  ",
                        "grid": {"r01": {"count": "3"}, "r02": {"count": ""}}},
        actor="respondent", now=DURING, page=1)
    session.commit()
    assert changed == ["plan", "staff", "share", "grid"]
    assert resp.draft == {"plan": "ja", "staff": "tolv", "share": "58,4",
                          "grid": {"r01": {"count": "3"}}}
    assert resp.status == "draft"
    result = repo.validate_draft(resp, DURING)
    assert [(e.name, e.code) for e in result.errors] == [("staff", "integer")]
    assert result.values["share"] == __import__("decimal").Decimal("58.4")
    # unchanged answers write nothing; a blank removes the answer
    assert repo.save_answers(session, resp, {"plan": "ja", "staff": ""}, actor="respondent",
                             now=at("2024-02-02")) == ["staff"]
    assert "staff" not in resp.draft
    rows = [(c.name, c.key, c.old_value, c.new_value, c.version)
            for c in repo.history(session, resp)]
    assert rows == [
        ("plan", "test.plan", None, "ja", 1),
        ("staff", "test.staff", None, "tolv", 1),
        ("share", "test.share", None, "58,4", 1),
        ("grid", "test.grid", None, {"r01": {"count": "3"}}, 1),
        ("staff", "test.staff", "tolv", None, 1),
    ]
    assert actions(session)[-2:] == ["survey.answers.save", "survey.answers.save"]
    with pytest.raises(repo.SurveyError, match="No question nope"):
        repo.save_answers(session, resp, {"nope": "1"}, actor="respondent", now=DURING)


def test_history_is_append_only(session: Session) -> None:
    r = make_round(session)
    resp = response(session, r)
    repo.save_answers(session, resp, {"plan": "ja"}, actor="respondent", now=DURING)
    session.commit()
    for statement in ("UPDATE survey_answer_changes SET actor = 'x'",
                      "DELETE FROM survey_answer_changes"):
        with pytest.raises(DBAPIError):
            session.execute(text(statement))
        session.rollback()
    assert session.scalar(select(SurveyAnswerChange.actor)) == "respondent"


def test_conditional_answer_is_kept_but_not_submitted(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, {**COMPLETE, "plan": "nej"}, actor="respondent",
                      now=DURING)
    result = repo.validate_draft(resp, DURING, for_submission=True)
    assert "plan_text" not in result.relevant
    assert resp.draft["plan_text"] == "En plan för 2024."
    sub = submit(session, resp, DURING)
    assert "plan_text" not in sub.answers
    assert sub.answers["plan"] == "nej"


# --- submission --------------------------------------------------------------------------------


def test_submission_is_refused_while_required_answers_are_missing(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, {"plan": "ja", "staff": "600"}, actor="respondent",
                      now=DURING)
    with pytest.raises(repo.SubmissionRefused) as err:
        submit(session, resp, DURING)
    problems = [(e.name, e.code, e.row) for e in err.value.errors]
    assert problems == [("staff", "max", None), ("plan_text", "required", None),
                        ("areas", "required", None), ("grid", "required", "r01"),
                        ("grid", "required", "r02"), ("final_only", "required", None)]
    assert resp.latest_version == 0
    assert session.scalar(select(SurveySubmission.id)) is None


def test_submit_versions_and_receipt(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, COMPLETE, actor="respondent", now=DURING)
    first = submit(session, resp, DURING)
    session.commit()
    assert (first.version, first.report_kind, first.on_time, first.answered, first.required) \
        == (1, "final", True, 6, 6)
    assert first.receipt_pdf == b"%PDF-test 13 v1"
    assert first.answers == {
        "plan": "ja", "plan_text": "En plan för 2024.", "staff": 12, "areas": ["o1", "o3"],
        "share": "58.4", "grid": {"r01": {"count": 3}, "r02": {"count": 0}},
        "final_only": "Fler mobila team.",
    }
    assert first.answers_sha256 == repo.answers_digest(first.answers)
    assert (resp.status, resp.latest_version, resp.changed_since_submission) \
        == ("submitted", 1, False)
    repo.save_answers(session, resp, {"staff": "14"}, actor="respondent", now=at("2024-03-01"))
    assert resp.changed_since_submission
    assert repo.history(session, resp, "staff")[-1].version == 2
    second = submit(session, resp, at("2024-03-01"))
    session.commit()
    assert [s.version for s in resp.submissions] == [1, 2]
    assert (first.answers["staff"], second.answers["staff"]) == (12, 14)
    assert repo.get_submission(session, resp, 1) is first
    assert repo.latest_submission(session, resp) is second
    assert actions(session)[-1] == "survey.submit"


def test_interim_then_final_report(session: Session) -> None:
    r = make_round(session)
    resp = response(session, r)
    answers = {k: v for k, v in COMPLETE.items() if k != "final_only"}
    repo.save_answers(session, resp, answers, actor="respondent", now=DURING)
    interim = submit(session, resp, DURING)
    assert (interim.report_kind, interim.deadline.isoformat(), interim.on_time) \
        == ("interim", "2024-09-30", True)
    assert "final_only" not in repo.validate_draft(resp, DURING).relevant
    # after the interim deadline the final-only question is asked
    with pytest.raises(repo.SubmissionRefused) as err:
        submit(session, resp, FINAL_PHASE)
    assert [e.name for e in err.value.errors] == ["final_only"]
    repo.save_answers(session, resp, {"final_only": "Resultat."}, actor="respondent",
                      now=FINAL_PHASE)
    final = submit(session, resp, FINAL_PHASE)
    assert (final.version, final.report_kind, final.deadline.isoformat()) \
        == (2, "final", "2025-03-31")


def test_personal_data_must_be_confirmed(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, {**COMPLETE, "comment": "Ring 070-123 45 67 eller "
                                                             "skriv till anna@example.se."},
                      actor="respondent", now=DURING)
    with pytest.raises(repo.SubmissionRefused) as err:
        submit(session, resp, DURING)
    signatures = [f.signature for f in err.value.unconfirmed]
    assert signatures == ["comment|||phone|070-123 45 67", "comment|||email|anna@example.se"]
    assert err.value.errors == ()
    with pytest.raises(repo.SubmissionRefused):
        submit(session, resp, DURING, confirmed=signatures[:1])
    sub = submit(session, resp, DURING, confirmed=signatures)
    session.commit()
    assert sub.pii_confirmations == [
        {"name": "comment", "row": None, "column": None, "kind": "phone",
         "text": "070-123 45 67"},
        {"name": "comment", "row": None, "column": None, "kind": "email",
         "text": "anna@example.se"},
    ]
    assert actions(session)[-2:] == ["survey.submit", "survey.pii.confirm"]


def test_import_may_leave_required_answers_out_but_never_break_rules(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, {"plan": "nej", "share": "101"}, actor="analyst",
                      now=DURING)
    with pytest.raises(repo.SubmissionRefused) as err:
        submit(session, resp, DURING, source=repo.DEMO)
    assert [(e.name, e.code) for e in err.value.errors] == [("share", "max")]
    repo.save_answers(session, resp, {"share": "10"}, actor="analyst", now=DURING)
    sub = submit(session, resp, DURING, source=repo.DEMO)
    assert (sub.source, sub.answered, sub.required) == ("demo", 1, 5)


def test_mail_outcome_is_recorded(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, COMPLETE, actor="respondent", now=DURING)
    sub = submit(session, resp, DURING)
    repo.record_mail(session, sub, repo.MAIL_FAILED, "a@example.se", "connection refused",
                     "respondent")
    session.commit()
    assert (sub.mail_status, sub.mail_to, sub.mail_detail) \
        == ("failed", "a@example.se", "connection refused")
    assert actions(session)[-1] == "survey.receipt.mail"


# --- deadlines and reopening -------------------------------------------------------------------


def test_reopen_one_respondent_after_the_deadline(session: Session) -> None:
    import datetime as dt

    r = make_round(session, interim=False)
    halland, dalarna = response(session, r, "13"), response(session, r, "20")
    repo.save_answers(session, halland, COMPLETE, actor="respondent", now=DURING)
    with pytest.raises(repo.SurveyError, match="Give the reason"):
        repo.reopen(session, r, "13", reason=" ", deadline=dt.date(2025, 4, 10), actor="analyst",
                    now=AFTER)
    with pytest.raises(repo.SurveyError, match="already passed"):
        repo.reopen(session, r, "13", reason="x", deadline=dt.date(2025, 3, 31),
                    actor="analyst", now=AFTER)
    with pytest.raises(repo.SurveyError, match="not a respondent"):
        repo.reopen(session, r, "01", reason="x", deadline=dt.date(2025, 4, 10),
                    actor="analyst", now=AFTER)
    repo.reopen(session, r, "13", reason="Sjukdom i regionens kansli",
                deadline=dt.date(2025, 4, 10), actor="analyst", now=AFTER)
    session.commit()
    assert repo.access(halland, AFTER).editable
    assert not repo.access(dalarna, AFTER).editable
    late = submit(session, halland, at("2025-04-03"))
    assert (late.on_time, late.deadline.isoformat()) == (False, "2025-03-31")
    assert not repo.access(halland, at("2025-04-11", "00:00")).editable
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "survey.reopen")).one()
    assert (event.actor, event.organisation_code, event.details["reason"],
            event.details["previous"], event.details["deadline"]) \
        == ("analyst", "13", "Sjukdom i regionens kansli", "2025-03-31", "2025-04-10")
    repo.close_round(session, r, "analyst", at("2025-04-04"))
    with pytest.raises(repo.SurveyError, match="Open round test-2024 before reopening"):
        repo.reopen(session, r, "20", reason="x", deadline=dt.date(2025, 5, 1), actor="analyst",
                    now=at("2025-04-04"))


# --- reconstruction ----------------------------------------------------------------------------


def test_answers_as_of_any_time(session: Session) -> None:
    r = make_round(session, interim=False)
    resp = response(session, r)
    repo.save_answers(session, resp, COMPLETE, actor="respondent", now=at("2024-02-01"))
    submit(session, resp, at("2024-02-01", "11:00"))
    repo.save_answers(session, resp, {"staff": "20", "comment": "Ny"}, actor="respondent",
                      now=at("2024-02-05"))
    submit(session, resp, at("2024-02-06"))
    session.commit()
    assert repo.draft_as_of(session, resp, at("2024-01-31")) == {}
    assert repo.draft_as_of(session, resp, at("2024-02-03")) == COMPLETE
    assert repo.draft_as_of(session, resp, at("2024-02-05", "12:00")) \
        == {**COMPLETE, "staff": "20", "comment": "Ny"}
    assert repo.submission_as_of(session, resp, at("2024-02-01", "10:30")) is None
    first = repo.submission_as_of(session, resp, at("2024-02-05", "12:00"))
    assert first is not None and first.version == 1 and first.answers["staff"] == 12
    second = repo.submission_as_of(session, resp, at("2024-03-01"))
    assert second is not None and second.version == 2


def test_naive_times_are_refused(session: Session) -> None:
    import datetime as dt

    r = make_round(session)
    with pytest.raises(repo.SurveyError, match="has no time zone"):
        repo.save_answers(session, response(session, r), {"plan": "ja"}, actor="x",
                          now=dt.datetime(2024, 2, 1, 10))
