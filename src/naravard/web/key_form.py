"""The key-figures form: one figure per county typed in Swedish or plain form, kept as text.

Figures are read as whole numbers (``12 345``) or decimals with a comma or a point
(``0,0475``); thin and no-break spaces group thousands. A figure that is not a number gets its
own message; the rules on complete, non-negative and whole figures live in
:mod:`naravard.funding.key_figures` and their findings are placed next to their fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation

from naravard.funding.key_figures import WHOLE_KEY, Figure
from naravard.funding.problems import Problem
from naravard.web.funding_forms import FORM, SPACES, Errors, FormValues, Message

#: Fields of the form besides the figures.
SOURCE, PERIOD = "source", "reference_period"


def figure_name(code: str) -> str:
    """The form field of county ``code``'s figure."""
    return f"w_{code}"


def field_names(codes: Sequence[str]) -> tuple[str, ...]:
    """Every field of the form for counties ``codes``."""
    return (SOURCE, PERIOD, *(figure_name(c) for c in codes))


def parse_figure(raw: str) -> Figure | None:
    """A figure from typed text, ``None`` when empty; :class:`ValueError` when not a number."""
    text = SPACES.sub("", raw).replace("−", "-").replace(",", ".")
    if not text:
        return None
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None
    return int(value) if value == value.to_integral_value() else value.normalize()


def parse_figures(values: Mapping[str, str], codes: Sequence[str]
                  ) -> tuple[dict[str, Figure | None], Errors]:
    """County code → figure (``None`` where empty or unreadable), and the parse errors."""
    figures: dict[str, Figure | None] = {}
    errors: Errors = {}
    for code in codes:
        name = figure_name(code)
        try:
            figures[code] = parse_figure(values.get(name, ""))
        except ValueError:
            figures[code] = None
            errors[name] = [Message("Enter a number, e.g. 12 345 or 0,0475.")]
    return figures, errors


def add_figure_problems(errors: Errors, problems: Sequence[Problem]) -> None:
    """File the domain's findings under their fields (a field with a parse error keeps only
    that one)."""
    parsed = set(errors)
    for p in problems:
        if p.field.startswith("weight."):
            target = figure_name(p.field.removeprefix("weight."))
        else:
            target = FORM if p.field == WHOLE_KEY else p.field
        if target not in parsed:
            errors.setdefault(target, []).append(Message(p.message))


def initial_values(entries: Sequence[tuple[str, Figure | None]], source: str,
                   period: str) -> FormValues:
    """The form filled with a key's current figures (Swedish decimal comma)."""
    values = FormValues({SOURCE: source, PERIOD: period})
    for code, weight in entries:
        text = "" if weight is None else str(weight) if isinstance(weight, int) else f"{weight:f}"
        values[figure_name(code)] = text.replace(".", ",")
    return values
