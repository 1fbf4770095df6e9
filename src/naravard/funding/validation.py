"""Checks an agreement must pass on load; every problem names the element it concerns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from naravard.funding.agreements import (
    Agreement,
    FundingLine,
    MethodKind,
    RecipientClass,
)
from naravard.funding.keys import Level


class AgreementError(ValueError):
    """An agreement that does not hold together; ``problems`` lists every finding."""

    def __init__(self, agreement_id: str, problems: Iterable[str]) -> None:
        self.agreement_id = agreement_id
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"agreement {agreement_id}: {len(self.problems)} problem(s)\n{lines}")


def _duplicates(kind: str, ids: Iterable[str]) -> list[str]:
    return [f"{kind} id {i!r} is used {n} times" for i, n in Counter(ids).items() if n > 1]


def _method_problems(agreement: Agreement, line: FundingLine) -> list[str]:
    where = f"line {line.id}"
    method = line.method
    if method is None:
        return [] if "method" in " ".join(line.missing) else [
            f"{where}: no allocation method and none listed as missing"
        ]
    out: list[str] = []
    key_ids = {k.id for k in agreement.keys}
    level = line.recipient.level if line.recipient else None
    if (
        method.kind in (MethodKind.POPULATION_SHARE, MethodKind.MUNICIPAL_KEY)
        and method.population_date is None
    ):
        out.append(f"{where}: method {method.kind} needs population_date")
    if method.kind in (MethodKind.MUNICIPAL_KEY, MethodKind.IMPORTED_KEY):
        if method.key_id is None:
            out.append(f"{where}: method {method.kind} needs key_id")
        elif method.key_id not in key_ids:
            out.append(f"{where}: unknown key {method.key_id!r} (keys: {sorted(key_ids)})")
        else:
            key = agreement.key(method.key_id)
            wanted = Level.RSS if method.kind is MethodKind.MUNICIPAL_KEY else level
            if wanted is not None and key.level is not wanted:
                out.append(
                    f"{where}: key {key.id} pays level {key.level}, line needs {wanted}"
                )
    if method.kind is MethodKind.MUNICIPAL_KEY and (
        line.recipient is not RecipientClass.MUNICIPALITIES_VIA_RSS
    ):
        out.append(f"{where}: the municipal key applies to municipalities via RSS only")
    if method.kind in (MethodKind.POPULATION_SHARE, MethodKind.IMPORTED_KEY) and level is None:
        out.append(f"{where}: method {method.kind} cannot pay recipient {line.recipient}")
    if method.kind is MethodKind.FIXED_AMOUNTS:
        if not method.fixed:
            out.append(f"{where}: fixed_amounts has no amounts")
        codes = [f.code for f in method.fixed]
        out += [f"{where}: {p}" for p in _duplicates("fixed recipient", codes)]
        out += [
            f"{where}: fixed amount to {f.code} is negative ({f.amount_sek})"
            for f in method.fixed
            if f.amount_sek < 0
        ]
        fixed_sum = sum(f.amount_sek for f in method.fixed)
        if line.amount_sek is not None and fixed_sum != line.amount_sek:
            out.append(
                f"{where}: fixed amounts sum to {fixed_sum} kr, "
                f"the line states {line.amount_sek} kr"
            )
    elif method.fixed:
        out.append(f"{where}: fixed amounts given but method is {method.kind}")
    return out


def agreement_problems(agreement: Agreement) -> list[str]:
    """Every problem found in ``agreement`` (empty when it holds together)."""
    a = agreement
    out: list[str] = []
    if not a.id.strip():
        out.append("agreement id is empty")
    for kind, ids in (
        ("line", [li.id for li in a.lines]),
        ("area", [x.id for x in a.areas]),
        ("key", [k.id for k in a.keys]),
        ("duty", [d.id for d in a.duties]),
        ("condition", [c.id for c in a.conditions]),
    ):
        out += _duplicates(kind, ids)
    area_ids = {x.id for x in a.areas}
    duty_ids = {d.id for d in a.duties}
    for line in a.lines:
        where = f"line {line.id}"
        if line.amount_sek is None:
            if "amount" not in " ".join(line.missing):
                out.append(f"{where}: amount is not given and not listed as missing")
        elif line.amount_sek < 0:
            out.append(f"{where}: amount {line.amount_sek} kr is negative")
        if line.recipient is None and "recipient" not in " ".join(line.missing):
            out.append(f"{where}: recipient is not given and not listed as missing")
        if line.area is not None and line.area not in area_ids:
            out.append(f"{where}: unknown area {line.area!r}")
        out += _method_problems(a, line)
    known = [li.amount_sek for li in a.lines if li.amount_sek is not None]
    all_known = len(known) == len(a.lines)
    if a.total_sek is not None:
        if a.total_sek < 0:
            out.append(f"total {a.total_sek} kr is negative")
        if all_known and sum(known) != a.total_sek:
            out.append(f"lines sum to {sum(known)} kr, the agreement states {a.total_sek} kr")
        if not all_known and sum(known) > a.total_sek:
            out.append(f"known lines sum to {sum(known)} kr, more than the total {a.total_sek} kr")
    elif a.complete:
        out.append("a complete agreement needs total_sek")
    if a.complete and not all_known:
        out.append("a complete agreement has lines without amounts")
    for sub in a.subtotals:
        lines = [li for li in a.lines if li.recipient in sub.recipients]
        if all(li.amount_sek is not None for li in lines):
            got = a.amount_to(sub.recipients)
            if got != sub.amount_sek:
                out.append(
                    f"subtotal {sub.label!r}: lines to {', '.join(sub.recipients)} sum to "
                    f"{got} kr, the agreement states {sub.amount_sek} kr"
                )
    for key in a.keys:
        out += [f"key {key.id}: {p}" for p in _duplicates("entry", [e.code for e in key.entries])]
        for e in key.entries:
            if e.weight is not None and e.weight < 0:
                out.append(f"key {key.id}: entry {e.code} has negative weight {e.weight}")
        if not key.available and not key.missing:
            out.append(f"key {key.id}: weights are missing but the key does not say why")
    for cond in a.conditions:
        if cond.duty is not None and cond.duty not in duty_ids:
            out.append(f"condition {cond.id}: unknown duty {cond.duty!r}")
    for sig in a.signatories:
        if sig.signed_on is not None and abs(sig.signed_on.year - a.year) > 1:
            out.append(f"signatory {sig.name}: signed {sig.signed_on}, far from year {a.year}")
    return out


def validate_agreement(agreement: Agreement) -> Agreement:
    """Return ``agreement`` unchanged, or raise :class:`AgreementError` listing every problem."""
    problems = agreement_problems(agreement)
    if problems:
        raise AgreementError(agreement.id, problems)
    return agreement
