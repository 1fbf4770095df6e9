"""Every UI text of the funding pages and messages has a Swedish translation."""

from __future__ import annotations

import ast
import re
from importlib.resources import files
from pathlib import Path

from naravard.funding import key_figures
from naravard.storage import funding_repo, key_figures_repo
from naravard.web import funding, funding_forms, funding_labels, key_form
from naravard.web.i18n import catalogue

TEMPLATE_TEXT = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')""")
CALLS = {"_", "_mark", "Message", "FundingError"}


def python_messages() -> set[str]:
    """First string arguments of ``_``, ``Message`` and ``FundingError`` calls, and the table."""
    found: set[str] = set()
    for module in (funding, funding_forms, funding_labels, funding_repo, key_figures_repo,
                   key_form):
        tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                first = node.args[0]
                if name in CALLS and isinstance(first, ast.Constant):
                    found.add(str(first.value))
    found |= {msgid for _, msgid, _ in funding_forms.MESSAGES}
    found |= set(funding_labels.REASONS)
    found |= key_figure_messages()
    return found


def key_figure_messages() -> set[str]:
    """The messages of :mod:`naravard.funding.key_figures`' findings that the form shows (the
    unknown-county finding only arises from files, on the command line)."""
    tree = ast.parse(Path(str(key_figures.__file__)).read_text(encoding="utf-8"))
    return {
        str(node.args[1].value) for node in ast.walk(tree)
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Problem"
        and isinstance(node.args[1], ast.Constant)
    }


def template_messages() -> set[str]:
    root = Path(str(files("naravard.web").joinpath("templates", "funding")))
    found: set[str] = set()
    for path in root.glob("*.html"):
        for m in TEMPLATE_TEXT.finditer(path.read_text(encoding="utf-8")):
            found.add(m.group(1) or m.group(2))
    return found


def test_every_funding_text_is_translated() -> None:
    sv = catalogue("sv")
    texts = python_messages() | template_messages()
    assert len(texts) > 150
    assert sorted(texts - set(sv)) == []


def test_swedish_messages_keep_their_placeholders() -> None:
    sv = catalogue("sv")
    for msgid in python_messages() | template_messages():
        assert sorted(re.findall(r"%\(\w+\)s", msgid)) == sorted(
            re.findall(r"%\(\w+\)s", sv[msgid])), msgid
