"""Where questionnaire definitions come from: the forms shipped with Nära and imported files.

Shipped forms live in ``naravard/surveys/forms/*.yaml``. Imported forms are copied, after a full
check, into a directory the caller chooses (the command line uses ``$NARAVARD_DATA_DIR/forms``);
storing definitions in the database comes with the storage layer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from naravard.surveys.definition import DefinitionError, DefinitionIssue
from naravard.surveys.model import Questionnaire
from naravard.surveys.xlsform import read_xlsform
from naravard.surveys.yamlform import read_yaml_form

FORM_SUFFIXES = (".yaml", ".yml", ".xlsx")
SHIPPED = "shipped"
IMPORTED = "imported"


@dataclass(frozen=True)
class FormEntry:
    """A definition and where it was found."""

    form: Questionnaire
    origin: str
    location: str


def read_form_bytes(data: bytes, filename: str) -> Questionnaire:
    """Load a definition from the bytes of a ``.yaml``/``.yml`` or ``.xlsx`` file."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        return read_xlsform(data, name=filename)
    if suffix in (".yaml", ".yml"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            issue = DefinitionIssue("yaml", None, None, f"not UTF-8 text ({exc})")
            raise DefinitionError(filename, [issue]) from exc
        return read_yaml_form(text, name=filename)
    issue = DefinitionIssue("file", None, None, f"use one of {', '.join(FORM_SUFFIXES)}")
    raise DefinitionError(filename, [issue])


def read_form_file(path: str | Path) -> Questionnaire:
    """Load a definition from a file."""
    path = Path(path)
    return read_form_bytes(path.read_bytes(), str(path))


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Sort key for version strings: digit runs compare as numbers (``2`` < ``10``)."""
    parts = re.findall(r"\d+|\D+", version)
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)


@cache
def shipped_forms() -> tuple[FormEntry, ...]:
    """The questionnaires shipped with Nära, sorted by form id."""
    folder = files("naravard.surveys").joinpath("forms")
    entries = []
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.is_file() and item.name.endswith(FORM_SUFFIXES):
            form = read_form_bytes(item.read_bytes(), f"forms/{item.name}")
            entries.append(FormEntry(form, SHIPPED, f"forms/{item.name}"))
    return tuple(sorted(entries, key=lambda e: (e.form.form_id, version_key(e.form.version))))


def imported_forms(directory: Path) -> tuple[list[FormEntry], list[DefinitionError]]:
    """Definitions imported into ``directory``, and the files there that no longer load."""
    entries: list[FormEntry] = []
    broken: list[DefinitionError] = []
    if not directory.is_dir():
        return entries, broken
    for path in sorted(directory.iterdir()):
        if path.is_file() and path.suffix.lower() in FORM_SUFFIXES:
            try:
                entries.append(FormEntry(read_form_file(path), IMPORTED, str(path)))
            except DefinitionError as exc:
                broken.append(exc)
    return entries, broken


def all_forms(directory: Path | None) -> list[FormEntry]:
    """Shipped and imported definitions, by form id and version."""
    entries = list(shipped_forms())
    if directory is not None:
        entries += imported_forms(directory)[0]
    return sorted(entries, key=lambda e: (e.form.form_id, version_key(e.form.version)))


def find_form(entries: list[FormEntry], form_id: str, version: str | None = None) -> FormEntry:
    """The entry for ``form_id`` (the highest version unless ``version`` is given)."""
    matching = [e for e in entries if e.form.form_id == form_id]
    if version is not None:
        matching = [e for e in matching if e.form.version == version]
    if not matching:
        known = ", ".join(sorted({e.form.form_id for e in entries}))
        wanted = form_id if version is None else f"{form_id} version {version}"
        raise KeyError(f"no questionnaire {wanted} (known: {known})")
    return max(matching, key=lambda e: version_key(e.form.version))


def import_form(path: str | Path, directory: Path) -> FormEntry:
    """Check the definition in ``path`` and copy it into ``directory``.

    The copy is named ``<form_id>-<version><suffix>``. A form id and version that is shipped, or
    already imported with different content, is refused: publish a new version instead.
    """
    source = Path(path)
    data = source.read_bytes()
    form = read_form_bytes(data, str(source))
    for entry in shipped_forms():
        if (entry.form.form_id, entry.form.version) == (form.form_id, form.version):
            raise FileExistsError(
                f"{form.form_id} version {form.version} is shipped with Nära; "
                "give the imported definition a new version"
            )
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{form.form_id}-{form.version}{source.suffix.lower()}"
    for entry in imported_forms(directory)[0]:
        same = (entry.form.form_id, entry.form.version) == (form.form_id, form.version)
        if same and Path(entry.location) != target:
            raise FileExistsError(f"{form.form_id} version {form.version} is already imported "
                                  f"as {entry.location}")
    if target.exists() and target.read_bytes() != data:
        raise FileExistsError(
            f"{target} already holds a different definition of {form.form_id} version "
            f"{form.version}; give the new definition a new version"
        )
    target.write_bytes(data)
    return FormEntry(form, IMPORTED, str(target))
