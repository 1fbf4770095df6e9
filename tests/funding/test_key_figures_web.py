"""A grant officer supplies a missing key's figures in the browser, then freezes its line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from naravard.storage import funding_repo as repo
from naravard.storage.funding_tables import AllocationShare
from naravard.storage.models import AuditEvent
from tests.funding import seeding
from tests.funding.seeding import AGREEMENT, FROZEN_AT
from tests.funding.test_funding_web import sek
from tests.funding.test_key_figures import COUNTIES
from tests.web.conftest import CSRF

Client = Callable[[str | None], TestClient]
KEY = f"/funding/agreements/{AGREEMENT}/keys/khsv-2020"
#: Care recipients per county, made up for the test (whole numbers).
COUNTS = {c: 1000 * (i + 1) for i, c in enumerate(COUNTIES)}


@pytest.fixture
def frozen(session: Session) -> Session:
    seeding.agreement_2020(session)
    session.commit()
    return session


def form(**changes: str) -> dict[str, str]:
    data = {"csrf_token": CSRF, "source": "Socialstyrelsen, kommunal HSL 2019 (uttag 2020-01-15)",
            "reference_period": "2019"}
    data.update({f"w_{c}": f"{n:,}".replace(",", " ") for c, n in COUNTS.items()})
    data.update(changes)
    return data


def audit_actions(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_the_agreement_page_links_the_missing_key(client_as: Client, frozen: Session) -> None:
    page = client_as("grant_officer").get(f"/funding/agreements/{AGREEMENT}").text
    assert f'<a href="{KEY}">uppgifterna i nyckeln khsv-2020 saknas</a>' in page
    assert "Fördelningsnycklar som hämtas utanför överenskommelsens text" in page
    assert f'<a href="{KEY}#supply">fyll i dem</a>' in page
    line = client_as("grant_officer").get(
        f"/funding/agreements/{AGREEMENT}/lines/medarbetare-kommuner").text
    assert f'<a href="{KEY}">Uppgifterna i nyckeln khsv-2020 saknas.</a>' in line
    # staff who cannot manage funds see the key but no form
    analyst = client_as("analyst").get(KEY)
    assert analyst.status_code == 200 and "Inte kända än" in analyst.text
    assert 'name="w_13"' not in analyst.text


def test_a_form_with_problems_keeps_every_value_and_stores_nothing(
    client_as: Client, frozen: Session
) -> None:
    officer = client_as("grant_officer")
    page = officer.get(KEY)
    assert page.status_code == 200 and "Fyll i uppgifterna" in page.text
    assert "Uppgifter per län: heltal (antal personer)" in page.text
    before = audit_actions(frozen)
    response = officer.post(KEY, data=form(source=" ", w_01="", w_03="abc", w_13="12,5",
                                           w_14="−7"))
    assert response.status_code == 422
    text = response.text
    assert "Ange källan för uppgifterna." in text
    assert 'id="err-w_01">Varje län behöver en uppgift.' in text
    assert 'id="err-w_03">Ange ett tal, t.ex. 12 345 eller 0,0475.' in text
    assert 'id="err-w_13">Nyckeln räknar personer: ange ett heltal.' in text
    assert 'id="err-w_14">Uppgiften får inte vara negativ.' in text
    for name, value in (("w_03", "abc"), ("w_13", "12,5"), ("w_14", "−7"),
                        ("w_25", "21 000"), ("reference_period", "2019")):
        assert f'name="{name}" value="{value}"' in text or (
            f'id="f-{name}" name="{name}" type="text" value="{value}"' in text), name
    assert audit_actions(frozen) == before
    frozen.expire_all()
    stored = repo.get_agreement(frozen, AGREEMENT)
    assert stored is not None and not repo.agreement_of(stored).key("khsv-2020").available


def test_supplied_figures_are_stored_audited_and_allocate_the_line(
    client_as: Client, frozen: Session
) -> None:
    officer = client_as("grant_officer")
    response = officer.post(KEY, data=form())
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/funding/agreements/{AGREEMENT}?notice=key-supplied#lines")
    notice = officer.get(f"/funding/agreements/{AGREEMENT}?notice=key-supplied").text
    assert "Nyckelns uppgifter är sparade." in notice
    assert audit_actions(frozen)[-2:] == ["agreement.updated", "agreement.key_figures"]
    event = frozen.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.actor == "grant_officer"
    assert event.details["figures"]["13"] == "11000" and event.details["reference_period"] == "2019"
    # the key's page shows the figures with their shares
    shown = officer.get(KEY).text
    total = sum(COUNTS.values())  # 231 000
    assert "Kompletta för 21 län" in shown and "Socialstyrelsen, kommunal HSL 2019" in shown
    assert "<td class=\"num\">231\u202f000</td>" in shown and total == 231_000
    # Halland 11 000 of 231 000 = 4,76190476 %
    assert "<td class=\"num\">11\u202f000</td><td class=\"num\">4,76190476\u202f%</td>" in shown
    # now the line can be frozen: half by care recipients, half by population
    froze = officer.post(f"/funding/agreements/{AGREEMENT}/freeze", data={"csrf_token": CSRF})
    assert froze.headers["location"] == f"/funding/agreements/{AGREEMENT}?notice=frozen-1"
    assert "Fördelningen fastställd för en rad." in officer.get(froze.headers["location"]).text
    again = officer.post(f"/funding/agreements/{AGREEMENT}/freeze", data={"csrf_token": CSRF})
    assert "Ingen rad fastställdes: var och en är redan fastställd eller väntar på uppgifter." \
        in officer.get(again.headers["location"]).text
    line = repo.get_line(frozen, AGREEMENT, "medarbetare-kommuner")
    assert line is not None
    run = repo.current_run(frozen, line.id)
    assert run is not None and run.total_sek == 500_000_000
    shares = frozen.scalars(select(AllocationShare).where(AllocationShare.run_id == run.id)).all()
    assert len(shares) == 21 and sum(s.amount_sek for s in shares) == 500_000_000
    assert {s.recipient_code: s.care_recipients for s in shares}["RSS13"] == 11_000
    page = officer.get(f"/funding/agreements/{AGREEMENT}/lines/medarbetare-kommuner").text
    assert sek(500_000_000) in page
    # a frozen allocation rests on the figures: they can no longer change
    locked = officer.get(KEY).text
    assert "kan inte längre ändras" in locked and 'name="w_13"' not in locked
    refused = officer.post(KEY, data=form(w_13="12 000"))
    assert refused.status_code == 409
    assert ("Raderna medarbetare-kommuner är fastställda med nyckeln khsv-2020: dess uppgifter "
            "kan inte längre ändras.") in refused.text
    # loading the shipped agreements again keeps the figures
    repo.load_shipped(frozen, "tester", FROZEN_AT)
    stored = repo.get_agreement(frozen, AGREEMENT)
    assert stored is not None
    key = repo.agreement_of(stored).key("khsv-2020")
    assert key.available and {e.code: e.weight for e in key.entries} == COUNTS


def test_the_key_page_in_english(client_as: Client, frozen: Session) -> None:
    officer = client_as("grant_officer")
    officer.cookies.set("lang", "en")
    page = officer.get(KEY).text
    assert "Supply the figures" in page and "Figures per county: whole numbers" in page
    response = officer.post(KEY, data=form(w_05="x"))
    assert response.status_code == 422
    assert "Enter a number, e.g. 12 345 or 0,0475." in response.text


def test_unknown_keys_and_agreements_are_not_found(client_as: Client, frozen: Session) -> None:
    officer = client_as("grant_officer")
    assert officer.get(f"/funding/agreements/{AGREEMENT}/keys/nope").status_code == 404
    assert officer.get("/funding/agreements/nope/keys/khsv-2020").status_code == 404
    assert officer.post(f"/funding/agreements/{AGREEMENT}/keys/nope",
                        data=form()).status_code == 404
