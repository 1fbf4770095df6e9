"""The funding pages: requisitions and reports through the browser, deadlines by the server's
clock, decisions, exports, access by organisation and CSRF."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naravard.funding.agreement_files import dump_agreement_yaml, shipped_agreements
from naravard.funding.deadlines import STOCKHOLM
from naravard.storage import funding_repo as repo
from naravard.storage.funding_tables import (
    AllocationShare,
    StoredFinancialReport,
    StoredReclaimCase,
    StoredRequisition,
)
from naravard.storage.models import AuditEvent
from naravard.web import funding as funding_web
from tests.funding import seeding
from tests.funding.seeding import AGREEMENT, HALLAND_NARA_VARD, LINE
from tests.web.conftest import CSRF

NNBSP = "\u202f"
Client = Callable[[str | None], TestClient]
FORM_URL = f"/funding/org/13/agreements/{AGREEMENT}/lines/{LINE}/requisition"
REPORT_URL = f"/funding/org/13/agreements/{AGREEMENT}/report"


def sek(amount: int) -> str:
    """Swedish display of an amount, as the pages show it."""
    return f"{amount:,}".replace(",", NNBSP) + " kr"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def clock(app: FastAPI, moment: dt.datetime) -> None:
    """Set the server's time of arrival."""
    app.dependency_overrides[funding_web.funding_clock] = lambda: moment


def requisition_form(**changes: str) -> dict[str, str]:
    form = {
        "recipient_name": "Region Halland", "organisation_number": "232100-0115",
        "contact_person": "Anna Andersson", "postal_address": "Box 517, 301 80 Halmstad",
        "phone": "035-13 48 00", "fax": "", "email": "anna.andersson@regionhalland.se",
        "agreement_case_number": "S2020/00001", "payment_decision_case_number": "S2020/00002",
        "agreement_name": "God och nära vård 2020", "amount_sek": "1 000 000",
        "period_start": "2020-01-01", "period_end": "2020-12-31",
        "bankgiro_plusgiro": "5050-1055", "payment_reference": "GONV 2020 Halland",
        "signatory_name": "Bo Berg", "signatory_authority": "Delegationsordning RS punkt 4",
        "signed_on": "2020-11-30", "certify": "yes", "csrf_token": CSRF,
    }
    form.update(changes)
    return form


@pytest.fixture
def frozen(session: Session) -> Session:
    seeding.agreement_2020(session)
    session.commit()
    return session


def count(session: Session, table: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(table)) or 0


def test_requisition_arriving_at_2359_on_the_deadline_day_is_received(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 12, 1, 23, 59))
    me = client_as("respondent")
    page = me.get(FORM_URL)
    assert page.status_code == 200
    assert f'value="{HALLAND_NARA_VARD}"' in page.text  # the remaining entitlement, prefilled
    response = me.post(FORM_URL, data=requisition_form())
    assert response.status_code == 303
    row = frozen.scalars(select(StoredRequisition)).one()
    assert (row.amount_sek, row.recipient_code, row.status, row.submitted_by) == (
        1_000_000, "13", "submitted", "respondent")
    assert repo.aware(row.arrived_at) == at(2020, 12, 1, 23, 59)
    shown = me.get(response.headers["location"])
    assert sek(1_000_000) in shown.text and "2020-12-01 23:59" in shown.text


def test_requisition_arriving_the_next_day_is_refused_with_every_value_kept(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 12, 2, 0, 0))
    me = client_as("respondent")
    assert "Sista dagen har passerat" in me.get(FORM_URL).text
    response = me.post(FORM_URL, data=requisition_form())
    assert response.status_code == 422
    assert ("Rekvisitionen inkom 2020-12-02 00:00:00 (svensk tid), efter sista dagen 2020-12-01: "
            "rätten till bidrag har förfallit.") in response.text
    for value in ("Anna Andersson", "Box 517, 301 80 Halmstad", "5050-1055", "1 000 000",
                  "Delegationsordning RS punkt 4"):
        assert f'value="{value}"' in response.text
    assert count(frozen, StoredRequisition) == 0


def test_a_saturday_before_the_deadline_counts_like_any_day(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 11, 28, 14, 0))  # a Saturday
    assert client_as("respondent").post(FORM_URL, data=requisition_form()).status_code == 303


def test_field_errors_are_swedish_and_tied_to_their_fields(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 11, 2, 10, 0))
    response = client_as("respondent").post(FORM_URL, data=requisition_form(
        payment_decision_case_number=" ", signatory_authority="", organisation_number="232100-0116",
        amount_sek="12,5", period_end="31/12/2020", certify=""))
    assert response.status_code == 422
    text = response.text
    assert 'id="err-payment_decision_case_number"' in text
    assert "Regeringskansliets diarienummer måste anges." in text
    assert 'aria-describedby="hint-signatory_authority err-signatory_authority"' in text
    assert "Ange undertecknarens behörighet" in text
    assert "Inte ett giltigt organisationsnummer" in text
    assert "Ange ett belopp i hela kronor." in text and 'value="12,5"' in text
    assert "Ange ett datum som ÅÅÅÅ-MM-DD." in text and 'value="31/12/2020"' in text
    assert "Bekräfta intygandet." in text
    assert 'role="alert" id="form-errors"' in text
    assert count(frozen, StoredRequisition) == 0


def test_partial_and_repeated_requisitions_through_the_web(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 11, 2, 10, 0))
    me = client_as("respondent")
    assert me.post(FORM_URL, data=requisition_form(amount_sek="50 000 000")).status_code == 303
    rest = HALLAND_NARA_VARD - 50_000_000
    over = me.post(FORM_URL, data=requisition_form(amount_sek=str(rest + 1)))
    assert over.status_code == 422
    assert (f"{sek(rest + 1)} överstiger det som återstår att rekvirera, {sek(rest)} "
            f"(tilldelat {sek(HALLAND_NARA_VARD)}, redan rekvirerat {sek(50_000_000)}).") \
        in over.text
    assert me.post(FORM_URL, data=requisition_form(amount_sek=str(rest))).status_code == 303
    assert me.post(FORM_URL, data=requisition_form(amount_sek="1")).status_code == 422
    assert sorted(frozen.scalars(select(StoredRequisition.amount_sek))) == [rest, 50_000_000]
    own = me.get("/funding/org/13").text
    assert f"{sek(HALLAND_NARA_VARD)}</td><td class=\"num\">{sek(HALLAND_NARA_VARD)}" in own


def test_grant_officer_approves_and_records_the_payment(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 11, 2, 10, 0))
    client_as("respondent").post(FORM_URL, data=requisition_form())
    row = frozen.scalars(select(StoredRequisition)).one()
    officer = client_as("grant_officer")
    url = f"/funding/requisitions/{row.id}"
    assert "Godkänn" in officer.get(url).text
    refused = officer.post(url + "/decision", data={"decision": "reject", "csrf_token": CSRF})
    assert refused.status_code == 409 and "Ange skälet till avslaget." in refused.text
    assert officer.post(url + "/decision", data={"decision": "approve", "csrf_token": CSRF}
                        ).status_code == 303
    again = officer.post(url + "/decision", data={"decision": "approve", "csrf_token": CSRF})
    assert again.status_code == 409 and "Rekvisitionen är redan avgjord." in again.text
    assert officer.post(url + "/payment", data={"paid_on": "2020-11-20", "payout_reference":
                                                "KAMK-1", "csrf_token": CSRF}).status_code == 303
    frozen.expire_all()
    assert (row.status, row.paid_on, row.decided_by) == (
        "paid", dt.date(2020, 11, 20), "grant_officer")
    own = client_as("respondent").get("/funding/org/13").text
    assert "Utbetalt 2020-11-20" in own
    logged = list(frozen.scalars(select(AuditEvent.action).where(
        AuditEvent.object_type == "requisition")))
    assert logged == ["requisition.submit", "requisition.approved", "requisition.paid"]


def test_a_foreign_respondent_can_never_see_or_change_hallands_requisition(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 11, 2, 10, 0))
    row = seeding.submitted(frozen, seeding.requisition("13", 1_000_000))
    frozen.commit()
    foreign = client_as("foreign")
    for url in (f"/funding/requisitions/{row.id}", f"/funding/requisitions/{row.id}/pdf",
                "/funding/org/13", FORM_URL, REPORT_URL):
        assert foreign.get(url).status_code == 403, url
    for url, data in ((FORM_URL, requisition_form()),
                      (f"/funding/requisitions/{row.id}/decision", {"decision": "approve"}),
                      (f"/funding/requisitions/{row.id}/payment", {"paid_on": "2020-11-20"})):
        assert foreign.post(url, data={**data, "csrf_token": CSRF}).status_code == 403, url
    # An unknown requisition is refused the same way, so its existence is not revealed.
    assert foreign.get(f"/funding/requisitions/{row.id + 1000}").status_code == 403
    frozen.expire_all()
    assert (row.status, count(frozen, StoredRequisition)) == ("submitted", 1)
    assert client_as("foreign").get("/funding/org/20").status_code == 200


def test_state_changes_without_the_csrf_token_are_refused(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 11, 2, 10, 0))
    form = requisition_form()
    del form["csrf_token"]
    assert client_as("respondent").post(FORM_URL, data=form).status_code == 403
    wrong = requisition_form(csrf_token="forged")
    assert client_as("respondent").post(FORM_URL, data=wrong).status_code == 403
    row = seeding.submitted(frozen, seeding.requisition("13", 1_000_000))
    frozen.commit()
    officer = client_as("grant_officer")
    assert officer.post(f"/funding/requisitions/{row.id}/decision",
                        data={"decision": "approve"}).status_code == 403
    frozen.expire_all()
    assert (row.status, count(frozen, StoredRequisition)) == ("submitted", 1)


def report_form(**changes: str) -> dict[str, str]:
    form = {
        "recipient_name": "Region Halland", "organisation_number": "232100-0115",
        "contact_person": "Anna Andersson", "postal_address": "Box 517, 301 80 Halmstad",
        "phone": "035-13 48 00", "fax": "", "email": "anna.andersson@regionhalland.se",
        "agreement_case_number": "S2020/00001", "payment_decision_case_number": "S2020/00002",
        "agreement_name": "God och nära vård 2020", "received_sek": "5 000 000",
        "period_start": "2020-01-01", "period_end": "2020-12-31",
        "cost_label_0": "Personal", "cost_amount_0": "3 000 000",
        "cost_label_2": "Utbildning", "cost_amount_2": "1 200 000",
        "alternative": "1", "attestation_name": "Eva Ek", "attestation_title": "Ekonomidirektör",
        "attestation_phone": "035-1", "attestation_email": "eva.ek@regionhalland.se",
        "deviations": "", "measures": "", "signatory_name": "Bo Berg", "signed_on": "2021-03-29",
        "certify": "yes", "csrf_token": CSRF,
    }
    form.update(changes)
    return form


@pytest.fixture
def paid_halland(frozen: Session) -> Session:
    seeding.paid(frozen, seeding.requisition("13", 5_000_000))
    frozen.commit()
    return frozen


def test_financial_report_with_unspent_money_creates_a_repayment(
    app: FastAPI, client_as: Client, paid_halland: Session
) -> None:
    clock(app, at(2021, 3, 30, 15, 0))
    me = client_as("respondent")
    page = me.get(REPORT_URL)
    assert page.status_code == 200 and sek(5_000_000) in page.text
    bad = me.post(REPORT_URL, data=report_form(alternative="2", cost_label_2="",
                                               cost_amount_3="7"))
    assert bad.status_code == 422
    assert "Alternativ 2 kräver att avvikelserna redovisas." in bad.text
    assert 'id="err-measures"' in bad.text
    # The costs' problems stay on their rows: row 2 lacks its label, row 3 too.
    assert 'id="err-cost_label_2"' in bad.text and 'id="err-cost_label_3"' in bad.text
    assert 'value="1 200 000"' in bad.text and 'value="Ekonomidirektör"' in bad.text
    response = me.post(REPORT_URL, data=report_form())
    assert response.status_code == 303
    report = paid_halland.scalars(select(StoredFinancialReport)).one()
    assert (report.received_sek, report.total_costs_sek, report.unspent_sek) == (
        5_000_000, 4_200_000, 800_000)
    shown = me.get(response.headers["location"]).text
    assert ("Oförbrukade medel att återbetala: 800\u202f000 kr senast 2021-03-31." in shown)
    assert me.get(REPORT_URL).status_code == 303  # one report per agreement
    own = me.get("/funding/org/13").text
    assert "Återbetalning av oförbrukade medel: 800\u202f000 kr senast 2021-03-31" in own


def test_a_late_report_is_a_reclaim_case_that_the_grant_officer_decides(
    app: FastAPI, client_as: Client, paid_halland: Session
) -> None:
    clock(app, at(2021, 4, 12, 9, 0))
    response = client_as("respondent").post(
        REPORT_URL, data=report_form(cost_amount_0="3 800 000", cost_amount_2="1 200 000"))
    assert response.status_code == 303
    case = paid_halland.scalars(select(StoredReclaimCase)).one()
    assert (case.days_late, case.status) == (12, "to_decide")
    officer = client_as("grant_officer")
    page = officer.get(response.headers["location"]).text
    assert "Redovisningen inkom 12 dagar efter sista dagen 2021-03-31." in page
    assert "Inga medel är oförbrukade; inget ska återbetalas." in page
    overview = officer.get(f"/funding/agreements/{AGREEMENT}").text
    assert "Ekonomisk redovisning 12 dagar för sent: ärende om återkrav" in overview
    # rights that lapsed, one row per recipient with the lines' sections in the agreement's order
    assert ("Inte rekvirerat i tid (avsnitt 3, 5.4–5.5, 5.6, 5.7, 6.1, 6.2–6.3): rätten till "
            "bidrag har förfallit") in overview
    decided = officer.post(f"/funding/reclaims/{case.id}/decision",
                           data={"decision": "no_reclaim", "note": "Sen post",
                                 "csrf_token": CSRF})
    assert decided.status_code == 303
    paid_halland.expire_all()
    assert (case.status, case.decision_note) == ("no_reclaim", "Sen post")
    assert paid_halland.scalar(select(AuditEvent.actor).where(
        AuditEvent.action == "reclaim.no_reclaim")) == "grant_officer"


def test_costs_above_the_grant_are_accepted_and_repay_nothing(
    app: FastAPI, client_as: Client, paid_halland: Session
) -> None:
    clock(app, at(2021, 3, 1, 9, 0))
    response = client_as("respondent").post(
        REPORT_URL, data=report_form(cost_amount_0="4 500 000"))
    assert response.status_code == 303
    page = client_as("respondent").get(response.headers["location"]).text
    assert "Kostnaderna överstiger bidraget med 700\u202f000 kr; inget ska återbetalas." in page
    assert "−700\u202f000 kr" in page


def test_allocation_table_exports_in_the_published_layout(
    client_as: Client, frozen: Session
) -> None:
    share = frozen.scalars(select(AllocationShare).where(
        AllocationShare.recipient_code == "13")).first()
    assert share is not None
    share.recipient_name = '=HYPERLINK("http://x.example","Halland")'
    frozen.commit()
    me = client_as("foreign")
    base = f"/funding/agreements/{AGREEMENT}/lines/{LINE}/allocation"
    rows = list(csv.reader(io.StringIO(me.get(base + ".csv").text)))
    assert rows[0] == ["Kod", "Mottagare", "Belopp (kr)"]
    assert rows[1] == ["01", "Region Stockholm", "676393787"]
    assert ["13", "'=HYPERLINK(\"http://x.example\",\"Halland\")", str(HALLAND_NARA_VARD)] in rows
    assert rows[-1] == ["", "Summa", "2935000000"] and len(rows) == 23
    book = load_workbook(io.BytesIO(me.get(base + ".xlsx").content))
    sheet = book.active
    assert sheet is not None
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    halland = next(r for r in cells if r[0] == "13")
    assert halland[1] == "'=HYPERLINK(\"http://x.example\",\"Halland\")"
    assert halland[2] == HALLAND_NARA_VARD
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert cells[-1] == [None, "Summa", 2_935_000_000]
    assert str(cells[0][0]).endswith(": Utveckling av den nära vården med fokus på primärvård")


def test_pdfs_of_an_allocation_table_and_a_requisition(
    monkeypatch: pytest.MonkeyPatch, client_as: Client, frozen: Session
) -> None:
    seen: list[str] = []
    real = funding_web.html_to_pdf

    def capture(html: str, base_url: str | None = None) -> bytes:
        seen.append(html)
        return real(html, base_url)

    monkeypatch.setattr(funding_web, "html_to_pdf", capture)
    row = seeding.submitted(frozen, seeding.requisition("13", 1_234_567))
    frozen.commit()
    pdf = client_as("respondent").get(f"/funding/requisitions/{row.id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert sek(1_234_567) in seen[-1] and "Namnförtydligande" in seen[-1]
    table = client_as("rss").get(f"/funding/agreements/{AGREEMENT}/lines/{LINE}/allocation.pdf")
    assert table.content.startswith(b"%PDF")
    assert sek(HALLAND_NARA_VARD) in seen[-1] and sek(2_935_000_000) in seen[-1]


def test_grant_officer_views_lines_and_the_key(client_as: Client, frozen: Session) -> None:
    officer = client_as("grant_officer")
    overview = officer.get(f"/funding/agreements/{AGREEMENT}").text
    assert sek(6_250_500_000) in overview and sek(5_698_500_000) in overview
    assert "uppgifterna i nyckeln khsv-2020 saknas" in overview
    line = officer.get(f"/funding/agreements/{AGREEMENT}/lines/{LINE}").text
    assert "Andel av 10\u202f379\u202f295" in line
    # 336 748 / 10 379 295 = 0,0324442074… (eight decimals of a percentage)
    assert ("<td class=\"num\">336\u202f748</td><td class=\"num\">3,24442074\u202f%</td>"
            f"<td class=\"num\">{sek(HALLAND_NARA_VARD)}</td>") in line
    assert "Överenskommelsen anger 2019-11-01; närmaste inlästa datum, 2020-12-31, används." \
        in line
    # the key, the parties and what the agreement leaves open, in the page's language
    assert "Fördelning av 2\u202f935\u202f000\u202f000 kr efter befolkningen 2020-12-31" in line
    assert "Fastställd: befolkningen 2020-12-31" in overview
    assert "<td>regionerna</td><td>inte angivet</td>" in overview
    assert "<td>SKR, regeringen</td>" in overview
    assert "population" not in overview.replace("population_share", "")
    english = client_as("grant_officer")
    english.cookies.set("lang", "en")
    line_en = english.get(f"/funding/agreements/{AGREEMENT}/lines/{LINE}").text
    assert "Share of 10\u202f379\u202f295" in line_en
    assert "by population on 2020-12-31: largest remainder" in line_en
    overview_en = english.get(f"/funding/agreements/{AGREEMENT}").text
    assert "<td>the regions</td><td>not stated</td>" in overview_en


def test_recording_a_submission_shows_eligibility(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    clock(app, at(2020, 10, 15, 9, 0))
    officer = client_as("grant_officer")
    response = officer.post(f"/funding/agreements/{AGREEMENT}/submissions", data={
        "duty_id": "delredovisning-regioner", "organisation_code": "13",
        "submitted_on": "2020-09-30", "submitted_time": "23:59", "csrf_token": CSRF})
    assert response.status_code == 303
    page = officer.get(f"/funding/agreements/{AGREEMENT}").text
    assert "<td>Region Halland</td><td>C2 (delredovisning-regioner)</td><td>2020-09-30</td>" \
           "<td>2020-09-30 23:59</td><td>Uppfyllt</td>" in page
    assert "1 av 21" in page
    bad = officer.post(f"/funding/agreements/{AGREEMENT}/submissions", data={
        "duty_id": "delredovisning-regioner", "organisation_code": "13",
        "submitted_on": "30 sep", "csrf_token": CSRF})
    assert bad.status_code == 409


def test_import_and_export_of_agreements(client_as: Client, session: Session) -> None:
    officer = client_as("grant_officer")
    assert officer.post("/funding/agreements/load-shipped", data={"csrf_token": CSRF}
                        ).status_code == 303
    yaml_text = officer.get(f"/funding/agreements/{AGREEMENT}/export.yaml").text
    assert yaml_text == dump_agreement_yaml(shipped_agreements()[0])
    renamed = yaml_text.replace("id: gonv-2020\n", "id: test-2020\n", 1)
    response = officer.post("/funding/agreements/import", data={"csrf_token": CSRF},
                            files={"file": ("test-2020.yaml", renamed.encode(), "text/yaml")})
    assert response.status_code == 303 and response.headers["location"].endswith("/test-2020")
    xlsx = officer.get("/funding/agreements/test-2020/export.xlsx").content
    again = officer.post("/funding/agreements/import", data={"csrf_token": CSRF},
                         files={"file": ("t.xlsx", xlsx, "application/octet-stream")})
    assert again.status_code == 303
    broken = officer.post("/funding/agreements/import", data={"csrf_token": CSRF},
                          files={"file": ("b.yaml", b"id: b\nyear: x\n", "text/yaml")})
    assert broken.status_code == 422 and "Filen importerades inte:" in broken.text
    assert "year" in broken.text
    assert repo.get_agreement(session, "test-2020") is not None
    assert repo.get_agreement(session, "b") is None


def test_home_sends_each_role_to_its_page(client_as: Client) -> None:
    assert client_as("grant_officer").get("/funding").headers["location"] == "/funding/agreements"
    assert client_as("rss").get("/funding").headers["location"] == "/funding/org/RSS13"
    empty = client_as("municipality").get("/funding/org/1384")
    assert "har inga tilldelade medel" in empty.text


def test_an_rss_requisitions_the_municipal_money_once_the_key_is_supplied(
    app: FastAPI, client_as: Client, frozen: Session
) -> None:
    agreement = seeding.with_care_counts(shipped_agreements()[0])
    repo.store_agreement(frozen, agreement, "import: khsv.yaml", "go", at(2020, 3, 1, 9, 0))
    repo.freeze_allocations(frozen, AGREEMENT, "go", at(2020, 3, 1, 9, 0))
    frozen.commit()
    clock(app, at(2020, 12, 1, 12, 0))
    url = f"/funding/org/RSS13/agreements/{AGREEMENT}/lines/medarbetare-kommuner/requisition"
    rss = client_as("rss")
    assert 'value="30838325"' in rss.get(url).text  # RSS Halland's entitlement, see the repo test
    response = rss.post(url, data=requisition_form(
        recipient_name="RSS Halland", organisation_number="222000-1354",
        amount_sek="30 838 325"))
    assert response.status_code == 303
    assert client_as("respondent").get(url).status_code == 403
    assert client_as("respondent").get(response.headers["location"]).status_code == 403
    own = rss.get("/funding/org/RSS13").text
    assert sek(30_838_325) in own
