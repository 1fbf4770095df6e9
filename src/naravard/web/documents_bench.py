"""Benchmark of the printed documents (``naravard bench``): a region's profile, the national
report and a round's answers per question, each made as PDF against the HTML it is made from,
in the same run.

The HTML is what every request renders (a kept PDF is found by it), so the ratio is the cost of
WeasyPrint's layout and PDF writing on top. The data: every indicator of the catalogue with
three years for Sweden and the 21 regions (all shown), the shipped agreements with 2020's
frozen, and the 2023 regional questionnaire answered by all 21 regions (Region Halland's
answers from the printed committee paper, for each), stored in a temporary SQLite database.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from naravard.bench import Result, measure
from naravard.indicators.catalogue import shipped_catalogue
from naravard.pdf import html_to_pdf
from naravard.web import indicators_view as view

REGION = "13"
NOW = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
#: When the regions answered the benchmark's round (before its deadline).
ANSWERED = dt.datetime(2024, 3, 20, 10, tzinfo=dt.UTC)


def sample_rows() -> list[dict[str, Any]]:
    """Three years of every indicator (first variant) for Sweden and the regions, T/K/M, with
    counts large enough that nothing is hidden."""
    regions = sorted(c for c in view.area_names() if len(c) == 2 and c != "00")
    rows = []
    for d in shipped_catalogue().definitions:
        for year in ("2021", "2022", "2023"):
            for level, codes in (("nation", ["00"]), ("region", regions)):
                for i, code in enumerate(codes):
                    for sex in "TKM":
                        den = 20_000.0 * (len(regions) if level == "nation" else 1)
                        num = den * (0.3 + 0.02 * (i % 9) + 0.01 * int(year[-1]))
                        rows.append({
                            "indicator": d.id, "version": d.version,
                            "variant": d.variants[0].id, "period": year, "area_level": level,
                            "area_code": code, "sex": sex, "numerator": num,
                            "denominator": den, "value": num / den * 100, "status": "ok"})
    return rows


def _answered_round(s: Session) -> None:
    """The 2023 regional questionnaire with every region's answers submitted."""
    from naravard.storage import survey_repo
    from naravard.surveys.catalog import find_form, shipped_forms
    from naravard.surveys.demo import demo_answer_sets

    form = find_form(list(shipped_forms()), "gonv-2023-region").form
    answers = next(a for a in demo_answer_sets() if a.form_id == form.settings.form_id).answers
    regions = survey_repo.organisations_of_kind(s, "region")
    survey_round = survey_repo.create_round(
        s, form, code="bench-2023-region", title="Uppföljning 2023, regioner", respondents=regions,
        opens_on=dt.date(2024, 1, 15), deadline=dt.date(2024, 3, 31), actor="bench",
        now=ANSWERED - dt.timedelta(days=60))
    survey_repo.open_round(s, survey_round, "bench", ANSWERED - dt.timedelta(days=60))
    for code in regions:
        response = survey_repo.response_for(s, survey_round, code)
        assert response is not None
        survey_repo.save_answers(s, response, dict(answers), actor="bench", now=ANSWERED)
        survey_repo.submit(s, response, actor="bench", actor_name="bench", now=ANSWERED,
                           confirmed=(),
                           render_receipt=lambda data: b"%PDF-bench", source=survey_repo.DEMO)


@contextmanager
def bench_database() -> Iterator[Session]:
    """A session on the temporary database of the documents' benchmarks."""
    from naravard.storage import funding_repo, indicator_repo
    from naravard.storage.db import make_engine, session_factory
    from naravard.storage.indicator_snapshot import SnapshotInfo
    from naravard.storage.migrate import upgrade
    from naravard.storage.reference_repo import load_reference

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        with session_factory(engine)() as s, s.begin():
            load_reference(s)
            funding_repo.load_shipped(s, "bench", NOW)
            funding_repo.freeze_allocations(s, "gonv-2020", "bench", NOW)
            indicator_repo.store_results(
                s, sample_rows(), SnapshotInfo("b" * 64, "benchmark rows", "bench", "bench",
                                               (2021, 2022, 2023)),
                [], shipped_catalogue(), actor="bench")
            _answered_round(s)
        try:
            with session_factory(engine)() as s:
                yield s
        finally:
            engine.dispose()
            indicator_repo.clear_caches()


def _document(html: Callable[[], str], repeats: int, name: str, subject: str) -> Result:
    """A document made as PDF against its HTML."""
    document = measure(lambda: html_to_pdf(html()), repeats)
    baseline = measure(html, repeats)
    return Result(name, subject, "its HTML (what a kept PDF costs)", document, baseline)


def profile_results(repeats: int) -> Result:
    """The profile of one region as PDF against its HTML."""
    from naravard.web.indicators_region import profile_html

    with bench_database() as s:
        return _document(lambda: profile_html(s, REGION, "sv", "", NOW, "2026-01-15 13:00"),
                         repeats, "region profile, 12 indicators",
                         "profile made as PDF (profile.pdf)")


def report_results(repeats: int) -> list[Result]:
    """The national report and the round's answers per question, as PDF against their HTML."""
    from naravard.storage import survey_repo
    from naravard.web.national_report import report_html
    from naravard.web.round_answers import answers_html

    with bench_database() as s:
        survey_round = survey_repo.get_round(s, "bench-2023-region")
        assert survey_round is not None
        return [
            _document(lambda: report_html(s, "sv", "", NOW, "2026-01-15 13:00"), repeats,
                      "national report, 12 indicators, 21 regions' answers",
                      "report made as PDF (national.pdf)"),
            _document(lambda: answers_html(s, survey_round, None, "sv", "", "2026-01-15 13:00"),
                      repeats, "a round's answers per question, 21 regions",
                      "answers made as PDF (results.pdf)"),
        ]


def benchmarks(quick: bool) -> list[Result]:
    """Entry point for ``naravard bench``."""
    return [profile_results(2 if quick else 5), *report_results(1 if quick else 3)]
