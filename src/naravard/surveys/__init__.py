"""Follow-up questionnaires: definitions, answers and their checks (pure domain, no storage).

* :mod:`~naravard.surveys.model` — questionnaire definitions as immutable dataclasses
* :mod:`~naravard.surveys.expressions` — the safe expression language (relevant, constraint, bounds)
* :mod:`~naravard.surveys.definition` — sheet rows ↔ model, with every load-time check
* :mod:`~naravard.surveys.xlsform` / :mod:`~naravard.surveys.yamlform` — workbook and YAML files
* :mod:`~naravard.surveys.catalog` — shipped forms (``forms/*.yaml``) and imported files
* :mod:`~naravard.surveys.validation` — answer validation, relevance and completeness
* :mod:`~naravard.surveys.pii` — personal data in free text (public-document guard)
* :mod:`~naravard.surveys.aggregation` — RSS counts over the municipal questions A–T
* :mod:`~naravard.surveys.respondents` — facts about the respondent (municipality count …)
* :mod:`~naravard.surveys.demo` — Halland's 2023 answers as demo data

See ``docs/questionnaires.md``.
"""
