"""RSS aggregation: summarise the municipal questions A–T for the RSS questionnaire.

An RSS item names the municipal question it summarises in its ``aggregate`` column:

* a **table** fed by a select question counts, for each row, the municipalities whose answer
  includes the option of the same name; the row ``no_answer`` counts the municipalities of the
  county that gave no answer (including those that have not answered at all);
* a **select_multiple** fed by a select question gets the same counts as information (the RSS
  still makes its own choice, as in question 15);
* a **text** fed by a text question lists the municipalities' texts beside it.

Only submitted, relevant municipal answers should be passed in (see
``ValidationResult.submission_values``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from naravard.surveys.model import (
    LocalText,
    Question,
    Questionnaire,
    QuestionType,
    Table,
)
from naravard.surveys.validation import is_empty

NO_ANSWER = "no_answer"


@dataclass(frozen=True)
class OptionCount:
    """How many municipalities answered one way, and which."""

    option: str
    label: LocalText
    count: int
    municipalities: tuple[str, ...]


@dataclass(frozen=True)
class MunicipalText:
    """One municipality's free-text answer."""

    municipality: str
    text: str


@dataclass(frozen=True)
class QuestionAggregate:
    """The municipal answers behind one RSS item."""

    rss_item: str
    source: str
    expected: int
    answered: tuple[str, ...]
    counts: tuple[OptionCount, ...] = ()
    texts: tuple[MunicipalText, ...] = ()

    def count(self, option: str) -> int:
        """The count for ``option`` (0 when absent)."""
        return next((c.count for c in self.counts if c.option == option), 0)


@dataclass(frozen=True)
class RssAggregation:
    """All aggregates for one RSS, and the prefilled answers derived from them."""

    rss_form: str
    municipalities: tuple[str, ...]
    aggregates: tuple[QuestionAggregate, ...]
    prefill: Mapping[str, object]

    def for_item(self, name: str) -> QuestionAggregate | None:
        """The aggregate behind RSS item ``name``."""
        return next((a for a in self.aggregates if a.rss_item == name), None)


def _selected(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


def check_aggregation(rss_form: Questionnaire, municipal_form: Questionnaire) -> list[str]:
    """Problems with the ``aggregate`` references of ``rss_form`` (empty when all is well)."""
    problems: list[str] = []
    for item in rss_form.items():
        if item.aggregate is None:
            continue
        source = municipal_form.item(item.aggregate)
        where = f"{rss_form.form_id}: {item.name} aggregates {item.aggregate!r}"
        if not isinstance(source, Question):
            problems.append(f"{where}, which is not a question of {municipal_form.form_id}")
            continue
        options = {c.name for c in municipal_form.options(source)}
        if isinstance(item, Table):
            if not source.type.is_select:
                problems.append(f"{where}: a count table needs a select question")
            if not any(c.type is QuestionType.INTEGER for c in item.columns):
                problems.append(f"{where}: the table has no integer column for the counts")
            rows = {c.name for c in rss_form.options(item)} - {NO_ANSWER}
            if rows - options:
                problems.append(f"{where}: rows {sorted(rows - options)} are not options there")
        elif item.type is QuestionType.TEXT and source.type is not QuestionType.TEXT:
            problems.append(f"{where}: a text question needs a text question")
        elif item.type.is_select and not source.type.is_select:
            problems.append(f"{where}: a select question needs a select question")
        elif item.type.is_select and {c.name for c in rss_form.options(item)} != options:
            problems.append(f"{where}: the option lists differ")
        elif not (item.type.is_select or item.type is QuestionType.TEXT):
            problems.append(f"{where}: only tables, select and text questions aggregate")
    return problems


def aggregate_municipal_answers(
    rss_form: Questionnaire,
    municipal_form: Questionnaire,
    answers: Mapping[str, Mapping[str, object]],
    municipalities: Sequence[str],
) -> RssAggregation:
    """Aggregate the answers (municipality code -> question name -> value) of a county's
    ``municipalities`` for every RSS item that names a municipal question.

    Raises ``ValueError`` for answers from a municipality outside ``municipalities`` or when the
    forms do not fit together (see :func:`check_aggregation`).
    """
    problems = check_aggregation(rss_form, municipal_form)
    if problems:
        raise ValueError("; ".join(problems))
    strangers = sorted(set(answers) - set(municipalities))
    if strangers:
        raise ValueError(f"answers from municipalities outside the county: {', '.join(strangers)}")
    aggregates: list[QuestionAggregate] = []
    prefill: dict[str, object] = {}
    for item in rss_form.items():
        if item.aggregate is None:
            continue
        source = municipal_form.item(item.aggregate)
        assert isinstance(source, Question)
        given = {m: answers.get(m, {}).get(source.name) for m in municipalities}
        answered = tuple(m for m in municipalities if not is_empty(given[m]))
        if source.type is QuestionType.TEXT:
            texts = tuple(MunicipalText(m, str(given[m])) for m in answered)
            expected = len(municipalities)
            aggregates.append(
                QuestionAggregate(item.name, source.name, expected, answered, texts=texts)
            )
            continue
        counts = []
        for option in rss_form.options(item):
            if option.name == NO_ANSWER:
                behind = tuple(m for m in municipalities if m not in answered)
            else:
                behind = tuple(m for m in answered if option.name in _selected(given[m]))
            counts.append(OptionCount(option.name, option.label, len(behind), behind))
        aggregates.append(
            QuestionAggregate(
                item.name, source.name, len(municipalities), answered, counts=tuple(counts)
            )
        )
        if isinstance(item, Table):
            column = next(c for c in item.columns if c.type is QuestionType.INTEGER)
            prefill[item.name] = {c.option: {column.name: c.count} for c in counts}
    return RssAggregation(rss_form.form_id, tuple(municipalities), tuple(aggregates), prefill)
