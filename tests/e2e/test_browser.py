"""A person signs in with a real browser; the pages pass axe-core's WCAG 2.1 AA rules."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from naravard.formatting import THIN
from tests.conftest import USERS

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def violations(page: Page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
            for v in results.response["violations"]]


def test_sign_in_reaches_start_page_accessibly(browser: Browser, live_server: str) -> None:
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server}/organisations")
    assert page.url.startswith(f"{live_server}/login?next=")
    assert violations(page) == []
    page.get_by_label("Användarnamn").fill("respondent")
    page.get_by_label("Lösenord").fill(USERS["respondent"].password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server}/organisations")
    assert page.get_by_role("heading", level=1).inner_text() == "Regioner och folkmängd"
    footer = page.locator("table.data tfoot td").first.inner_text()
    assert footer == f"10{THIN}551{THIN}707"
    assert violations(page) == []
    page.get_by_role("link", name="Start").click()
    assert "Du lämnar uppgifter för Region Halland." in page.locator("main").inner_text()
    assert violations(page) == []
    # Keyboard: the first Tab lands on the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.screenshot(path=str(_shot_dir() / "start.png"), full_page=True)
    context.close()


def test_wrong_password_message_is_announced(browser: Browser, live_server: str) -> None:
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Användarnamn").fill("admin")
    page.get_by_label("Lösenord").fill("not-the-password")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").inner_text() == "Fel användarnamn eller lösenord."
    assert violations(page) == []
    context.close()


def test_account_page_from_the_header(browser: Browser, live_server: str) -> None:
    context = browser.new_context(bypass_csp=True, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Användarnamn").fill("municipality")
    page.get_by_label("Lösenord").fill(USERS["municipality"].password)
    page.get_by_role("button", name="Logga in").click()
    page.get_by_role("link", name="Municipality, Kungsbacka – ditt konto").click()
    page.wait_for_url(f"{live_server}/account")
    assert page.get_by_role("heading", level=1).inner_text() == "Ditt konto"
    assert violations(page) == []
    page.get_by_role("textbox", name="E-post").fill("karin@kungsbacka.example")
    page.get_by_role("button", name="Spara e-postadressen").click()
    page.wait_for_url(f"{live_server}/account?notice=email")
    assert page.get_by_role("status").inner_text() == "Din e-postadress är sparad."
    assert page.get_by_role("textbox", name="E-post").input_value() == "karin@kungsbacka.example"
    assert violations(page) == []
    context.close()


def test_a_phone_scrolls_wide_tables_not_the_page(browser: Browser, live_server: str) -> None:
    """At 375 px the header's menu wraps within the screen and a table wider than the screen
    scrolls in its own box, which the keyboard reaches and which is named after the table's
    caption (the caption kept to the box's width); the page itself never scrolls sideways.
    Printed, the table is whole. A wide screen leaves the table alone."""
    context = browser.new_context(bypass_csp=True, locale="sv-SE",
                                  viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.get_by_label("Användarnamn").fill("analyst")
    page.get_by_label("Lösenord").fill(USERS["analyst"].password)
    page.get_by_role("button", name="Logga in").click()
    page.goto(f"{live_server}/organisations")
    sideways = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    assert page.evaluate(sideways) == 0
    menu = page.evaluate("""() => [...document.querySelectorAll('header nav a, header nav button')]
        .map(e => e.getBoundingClientRect().right)""")
    assert len(menu) == 7 and max(menu) <= 375  # five pages, the account, sign out
    box = page.get_by_role("region", name="Folkmängd per region den 2023-12-31 (SCB)")
    assert box.get_attribute("class") == "table-scroll" and box.get_attribute("tabindex") == "0"
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    # the caption wraps to the box (not to the table's width) and stays in view
    assert box.evaluate("b => b.querySelector('caption').getBoundingClientRect().width") == (
        box.evaluate("b => b.clientWidth"))
    assert box.get_by_role("table").locator("tfoot td").first.inner_text() == (
        f"10{THIN}551{THIN}707")
    box.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.table-scroll').scrollLeft > 0")
    assert violations(page) == []
    page.emulate_media(media="print")  # printed, the table is whole and the menu gone
    assert box.evaluate("b => getComputedStyle(b).overflowX") == "visible"
    assert box.evaluate("b => getComputedStyle(b.querySelector('caption')).maxWidth") == "none"
    assert page.evaluate("getComputedStyle(document.querySelector('header nav')).display") == (
        "none")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 800})  # the table fits: no longer a stop
    page.wait_for_function("!document.querySelector('.table-scroll').hasAttribute('tabindex')")
    assert page.get_by_role("region").count() == 0
    page.goto(f"{live_server}/organisations")
    assert page.locator(".table-scroll").count() == 0  # fitting tables are never wrapped
    context.close()


def test_english_browser_gets_english(browser: Browser, live_server: str) -> None:
    context = browser.new_context(bypass_csp=True, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server}/login")
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    page.get_by_role("button", name="Svenska").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Logga in"
    context.close()


def _shot_dir():  # type: ignore[no-untyped-def]
    from pathlib import Path

    path = Path("var") / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_api_docs_render_offline_under_the_page_policy(browser: Browser,
                                                       live_server: str) -> None:
    context = browser.new_context()  # the content security policy is enforced
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(live_server) or r.url.startswith(
        "data:") else outside.append(r.url))
    page.goto(f"{live_server}/api/v1/docs")
    operations = page.locator(".opblock-summary-path")
    operations.first.wait_for(timeout=15000)
    paths = {operations.nth(i).inner_text().replace("\u200b", "")
             for i in range(operations.count())}
    assert "/api/v1/indicators" in paths
    assert page.locator(".info .title").inner_text().startswith("Nära API")
    assert outside == [] and errors == []
