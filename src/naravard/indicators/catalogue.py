"""The shipped catalogue: every definition and code list, checked against each other."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from naravard.indicators.codelists import CodeList, load_codelist
from naravard.indicators.definition import Definition, load_definition
from naravard.indicators.standardise import standard_groups
from naravard.indicators.text import DefinitionError

_CATEGORY_SETTINGS = ("categories", "index_categories")


@dataclass(frozen=True)
class Catalogue:
    """Definitions and the code lists they use."""

    definitions: tuple[Definition, ...]
    codelists: tuple[CodeList, ...]

    def definition(self, indicator_id: str) -> Definition:
        """Definition ``indicator_id``; the error lists the known ids."""
        for d in self.definitions:
            if d.id == indicator_id:
                return d
        known = ", ".join(d.id for d in self.definitions)
        raise KeyError(f"unknown indicator {indicator_id!r}; known: {known}")

    def codelist(self, list_id: str) -> CodeList:
        """Code list ``list_id``."""
        for c in self.codelists:
            if c.id == list_id:
                return c
        raise KeyError(f"unknown code list {list_id!r}")

    def prefixes(self, definition: Definition, categories: list[str] | None) -> tuple[str, ...]:
        """Code prefixes of ``categories`` in the definition's (single) code list."""
        if not definition.codelists:
            return ()
        cl = self.codelist(definition.codelists[0])
        return cl.prefixes(None if categories is None else tuple(categories))


def _check(cat: Catalogue) -> None:
    ids = [d.id for d in cat.definitions]
    if len(set(ids)) != len(ids):
        raise DefinitionError("indicator ids must be unique")
    known_lists = {c.id for c in cat.codelists}
    for d in cat.definitions:
        for list_id in d.codelists:
            if list_id not in known_lists:
                raise DefinitionError(f"{d.id}.yaml: codelists: unknown code list {list_id!r}")
        if len(d.codelists) > 1:
            raise DefinitionError(f"{d.id}.yaml: codelists: at most one code list per indicator")
        for v in d.variants:
            values = d.resolved(v.id)
            for key in _CATEGORY_SETTINGS:
                if values.get(key):
                    if not d.codelists:
                        raise DefinitionError(f"{d.id}.yaml: {key} needs a code list")
                    cl = cat.codelist(d.codelists[0])
                    for c in values[key]:
                        try:
                            cl.category(c)
                        except KeyError as exc:
                            raise DefinitionError(f"{d.id}.yaml: variant {v.id}: {exc}") from None
        for v in d.variants:
            standard = d.standard_for(v.id)
            try:
                if standard is not None:
                    standard_groups(standard, d.age.min, d.age.max)
            except ValueError as exc:
                raise DefinitionError(f"{d.id}.yaml: variant {v.id}: standardisation: {exc}"
                                      ) from None
        if d.kind == "continuity_change":
            source = d.settings["source"].value
            if source not in ids:
                raise DefinitionError(f"{d.id}.yaml: settings.source: unknown indicator {source}")
            src = next(x for x in cat.definitions if x.id == source)
            if [v.id for v in src.variants] != [v.id for v in d.variants]:
                raise DefinitionError(f"{d.id}.yaml: variants must match those of {source}")
            if d.interval.method == "mover" and (
                    src.interval.method == "none" or src.interval.level != d.interval.level):
                raise DefinitionError(
                    f"{d.id}.yaml: interval: MOVER-R needs intervals of {source} at the same "
                    f"level ({source} has {src.interval.method}, {src.interval.level})")


def load_catalogue(folder: Path) -> Catalogue:
    """Definitions from ``folder/definitions`` and code lists from ``folder/codelists``."""
    defs = tuple(load_definition(p) for p in sorted((folder / "definitions").glob("*.yaml")))
    lists = tuple(load_codelist(p) for p in sorted((folder / "codelists").glob("*.yaml")))
    cat = Catalogue(defs, lists)
    _check(cat)
    return cat


@cache
def shipped_catalogue() -> Catalogue:
    """The definitions and code lists shipped with Nära."""
    with as_file(files("naravard.indicators")) as folder:
        return load_catalogue(Path(folder))
