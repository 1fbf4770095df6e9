"""The funding capability's part of the authorisation matrix.

``MATRIX`` maps (method, path template) to the callers allowed (groups in ``matrix_common``);
``FORMS`` gives the form fields a POST route is called with; ``seed`` creates the objects the
routes are called on and returns the value of every path parameter (objects of Region Halland or
RSS Halland, so that ``respondent``/``rss`` own them and ``foreign`` does not).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from naravard.funding.deadlines import STOCKHOLM
from naravard.storage import funding_repo as repo
from tests.funding import seeding
from tests.web.matrix_common import HALLAND, SIGNED, STAFF

#: Who manages funds: the grant officer, and the administrator.
MANAGERS = frozenset({"admin", "grant_officer"})
#: Only Region Halland's own respondent may requisition and report for it.
OWN = frozenset({"respondent"})

A = "/funding/agreements/{agreement_id}"
LINE = A + "/lines/{line_id}"
ORG = "/funding/org/{code}/agreements/{agreement_id}"

MATRIX: dict[tuple[str, str], frozenset[str | None]] = {
    ("GET", "/funding"): SIGNED,
    ("GET", "/funding/agreements"): STAFF,
    ("POST", "/funding/agreements/import"): MANAGERS,
    ("POST", "/funding/agreements/load-shipped"): MANAGERS,
    ("GET", A): STAFF,
    ("GET", A + "/export.yaml"): STAFF,
    ("GET", A + "/export.xlsx"): STAFF,
    ("POST", A + "/freeze"): MANAGERS,
    ("POST", A + "/submissions"): MANAGERS,
    ("POST", A + "/remind-reports"): MANAGERS,  # 303: nothing is due in the seed
    ("GET", A + "/keys/{key_id}"): STAFF,
    ("POST", A + "/keys/{key_id}"): MANAGERS,
    ("GET", LINE): STAFF,
    ("GET", LINE + "/allocation.csv"): SIGNED,
    ("GET", LINE + "/allocation.xlsx"): SIGNED,
    ("GET", LINE + "/allocation.pdf"): SIGNED,
    ("GET", "/funding/org/{code}"): HALLAND,
    ("GET", ORG + "/lines/{line_id}/requisition"): OWN,
    ("POST", ORG + "/lines/{line_id}/requisition"): OWN,
    ("GET", ORG + "/report"): OWN,
    ("POST", ORG + "/report"): OWN,
    ("GET", "/funding/requisitions/{requisition_id}"): HALLAND,
    ("GET", "/funding/requisitions/{requisition_id}/pdf"): HALLAND,
    ("POST", "/funding/requisitions/{requisition_id}/decision"): MANAGERS,
    ("POST", "/funding/requisitions/{requisition_id}/payment"): MANAGERS,
    ("GET", "/funding/reports/{financial_report_id}"): HALLAND,
    ("POST", "/funding/reclaims/{reclaim_id}/decision"): MANAGERS,
    ("POST", "/funding/obligations/{obligation_id}/repayments"): MANAGERS,
}
FORMS: dict[str, dict[str, str]] = {
    A + "/keys/{key_id}": {"source": "Socialstyrelsen", "w_13": "0,05"},
    A + "/submissions": {"duty_id": "delredovisning-regioner", "organisation_code": "13",
                         "submitted_on": "2020-09-29", "submitted_time": "10:00"},
    ORG + "/lines/{line_id}/requisition": {"amount_sek": "1000", "certify": "yes"},
    ORG + "/report": {"received_sek": "0", "alternative": "1"},
    "/funding/requisitions/{requisition_id}/decision": {"decision": "approve"},
    "/funding/requisitions/{requisition_id}/payment": {"paid_on": "2020-11-25"},
    "/funding/reclaims/{reclaim_id}/decision": {"decision": "no_reclaim", "note": "Skäl."},
    "/funding/obligations/{obligation_id}/repayments": {"amount_sek": "1000",
                                                        "received_on": "2021-03-30"},
}


def seed(session: Session) -> dict[str, str]:
    """The 2020 agreement frozen; Region Halland paid 5 MSEK, a second requisition submitted,
    and a late financial report with unspent money (a repayment obligation and a reclaim case).
    """
    seeding.agreement_2020(session)
    seeding.paid(session, seeding.requisition("13", 5_000_000))
    pending = seeding.submitted(session, seeding.requisition("13", 1_000_000))
    grant = repo.grant_figures(session, seeding.AGREEMENT, "13").grant_sek
    late = dt.datetime(2021, 4, 12, 9, 0, tzinfo=STOCKHOLM)
    outcome = repo.submit_report(
        session, seeding.AGREEMENT, seeding.report("13", grant, 5_000_000, (4_000_000,), late),
        seeding.CONTACT, "respondent",
    )
    assert outcome.row and outcome.obligation and outcome.reclaim, outcome.problems
    return {
        "agreement_id": seeding.AGREEMENT, "line_id": seeding.LINE, "key_id": "bhv-2020",
        "requisition_id": str(pending.id), "financial_report_id": str(outcome.row.id),
        "reclaim_id": str(outcome.reclaim.id), "obligation_id": str(outcome.obligation.id),
    }
