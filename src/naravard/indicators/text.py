"""Small value types shared by definitions and code lists, and YAML reading with clear errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class DefinitionError(ValueError):
    """A definition or code-list file that breaks the rules; the message names file and key."""


@dataclass(frozen=True)
class Text:
    """A text in Swedish and English."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        """The text in ``lang`` (``sv`` or ``en``)."""
        return self.sv if lang == "sv" else self.en


def read_yaml(path: Path) -> dict[str, Any]:
    """A YAML mapping from ``path``."""
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise DefinitionError(f"{path.name}: the file must hold a mapping")
    return loaded


class Reader:
    """Typed access to a YAML mapping; errors name the file and the key path."""

    def __init__(self, source: str, data: Mapping[str, Any], where: str = "") -> None:
        self.source = source
        self.data = data
        self.where = where

    def fail(self, key: str, message: str) -> DefinitionError:
        """An error for ``key``."""
        path = f"{self.where}.{key}" if self.where else key
        return DefinitionError(f"{self.source}: {path}: {message}")

    def only(self, allowed: set[str]) -> None:
        """Fail on keys not in ``allowed``."""
        extra = sorted(set(self.data) - allowed)
        if extra:
            raise self.fail(extra[0], f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def raw(self, key: str) -> Any:
        """The value of a required key."""
        if key not in self.data:
            raise self.fail(key, "missing")
        return self.data[key]

    def string(self, key: str) -> str:
        """A required non-empty text."""
        value = self.raw(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be non-empty text")
        return value.strip()

    def integer(self, key: str) -> int:
        """A required whole number."""
        value = self.raw(key)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(key, "must be a whole number")
        return value

    def opt_integer(self, key: str) -> int | None:
        """A whole number or null."""
        return None if self.raw(key) is None else self.integer(key)

    def boolean(self, key: str) -> bool:
        """A required true/false."""
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self.fail(key, "must be true or false")
        return value

    def str_list(self, key: str) -> tuple[str, ...]:
        """A list of texts."""
        value = self.raw(key)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, "must be a list of text values")
        return tuple(value)

    def sub(self, key: str) -> Reader:
        """A nested mapping."""
        value = self.raw(key)
        if not isinstance(value, dict):
            raise self.fail(key, "must be a mapping")
        return Reader(self.source, value, f"{self.where}.{key}" if self.where else key)

    def text(self, key: str) -> Text:
        """A ``{sv: ..., en: ...}`` text."""
        sub = self.sub(key)
        sub.only({"sv", "en"})
        return Text(sub.string("sv"), sub.string("en"))

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        """A text from ``allowed``."""
        value = self.string(key)
        if value not in allowed:
            raise self.fail(key, f"must be one of {', '.join(allowed)}")
        return value
