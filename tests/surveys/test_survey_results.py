"""Completeness and timeliness, results per question, exports and the RSS's municipal view."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage import survey_results as results
from naravard.storage.survey_status import round_status
from naravard.surveys.catalog import find_form, shipped_forms
from tests.surveys.rounds import COMPLETE, DURING, at, fake_receipt, make_round, response

STOCKHOLM_ANSWERS = {
    "plan": "nej", "staff": "20", "areas": ["o1"], "share": "10",
    "grid": {"r01": {"count": "5"}, "r02": {"count": "1"}}, "final_only": "=SUM(A1)",
}


def _submit(session: Session, resp: object, now: dt.datetime) -> None:
    repo.submit(session, resp, actor="u", actor_name="U", now=now, confirmed=(),  # type: ignore[arg-type]
                render_receipt=fake_receipt)


def three_respondents(session: Session) -> object:
    r = make_round(session, ("01", "13", "20"), interim=False)
    halland, dalarna, stockholm = (response(session, r, c) for c in ("13", "20", "01"))
    repo.save_answers(session, halland, COMPLETE, actor="u", now=DURING)
    _submit(session, halland, DURING)
    repo.save_answers(session, dalarna, {"plan": "nej", "staff": "5"}, actor="u", now=DURING)
    repo.save_answers(session, stockholm, STOCKHOLM_ANSWERS, actor="u", now=DURING)
    repo.reopen(session, r, "01", reason="Sent", deadline=dt.date(2025, 4, 10), actor="a",
                now=at("2025-04-02"))
    _submit(session, stockholm, at("2025-04-03"))
    session.commit()
    return r


def test_completeness_and_timeliness(session: Session) -> None:
    r = three_respondents(session)
    status = round_status(session, r, at("2025-04-05"))  # type: ignore[arg-type]
    f = status.final
    assert (f.expected, f.submitted, f.on_time, f.late, f.missing) == (3, 2, 1, 1, 1)
    assert f.submitted_percent == Decimal("66.7")
    assert status.interim is None
    rows = {row.organisation_code: row for row in status.rows}
    assert [(c, rows[c].final.on_time, rows[c].answered, rows[c].required,
             rows[c].from_submission, rows[c].completeness, rows[c].editable)
            for c in ("01", "13", "20")] == [
        ("01", False, 5, 5, True, Decimal("100.0"), True),
        ("13", True, 6, 6, True, Decimal("100.0"), False),
        ("20", None, 2, 5, False, Decimal("40.0"), False),
    ]
    assert rows["01"].reopened and rows["01"].deadline == dt.date(2025, 4, 10)
    assert rows["13"].organisation_name == "Region Halland"
    assert status.mean_completeness == Decimal("81.3")  # 13 of 16


def test_results_per_question(session: Session) -> None:
    r = three_respondents(session)
    answers = results.latest_answers(session, r)  # type: ignore[arg-type]
    assert [(a.organisation_code, a.version, a.on_time) for a in answers] \
        == [("01", 1, False), ("13", 1, True)]
    by_name = {q.item.name: q for q in results.question_results(repo.round_form(r), answers)}  # type: ignore[arg-type]
    plan = by_name["plan"]
    assert (plan.kind, plan.respondents, plan.n) == ("choice", 2, 2)
    assert [(o.name, o.count, o.percent) for o in plan.options] \
        == [("ja", 1, Decimal("50.0")), ("nej", 1, Decimal("50.0"))]
    assert by_name["plan_text"].n == 1
    assert [(t.organisation_code, t.text) for t in by_name["plan_text"].texts] \
        == [("13", "En plan för 2024.")]
    staff = by_name["staff"].numbers
    assert staff is not None
    assert (staff.n, staff.minimum, staff.median, staff.maximum, staff.total) \
        == (2, 12, 16, 20, 32)
    areas = by_name["areas"]
    assert [(o.name, o.count, o.percent, o.organisations) for o in areas.options] == [
        ("o1", 2, Decimal("100.0"), ("01", "13")), ("o2", 0, Decimal("0.0"), ()),
        ("o3", 1, Decimal("50.0"), ("13",)), ("o4", 0, Decimal("0.0"), ()),
    ]
    share = by_name["share"].numbers
    assert share is not None and (share.median, share.maximum) \
        == (Decimal("34.2"), Decimal("58.4"))
    grid = by_name["grid"]
    assert grid.kind == "table"
    assert [(c.row.name, c.n, c.numbers.total if c.numbers else None) for c in grid.cells] \
        == [("r01", 2, 8), ("r02", 2, 1)]
    assert by_name["comment"].n == 0


def test_answer_export_csv_and_xlsx(session: Session) -> None:
    r = three_respondents(session)
    form = repo.round_form(r)  # type: ignore[arg-type]
    answers = results.latest_answers(session, r)  # type: ignore[arg-type]
    headers, rows = results.answer_table(form, answers)
    assert headers == [
        "organisation_code", "organisation_name", "version", "report_kind", "submitted_at",
        "on_time", "plan", "plan_text", "staff", "areas", "share", "grid.r01.count",
        "grid.r02.count", "final_only", "comment",
    ]
    assert rows[0] == ["01", "Region Stockholm", 1, "final", "2025-04-03T08:00:00+00:00", "no",
                       "nej", None, 20, "o1", Decimal("10"), 5, 1, "=SUM(A1)", None]
    csv_text = results.table_csv(headers, rows)
    assert csv_text.splitlines()[1] == (
        "01,Region Stockholm,1,final,2025-04-03T08:00:00+00:00,no,nej,,20,o1,10,5,1,'=SUM(A1),"
    )
    _, labelled = results.answer_table(form, answers, labels=True)
    assert labelled[1][6:10] == ["Ja", "En plan för 2024.", 12, "Äldre; Psykisk hälsa"]
    book = load_workbook(io.BytesIO(results.table_xlsx(headers, rows, "test-2024")))
    sheet = book["test-2024"]
    assert sheet["N2"].value == "'=SUM(A1)"
    assert sheet["N2"].data_type == "s"
    assert sheet["I3"].value == 12


def test_rss_sees_its_municipalities_answers(session: Session) -> None:
    forms = list(shipped_forms())
    rss_form = find_form(forms, "gonv-2023-rss").form
    municipal = find_form(forms, "gonv-2023-municipality").form
    opens, deadline = dt.date(2024, 1, 15), dt.date(2024, 3, 31)
    mr = repo.create_round(session, municipal, code="kommuner-2023", title="",
                           respondents=["1384", "1380", "0180"], opens_on=opens,
                           deadline=deadline, actor="a", now=at("2024-01-10"))
    rr = repo.create_round(session, rss_form, code="rss-2023", title="",
                           respondents=["RSS13"], opens_on=opens, deadline=deadline, actor="a",
                           now=at("2024-01-10"))
    for r in (mr, rr):
        repo.open_round(session, r, "a", at("2024-01-10"))
    for code, choice in (("1384", ["r01", "r02"]), ("0180", ["r01"]), ("1380", ["r02"])):
        resp = response(session, mr, code)
        repo.save_answers(session, resp, {"a": choice, "b": f"Text från {code}"}, actor="u",
                          now=at("2024-02-01"))
        repo.submit(session, resp, actor="u", actor_name="U", now=at("2024-02-01"),
                    confirmed=(), render_receipt=fake_receipt, source=repo.IMPORT)
    session.commit()
    view = results.member_view(session, response(session, rr, "RSS13"))
    assert view is not None
    assert view.source is mr
    assert [c for c, _ in view.municipalities] == ["1315", "1380", "1381", "1382", "1383",
                                                   "1384"]
    assert view.submitted == ("1380", "1384")  # Stockholm's 0180 is not Halland's
    s1 = view.aggregation.for_item("s1")
    assert s1 is not None
    assert (s1.count("r01"), s1.count("r02"), s1.answered) == (1, 2, ("1380", "1384"))
    s3 = view.aggregation.for_item("s3")
    assert s3 is not None
    assert [(t.municipality, t.text) for t in s3.texts] \
        == [("1380", "Text från 1380"), ("1384", "Text från 1384")]
    assert view.aggregation.prefill["s1"]["r02"] == {"count": 2}  # type: ignore[index]
