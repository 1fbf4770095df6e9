"""Store the figures a grant officer supplies for an agreement's allocation key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from naravard.funding.agreements import Agreement, ImportedKey
from naravard.funding.key_figures import (
    Figure,
    figure_problems,
    lines_using,
    with_key_figures,
)
from naravard.funding.problems import Problem
from naravard.storage import audit
from naravard.storage.funding_repo import (
    FundingError,
    agreement_of,
    current_run,
    get_agreement,
    store_agreement,
)
from naravard.storage.funding_tables import StoredAgreement


class KeyFiguresError(ValueError):
    """Figures that cannot be stored; ``problems`` lists every finding."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


@dataclass(frozen=True)
class KeyView:
    """An agreement's key with the lines that use it and which of them are frozen."""

    stored: StoredAgreement
    agreement: Agreement
    key: ImportedKey
    lines: tuple[str, ...]
    frozen_lines: tuple[str, ...]

    @property
    def locked(self) -> bool:
        """Whether a frozen allocation rests on the key (its figures can no longer change)."""
        return bool(self.frozen_lines)


def key_view(session: Session, agreement_code: str, key_id: str) -> KeyView | None:
    """Key ``key_id`` of a stored agreement, or ``None`` if either does not exist."""
    stored = get_agreement(session, agreement_code)
    if stored is None:
        return None
    agreement = agreement_of(stored)
    if key_id not in {k.id for k in agreement.keys}:
        return None
    using = lines_using(agreement, key_id)
    frozen = tuple(li.code for li in stored.lines
                   if li.code in using and current_run(session, li.id) is not None)
    return KeyView(stored, agreement, agreement.key(key_id), using, frozen)


def supply_key_figures(session: Session, agreement_code: str, key_id: str,
                       figures: Mapping[str, Figure | None], source: str,
                       reference_period: str, actor: str, now: dt.datetime) -> None:
    """Store ``figures`` (county code → figure) for key ``key_id``, with an audit event.

    Refused with :class:`FundingError` when a frozen allocation rests on the key, and with
    :class:`KeyFiguresError` listing every problem when the figures are incomplete or wrong.
    """
    view = key_view(session, agreement_code, key_id)
    if view is None:
        raise FundingError("No key %(key)s in agreement %(code)s.", key=key_id,
                           code=agreement_code)
    if view.locked:
        raise FundingError(
            "Lines %(lines)s are frozen with key %(key)s: its figures can no longer change.",
            lines=", ".join(view.frozen_lines), key=key_id)
    problems = figure_problems(view.agreement, key_id, figures, source)
    if problems:
        raise KeyFiguresError(problems)
    complete = {code: value for code, value in figures.items() if value is not None}
    changed = with_key_figures(view.agreement, key_id, complete, source, reference_period)
    store_agreement(session, changed, view.stored.source, actor, now)
    audit.record(session, actor, "agreement.key_figures", "agreement_key",
                 f"{agreement_code}/{key_id}", None, source=source.strip(),
                 reference_period=reference_period.strip(),
                 figures={code: str(value) for code, value in complete.items()})
