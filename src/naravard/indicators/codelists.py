"""Code lists (ICD-10-SE), versioned, with provenance; one YAML file per list."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from naravard.indicators.kinds import EVIDENCE
from naravard.indicators.schema import ICD10_PATTERN
from naravard.indicators.text import Reader, Text, read_yaml


@dataclass(frozen=True)
class CodeCategory:
    """A group of codes within a list (one condition)."""

    id: str
    title: Text
    codes: tuple[str, ...]


@dataclass(frozen=True)
class CodeList:
    """A versioned list of ICD-10-SE code prefixes grouped into categories."""

    id: str
    version: str
    title: Text
    coding: str
    evidence: str
    provenance: str
    sources: tuple[str, ...]
    categories: tuple[CodeCategory, ...]

    def category(self, cat_id: str) -> CodeCategory:
        """Category ``cat_id``."""
        for cat in self.categories:
            if cat.id == cat_id:
                return cat
        known = ", ".join(c.id for c in self.categories)
        raise KeyError(f"code list {self.id} has no category {cat_id!r} (known: {known})")

    def prefixes(self, cat_ids: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """The code prefixes of the given categories (all when ``None``), sorted."""
        cats = self.categories if cat_ids is None else tuple(self.category(c) for c in cat_ids)
        return tuple(sorted({code for cat in cats for code in cat.codes}))


def matches(code: str | None, prefixes: tuple[str, ...]) -> bool:
    """Whether ``code`` starts with one of ``prefixes`` (codes are written without dots)."""
    return code is not None and any(code.startswith(p) for p in prefixes)


def load_codelist(path: Path) -> CodeList:
    """Read and check one code-list file."""
    r = Reader(path.name, read_yaml(path))
    r.only({"id", "version", "title", "coding", "match", "evidence", "provenance", "sources",
            "categories"})
    if r.choice("coding", ("ICD-10-SE",)) != "ICD-10-SE" or r.choice("match", ("prefix",)) != (
        "prefix"
    ):
        raise r.fail("coding", "unsupported")
    cats_raw = r.sub("categories")
    categories: list[CodeCategory] = []
    pattern = re.compile(ICD10_PATTERN)
    for cat_id in cats_raw.data:
        c = cats_raw.sub(cat_id)
        c.only({"title", "codes"})
        codes = c.str_list("codes")
        for code in codes:
            if not pattern.match(code):
                raise c.fail("codes", f"{code!r} is not an ICD-10-SE code without dot")
        if not codes:
            raise c.fail("codes", "empty")
        categories.append(CodeCategory(str(cat_id), c.text("title"), codes))
    cl = CodeList(
        id=r.string("id"),
        version=r.string("version"),
        title=r.text("title"),
        coding="ICD-10-SE",
        evidence=r.choice("evidence", EVIDENCE),
        provenance=r.string("provenance"),
        sources=r.str_list("sources"),
        categories=tuple(categories),
    )
    if cl.id != path.stem:
        raise r.fail("id", f"must equal the file name {path.stem!r}")
    return cl
