"""Demo answer sets shipped with Nära (``naravard/surveys/forms/demo/*.yaml``).

They hold Region Halland's and RSS Halland's legible 2023 answers and are marked as example
data; each answer carries its provenance (``legible`` or ``inferred``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

import yaml

from naravard.surveys.model import LocalText


@dataclass(frozen=True)
class DemoAnswerSet:
    """Answers of one respondent to one questionnaire version, for demos and tests."""

    name: str
    form_id: str
    form_version: str
    respondent: str
    description: LocalText
    answers: Mapping[str, object]
    provenance: Mapping[str, str]


def read_demo_answers(text: str, name: str) -> DemoAnswerSet:
    """Parse one demo answer file; raise ``ValueError`` naming what is missing."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or data.get("demo") is not True:
        raise ValueError(f"{name}: not a demo answer set (expected 'demo: true')")
    missing = [k for k in ("form_id", "form_version", "respondent", "answers") if k not in data]
    if missing:
        raise ValueError(f"{name}: missing {', '.join(missing)}")
    answers = data["answers"]
    provenance = data.get("provenance") or {}
    if not isinstance(answers, dict) or not isinstance(provenance, dict):
        raise ValueError(f"{name}: answers and provenance must be mappings")
    unexplained = sorted(set(answers) - set(provenance))
    if unexplained:
        raise ValueError(f"{name}: answers without provenance: {', '.join(unexplained)}")
    return DemoAnswerSet(
        name=name,
        form_id=str(data["form_id"]),
        form_version=str(data["form_version"]),
        respondent=str(data["respondent"]),
        description=LocalText(
            str(data.get("description::sv", "")), str(data.get("description::en", ""))
        ),
        answers=answers,
        provenance={str(k): str(v) for k, v in provenance.items()},
    )


def demo_answer_sets() -> tuple[DemoAnswerSet, ...]:
    """All shipped demo answer sets, by file name."""
    folder = files("naravard.surveys.forms").joinpath("demo")
    return tuple(
        read_demo_answers(item.read_text(encoding="utf-8"), item.name)
        for item in sorted(folder.iterdir(), key=lambda p: p.name)
        if item.is_file() and item.name.endswith(".yaml")
    )
