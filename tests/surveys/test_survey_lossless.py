"""Save-then-load is lossless: whatever a browser posts comes back from the database exactly
(blank values removed), on both engines."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyResponse
from tests.surveys.rounds import DURING, make_round, response

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
OPTIONS = st.lists(st.sampled_from(["o1", "o2", "o3", "o4", "x"]), max_size=5)
CELLS = st.fixed_dictionaries({"r01": st.fixed_dictionaries({"count": TEXT}),
                               "r02": st.fixed_dictionaries({"count": TEXT})})
UPDATES = st.fixed_dictionaries({}, optional={
    "plan": TEXT, "plan_text": TEXT, "staff": TEXT, "areas": OPTIONS, "share": TEXT,
    "grid": CELLS, "comment": TEXT,
})


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=UPDATES, second=UPDATES)
def test_saved_drafts_read_back_exactly(session: Session, first: dict[str, object],
                                        second: dict[str, object]) -> None:
    r = repo.get_round(session, "lossless") or make_round(session, code="lossless")
    resp = response(session, r)
    expected = dict(resp.draft)
    for updates in (first, second):
        repo.save_answers(session, resp, updates, actor="respondent", now=DURING)
        session.commit()
        for name, raw in updates.items():
            value = repo.clean_value(raw)
            if value is None:
                expected.pop(name, None)
            else:
                expected[name] = value
    session.expire_all()
    stored = session.get(SurveyResponse, resp.id)
    assert stored is not None and stored.draft == expected
    assert repo.draft_as_of(session, stored, DURING) == expected
