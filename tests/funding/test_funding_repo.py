"""Funding storage on every configured database: agreements, frozen allocations, requisitions,
payments, financial reports, repayments, reclaim cases, eligibility and late items."""

from __future__ import annotations

import dataclasses
import datetime as dt
from fractions import Fraction

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from naravard.funding.agreement_files import shipped_agreements
from naravard.funding.agreements import Agreement
from naravard.funding.deadlines import STOCKHOLM
from naravard.funding.eligibility import Eligibility
from naravard.funding.line_allocation import allocate_line
from naravard.funding.reports import Alternative, ReclaimStatus
from naravard.reference.population import PopulationCount as RefCount
from naravard.storage import funding_overview as overview
from naravard.storage import funding_repo as repo
from naravard.storage import reference_repo
from naravard.storage.funding_tables import AllocationRun, StoredRequisition
from naravard.storage.models import AuditEvent
from tests.funding import seeding
from tests.funding.seeding import AGREEMENT, HALLAND_NARA_VARD, LINE, requisition


def at(*args: int) -> dt.datetime:
    """A Stockholm time."""
    return dt.datetime(*args, tzinfo=STOCKHOLM)  # type: ignore[misc]


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def gonv_2020() -> Agreement:
    return next(a for a in shipped_agreements() if a.id == AGREEMENT)


def test_shipped_agreements_are_stored_once(session: Session) -> None:
    first = repo.load_shipped(session, "tester", seeding.FROZEN_AT)
    again = repo.load_shipped(session, "tester", seeding.FROZEN_AT)
    assert [(r.code, r.outcome) for r in first] == [
        ("gonv-2020", "created"), ("gonv-2021", "created"), ("gonv-2023", "created")]
    assert {r.outcome for r in again} == {"unchanged"}
    stored = repo.get_agreement(session, AGREEMENT)
    assert stored is not None and stored.total_sek == 6_250_500_000
    assert sum(li.amount_sek or 0 for li in stored.lines) == 6_250_500_000
    assert [li.code for li in stored.lines][:2] == ["nara-vard", "barnhalsovard"]
    assert repo.agreement_of(stored) == gonv_2020()
    assert actions(session).count("agreement.created") == 3


def test_freezing_allocates_every_available_line_to_the_krona(session: Session) -> None:
    seeding.agreement_2020(session)
    outcomes = {o.line_code: o for o in repo.freeze_allocations(
        session, AGREEMENT, "tester", seeding.FROZEN_AT)}
    assert not any(o.newly_frozen for o in outcomes.values())  # already frozen by the seeding
    unavailable = sorted(code for code, o in outcomes.items() if o.run is None)
    assert unavailable == ["barnhalsovard", "medarbetare-kommuner"]
    assert "Bilaga 2" in (outcomes["medarbetare-kommuner"].reason or "")
    run = outcomes[LINE].run
    assert run is not None
    assert (run.total_sek, run.total_weight, run.basis) == (
        2_935_000_000, "10379295", "population 2020-12-31")
    assert (run.requested_population_date, run.population_date) == (
        dt.date(2019, 11, 1), dt.date(2020, 12, 31))
    assert sum(s.amount_sek for s in run.shares) == 2_935_000_000
    assert len(run.shares) == 21
    halland = next(s for s in run.shares if s.recipient_code == "13")
    assert (halland.weight, halland.amount_sek) == ("336748", HALLAND_NARA_VARD)
    assert repo.fraction(halland.share) == Fraction(336748, 10379295)
    assert repo.entitlement(run, "20") == seeding.DALARNA_NARA_VARD
    assert repo.entitlement(run, "RSS13") is None
    skr = outcomes["skr"].run
    assert skr is not None and [(s.recipient_code, s.amount_sek) for s in skr.shares] == [
        ("SKR", 52_000_000)]


def test_a_later_population_load_never_changes_a_frozen_allocation(session: Session) -> None:
    seeding.agreement_2020(session)
    # Population on exactly the date the agreement names, with 10 000 more in Halland: a fresh
    # allocation would now use it and give Halland more.
    assert dt.date(2019, 11, 1) not in reference_repo.population_dates(session)
    shipped = repo.population_from_db(session)
    new = [RefCount(dt.date(2019, 11, 1), c.org_code, c.sex,
                    c.count + (10_000 if c.org_code == "13" else 0))
           for c in shipped if c.ref_date == dt.date(2020, 12, 31)]
    reference_repo.store_population(session, new, "test")
    fresh = allocate_line(gonv_2020(), gonv_2020().line(LINE), repo.population_from_db(session))
    assert fresh.table is not None and fresh.table.amount_of("13") != HALLAND_NARA_VARD
    outcomes = repo.freeze_allocations(session, AGREEMENT, "tester", at(2020, 6, 1, 9, 0))
    assert not any(o.newly_frozen for o in outcomes)
    line = repo.get_line(session, AGREEMENT, LINE)
    assert line is not None
    run = repo.current_run(session, line.id)
    assert run is not None and repo.entitlement(run, "13") == HALLAND_NARA_VARD
    assert session.scalar(select(func.count()).select_from(AllocationRun)) == 7


def test_supplying_a_key_by_import_lets_the_municipal_line_be_frozen(session: Session) -> None:
    seeding.agreement_2020(session)
    result = repo.store_agreement(session, seeding.with_care_counts(gonv_2020()),
                                  "import: test.yaml", "tester", at(2020, 3, 1, 9, 0))
    assert result.outcome == "updated"
    outcomes = {o.line_code: o for o in repo.freeze_allocations(
        session, AGREEMENT, "tester", at(2020, 3, 1, 9, 0))}
    assert [c for c, o in outcomes.items() if o.newly_frozen] == ["medarbetare-kommuner"]
    run = outcomes["medarbetare-kommuner"].run
    assert run is not None and sum(s.amount_sek for s in run.shares) == 500_000_000
    rss13 = next(s for s in run.shares if s.recipient_code == "RSS13")
    # 500 000 000 × (2 000/22 000 + 336 748/10 379 295) / 2
    #   = 22 727 272,73 + 8 111 051,86 = 30 838 324,59 kr; the floors leave 10 kr over and 0,59
    #   is the 10th largest remainder, so RSS Halland gets 30 838 325 kr.
    assert (rss13.amount_sek, rss13.care_recipients, rss13.population) == (
        30_838_325, 2000, 336_748)
    assert repo.fraction(rss13.share) == (Fraction(2000, 22000) + Fraction(336748, 10379295)) / 2


def test_a_frozen_line_keeps_its_amount_on_import(session: Session) -> None:
    seeding.agreement_2020(session)
    agreement = gonv_2020()
    lines = tuple(dataclasses.replace(li, amount_sek=3_000_000_000) if li.id == LINE else li
                  for li in agreement.lines)
    changed = dataclasses.replace(agreement, lines=lines, total_sek=6_315_500_000, subtotals=())
    with pytest.raises(repo.FundingError, match="Lines nara-vard have frozen allocations"):
        repo.store_agreement(session, changed, "import: x.yaml", "tester", seeding.FROZEN_AT)
    relabelled = dataclasses.replace(agreement, lines=tuple(
        dataclasses.replace(li, label="Ny rubrik") if li.id == LINE else li
        for li in agreement.lines))
    assert repo.store_agreement(session, relabelled, "import: y.yaml", "tester",
                                seeding.FROZEN_AT).outcome == "updated"
    line = repo.get_line(session, AGREEMENT, LINE)
    assert line is not None and line.label == "Ny rubrik"


def test_partial_and_repeated_requisitions_up_to_the_entitlement(session: Session) -> None:
    seeding.agreement_2020(session)
    first = seeding.submitted(session, requisition("13", 50_000_000))
    second = seeding.submitted(session, requisition("13", HALLAND_NARA_VARD - 50_000_000))
    assert (first.status, second.status) == ("submitted", "submitted")
    over = repo.submit_requisition(session, AGREEMENT, requisition("13", 1), "respondent")
    assert over.row is None
    assert [(p.field, p.message) for p in over.problems] == [(
        "amount_sek",
        f"1 kr exceeds the remaining entitlement of 0 kr (entitlement {HALLAND_NARA_VARD} kr, "
        f"already requisitioned {HALLAND_NARA_VARD} kr)")]
    # A rejection frees its amount again; Dalarna's entitlement is its own.
    repo.decide_requisition(session, first.id, False, "grant_officer", at(2020, 11, 3, 9, 0),
                            "Fel bankgiro")
    again = repo.submit_requisition(session, AGREEMENT, requisition("13", 50_000_000), "resp")
    assert again.row is not None and again.check is not None
    assert again.check.earlier_sek == HALLAND_NARA_VARD - 50_000_000
    assert seeding.submitted(session, requisition("20", seeding.DALARNA_NARA_VARD)).amount_sek \
        == seeding.DALARNA_NARA_VARD


def test_requisition_deadline_in_stockholm_time(session: Session) -> None:
    seeding.agreement_2020(session)
    on_time = repo.submit_requisition(
        session, AGREEMENT, requisition("13", 1000, at(2020, 12, 1, 23, 59, 59)), "respondent")
    assert on_time.row is not None
    assert repo.aware(on_time.row.arrived_at) == at(2020, 12, 1, 23, 59, 59)
    late = repo.submit_requisition(
        session, AGREEMENT, requisition("13", 1000, at(2020, 12, 2, 0, 0)), "respondent")
    assert late.row is None and late.check is not None and late.check.lapsed
    assert [p.field for p in late.problems] == ["arrived_at"]
    # 23:30 UTC on 1 December is already 2 December in Stockholm.
    utc = dt.datetime(2020, 12, 1, 23, 30, tzinfo=dt.UTC)
    assert repo.submit_requisition(session, AGREEMENT, requisition("13", 1000, utc),
                                   "respondent").row is None


def test_a_recipient_without_entitlement_on_the_line_is_refused(session: Session) -> None:
    seeding.agreement_2020(session)
    outcome = repo.submit_requisition(session, AGREEMENT, requisition("RSS13", 1000), "rss")
    assert [p.field for p in outcome.problems] == ["line_id"]


def test_decision_and_payment_follow_each_other(session: Session) -> None:
    seeding.agreement_2020(session)
    row = seeding.submitted(session, requisition("13", 2_000_000))
    with pytest.raises(repo.FundingError, match="Only an approved requisition can be paid"):
        repo.record_payment(session, row.id, dt.date(2020, 11, 20), "", "grant_officer")
    with pytest.raises(repo.FundingError, match="reason for the rejection"):
        repo.decide_requisition(session, row.id, False, "grant_officer", at(2020, 11, 3, 9, 0))
    repo.decide_requisition(session, row.id, True, "grant_officer", at(2020, 11, 3, 9, 0))
    with pytest.raises(repo.FundingError, match="already decided"):
        repo.decide_requisition(session, row.id, True, "grant_officer", at(2020, 11, 3, 9, 0))
    with pytest.raises(repo.FundingError, match="before the requisition arrived"):
        repo.record_payment(session, row.id, dt.date(2020, 11, 1), "", "grant_officer")
    repo.record_payment(session, row.id, dt.date(2020, 11, 20), "KAMK-7", "grant_officer")
    assert (row.status, row.paid_on, row.payout_reference) == (
        "paid", dt.date(2020, 11, 20), "KAMK-7")
    assert repo.grant_figures(session, AGREEMENT, "13").paid_sek == 2_000_000
    assert actions(session)[-3:] == ["requisition.submit", "requisition.approved",
                                     "requisition.paid"]


def halland_grant(session: Session) -> int:
    return repo.grant_figures(session, AGREEMENT, "13").grant_sek


def test_unspent_money_creates_a_repayment_obligation(session: Session) -> None:
    seeding.agreement_2020(session)
    seeding.paid(session, requisition("13", 5_000_000))
    report = seeding.report("13", halland_grant(session), 5_000_000, (3_000_000, 1_200_000),
                            at(2021, 3, 31, 23, 59))
    outcome = repo.submit_report(session, AGREEMENT, report, seeding.CONTACT, "respondent")
    assert outcome.row is not None and outcome.reclaim is None
    assert (outcome.row.total_costs_sek, outcome.row.unspent_sek) == (4_200_000, 800_000)
    assert outcome.obligation is not None
    assert (outcome.obligation.amount_sek, outcome.obligation.deadline) == (
        800_000, dt.date(2021, 3, 31))
    assert [c.label for c in outcome.row.costs] == ["Kostnad 1", "Kostnad 2"]
    # Repaid 300 000 on time, 500 000 late: nothing outstanding, 500 000 repaid late.
    repo.record_repayment(session, outcome.obligation.id, 300_000, at(2021, 3, 30, 12, 0), "go")
    status = overview.obligation_status(outcome.obligation, at(2021, 4, 2, 9, 0))
    assert (status.repaid_sek, status.outstanding_sek, status.overdue) == (300_000, 500_000, True)
    repo.record_repayment(session, outcome.obligation.id, 500_000, at(2021, 4, 6, 12, 0), "go")
    status = overview.obligation_status(outcome.obligation, at(2021, 4, 7, 9, 0))
    assert (status.repaid_sek, status.repaid_late_sek, status.outstanding_sek) == (
        800_000, 500_000, 0)
    with pytest.raises(repo.FundingError, match="more than 0 kr"):
        repo.record_repayment(session, outcome.obligation.id, 0, at(2021, 4, 6, 12, 0), "go")


def test_costs_above_the_grant_repay_nothing(session: Session) -> None:
    seeding.agreement_2020(session)
    seeding.paid(session, requisition("13", 5_000_000))
    report = seeding.report("13", halland_grant(session), 5_000_000, (4_000_000, 1_500_000),
                            at(2021, 3, 1, 9, 0))
    outcome = repo.submit_report(session, AGREEMENT, report, seeding.CONTACT, "respondent")
    assert outcome.row is not None and outcome.row.unspent_sek == -500_000
    assert outcome.obligation is None and outcome.reclaim is None
    again = repo.submit_report(session, AGREEMENT, report, seeding.CONTACT, "respondent")
    assert [p.field for p in again.problems] == ["recipient_code"]


def test_a_late_report_opens_a_reclaim_case_for_the_grant_officer(session: Session) -> None:
    seeding.agreement_2020(session)
    seeding.paid(session, requisition("13", 5_000_000))
    report = seeding.report("13", halland_grant(session), 5_000_000, (5_000_000,),
                            at(2021, 4, 1, 0, 0))
    outcome = repo.submit_report(session, AGREEMENT, report, seeding.CONTACT, "respondent")
    case = outcome.reclaim
    assert case is not None and outcome.obligation is None
    assert (case.status, case.days_late, case.deadline) == ("to_decide", 1, dt.date(2021, 3, 31))
    with pytest.raises(repo.FundingError, match="reason"):
        repo.decide_reclaim(session, case.id, ReclaimStatus.RECLAIM, " ", "go", at(2021, 5, 1))
    repo.decide_reclaim(session, case.id, ReclaimStatus.NO_RECLAIM, "Ett dygn sent", "go",
                        at(2021, 5, 1, 10, 0))
    assert (case.status, case.decided_by, case.decision_note) == (
        "no_reclaim", "go", "Ett dygn sent")
    with pytest.raises(repo.FundingError, match="already decided"):
        repo.decide_reclaim(session, case.id, ReclaimStatus.RECLAIM, "x", "go", at(2021, 5, 2))
    assert actions(session)[-3:] == ["report.submit", "reclaim.open", "reclaim.no_reclaim"]


def test_report_problems_are_listed_not_stored(session: Session) -> None:
    seeding.agreement_2020(session)
    seeding.paid(session, requisition("13", 5_000_000))
    report = dataclasses.replace(
        seeding.report("13", halland_grant(session), 5_000_000, (1,), at(2021, 3, 1, 9, 0),
                       Alternative.NOT_CORRECT),
        received_sek=4_000_000)
    contact = {**seeding.CONTACT, "organisation_number": "232100-0116", "email": "x"}
    outcome = repo.submit_report(session, AGREEMENT, report, contact, "respondent")
    assert outcome.row is None
    assert [p.field for p in outcome.problems] == [
        "contact.organisation_number", "contact.email", "received_sek",
        "attestation.deviations", "attestation.measures"]


def test_eligibility_from_recorded_submission_times(session: Session) -> None:
    seeding.agreement_2020(session)
    repo.record_submission(session, AGREEMENT, "delredovisning-regioner", "13",
                           at(2020, 9, 30, 23, 59), "go")
    repo.record_submission(session, AGREEMENT, "delredovisning-regioner", "20",
                           at(2020, 10, 1, 0, 5), "go")
    rows = {r.organisation_code: r for r in overview.eligibility(
        session, AGREEMENT, at(2020, 10, 15, 9, 0))}
    assert len(rows) == 21 and {r.condition_id for r in rows.values()} == {"C2"}
    assert (rows["13"].status, rows["20"].status, rows["01"].status) == (
        Eligibility.MET, Eligibility.NOT_MET, Eligibility.NOT_MET)
    before = overview.eligibility(session, AGREEMENT, at(2020, 9, 1, 9, 0), organisation_code="01")
    assert [r.status for r in before] == [Eligibility.PENDING]
    # Correcting a recorded date replaces it; another source of dates can be plugged in.
    repo.record_submission(session, AGREEMENT, "delredovisning-regioner", "20",
                           at(2020, 9, 29, 8, 0), "go")
    assert overview.eligibility(session, AGREEMENT, at(2020, 10, 15), organisation_code="20"
                                )[0].status is Eligibility.MET
    rounds = overview.eligibility(
        session, AGREEMENT, at(2020, 10, 15), lambda _s, _a, _d: {"01": at(2020, 9, 2, 9, 0)},
        organisation_code="01")
    assert rounds[0].status is Eligibility.MET
    with pytest.raises(repo.FundingError, match="No duty"):
        repo.record_submission(session, AGREEMENT, "nope", "13", at(2020, 9, 1), "go")


def test_late_items_and_the_recipient_view(session: Session) -> None:
    seeding.agreement_2020(session)
    seeding.paid(session, requisition("13", 5_000_000))
    seeding.paid(session, requisition("20", 7_000_000))
    pending = seeding.submitted(session, requisition("20", 1_000_000, line="karriartjanster-ssk"))
    assert isinstance(pending, StoredRequisition)
    report = seeding.report("13", halland_grant(session), 5_000_000, (4_000_000,),
                            at(2021, 4, 12, 9, 0))
    repo.submit_report(session, AGREEMENT, report, seeding.CONTACT, "respondent")
    items = overview.late_items(session, AGREEMENT, at(2021, 4, 15, 9, 0))
    halland = [(i.kind, i.line_code, i.amount_sek) for i in items if i.recipient_code == "13"]
    assert ("requisition_lapsed", LINE, HALLAND_NARA_VARD - 5_000_000) in halland
    assert ("report_late", None, 5_000_000) in halland
    assert ("repayment_overdue", None, 1_000_000) in halland
    dalarna = [(i.kind, i.amount_sek) for i in items if i.recipient_code == "20"]
    assert ("report_missing", 7_000_000) in dalarna
    # Each region on each of its six lines (all have entitlement left) and SKR's line have lapsed.
    lapsed = [i for i in items if i.kind == "requisition_lapsed"]
    assert len(lapsed) == 21 * 6 + 1
    views = overview.recipient_view(session, "13", at(2021, 4, 15, 9, 0))
    assert [v.agreement.code for v in views] == [AGREEMENT]
    view = views[0]
    assert [li.line.code for li in view.lines] == [
        "nara-vard", "medarbetare-regioner", "vidareutbildning-ssk", "karriartjanster-ssk",
        "1177-vardguiden", "standarder-informationssakerhet"]
    assert view.entitlement_sek == halland_grant(session) and view.paid_sek == 5_000_000
    assert not view.requisition_open and view.report is not None
    assert view.repayment is not None and view.repayment.outstanding_sek == 1_000_000
    assert [c.days_late for c in view.reclaims] == [12]
    summaries = {s.code: s for s in overview.recipient_summaries(
        session, AGREEMENT, at(2021, 4, 15, 9, 0))}
    assert (summaries["20"].requisitioned_sek, summaries["20"].paid_sek) == (
        8_000_000, 7_000_000)
    assert overview.recipient_view(session, "1384", at(2021, 4, 15, 9, 0)) == []


def test_eligibility_from_questionnaire_rounds(session: Session) -> None:
    """An interim report submitted in a round whose interim deadline is 2020-09-30 meets C2."""
    from naravard.storage import survey_repo
    from tests.surveys.rounds import small_form

    seeding.agreement_2020(session)
    survey_round = survey_repo.create_round(
        session, small_form(), code="uppf-2020", title="Uppföljning 2020",
        respondents=("13", "20"), opens_on=dt.date(2020, 6, 1), deadline=dt.date(2021, 3, 31),
        interim_deadline=dt.date(2020, 9, 30), actor="analyst", now=at(2020, 5, 20, 9, 0))
    survey_repo.open_round(session, survey_round, "analyst", at(2020, 6, 1, 9, 0))

    def receipt(data: survey_repo.ReceiptData) -> bytes:
        return b"%PDF-test"

    for org, moment in (("13", at(2020, 9, 28, 15, 0)), ("20", at(2020, 10, 2, 9, 0))):
        response = survey_repo.response_for(session, survey_round, org)
        assert response is not None
        survey_repo.save_answers(session, response, {"plan": "ja"}, actor="r", now=moment)
        survey_repo.submit(session, response, actor="r", actor_name="R", now=moment,
                           confirmed=(), render_receipt=receipt, source="demo")
    session.commit()
    rows = {r.organisation_code: r for r in overview.eligibility(
        session, AGREEMENT, at(2020, 10, 15, 9, 0))}
    assert rows["13"].submitted_at == at(2020, 9, 28, 15, 0)
    assert rows["13"].status is Eligibility.MET
    # Dalarna submitted in the final phase only (after the interim deadline): not an interim
    # report, so the condition is not met.
    assert (rows["20"].submitted_at, rows["20"].status) == (None, Eligibility.NOT_MET)
