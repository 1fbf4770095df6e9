"""A finding about a submitted form: which field, and what is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding; ``field`` names the form field (dotted for nested fields)."""

    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"
