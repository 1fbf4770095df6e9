"""Open data API for indicators, in the shape of Kolada's (kpi, municipality, period, values by
gender with value, count and status), paged; and the same selection as CSV and as an Excel
workbook.

Everything here is published data: it is read through
:func:`naravard.storage.indicator_repo.published`, so disclosure control has been applied to
whole tables before any filter, page or format is applied.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from naravard.accounts.roles import Permission
from naravard.indicators.catalogue import shipped_catalogue
from naravard.indicators.definition import Definition
from naravard.indicators.disclosure import shipped_rule
from naravard.indicators.finalise import SEX_ORDER
from naravard.indicators.publish import few_events, source_of
from naravard.storage import indicator_repo
from naravard.storage.indicator_repo import ResultSet
from naravard.web.i18n import gettext_for
from naravard.web.indicators import csv_response, csv_text
from naravard.web.indicators_workbook import TooManyRows, values_workbook, xlsx_response
from naravard.web.security import get_db, guard
from naravard.web.workbook_cache import WORKBOOKS

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"])
Db = Annotated[Session, Depends(get_db)]

MAX_PER_PAGE = 5000
_PERIOD = re.compile(r"^\d{4}(-\d{2})?$")
_CODE = re.compile(r"^[0-9A-Za-z._-]{1,64}$")


class LocalTextOut(BaseModel):
    """A text in Swedish and English."""

    sv: str
    en: str


class VariantOut(BaseModel):
    """A variant of an indicator, with the unit of its values (e.g. a crude rate beside the
    indicator's age-standardised ones)."""

    id: str
    title: LocalTextOut
    unit: LocalTextOut


class TargetOut(BaseModel):
    """A target value in the unit of the indicator."""

    value: float
    comparison: str
    text: LocalTextOut


class DirectionOut(BaseModel):
    """Which values the reform aims for: ``higher``, ``lower`` or ``none`` (neither is
    better in itself); ``evidence`` C confirmed, P partly confirmed, I inferred."""

    value: str
    evidence: str
    note: str


class IntervalOut(BaseModel):
    """How each value's confidence interval (``ci_low``, ``ci_high``) is computed: ``wilson``,
    ``wilson_persons``, ``poisson``, ``poisson_persons`` (the two widened for persons counted
    more than once), ``dobson``, ``t``, ``mover`` or ``none``, at ``level``; ``evidence`` as
    for the direction; a value resting on fewer events than ``few_events_below`` (null:
    never) is marked ``few_events``."""

    method: str
    level: float
    evidence: str
    note: str
    few_events_below: int | None = None


class DisclosureOut(BaseModel):
    """The publication rule applied to every value."""

    version: str
    min_count: int
    min_denominator: int
    mask: str
    footnote: LocalTextOut


class SnapshotOut(BaseModel):
    """The data the values were computed from."""

    id: int
    label: str
    stored_at: str
    years: list[int]
    definition_version: str | None


class IndicatorOut(BaseModel):
    """An indicator (a KPI) and what is published of it."""

    id: str
    version: str
    title: LocalTextOut
    description: LocalTextOut
    unit: LocalTextOut
    value_type: str
    scale: int
    decimals: int
    areas: list[str]
    genders: list[str]
    periods: list[str]
    variants: list[VariantOut]
    target: TargetOut | None
    direction: DirectionOut
    interval: IntervalOut
    snapshot: SnapshotOut | None
    values_url: str


class GenderValue(BaseModel):
    """One value: ``count`` is what the value is based on (the denominator; null for changes
    and when hidden); ``status`` is ok, too_few, missing or suppressed."""

    gender: str
    value: float | None
    count: float | None
    numerator: float | None
    denominator: float | None
    status: str
    #: The value's confidence interval (the definition names its method and level; null where
    #: there is none or the value is hidden).
    ci_low: float | None = None
    ci_high: float | None = None
    #: The value rests on fewer events than the indicator's ``interval.few_events_below``: it
    #: is uncertain (its interval is wide).
    few_events: bool = False


class ValueEntry(BaseModel):
    """Values of one indicator variant, area and period; ``municipality`` holds the code of
    Riket (00), a region (01–25) or a municipality (4 digits), ``ou`` a care unit's id."""

    kpi: str
    variant: str
    period: str
    area_level: str
    municipality: str | None
    ou: str | None
    values: list[GenderValue]


class ValuesPage(BaseModel):
    """One page of values; ``count`` is the number of entries over all pages."""

    count: int
    page: int
    per_page: int
    pages: int
    next_page: str | None
    previous_page: str | None
    values: list[ValueEntry]
    disclosure: DisclosureOut
    snapshot: SnapshotOut


def _text(t: Any) -> LocalTextOut:
    return LocalTextOut(sv=t.sv, en=t.en)


def _disclosure() -> DisclosureOut:
    rule = shipped_rule()
    return DisclosureOut(version=rule.version, min_count=rule.min_count,
                         min_denominator=rule.min_denominator, mask=rule.mask,
                         footnote=LocalTextOut(sv=rule.footnote_text("sv"),
                                               en=rule.footnote_text("en")))


def _snapshot(db: Session, d: Definition) -> SnapshotOut | None:
    snap = indicator_repo.current_snapshots(db).get(d.id)
    if snap is None:
        return None
    return SnapshotOut(id=snap.id, label=snap.label,
                       stored_at=indicator_repo.aware(snap.stored_at).isoformat(),
                       years=list(snap.years), definition_version=snap.definitions.get(d.id))


def _indicator(db: Session, d: Definition) -> IndicatorOut:
    return IndicatorOut(
        id=d.id, version=d.version, title=_text(d.title), description=_text(d.description),
        unit=_text(d.unit), value_type=d.value_type, scale=d.scale, decimals=d.decimals,
        areas=list(d.areas), genders=list(d.sexes), periods=list(d.periods),
        variants=[VariantOut(id=v.id, title=_text(v.title), unit=_text(d.unit_for(v.id)))
                  for v in d.variants],
        target=None if d.target is None else TargetOut(
            value=d.target.value, comparison=d.target.comparison, text=_text(d.target.text)),
        direction=DirectionOut(value=d.direction.value, evidence=d.direction.evidence,
                               note=d.direction.note),
        interval=IntervalOut(method=d.interval.method, level=d.interval.level,
                             evidence=d.interval.evidence, note=d.interval.note,
                             few_events_below=d.interval.few_events_below),
        snapshot=_snapshot(db, d), values_url=f"/api/v1/indicators/{d.id}/values",
    )  # fmt: skip


def _definition(indicator_id: str) -> Definition:
    try:
        return shipped_catalogue().definition(indicator_id)
    except KeyError:
        raise HTTPException(404, f"no indicator {indicator_id!r}") from None


@router.get("", response_model=list[IndicatorOut], dependencies=[guard(Permission.PUBLIC)])
def list_indicators(db: Db) -> list[IndicatorOut]:
    """Every indicator with its variants and the snapshot its published values come from."""
    return [_indicator(db, d) for d in shipped_catalogue().definitions]


@router.get("/{indicator_id}", response_model=IndicatorOut,
            dependencies=[guard(Permission.PUBLIC)])
def get_indicator(db: Db, indicator_id: str) -> IndicatorOut:
    """One indicator."""
    return _indicator(db, _definition(indicator_id))


def _split(text: str | None, name: str, pattern: re.Pattern[str]) -> list[str] | None:
    if text is None or not text.strip():
        return None
    parts = [p.strip() for p in text.split(",") if p.strip()]
    bad = [p for p in parts if not pattern.match(p)]
    if bad:
        raise HTTPException(422, f"{name}: not valid: {', '.join(bad[:5])}")
    return parts


class Selection:
    """The rows a request chooses: periods, areas, sexes, a variant and a level (each optional).
    Checked when the rows are read: a bad value gives 422 naming the parameter."""

    def __init__(
        self,
        period: Annotated[str | None, Query(description="Periods, e.g. 2023 or 2022,2023-01")
                          ] = None,
        area: Annotated[str | None, Query(description="Area codes, e.g. 00,13,1384")] = None,
        gender: Annotated[str | None, Query(description="T, K or M (comma-separated)")] = None,
        variant: Annotated[str | None, Query(description="Variant id (default: all)")] = None,
        level: Annotated[str | None, Query(
            pattern="^(nation|region|municipality|care_unit)$")] = None,
    ) -> None:
        self.period, self.area, self.gender = period, area, gender
        self.variant, self.level = variant, level

    def select(self, db: Session, d: Definition) -> tuple[ResultSet, _Entries]:
        """The published rows chosen, and their entries."""
        periods = _split(self.period, "period", _PERIOD)
        areas = _split(self.area, "area", _CODE)
        genders = _split(self.gender, "gender", re.compile("^[TKM]$"))
        variant = self.variant
        if variant is not None and variant not in {v.id for v in d.variants}:
            raise HTTPException(422, f"variant: {d.id} has no variant {variant!r}; known: "
                                + ", ".join(v.id for v in d.variants))
        results = indicator_repo.published(db, d.id, shipped_catalogue(), shipped_rule(),
                                           variant=variant, periods=periods,
                                           levels=None if self.level is None else [self.level])
        if results is None:
            raise HTTPException(404, f"no results stored for {d.id}")
        return results, _entries(results, d, areas, genders)

    def key(self) -> tuple[str | None, ...]:
        """The selection as its parameters (for keeping what is made from it)."""
        return (self.period, self.area, self.gender, self.variant, self.level)

    def in_words(self, lang: str) -> str:
        """The selection in words, or that every published figure was chosen."""
        _ = gettext_for(lang)
        chosen = {_("variant"): self.variant, _("periods"): self.period, _("level"): self.level,
                  _("areas"): self.area, _("sex"): self.gender}
        parts = [f"{k}: {v}" for k, v in chosen.items() if v is not None and v.strip()]
        return "; ".join(parts) if parts else _("all figures of every variant")


Chosen = Annotated[Selection, Depends()]
#: The language of a download's texts.
Lang = Annotated[str, Query(pattern="^(sv|en)$", description="Language of the texts: sv or en")]


@router.get("/{indicator_id}/values", response_model=ValuesPage,
            dependencies=[guard(Permission.PUBLIC)])
def values(
    request: Request,
    db: Db,
    indicator_id: str,
    selected: Chosen,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 100,
) -> ValuesPage:
    """Published values, paged by entry (one entry = variant, period and area, with up to three
    values: T, K and M). Hidden values are null with status ``suppressed``."""
    d = _definition(indicator_id)
    results, entries = selected.select(db, d)
    total = entries.count
    pages = max(1, -(-total // per_page))
    chosen = entries.page((page - 1) * per_page, page * per_page)
    out = []
    for key, entry in chosen:
        gender_values = [
            GenderValue(gender=r["sex"], value=r["value"],
                        count=None if d.value_type == "change" else r["denominator"],
                        numerator=r["numerator"], denominator=r["denominator"],
                        status=r["status"], ci_low=r.get("ci_low"), ci_high=r.get("ci_high"),
                        few_events=few_events(r, d))
            for r in sorted(entry, key=lambda r: SEX_ORDER[r["sex"]])
        ]  # fmt: skip
        care_unit = key[2] == "care_unit"
        out.append(ValueEntry(kpi=d.id, variant=key[0], period=key[1], area_level=key[2],
                              municipality=None if care_unit else key[3],
                              ou=key[3] if care_unit else None, values=gender_values))

    def link(number: int) -> str:
        params = {k: v for k, v in request.query_params.items() if k != "page"}
        return f"{request.url.path}?{urlencode({**params, 'page': number})}"

    snapshot = _snapshot(db, d)
    assert snapshot is not None and results is not None
    return ValuesPage(count=total, page=page, per_page=per_page, pages=pages,
                      next_page=link(page + 1) if page < pages else None,
                      previous_page=link(page - 1) if 1 < page <= pages + 1 else None,
                      values=out, disclosure=_disclosure(), snapshot=snapshot)


Entry = tuple[tuple[str, str, str, str], Sequence[dict[str, Any]]]


class _Entries:
    """The (variant, period, level, area) entries of ``rows``, in the definition's variant
    order, and any page of them.

    The rows of a result set come sorted by variant id, period, level and area (see
    :func:`naravard.storage.indicator_repo.published`), so an entry is a run of rows and the
    entries of one variant are a run of entries. Finding the runs compares the rows' fields in
    place: no object is made per row or per entry, only for the entries of the page asked for.
    (A whole indicator of five national years is up to 190 000 entries; making a tuple and a
    list for each cost three times the work itself in garbage-collector passes.)
    """

    def __init__(self, rows: Sequence[dict[str, Any]], d: Definition) -> None:
        self.rows = rows
        self.starts: list[int] = []  # the row each entry starts at, then len(rows)
        firsts: list[tuple[str, int]] = []  # (variant, its first entry) per run of a variant
        variant = period = level = area = None
        for i, r in enumerate(rows):
            if (r["area_code"] != area or r["area_level"] != level or r["period"] != period
                    or r["variant"] != variant):
                if r["variant"] != variant:
                    firsts.append((r["variant"], len(self.starts)))
                self.starts.append(i)
                variant = r["variant"]
                period = r["period"]
                level = r["area_level"]
                area = r["area_code"]
        self.count = len(self.starts)
        self.starts.append(len(rows))
        ends = [first for _, first in firsts[1:]]
        if firsts:
            ends.append(self.count)
        order = {v.id: i for i, v in enumerate(d.variants)}
        runs = sorted(zip(firsts, ends, strict=True), key=lambda f: order.get(f[0][0], len(order)))
        # (first entry, end entry) of each variant, in the definition's order
        self.blocks = [(first, end) for (_, first), end in runs]

    def page(self, first: int, end: int) -> list[Entry]:
        """Entries ``first`` … ``end − 1`` in the published order."""
        out: list[Entry] = []
        seen = 0
        for b0, b1 in self.blocks:
            for k in range(max(first, seen), min(end, seen + b1 - b0)):
                j = b0 + k - seen
                group = self.rows[self.starts[j]: self.starts[j + 1]]
                r = group[0]
                out.append(((r["variant"], r["period"], r["area_level"], r["area_code"]), group))
            seen += b1 - b0
        return out


#: Selections (areas and genders) whose entries are kept with one cached result set.
KEPT_SELECTIONS = 32
#: Guards the kept entries of every result set (requests run in several threads).
_KEPT_LOCK = threading.Lock()


def _entries(results: ResultSet, d: Definition, areas: Sequence[str] | None,
             genders: Sequence[str] | None) -> _Entries:
    """The entries of the rows of ``results`` in ``areas`` and ``genders`` (all when None).

    They are found once per selection and kept with the cached rows (the most recent
    :data:`KEPT_SELECTIONS` selections of a result set), so paging through a selection costs
    only the page.
    """
    in_areas = None if areas is None else frozenset(areas)
    in_genders = None if genders is None else frozenset(genders)
    key = (f"api-entries:{d.id}:{d.version}:{','.join(sorted(in_areas or ['*']))}:"
           f"{','.join(sorted(in_genders or ['*']))}")
    with _KEPT_LOCK:
        found = results.derived.pop(key, None)  # put back last: the most recently used
        if isinstance(found, _Entries):
            results.derived[key] = found
            return found
    # found outside the lock (two requests for a new selection may both find it; either
    # result is the same)
    rows = results.rows if in_areas is None and in_genders is None else [
        r for r in results.rows
        if (in_areas is None or r["area_code"] in in_areas)
        and (in_genders is None or r["sex"] in in_genders)]
    found = _Entries(rows, d)
    with _KEPT_LOCK:
        results.derived[key] = found
        kept = [k for k in results.derived if k.startswith("api-entries:")]
        for old in kept[:max(0, len(kept) - KEPT_SELECTIONS)]:
            del results.derived[old]
    return found


@router.get("/{indicator_id}/values.csv", dependencies=[guard(Permission.PUBLIC)])
def values_csv(db: Db, indicator_id: str, chosen: Chosen, lang: Lang = "sv") -> Response:
    """The same selection as ``/values`` (all pages) as CSV; hidden values are ``..`` and the
    ``note`` column states the disclosure rule (Swedish, or English with ``lang=en``)."""
    d = _definition(indicator_id)
    results, entries = chosen.select(db, d)
    return csv_response(csv_text(results, entries.rows, shipped_rule(), lang), f"{d.id}.csv")


@router.get("/{indicator_id}/values.xlsx", dependencies=[guard(Permission.PUBLIC)])
def values_xlsx(request: Request, db: Db, indicator_id: str, chosen: Chosen,
                lang: Lang = "sv") -> Response:
    """The same selection as ``/values`` (all pages) as an Excel workbook: the rows with
    numbers as numbers (hidden ones ``..``, with the disclosure rule beside them) and a sheet
    saying what they are (Swedish, or English with ``lang=en``)."""
    d = _definition(indicator_id)
    page = f"{str(request.base_url).rstrip('/')}/indicators/{d.id}"
    if chosen.variant is not None:
        page += f"?{urlencode({'variant': chosen.variant})}"

    def make() -> bytes:
        results, entries = chosen.select(db, d)
        try:
            return values_workbook(results, entries.rows, d, shipped_rule(), lang,
                                   page_url=page, selection=chosen.in_words(lang))
        except TooManyRows as exc:
            raise HTTPException(422, f"the selection has {exc.rows} rows, more than an Excel "
                                f"sheet holds ({exc.limit}): choose periods, a level or areas, "
                                "or download values.csv") from None

    # the same selection of the same stored results is the same workbook (made once)
    read = [d.id, *filter(None, [source_of(d)])]
    key = ("values", d.id, d.version, chosen.key(), lang, page,
           indicator_repo.results_version(db, read, shipped_rule()))
    return xlsx_response(WORKBOOKS.get(key, make), f"{d.id}.xlsx")
