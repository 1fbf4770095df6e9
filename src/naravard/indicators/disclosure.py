"""Disclosure control at publication: primary and secondary suppression, with an audit.

Primary suppression masks counts below ``min_count`` (never 0) and ratios whose denominator is
below ``min_denominator``. Secondary suppression then masks further cells until no masked cell
can be worked out from the published cells through the additive relations of one table
(Riket = Σ regions, region = Σ its municipalities, municipality = Σ its care units where units
are counted where they lie, T = K + M). The audit is linear algebra: a masked cell is exposed
exactly when its unit vector lies in the row space of the relations restricted to masked cells
(decided in exact integer arithmetic, see :func:`exposed`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import numpy as np
import pyarrow as pa
import yaml

from naravard.indicators.definition import Definition
from naravard.indicators.finalise import NATION, RESULT_SCHEMA
from naravard.indicators.text import Reader, Text

Row = dict[str, Any]


@dataclass(frozen=True)
class DisclosureRule:
    """Thresholds and wording of the publication rule (a versioned setting)."""

    version: str
    min_count: int
    min_denominator: int
    mask: str
    secondary: bool
    footnote: Text

    def footnote_text(self, lang: str) -> str:
        """The footnote in ``lang`` with the thresholds filled in."""
        return " ".join(self.footnote.get(lang).split()).format(
            min_count=self.min_count, min_denominator=self.min_denominator, version=self.version)


def parse_rule(source: str, data: Mapping[str, Any]) -> DisclosureRule:
    """A rule from a parsed YAML mapping."""
    r = Reader(source, data)
    r.only({"version", "min_count", "min_denominator", "mask", "secondary", "footnote"})
    mc, md = r.sub("min_count"), r.sub("min_denominator")
    for sub in (mc, md):
        sub.only({"value", "evidence", "note"})
    rule = DisclosureRule(r.string("version"), mc.integer("value"), md.integer("value"),
                          r.string("mask"), r.boolean("secondary"), r.text("footnote"))
    if rule.min_count < 1 or rule.min_denominator < 0:
        raise r.fail("min_count", "thresholds must be positive")
    return rule


@cache
def shipped_rule() -> DisclosureRule:
    """The shipped publication rule (``naravard/indicators/disclosure.yaml``)."""
    text = files("naravard.indicators").joinpath("disclosure.yaml").read_text(encoding="utf-8")
    return parse_rule("disclosure.yaml", yaml.safe_load(text))


def _primary(row: Row, d: Definition, rule: DisclosureRule) -> bool:
    num, den = row["numerator"], row["denominator"]
    if num is None or den is None or d.disclosure == "none":
        return False
    small_den = 0 < den < rule.min_denominator
    if d.disclosure == "counts":
        return bool(0 < num < rule.min_count or small_den)
    return bool(small_den)


def _relations(rows: Sequence[Row], d: Definition,
               unit_municipality: Mapping[str, str]) -> list[tuple[int, list[int]]]:
    """(parent, children) index relations among ``rows`` (one indicator, variant, period)."""
    at = {(r["area_level"], r["area_code"], r["sex"]): i for i, r in enumerate(rows)}
    rels: list[tuple[int, list[int]]] = []
    sexes = sorted({r["sex"] for r in rows})
    for (level, code, sex), i in at.items():
        if sex == "T" and (level, code, "K") in at and (level, code, "M") in at:
            rels.append((i, [at[(level, code, "K")], at[(level, code, "M")]]))
    children: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for level, code, _ in at:
        if level == "region":
            children[("nation", NATION)].append((level, code))
        elif level == "municipality":
            children[("region", code[:2])].append((level, code))
        elif level == "care_unit" and d.spec.area_basis == "care_unit" and (
            code in unit_municipality
        ):
            children[("municipality", unit_municipality[code])].append((level, code))
    has_regions = any(lvl == "region" for lvl, _, _ in at)
    for (plevel, pcode), kids in children.items():
        if plevel == "nation" and not has_regions:
            continue
        for sex in sexes:
            parent = at.get((plevel, pcode, sex))
            members = sorted({at[(lvl, c, sex)] for lvl, c in kids if (lvl, c, sex) in at})
            if parent is not None and members:
                rels.append((parent, members))
    return rels


PRIMES = (2_147_483_647, 2_147_483_629)
"""Two primes below 2³¹: residues multiply within 64-bit integers."""


def _unit_rows(matrix: np.ndarray, prime: int) -> np.ndarray:
    """Columns whose unit vector lies in the row space of integer ``matrix``, modulo ``prime``.

    Gauss–Jordan elimination in integers modulo ``prime`` (no floating point, no BLAS): column
    ``c`` is determined exactly when it is a pivot column whose reduced row has no other
    non-zero entry.
    """
    a = np.mod(matrix.astype(np.int64), prime)
    n_rows, n_cols = a.shape
    pivot_of = np.full(n_cols, -1, dtype=np.int64)
    r = 0
    for c in range(n_cols):
        if r == n_rows:
            break
        below = np.flatnonzero(a[r:, c])
        if below.size == 0:
            continue
        k = r + int(below[0])
        if k != r:
            a[[r, k]] = a[[k, r]]
        a[r] = (a[r] * pow(int(a[r, c]), prime - 2, prime)) % prime
        others = np.flatnonzero(a[:, c])
        others = others[others != r]
        if others.size:
            a[others] = (a[others] - (a[others, c][:, None] * a[r]) % prime) % prime
        pivot_of[c] = r
        r += 1
    out = np.zeros(n_cols, dtype=bool)
    for col in np.flatnonzero(pivot_of >= 0):
        out[col] = np.count_nonzero(a[pivot_of[col]]) == 1
    return out


def exposed(relations: Sequence[tuple[int, list[int]]], masked: set[int]) -> list[int]:
    """Masked cells whose value follows exactly from the relations and the published cells.

    The masked cells are split into independent groups (cells linked through a relation), and
    each group's relations (coefficients −1, 0, 1 on its masked cells) are solved separately: a
    cell is exposed when its unit vector lies in the row space of the group's matrix. The test
    is exact integer arithmetic modulo two large primes, and a cell counts as exposed if either
    finds it so (a false answer would need a prime to divide a minor of the matrix).
    """
    parent = {c: c for c in masked}

    def find(c: int) -> int:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching: list[list[tuple[int, int]]] = []
    for head, kids in relations:
        members = [(i, -1) for i in (head,) if i in masked] + [
            (k, 1) for k in kids if k in masked]
        if not members:
            continue
        touching.append(members)
        root = find(members[0][0])
        for i, _ in members[1:]:
            other = find(i)
            if other != root:
                parent[other] = root
    groups: dict[int, list[int]] = {}
    for c in sorted(masked):
        groups.setdefault(find(c), []).append(c)
    group_rows: dict[int, list[list[tuple[int, int]]]] = {}
    for members in touching:
        group_rows.setdefault(find(members[0][0]), []).append(members)
    out: list[int] = []
    for root, cells in groups.items():
        rows = group_rows.get(root)
        if not rows:
            continue
        pos = {c: k for k, c in enumerate(cells)}
        matrix = np.zeros((len(rows), len(cells)), dtype=np.int64)
        for r, members in enumerate(rows):
            for i, coef in members:
                matrix[r, pos[i]] += coef
        found = _unit_rows(matrix, PRIMES[0]) | _unit_rows(matrix, PRIMES[1])
        out += [c for c in cells if found[pos[c]]]
    return sorted(out)


def _protected_size(row: Row, d: Definition) -> float:
    value = row["denominator"] if d.disclosure == "denominator" else row["numerator"]
    return float(value) if value is not None else 0.0


def _pick(candidates: list[int], rows: Sequence[Row], d: Definition,
          masked: set[int]) -> int | None:
    free = [i for i in candidates if i not in masked and rows[i]["numerator"] is not None
            and rows[i]["status"] in ("ok", "too_few")]
    if not free:
        return None
    positive = [i for i in free if _protected_size(rows[i], d) > 0]
    pool = positive or free
    return min(pool, key=lambda i: (_protected_size(rows[i], d), rows[i]["area_code"],
                                    rows[i]["sex"]))


def suppress_table(rows: Sequence[Row], d: Definition, rule: DisclosureRule,
                   unit_municipality: Mapping[str, str]) -> set[int]:
    """Indices of ``rows`` (one indicator, variant, period) to mask."""
    masked = {i for i, r in enumerate(rows) if _primary(r, d, rule)}
    if not masked or not rule.secondary:
        return masked
    rels = _relations(rows, d, unit_municipality)
    while True:
        changed = True
        while changed:
            changed = False
            for parent, kids in rels:
                members = [parent, *kids]
                hidden = [m for m in members if m in masked]
                if len(hidden) == 1:
                    lone = hidden[0]
                    if lone == parent:
                        choice = _pick(kids, rows, d, masked)
                    else:
                        choice = _pick([k for k in kids if k != lone], rows, d, masked)
                        if choice is None:
                            choice = _pick([parent], rows, d, masked)
                    if choice is not None:
                        masked.add(choice)
                        changed = True
        open_cells = exposed(rels, masked)
        if not open_cells:
            return masked
        progress = False
        for cell in open_cells:
            for parent, kids in rels:
                members = [parent, *kids]
                if cell in members:
                    choice = _pick([m for m in members if m != cell], rows, d, masked)
                    if choice is not None:
                        masked.add(choice)
                        progress = True
                        break
            if progress:
                break
        if not progress:
            return masked


def _mask(row: Row, d: Definition) -> Row:
    out = dict(row)
    out["numerator"] = None
    out["value"] = None
    if not d.denominator_public:
        out["denominator"] = None
    out["status"] = "suppressed"
    return out


def disclose_rows(rows: Sequence[Row], definitions: Mapping[str, Definition],
                  rule: DisclosureRule,
                  unit_municipality: Mapping[str, str] | None = None) -> list[Row]:
    """``rows`` with disclosure control applied (order kept)."""
    units = unit_municipality or {}
    tables: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        tables[(r["indicator"], r["variant"], r["period"])].append(i)
    out = [dict(r) for r in rows]
    for (indicator, _, _), idxs in tables.items():
        d = definitions[indicator]
        if d.disclosure in ("none", "derived"):
            continue
        sub = [rows[i] for i in idxs]
        for k in suppress_table(sub, d, rule, units):
            out[idxs[k]] = _mask(sub[k], d)
    return out


def disclose(results: pa.Table, definitions: Mapping[str, Definition], rule: DisclosureRule,
             unit_municipality: Mapping[str, str] | None = None) -> pa.Table:
    """A results table with disclosure control applied."""
    rows = disclose_rows(results.to_pylist(), definitions, rule, unit_municipality)
    return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
