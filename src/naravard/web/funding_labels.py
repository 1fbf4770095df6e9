"""Funding terms that the pages show in the reader's language.

A frozen allocation keeps its key as an English record (``AllocationRun.basis``, also in the
audit log and the command line); the pages rebuild the text from the run's method, key and
population date so that it follows the page's language. Parties, and the reasons a line has
no allocation, are translated in the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from naravard.funding.agreements import MethodKind
from naravard.funding.line_allocation import AMOUNT_NOT_KNOWN, METHOD_NOT_KNOWN
from naravard.storage.funding_repo import basis_key
from naravard.storage.funding_tables import AllocationRun

Gettext = Callable[..., str]

def _mark(message: str) -> str:
    """Marks ``message`` for translation (it is translated where it is shown)."""
    return message


PARTIES = {
    "regions": _mark("the regions"),
    "rss": _mark("the RSS"),
    "skr": _mark("SKR"),
    "government": _mark("the Government"),
}

#: Reasons from :mod:`naravard.funding.line_allocation` that the pages translate.
REASONS = (AMOUNT_NOT_KNOWN, METHOD_NOT_KNOWN)


def basis_label(run: AllocationRun, _: Gettext) -> str:
    """The allocation key of ``run`` in the language of ``_``."""
    day = run.population_date.isoformat() if run.population_date else ""
    key = basis_key(run.basis or "")
    if run.method_kind == MethodKind.POPULATION_SHARE:
        return _("population on %(day)s", day=day) if day else _("population")
    if run.method_kind == MethodKind.MUNICIPAL_KEY:
        return _("key %(key)s (half) and population on %(day)s (half)", key=key, day=day)
    if run.method_kind == MethodKind.IMPORTED_KEY:
        return _("key %(key)s", key=key)
    if run.method_kind == MethodKind.FIXED_AMOUNTS:
        return _("fixed amounts")
    return run.basis


def parties_label(parties: Iterable[str], _: Gettext) -> str:
    """Parties of a duty (``regions``, ``skr`` …), translated and joined."""
    return ", ".join(_(PARTIES[p]) if p in PARTIES else p for p in parties)


def reason_label(reason: str | None, _: Gettext) -> str:
    """Why a line has no allocation, as a sentence: translated when it is one of
    :data:`REASONS` (other reasons name keys and data and are shown as they are)."""
    if not reason:
        return ""
    text = _(reason) if reason in REASONS else reason
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


#: How agreement files record that the source gives no value (a key's period has its own).
NOT_STATED = "not stated"
NOT_STATED_PERIOD = "not stated in the agreement"


def or_not_stated(text: str | None, _: Gettext) -> str:
    """``text``, or "not stated" in the page's language when the source gives none."""
    return text if text and text not in (NOT_STATED, NOT_STATED_PERIOD) else _("not stated")


HELPERS = {"basis_label": basis_label, "parties_label": parties_label,
           "reason_label": reason_label, "or_not_stated": or_not_stated}
