"""The indicators capability's part of the authorisation matrix.

Published figures are public open data (pages, API, CSV); internal figures without disclosure
control are for staff; a region's view (its questionnaire answers beside the register) is for
staff and the region's own respondent.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from tests.indicators.test_indicator_store import ND, named_doctor_rows, store
from tests.web.matrix_common import EVERYONE, HALLAND, STAFF

IND = "/indicators/{indicator_id}"
API = "/api/v1/indicators/{indicator_id}"

MATRIX: dict[tuple[str, str], frozenset[str | None]] = {
    ("GET", "/indicators"): EVERYONE,
    ("GET", "/indicators/figures.xlsx"): EVERYONE,
    ("GET", IND): EVERYONE,
    ("GET", IND + "/internal"): STAFF,
    ("GET", IND + "/internal.csv"): STAFF,
    ("GET", IND + "/internal.xlsx"): STAFF,
    ("GET", "/indicators/regions/{code}"): HALLAND,
    ("GET", "/indicators/regions/{code}/figures.xlsx"): HALLAND,
    ("GET", "/indicators/regions/{code}/profile.pdf"): HALLAND,
    ("GET", "/reports/national"): STAFF,
    ("GET", "/reports/national.pdf"): STAFF,
    ("GET", "/api/v1/indicators"): EVERYONE,
    ("GET", API): EVERYONE,
    ("GET", API + "/values"): EVERYONE,
    ("GET", API + "/values.csv"): EVERYONE,
    ("GET", API + "/values.xlsx"): EVERYONE,
}
FORMS: dict[str, dict[str, str]] = {}


def seed(session: Session) -> dict[str, str]:
    """The hand-made named-doctor results of 2023, stored as one snapshot."""
    store(session, named_doctor_rows())
    return {"indicator_id": ND}
