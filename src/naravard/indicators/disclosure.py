"""Disclosure control at publication: primary and secondary suppression, with an audit.

Primary suppression masks counts below ``min_count`` (never 0) and ratios whose denominator is
below ``min_denominator``. Secondary suppression then masks further cells until no masked cell
can be worked out from the published cells through the additive relations of one table
(Riket = Σ regions, region = Σ its municipalities, municipality = Σ its care units where units
are counted where they lie, T = K + M, and for indicators computed per month a year = Σ its
months, since both count events by their date). A table is an indicator's variant in one year:
the year's cells and, where there are any, its months' cells; the variants of an indicator in
a year are decided as one table (:func:`suppress_variants`), with the links between them.
The audit is linear algebra: a masked cell is exposed exactly when its unit vector lies in the
row space of the relations restricted to masked cells (decided in exact integer arithmetic,
see :func:`exposed`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

import pyarrow as pa
import yaml

from naravard.indicators.definition import Definition
from naravard.indicators.finalise import NATION, RESULT_SCHEMA, publication_order
from naravard.indicators.text import Reader, Text

Row = dict[str, Any]
Cell = tuple[str, str, str, str]  # period, area level, area code, sex


def cell_key(row: Mapping[str, Any]) -> Cell:
    """The cell a row fills in its table (period, area level, area code, sex)."""
    return (row["period"], row["area_level"], row["area_code"], row["sex"])


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


def table_key(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The table ``row`` is disclosure-controlled in: indicator, variant and year (a month's
    row belongs to its year's table)."""
    return (str(row["indicator"]), str(row["variant"]), str(row["period"])[:4])


def table_periods(d: Definition, periods: Sequence[str]) -> list[str]:
    """Every period of the tables that hold ``periods``: each one's year and, for an indicator
    computed per month, the year's twelve months (what must be read together to publish any
    of them)."""
    out: set[str] = set()
    for p in periods:
        year = str(p)[:4]
        out.add(year)
        if "month" in d.periods:
            out.update(f"{year}-{m:02d}" for m in range(1, 13))
    return sorted(out)


def _relations(rows: Sequence[Row], d: Definition,
               unit_municipality: Mapping[str, str]) -> list[tuple[int, list[int]]]:
    """(parent, children) index relations among ``rows`` (one table: an indicator's variant in
    one year, its months included): the areas and sexes within each period, and each year
    cell as the sum of the same area's and sex's month cells."""
    by_period: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        by_period[str(r["period"])].append(i)
    rels: list[tuple[int, list[int]]] = []
    for idxs in by_period.values():
        rels += [(idxs[head], [idxs[k] for k in kids]) for head, kids in
                 _period_relations([rows[i] for i in idxs], d, unit_municipality)]
    years = {(r["area_level"], r["area_code"], r["sex"]): i for i, r in enumerate(rows)
             if len(str(r["period"])) == 4}
    months: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        if len(str(r["period"])) == 7:
            months[(r["area_level"], r["area_code"], r["sex"])].append(i)
    for key, head in years.items():
        if months.get(key):
            rels.append((head, sorted(months[key])))
    return rels


def _period_relations(rows: Sequence[Row], d: Definition,
                      unit_municipality: Mapping[str, str]) -> list[tuple[int, list[int]]]:
    """(parent, children) index relations among ``rows`` of one period."""
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


PRIME = 2_305_843_009_213_693_951
"""The Mersenne prime 2⁶¹ − 1."""


def _unit_rows(rows: Sequence[Mapping[int, int]], prime: int) -> set[int]:
    """Columns whose unit vector lies in the row space of sparse integer ``rows``, mod ``prime``.

    Sparse Gauss–Jordan elimination in integers modulo ``prime`` (no floating point): column
    ``c`` is determined exactly when it is a pivot column whose reduced row has no other
    non-zero entry. Rows are dictionaries column → coefficient; the pivot row of a column is
    the sparsest candidate, which keeps the fill-in of these relation systems small.
    """
    work = [{c: v % prime for c, v in r.items() if v % prime} for r in rows]
    holding: dict[int, set[int]] = defaultdict(set)
    for i, r in enumerate(work):
        for c in r:
            holding[c].add(i)
    used: set[int] = set()
    pivot_of: dict[int, int] = {}
    for c in sorted(holding):
        candidates = [i for i in holding[c] if i not in used]
        if not candidates:
            continue
        i = min(candidates, key=lambda j: (len(work[j]), j))
        used.add(i)
        row = work[i]
        if row[c] != 1:
            inverse = pow(row[c], -1, prime)
            for k in row:
                row[k] = row[k] * inverse % prime
        for j in list(holding[c]):
            if j == i:
                continue
            other, factor = work[j], work[j][c]
            for k, v in row.items():
                value = (other.get(k, 0) - factor * v) % prime
                if value:
                    if k not in other:
                        holding[k].add(j)
                    other[k] = value
                elif k in other:
                    del other[k]
                    holding[k].discard(j)
        pivot_of[c] = i
    return {c for c, i in pivot_of.items() if len(work[i]) == 1}


def exposed(relations: Sequence[tuple[int, list[int]]], masked: set[int]) -> list[int]:
    """Masked cells whose value follows exactly from the relations and the published cells.

    The masked cells are split into independent groups (cells linked through a relation), and
    each group's relations (coefficients −1, 0, 1 on its masked cells) are solved separately: a
    cell is exposed when its unit vector lies in the row space of the group's matrix. The test
    is exact integer arithmetic modulo the prime 2⁶¹ − 1: it can differ from the answer over the
    rationals only if that prime divides a minor of the matrix, which for these small sparse
    systems of −1, 0, 1 does not happen in practice (a property test compares it with rational
    arithmetic).
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
    group_rows: dict[int, list[list[tuple[int, int]]]] = {}
    for members in touching:
        group_rows.setdefault(find(members[0][0]), []).append(members)
    out: list[int] = []
    for rows in group_rows.values():
        sparse: list[dict[int, int]] = []
        for members in rows:
            row: dict[int, int] = defaultdict(int)
            for i, coef in members:
                row[i] += coef
            sparse.append(row)
        out += sorted(_unit_rows(sparse, PRIME))
    return sorted(out)


def _protected_size(row: Row, d: Definition) -> float:
    value = row["denominator"] if d.disclosure == "denominator" else row["numerator"]
    return float(value) if value is not None else 0.0


def _has_value(row: Row) -> bool:
    """Whether ``row`` publishes a figure that masking would hide (a ``missing`` row shows its
    numerator where there is one, e.g. events in an age group without population)."""
    return row["numerator"] is not None and (row["status"] != "missing" or bool(row["numerator"]))


def _pick(candidates: list[int], rows: Sequence[Row], d: Definition,
          masked: set[int]) -> int | None:
    # a row without figures ("no data") is never used; a ``missing`` row that shows a
    # numerator (a rate left undefined by its age groups, say) is a figure like any other
    free = [i for i in candidates if i not in masked and _has_value(rows[i])]
    if not free:
        return None
    positive = [i for i in free if _protected_size(rows[i], d) > 0]
    pool = positive or free
    return min(pool, key=lambda i: (_protected_size(rows[i], d), rows[i]["area_code"],
                                    rows[i]["sex"]))


def suppress_table(rows: Sequence[Row], d: Definition, rule: DisclosureRule,
                   unit_municipality: Mapping[str, str],
                   start: Iterable[int] = ()) -> set[int]:
    """Indices of ``rows`` (one table, see :func:`table_key`) to mask, beginning with the
    cells that fail the primary rule and those in ``start``."""
    return _suppress(rows, _relations(rows, d, unit_municipality), d, rule, start)


def _suppress(rows: Sequence[Row], rels: Sequence[tuple[int, list[int]]], d: Definition,
              rule: DisclosureRule, start: Iterable[int] = (),
              primary: set[int] | None = None) -> set[int]:
    """Indices of ``rows`` to mask so that no masked cell follows from the relations ``rels``
    (parent = Σ children) and the published cells (``primary``: the cells failing the primary
    rule, when already known)."""
    if primary is None:
        primary = {i for i, r in enumerate(rows) if _primary(r, d, rule)}
    masked = primary | set(start)
    if not masked or not rule.secondary:
        return masked
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
            # no single complement found: hide every figure an exposed cell is tied to
            extra = {m for cell in open_cells for parent, kids in rels if cell in (parent, *kids)
                     for m in (parent, *kids) if m not in masked and _has_value(rows[m])}
            if not extra:
                # every figure beside an exposed cell is hidden already: it follows through a
                # chain of hidden cells, so hide the smallest figure tied to each such chain
                extra = _chain_complements(rows, rels, d, masked, open_cells)
                if not extra:
                    return masked  # nothing left to hide: the cells are known from the rest
            masked |= extra


def _chain_complements(rows: Sequence[Row], rels: Sequence[tuple[int, list[int]]],
                       d: Definition, masked: set[int], open_cells: Sequence[int]) -> set[int]:
    """For each chain of masked cells (linked through relations, masked cell to masked cell)
    that holds an exposed cell, the smallest published figure tied to the chain."""
    touching: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for rel in rels:
        for m in (rel[0], *rel[1]):
            if m in masked:
                touching[m].append(rel)
    covered: set[int] = set()
    out: set[int] = set()
    for cell in open_cells:
        if cell in covered:
            continue
        chain, tied, todo = {cell}, set(), [cell]
        while todo:
            for parent, kids in touching[todo.pop()]:
                for m in (parent, *kids):
                    if m not in masked:
                        tied.add(m)
                    elif m not in chain:
                        chain.add(m)
                        todo.append(m)
        covered |= chain
        choice = _pick(sorted(tied), rows, d, masked)
        if choice is not None:
            out.add(choice)
    return out


def mask_row(row: Row, d: Definition) -> Row:
    """``row`` as published when masked: no numerator or value, no denominator unless it is
    public, status ``suppressed``."""
    out = dict(row)
    out["numerator"] = None
    out["value"] = None
    out["ci_low"] = out["ci_high"] = None
    if not d.denominator_public:
        out["denominator"] = None
    out["status"] = "suppressed"
    return out


def disclose_rows(rows: Sequence[Row], definitions: Mapping[str, Definition],
                  rule: DisclosureRule,
                  unit_municipality: Mapping[str, str] | None = None) -> list[Row]:
    """``rows`` with disclosure control applied (order kept).

    Each table is decided with its cells in publication order (period, level, area, sex), so the
    same table gives the same masked cells however its rows arrive: from the engine, from the
    database by any index, or in a result file. (Where two cells could equally well be masked,
    the choice follows that order; two different but each safe choices published side by side
    could together reveal what each hides.)
    """
    units = unit_municipality or {}
    tables: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    for i in sorted(range(len(rows)), key=lambda i: publication_order(rows[i])):
        tables[table_key(rows[i])].append(i)
    together: dict[tuple[str, str], list[tuple[str, str, str]]] = defaultdict(list)
    for key in tables:  # the variants of an indicator in a year, in variant order
        together[(key[0], key[2])].append(key)
    out = [dict(r) for r in rows]
    for (indicator, _), keys in together.items():
        d = definitions[indicator]
        if d.disclosure in ("none", "derived"):
            continue
        subs = [[rows[i] for i in tables[key]] for key in keys]
        for key, sub, masked in zip(keys, subs, suppress_variants(subs, d, rule, units),
                                    strict=True):
            for k in masked:
                out[tables[key][k]] = mask_row(sub[k], d)
    return out


def suppress_variants(tables: Sequence[Sequence[Row]], d: Definition, rule: DisclosureRule,
                      unit_municipality: Mapping[str, str]) -> list[set[int]]:
    """Indices to mask in each of ``tables``, the variants of one indicator in one year (each
    non-empty, one variant each), decided as one table.

    Variants can be linked cell by cell: avoidable care of all four conditions is the sum of
    the four, and its crude rate has the same numerator as the standardised one, so a count
    hidden in one variant could be worked out from the same cell of the others. The links are
    found in the figures themselves (:func:`_variant_links`) and join each variant's own
    relations in one system, which secondary suppression and the audit then treat like any
    other: a hidden asthma count costs one more hidden cell at that place (the smallest other
    condition), not the total of every variant.
    """
    rows = [r for t in tables for r in t]
    primary = {i for i, r in enumerate(rows) if _primary(r, d, rule)}
    if not primary:
        return [set() for _ in tables]
    offsets = [sum(len(t) for t in tables[:k]) for k in range(len(tables))]
    links = _variant_links(tables, offsets, d)
    # a variant with no cell to mask, linked to none that has one, needs no relations
    owner = [k for k, t in enumerate(tables) for _ in t]
    group = list(range(len(tables)))

    def root(k: int) -> int:
        while group[k] != k:
            k = group[k]
        return k

    for parent, kids in links:
        for kid in kids:
            group[root(owner[kid])] = root(owner[parent])
    active = {root(owner[i]) for i in primary}
    rels = [(parent + off, [k + off for k in kids])
            for n, (t, off) in enumerate(zip(tables, offsets, strict=True))
            if root(n) in active
            for parent, kids in _relations(t, d, unit_municipality)]
    masked = _suppress(rows, rels + links, d, rule, primary=primary)
    return [{i - off for i in masked if off <= i < off + len(t)}
            for t, off in zip(tables, offsets, strict=True)]


def _variant_links(tables: Sequence[Sequence[Row]], offsets: Sequence[int],
                   d: Definition) -> list[tuple[int, list[int]]]:
    """Relations between variants at each cell, as (parent, children) indices into the tables
    laid end to end: two variants whose protected figures (numerators, or denominators for
    means) are equal in every cell they share, and a variant whose code-list categories are
    split among other variants (same settings otherwise) when its figure is their sum in every
    cell. Each link is checked on the figures, so a relation that does not hold exactly (a
    stay counted under two conditions, say) is never assumed."""
    keyed = [{cell_key(r): off + k for k, r in enumerate(t)}
             for t, off in zip(tables, offsets, strict=True)]
    column = "denominator" if d.disclosure == "denominator" else "numerator"
    amounts = [None if r[column] is None else float(r[column]) for t in tables for r in t]

    def linked(parent: int, parts: Sequence[int]) -> list[tuple[int, list[int]]]:
        """The relations parent = Σ parts at every cell they share (in the parent's order),
        or none if the figures break it at any cell."""
        out: list[tuple[int, list[int]]] = []
        for cell, i in keyed[parent].items():
            found = [keyed[p].get(cell) for p in parts]
            if amounts[i] is None or any(j is None or amounts[j] is None for j in found):
                continue
            kids = [j for j in found if j is not None]
            if amounts[i] != sum(amounts[j] or 0.0 for j in kids):
                return []
            out.append((i, kids))
        return out

    links: list[tuple[int, list[int]]] = []
    for a in range(len(tables)):
        for b in range(a + 1, len(tables)):
            links += linked(a, [b])
    variants = [str(t[0]["variant"]) for t in tables]
    for v, parts in _category_parts(d, variants).items():
        links += linked(v, parts)
    return links


def _category_parts(d: Definition, variants: Sequence[str]) -> dict[int, list[int]]:
    """Variant index → the indices of the variants whose code-list categories split its own
    between them (disjoint, together all of them), every other setting equal. A variant the
    definition no longer has (results of an older version) takes part in no such split."""
    known = {v.id for v in d.variants}
    settings = [d.resolved(v) if v in known else {} for v in variants]
    out: dict[int, list[int]] = {}
    for v, mine in enumerate(settings):
        for key in ("categories", "index_categories"):
            whole = set(mine.get(key) or ())
            if not whole:
                continue
            parts = [w for w, theirs in enumerate(settings) if w != v and theirs.get(key)
                     and set(theirs[key]) < whole
                     and all(theirs.get(k) == value for k, value in mine.items() if k != key)]
            chosen = [set(settings[w][key]) for w in parts]
            disjoint = sum(len(c) for c in chosen) == len(whole)
            if parts and disjoint and set().union(*chosen) == whole:
                out[v] = parts
    return out


def disclose(results: pa.Table, definitions: Mapping[str, Definition], rule: DisclosureRule,
             unit_municipality: Mapping[str, str] | None = None) -> pa.Table:
    """A results table with disclosure control applied."""
    rows = disclose_rows(results.to_pylist(), definitions, rule, unit_municipality)
    return pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)

