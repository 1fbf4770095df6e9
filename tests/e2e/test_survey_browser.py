"""A respondent answers a questionnaire in a real browser: a validation error, a conditional
question, leaving and coming back, Föregående/Nästa, submission and the receipt; the analyst sees
it; a foreign respondent cannot reach it. The form pages pass axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Browser, Page
from sqlalchemy.orm import Session

from naravard.storage import survey_repo as repo
from naravard.storage.survey_tables import SurveyResponse
from tests.conftest import USERS
from tests.e2e.test_browser import violations
from tests.surveys.rounds import COMPLETE, fake_receipt, small_form


def sign_in(browser: Browser, base: str, username: str, target: str) -> Page:
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{base}{target}")
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(USERS[username].password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{target}")
    return page


def halland_asked(session: Session, code: str, title: str) -> SurveyResponse:
    """An open round of the small questionnaire for Region Halland, due 2099-12-31."""
    now = dt.datetime.now(dt.UTC)
    survey_round = repo.create_round(
        session, small_form(), code=code, title=title, respondents=["13"],
        opens_on=dt.date(2024, 1, 15), deadline=dt.date(2099, 12, 31), actor="analyst", now=now)
    repo.open_round(session, survey_round, "analyst", now)
    response = repo.response_for(session, survey_round, "13")
    assert response is not None
    session.commit()
    return response


def halland_submitted(session: Session, code: str, title: str) -> SurveyResponse:
    """As :func:`halland_asked`, with a complete version 1 submitted now."""
    response = halland_asked(session, code, title)
    now = dt.datetime.now(dt.UTC)
    repo.save_answers(session, response, COMPLETE, actor="respondent", now=now)
    repo.submit(session, response, actor="respondent", actor_name="R", now=now, confirmed=(),
                render_receipt=fake_receipt)
    session.commit()
    return response


def test_respondent_answers_and_submits(browser: Browser, live_server: str,
                                       session: Session) -> None:
    response = halland_asked(session, "webb", "Webbtest")
    base = f"/surveys/responses/{response.id}"

    page = sign_in(browser, live_server, "respondent", f"{base}/pages/2")
    assert page.get_by_role("heading", level=1).inner_text() == "Del A: Styrning"
    assert page.get_by_label("1a. Beskriv planen.").count() == 0
    page.get_by_label("Ja", exact=True).check()
    page.get_by_label("Hur många medarbetare", exact=False).fill("tolv")
    page.get_by_role("button", name="Spara", exact=True).click()
    # the error is shown next to the field and in the summary; the other answer is kept
    assert page.get_by_role("heading", name="Det finns 1 fel på sidan").is_visible()
    assert "Ange ett heltal, till exempel 12." in page.locator("#err-f-staff").inner_text()
    assert page.get_by_label("Ja", exact=True).is_checked()
    # the follow-up question appeared because of the answer Ja
    follow_up = page.get_by_label("1a. Beskriv planen.")
    assert follow_up.is_visible()
    assert violations(page) == []
    follow_up.fill("En plan")
    assert page.locator("#count-f-plan_text").inner_text() == "7 av 40 tecken"
    page.get_by_label("Hur många medarbetare", exact=False).fill("12")
    page.get_by_role("button", name="Nästa").click()
    page.wait_for_url(f"{live_server}{base}/pages/3")
    page.get_by_label("Äldre").check()
    page.get_by_role("textbox", name="Vårdcentraler Antal").fill("3")
    page.get_by_role("button", name="Föregående").click()
    page.wait_for_url(f"{live_server}{base}/pages/2")
    assert page.get_by_label("Hur många medarbetare", exact=False).input_value() == "12"
    page.get_by_role("button", name="Nästa").click()
    page.wait_for_url(f"{live_server}{base}/pages/3")
    assert page.get_by_label("Äldre").is_checked()
    assert violations(page) == []
    page.context.close()

    # leave and come back in a new browser: the draft is where it was left
    page = sign_in(browser, live_server, "respondent", base)
    page.get_by_role("link", name="Fortsätt där du slutade").click()
    page.wait_for_url(f"{live_server}{base}/pages/3")
    assert page.get_by_role("textbox", name="Vårdcentraler Antal").input_value() == "3"
    page.get_by_role("textbox", name="Mobila team Antal").fill("0")
    page.get_by_label("Vad blev resultatet under året?").fill("Fler mobila team.")
    page.get_by_role("button", name="Sammanfattning och inlämning").first.click()
    page.wait_for_url(f"{live_server}{base}/summary")
    assert violations(page) == []
    page.get_by_role("button", name="Lämna in svaren").click()
    page.wait_for_url(f"{live_server}{base}/submissions/1?notice=submitted")
    assert "Tack. Svaren är inlämnade som version 1." in page.locator("main").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ned kvittot (PDF)").click()
    assert download.value.suggested_filename == "kvitto-webb-13-v1.pdf"
    with open(download.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
    page.context.close()

    analyst = sign_in(browser, live_server, "analyst", f"/surveys/rounds/{response.round_id}")
    assert "Svar har inkommit från 1 av 1 regioner" in analyst.locator("main").inner_text()
    assert violations(analyst) == []
    analyst.context.close()

    foreign = sign_in(browser, live_server, "foreign", "/surveys")
    for path in ("", "/pages/2", "/summary", "/submissions/1", "/history"):
        assert foreign.goto(f"{live_server}{base}{path}").status == 403  # type: ignore[union-attr]
    foreign.context.close()


def test_start_page_leads_to_the_questionnaire_due(browser: Browser, live_server: str,
                                                   session: Session) -> None:
    response = halland_asked(session, "start", "Startsidetest")

    page = sign_in(browser, live_server, "respondent", "/")
    todo = page.get_by_role("table", name="Enkäter som väntar på er redovisning")
    assert "Startsidetest" in todo.inner_text() and "2099-12-31" in todo.inner_text()
    assert violations(page) == []
    todo.get_by_role("link", name="Testenkät för regioner").click()
    page.wait_for_url(f"{live_server}/surveys/responses/{response.id}")
    page.context.close()
    analyst = sign_in(browser, live_server, "analyst", "/")
    rounds = analyst.get_by_role("table", name="Omgångar öppna för svar", exact=False)
    assert "Startsidetest (start)" in rounds.inner_text() and "0 av 1" in rounds.inner_text()
    assert violations(analyst) == []
    analyst.context.close()


def test_returned_for_correction_and_answered(browser: Browser, live_server: str,
                                              session: Session) -> None:
    response = halland_submitted(session, "retur", "Returtest")
    base = f"/surveys/responses/{response.id}"

    analyst = sign_in(browser, live_server, "analyst", f"{base}/submissions/1")
    analyst.get_by_role("link", name="Återsänd för komplettering").click()
    analyst.wait_for_url(f"{live_server}{base}/return")
    assert violations(analyst) == []
    analyst.locator("#c-staff").fill("Gäller antalet hela regionen?")
    analyst.get_by_label("Ny sista dag (ÅÅÅÅ-MM-DD)").fill("2099-06-30")
    analyst.get_by_role("button", name="Återsänd för komplettering").click()
    analyst.wait_for_url(f"{live_server}{base}?notice=returned")
    assert "uppgiftslämnaren har en ny sista dag" in analyst.get_by_role("status").inner_text()
    analyst.context.close()

    page = sign_in(browser, live_server, "respondent", "/")
    page.get_by_role("link", name="1 kommentar vid frågorna").click()
    page.wait_for_url(f"{live_server}{base}#comments")
    page.get_by_role("link", name="2. Hur många medarbetare", exact=False).click()
    note = page.get_by_role("note", name="Kommentar från uppföljningsmyndigheten")
    assert "Gäller antalet hela regionen?" in note.inner_text()
    assert violations(page) == []
    page.get_by_label("Hur många medarbetare", exact=False).fill("15")
    page.get_by_label("Ditt svar på kommentaren (frivilligt)").fill("Nej, nu hela regionen.")
    page.get_by_role("button", name="Nästa").click()
    page.wait_for_url(f"{live_server}{base}/pages/3")
    page.goto(f"{live_server}{base}/summary")
    assert "Nej, nu hela regionen." in page.get_by_role("table").first.inner_text()
    page.get_by_role("button", name="Lämna in", exact=False).click()
    page.wait_for_url(f"{live_server}{base}/submissions/2?notice=submitted")
    answered = page.get_by_role("table").filter(has_text="Svar före").inner_text()
    assert "Gäller antalet hela regionen?" in answered and "15" in answered
    assert violations(page) == []
    page.context.close()


def test_answers_filled_from_an_earlier_round(browser: Browser, live_server: str,
                                              session: Session) -> None:
    halland_submitted(session, "tidigare", "Tidigare omgång")
    response = halland_asked(session, "senare", "Senare omgång")
    base = f"/surveys/responses/{response.id}"

    page = sign_in(browser, live_server, "respondent", base)
    choices = page.get_by_label("Tidigare omgång", exact=True).inner_text()
    assert "Tidigare omgång – version 1" in choices
    page.get_by_role("button", name="Fyll i de obesvarade frågorna").click()
    page.wait_for_url(f"{live_server}{base}?notice=filled&filled=7&kept=0")
    assert "Svar hämtade från den tidigare omgången: 7." in page.get_by_role("status").inner_text()
    assert violations(page) == []
    page.goto(f"{live_server}{base}/pages/2")
    assert page.get_by_label("Hur många medarbetare", exact=False).input_value() == "12"
    page.context.close()


def test_a_phone_answers_a_table_question(browser: Browser, live_server: str,
                                          session: Session) -> None:
    """On a phone with the text at twice its size the table question scrolls in its own box
    (the page does not); what is typed into its cells is saved with the page and comes back."""
    response = halland_asked(session, "mobil", "Mobiltest")
    base = f"/surveys/responses/{response.id}"
    page = sign_in(browser, live_server, "respondent", f"{base}/pages/3")
    page.set_viewport_size({"width": 320, "height": 700})
    page.reload()
    assert page.locator(".table-scroll").count() == 0  # it fits at the usual size
    page.evaluate("document.documentElement.style.fontSize = '200%'")  # the reader's setting
    page.evaluate("window.dispatchEvent(new Event('resize'))")
    box = page.locator(".table-scroll").filter(
        has=page.get_by_role("textbox", name="Vårdcentraler Antal"))
    box.wait_for()
    assert box.get_attribute("role") == "region" and box.get_attribute("tabindex") == "0"
    assert page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth") == 0
    page.get_by_role("textbox", name="Vårdcentraler Antal").fill("4")
    page.get_by_role("textbox", name="Mobila team Antal").fill("2")
    assert violations(page) == []
    page.get_by_role("button", name="Spara", exact=True).click()
    page.wait_for_load_state()
    page.goto(f"{live_server}{base}/pages/3")
    assert page.get_by_role("textbox", name="Vårdcentraler Antal").input_value() == "4"
    assert page.get_by_role("textbox", name="Mobila team Antal").input_value() == "2"
    page.context.close()
