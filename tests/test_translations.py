"""Every UI text has a Swedish translation with the same placeholders."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

from naravard.accounts.roles import Role
from naravard.reference.organisations import OrgKind
from naravard.web.i18n import catalogue, gettext_for, pick_language

PATTERN = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")


def template_messages() -> set[str]:
    found: set[str] = set()
    root = Path(str(files("naravard.web").joinpath("templates")))
    for path in root.rglob("*.html"):
        for m in PATTERN.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(1) or m.group(2))
    return found


def test_every_template_text_is_translated() -> None:
    sv = catalogue("sv")
    dynamic = {r.value for r in Role} | {k.value for k in OrgKind}
    missing = sorted((template_messages() | dynamic) - set(sv))
    assert missing == []


def test_placeholders_match() -> None:
    for msgid, text in catalogue("sv").items():
        assert re.findall(r"%\(\w+\)s", msgid) == re.findall(r"%\(\w+\)s", text), msgid


def test_gettext_and_language_choice() -> None:
    assert gettext_for("sv")("Sign in") == "Logga in"
    assert gettext_for("en")("Sign in") == "Sign in"
    assert gettext_for("sv")("Welcome, %(name)s", name="Eva") == "Välkommen, Eva"
    assert pick_language(None, "en-GB,en;q=0.9", "sv") == "en"
    assert pick_language("sv", "en", "sv") == "sv"
    assert pick_language(None, "de", "sv") == "sv"
