"""Writing results to Parquet (with metadata) or CSV (masked cells as the mask symbol)."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from naravard.indicators.disclosure import DisclosureRule
from naravard.indicators.finalise import LIMITS

_YEARS = re.compile(r"^\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*$")


def parse_years(text: str) -> list[int]:
    """``2019-2023``, ``2023`` or ``2021,2023`` as a sorted list of years."""
    years: set[int] = set()
    for part in text.split(","):
        match = _YEARS.match(part)
        if match is None:
            raise ValueError(f"years must look like 2019-2023 or 2022,2023, got {text!r}")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first:
            raise ValueError(f"year range {part.strip()!r} runs backwards")
        if first < 1900 or last > 2100:
            raise ValueError(f"years outside 1900–2100: {part.strip()!r}")
        years.update(range(first, last + 1))
    return sorted(years)


def write_results(results: pa.Table, path: Path, metadata: Mapping[str, object],
                  rule: DisclosureRule | None) -> None:
    """Write ``results`` as ``.parquet`` or ``.csv`` (chosen by the suffix).

    Parquet keeps ``metadata`` and the disclosure rule (with its footnote in Swedish and
    English) in the schema; CSV marks masked numbers with the rule's mask and states the rule
    (in Swedish, the language of publication) in a ``note`` column on those rows.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = dict(metadata)
    if rule is not None:
        meta["disclosure"] = {"version": rule.version, "min_count": rule.min_count,
                              "min_denominator": rule.min_denominator, "mask": rule.mask,
                              "footnote_sv": rule.footnote_text("sv"),
                              "footnote_en": rule.footnote_text("en")}
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        schema = results.schema.with_metadata(
            {b"naravard": json.dumps(meta, ensure_ascii=False, default=str).encode()})
        pq.write_table(results.cast(schema), path)
        return
    if suffix != ".csv":
        raise ValueError(f"output must end in .parquet or .csv, got {path.name}")
    mask = rule.mask if rule is not None else ""
    note = rule.footnote_text("sv") if rule is not None else ""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*results.column_names, "note"])
        for row in results.to_pylist():
            masked = has_masked_number(row)
            writer.writerow([
                *(number_text(row[name], masked, mask) if name in NUMBERS + LIMITS
                  else _cell(row[name])
                  for name in results.column_names),
                note if masked else "",
            ])


NUMBERS = ("numerator", "denominator", "value")
"""The numbers of a result row."""


def has_masked_number(row: Mapping[str, Any]) -> bool:
    """Whether disclosure control hid one of the row's numbers."""
    return row["status"] == "suppressed" and any(row[n] is None for n in NUMBERS)


def number_text(value: float | None, masked: bool, mask: str) -> str:
    """A number of a result row in CSV: a missing one as ``mask`` if the row is masked."""
    return mask if masked and value is None else _cell(value)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)
