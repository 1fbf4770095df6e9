"""Commands of the surveys capability: ``naravard questionnaire list|validate|import|export``
and ``naravard round list|create|open|close|reopen|status|answers|results``."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from naravard.cli.common import OutputFormat, database, emit
from naravard.storage import survey_repo
from naravard.storage.survey_comments import return_for_correction
from naravard.storage.survey_results import (
    QuestionResult,
    answer_table,
    latest_answers,
    question_results,
    table_csv,
    table_xlsx,
)
from naravard.storage.survey_status import round_counts, round_status
from naravard.storage.survey_tables import SurveyRound
from naravard.surveys.aggregation import check_aggregation
from naravard.surveys.catalog import (
    FormEntry,
    all_forms,
    find_form,
    import_form,
    imported_forms,
    read_form_file,
)
from naravard.surveys.definition import DefinitionError
from naravard.surveys.model import Group, Questionnaire
from naravard.surveys.model import Table as FormTable
from naravard.surveys.xlsform import write_xlsform
from naravard.surveys.yamlform import yaml_form_text

if TYPE_CHECKING:
    from naravard.web.surveys_reminders import Reminder

DATA_DIR_ENV = "NARAVARD_DATA_DIR"

out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err = Console(stderr=True, highlight=False, soft_wrap=True)

questionnaire_app = typer.Typer(
    name="questionnaire",
    help="Questionnaire definitions (XLSForm workbooks or YAML): list, validate, import, export.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def forms_dir() -> Path:
    """Where imported definitions are kept: ``$NARAVARD_DATA_DIR/forms`` (default ``var/forms``)."""
    return Path(os.environ.get(DATA_DIR_ENV, "var")) / "forms"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {message}", markup=True)
    return typer.Exit(code=1)


def _report_definition_error(exc: DefinitionError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc.source}: {len(exc.issues)} problem(s)", markup=True)
    for issue in exc.issues:
        err.print(f"  - {issue}", markup=False)
    return typer.Exit(code=1)


def _rounds(form: Questionnaire) -> str:
    parts = []
    if form.settings.interim_deadline:
        parts.append(f"interim {form.settings.interim_deadline.isoformat()}")
    if form.settings.final_deadline:
        parts.append(f"final {form.settings.final_deadline.isoformat()}")
    return ", ".join(parts)


def _numbered(form: Questionnaire) -> int:
    return sum(1 for item in form.items() if item.number)


def _count(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _summary(form: Questionnaire) -> str:
    sections = sum(1 for node in form.body if isinstance(node, Group))
    tables = sum(1 for node, _ in form.walk() if isinstance(node, FormTable))
    return (
        f"{form.form_id} version {form.version}: {form.settings.title.sv}; "
        f"respondent {form.settings.respondent.value}; "
        f"{_count(_numbered(form), 'numbered question') if _numbered(form) else 'unnumbered'}, "
        f"{_count(form.question_count(), 'answer field')} ({_count(tables, 'table')}) in "
        f"{_count(sections, 'section')}; {_count(len(form.choice_lists), 'choice list')}; "
        f"deadlines: {_rounds(form) or 'none'}"
    )


@questionnaire_app.command("list")
def list_command() -> None:
    """List shipped and imported questionnaires with version, respondent type and size.

    "questions" counts the numbered questions ("–" for templates without numbers), "fields" every
    answer field (including "other" texts, comments and tables).
    """
    directory = forms_dir()
    entries = all_forms(directory)
    table = Table(title="Questionnaires")
    columns = ("id", "version", "respondent", "questions", "fields", "deadlines", "origin", "title")
    for column in columns:
        table.add_column(column, justify="right" if column in ("questions", "fields") else "left")
    for entry in entries:
        form = entry.form
        table.add_row(form.form_id, form.version, form.settings.respondent.value,
                      str(_numbered(form) or "–"), str(form.question_count()), _rounds(form),
                      entry.origin,
                      form.settings.title.sv)  # fmt: skip
    out.print(table)
    broken = imported_forms(directory)[1]
    for exc in broken:
        err.print(f"[yellow]warning:[/yellow] {exc.source} no longer loads "
                  f"({len(exc.issues)} problem(s)); run validate on it", markup=True)


@questionnaire_app.command("validate")
def validate_command(
    file: Path = typer.Argument(..., help="Definition to check: .xlsx (XLSForm) or .yaml."),
) -> None:
    """Check a definition and report every problem with sheet, row and column."""
    if not file.is_file():
        raise _fail(f"no such file: {file}")
    try:
        form = read_form_file(file)
    except DefinitionError as exc:
        raise _report_definition_error(exc) from exc
    target = form.settings.aggregates_form
    if target:
        try:
            aggregated = find_form(all_forms(forms_dir()), target).form
        except KeyError:
            err.print(f"[yellow]warning:[/yellow] aggregated form {target!r} is not known, "
                      "so its references were not checked", markup=True)
        else:
            problems = check_aggregation(form, aggregated)
            if problems:
                err.print("[red]error:[/red] aggregation references do not fit:", markup=True)
                for problem in problems:
                    err.print(f"  - {problem}", markup=False)
                raise typer.Exit(code=1)
    out.print(f"OK {file}: {_summary(form)}")


@questionnaire_app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Definition to import: .xlsx (XLSForm) or .yaml."),
) -> None:
    """Validate a definition and copy it into $NARAVARD_DATA_DIR/forms (default var/forms).

    Imported definitions are kept as files next to the shipped ones; a round created from one
    (``naravard round create``) stores its own copy in the database, so later files never change it.
    """
    if not file.is_file():
        raise _fail(f"no such file: {file}")
    try:
        entry = import_form(file, forms_dir())
    except DefinitionError as exc:
        raise _report_definition_error(exc) from exc
    except FileExistsError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"Imported {entry.location}: {_summary(entry.form)}")


@questionnaire_app.command("export")
def export_command(
    form_id: str = typer.Argument(
        ..., metavar="ID", help="Questionnaire id, e.g. gonv-2023-region."
    ),
    out_file: Path = typer.Option(..., "--out", help="Target file: .xlsx (XLSForm) or .yaml."),
    version: str | None = typer.Option(None, help="Version to export (default: the highest)."),
) -> None:
    """Write a shipped or imported questionnaire as an XLSForm workbook (or YAML)."""
    try:
        entry: FormEntry = find_form(all_forms(forms_dir()), form_id, version)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc
    suffix = out_file.suffix.lower()
    if suffix == ".xlsx":
        write_xlsform(entry.form, out_file)
    elif suffix in (".yaml", ".yml"):
        out_file.write_text(yaml_form_text(entry.form), encoding="utf-8")
    else:
        raise _fail(f"unknown file type {suffix or '(none)'}: use .xlsx or .yaml")
    out.print(f"Wrote {out_file}: {entry.form.form_id} version {entry.form.version}")


def register(root: typer.Typer) -> None:
    """Add this capability's commands to the root command."""
    root.add_typer(questionnaire_app, name="questionnaire")
    root.add_typer(round_app, name="round")


# --- rounds ------------------------------------------------------------------------------------

round_app = typer.Typer(
    name="round",
    help="Questionnaire rounds: create, open, close, reopen one respondent, remind, status, "
    "answers, results, import answers.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)


def _day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{what} must be a date YYYY-MM-DD, not {text!r}") from None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _find_round(db: Session, ident: str) -> SurveyRound:
    found = survey_repo.get_round(db, ident)
    if found is None:
        raise _fail(f"no round {ident!r} (give its code or number; see `naravard round list`)")
    return found


def _refused(exc: survey_repo.SurveyError) -> typer.Exit:
    return _fail(str(exc))


@round_app.command("list")
def round_list(
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """List every round: code, questionnaire, dates, status and how many have submitted."""
    with database() as db:
        counts = round_counts(db)
        rows = [[r.id, r.code, r.form_id, r.form_version, r.opens_on.isoformat(),
                 r.interim_deadline.isoformat() if r.interim_deadline else "",
                 r.deadline.isoformat(), r.status, counts.get(r.id, (0, 0))[1],
                 counts.get(r.id, (0, 0))[0]]
                for r in survey_repo.list_rounds(db)]
    emit(["id", "code", "form", "version", "opens", "interim", "deadline", "status",
          "submitted", "respondents"], rows, fmt, title="Rounds",
         numeric=("id", "submitted", "respondents"))


@round_app.command("create")
def round_create(
    form_id: str = typer.Argument(..., metavar="FORM", help="Questionnaire id, e.g. "
                                  "gonv-2023-region (see `naravard questionnaire list`)."),
    code: str = typer.Option(..., help="Code of the round, e.g. 2023-region."),
    opens: str = typer.Option(..., help="Opening date, YYYY-MM-DD."),
    deadline: str = typer.Option(..., help="Deadline, YYYY-MM-DD (answers lock at the end of "
                                 "that day, Europe/Stockholm)."),
    interim_deadline: str | None = typer.Option(None, help="Interim report deadline, "
                                                "YYYY-MM-DD (forms with an interim report)."),
    title: str = typer.Option("", help="Title (default: the questionnaire's)."),
    version: str | None = typer.Option(None, help="Questionnaire version (default: highest)."),
    org: list[str] = typer.Option([], "--org", help="A respondent's organisation code; "
                                  "repeat it. Default: every organisation of the form's kind."),
    county: str | None = typer.Option(None, help="Only respondents in this county (01–25)."),
    open_now: bool = typer.Option(False, "--open", help="Open the round at once."),
) -> None:
    """Create a round: the questionnaire version is copied into the round (pinned)."""
    try:
        entry = find_form(all_forms(forms_dir()), form_id, version)
    except KeyError as exc:
        raise _fail(str(exc.args[0])) from exc
    opens_on, due = _day(opens, "--opens"), _day(deadline, "--deadline")
    interim = _day(interim_deadline, "--interim-deadline") if interim_deadline else None
    now = _now()
    try:
        with database() as db:
            kind = entry.form.settings.respondent.value
            wanted = org or survey_repo.organisations_of_kind(db, kind, county)
            created = survey_repo.create_round(
                db, entry.form, code=code, title=title, respondents=wanted, opens_on=opens_on,
                deadline=due, interim_deadline=interim, actor="cli", now=now)
            if open_now:
                survey_repo.open_round(db, created, "cli", now)
            summary = (f"Round {created.code} (id {created.id}): {entry.form.form_id} version "
                       f"{entry.form.version}, {len(wanted)} respondents, opens "
                       f"{opens_on.isoformat()}, deadline {due.isoformat()}, {created.status}.")
    except survey_repo.SurveyError as exc:
        raise _refused(exc) from exc
    out.print(summary)


@round_app.command("open")
def round_open(
    round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id."),
    notify_site: str | None = typer.Option(
        None, "--notify", metavar="SITE",
        help="Also e-mail each respondent organisation an invitation linking its questionnaire "
        "at this address (e.g. https://nara.example.se)."),
) -> None:
    """Open a round for answers."""
    sent = ""
    try:
        with database() as db:
            found = _find_round(db, round_ref)
            now = _now()
            survey_repo.open_round(db, found, "cli", now)
            if notify_site is not None:
                from naravard.web import surveys_reminders as reminders

                done = reminders.send_reminders(db, found, now, "cli", "sv",
                                                notify_site.rstrip("/"), invitation=True)
                reached = sum(1 for r in done if r.outcome == reminders.SENT)
                sent = f" Invitations e-mailed to {reached} of {len(done)} organisations."
            code = found.code
    except survey_repo.SurveyError as exc:
        raise _refused(exc) from exc
    out.print(f"Round {code} is open.{sent}")


@round_app.command("close")
def round_close(round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id.")
                ) -> None:  # fmt: skip
    """Close a round: no answer can change any more (it can be opened again)."""
    try:
        with database() as db:
            found = _find_round(db, round_ref)
            survey_repo.close_round(db, found, "cli", _now())
            code = found.code
    except survey_repo.SurveyError as exc:
        raise _refused(exc) from exc
    out.print(f"Round {code} is closed.")


@round_app.command("reopen")
def round_reopen(
    round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id."),
    org: str = typer.Option(..., "--org", help="The respondent's organisation code."),
    reason: str = typer.Option(..., help="Why (recorded in the audit log)."),
    deadline: str = typer.Option(..., help="The respondent's new deadline, YYYY-MM-DD."),
    notify_site: str | None = typer.Option(
        None, "--notify", metavar="SITE",
        help="Also e-mail the organisation's respondents the reason and the new deadline, "
        "linking the questionnaire at this address (e.g. https://nara.example.se)."),
    comment: list[str] = typer.Option(
        [], "--comment", metavar="QUESTION=TEXT",
        help="Return the latest submitted version for correction with this comment on a "
        "question (by its name; repeat for more questions). The respondent sees it beside "
        "the question and can reply."),
) -> None:
    """Give one respondent of an open round a new deadline of its own (with --comment:
    return its submitted answers for correction)."""
    day = _day(deadline, "--deadline")
    notes: dict[str, str] = {}
    for given in comment:
        name, sep, text = given.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise typer.BadParameter(f"Write --comment as QUESTION=TEXT, not {given!r}.",
                                     param_hint="--comment")
        notes[name.strip()] = (notes[name.strip()] + "\n" if name.strip() in notes
                               else "") + text.strip()
    outcome = ""
    try:
        with database() as db:
            found = _find_round(db, round_ref)
            now = _now()
            if notes:
                return_for_correction(db, found, org, notes, reason=reason, deadline=day,
                                      actor="cli", now=now)
            else:
                survey_repo.reopen(db, found, org, reason=reason, deadline=day, actor="cli",
                                   now=now)
            if notify_site is not None:
                from naravard.web import surveys_reminders as reminders

                done = reminders.send_reminders(db, found, now, "cli", "sv",
                                                notify_site.rstrip("/"), only=org)
                outcome = done[0].outcome if done else ""
            code = found.code
    except survey_repo.SurveyError as exc:
        raise _refused(exc) from exc
    returned = (f" Returned for correction with {len(notes)} comment"
                f"{'' if len(notes) == 1 else 's'}." if notes else "")
    out.print(f"{org} may change its answers to {code} until {day.isoformat()}.{returned}"
              + (f" E-mail to its respondents: {outcome}." if outcome else ""))


@round_app.command("remind")
def round_remind(
    round_ref: str | None = typer.Argument(None, metavar="[ROUND]", help="Code or id; without "
                                           "it, every open round due soon (see --due-within)."),
    site: str = typer.Option(..., help="Address the web pages are served at, for the link to "
                             "each questionnaire (e.g. https://nara.example.se)."),
    lang: str = typer.Option("sv", help="Language of the messages: sv or en."),
    due_within: int = typer.Option(7, min=0, help="Without ROUND: remind those whose last day "
                                   "is today or within this many days."),
    every: int = typer.Option(7, min=1, help="Without ROUND: skip a round reminded within this "
                              "many days."),
    dry_run: bool = typer.Option(False, "--dry-run", help="List who would be reminded; send "
                                 "and record nothing."),
) -> None:
    """E-mail a reminder to every respondent of an open round that has not submitted the report
    now due (one message per organisation, to its respondents' addresses; ``NARAVARD_SMTP_*``).

    Without ROUND it is meant to run daily (cron, a systemd timer): every open round with a
    respondent whose last day is within --due-within days, not reminded in the last --every
    days, and in it only those respondents. Each organisation's outcome is recorded in the
    audit log and printed: sent, no_address (no active respondent with an e-mail address),
    no_server (no SMTP server configured) or failed.
    """
    from naravard.web import surveys_reminders as reminders

    if lang not in ("sv", "en"):
        raise _fail(f"--lang must be sv or en, got {lang!r}")
    now = _now()
    with database() as db:
        if round_ref is None:
            rounds = reminders.scheduled_rounds(db, now, due_within, every)
            within: int | None = due_within
        else:
            rounds, within = [_find_round(db, round_ref)], None
        results = []
        for found in rounds:
            if dry_run:
                done = [r for r in reminders.reminders_due(db, found, now)
                        if within is None or reminders.upcoming(r, now, within)]
            else:
                done = reminders.send_reminders(db, found, now, "cli", lang, site.rstrip("/"),
                                                due_within=within)
            results.append((found.code, done))
    if not results:
        out.print(f"No open round has a respondent owing a report due within {due_within} days "
                  f"and no reminder in the last {every} days; nothing to send.")
    for code, done in results:
        _print_reminders(code, done, dry_run)


def _print_reminders(code: str, done: list[Reminder], dry_run: bool) -> None:
    from naravard.web import surveys_reminders as reminders

    if not done:
        out.print(f"No respondent of {code} owes a report now; nothing to send.")
        return
    table = Table("organisation", "report", "last day", "addresses", "outcome")
    for r in done:
        table.add_row(f"{r.organisation_name} ({r.organisation_code})", r.report.value,
                      r.deadline.isoformat() + (" (passed)" if r.late else ""),
                      str(len(r.addresses)),
                      r.outcome or ("would be sent" if r.addresses else reminders.NO_ADDRESS))
    out.print(table)
    sent = sum(1 for r in done if r.outcome == reminders.SENT)
    owe = "1 organisation owes" if len(done) == 1 else f"{len(done)} organisations owe"
    out.print(f"{code}: {owe} a report"
              + ("" if dry_run else f"; {sent} reminded by e-mail"))
    if any(r.error for r in done):
        err.print(next(r.error for r in done if r.error))


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


@round_app.command("status")
def round_status_command(
    round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table, csv or json."),
) -> None:
    """Completeness and timeliness of a round.

    Expected, submitted, on time, late and missing, and the share of required questions
    answered per respondent (from the latest submission, else the draft).
    """
    with database() as db:
        found = _find_round(db, round_ref)
        status = round_status(db, found, _now())
        kind = {"region": "regions", "rss": "RSS", "municipality": "municipalities"}.get(
            found.respondent_kind, found.respondent_kind)
        f = status.final
        share = f"{f.submitted_percent} %" if f.submitted_percent is not None else ".."
        headline = (f"{found.code} ({found.status}, deadline {found.deadline.isoformat()}): "
                    f"answers from {f.submitted} of {f.expected} {kind} ({share}); on time "
                    f"{f.on_time}, late {f.late}, missing {f.missing}; required questions "
                    f"answered {status.mean_completeness or '..'} %")
        if status.interim is not None:
            headline += (f"; interim reports {status.interim.submitted} of "
                         f"{status.interim.expected}")
        rows = [[r.organisation_code, r.organisation_name, r.status, r.final.versions,
                 r.final.first_submitted_at.isoformat(timespec="seconds")
                 if r.final.first_submitted_at else "",
                 _yes_no(r.final.on_time), r.answered, r.required,
                 "" if r.completeness is None else str(r.completeness), r.deadline.isoformat(),
                 r.reopen_reason, r.open_comments] for r in status.rows]
    if fmt is OutputFormat.table:
        out.print(headline)
    emit(["organisation", "name", "status", "versions", "submitted_at", "on_time", "answered",
          "required", "completeness_percent", "deadline", "reopened_because", "open_comments"],
         rows, fmt, title="Per respondent",
         numeric=("versions", "answered", "required", "completeness_percent", "open_comments"))


def _moment(as_of: str | None) -> dt.datetime:
    """``--as-of`` as a time (Swedish unless an offset is given), or now."""
    if not as_of:
        return _now()
    try:
        moment = dt.datetime.fromisoformat(as_of)
    except ValueError:
        raise _fail(f"--as-of must be a time like 2024-03-28T10:00, not {as_of!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=survey_repo.STOCKHOLM)


@round_app.command("import-answers")
def round_import_answers(
    round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id."),
    path: Path = typer.Argument(..., metavar="FILE", exists=True, dir_okay=False,
                                help="CSV or .xlsx in the layout of the round's answer export."),
    submit: bool = typer.Option(False, "--submit", help="Also submit each row as a new "
                                "version recorded as imported (default: drafts only)."),
    as_of: str | None = typer.Option(None, help="When the answers arrived, e.g. "
                                     "2024-03-20T10:00 (Swedish time unless an offset is "
                                     "given); default: now."),
    confirm: list[str] = typer.Option([], help="A possible piece of personal data to keep, "
                                      "by the signature the refusal printed (repeatable)."),
) -> None:
    """Store answers from a table: the round's answer export (``round results
    --per-respondent`` or the page's "Svar som CSV/Excel"), filled in or edited elsewhere.

    One row per organisation (column organisation_code), one column per question and per table
    cell (``table.row.column``), option codes (several separated by spaces). Every problem is
    listed before anything is stored; either every row is stored or none. Each row replaces
    the organisation's draft; with --submit it is also submitted, as imported.
    """
    from naravard.storage.survey_import import import_answers, parse_rows, read_table
    from naravard.web.surveys_receipt import renderer

    moment = _moment(as_of)
    try:
        headers, rows = read_table(path.name, path.read_bytes())
    except ValueError as exc:
        raise _fail(str(exc)) from None
    if not headers:
        raise _fail(f"{path} holds no rows")
    with database() as db:
        found = _find_round(db, round_ref)
        parsed, problems = parse_rows(found, headers, rows)
        if not problems:
            problems = import_answers(
                db, found, parsed, actor="cli", actor_name=f"Import ({path.name})", now=moment,
                submit=submit, render_receipt=renderer("sv"),
                confirmed=lambda code: tuple(confirm))
        if problems:  # leaving the block by the exception rolls every row back
            for problem in problems:
                err.print(str(problem), markup=False)
            many = "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
            raise _fail(f"Nothing was stored: {many} in {path.name}."
                        + (" Keep possible personal data with --confirm SIGNATURE."
                           if any("signature" in p.message for p in problems) else ""))
        code = found.code
    what = "submitted as imported versions" if submit else "stored as drafts"
    whose = "1 organisation's" if len(parsed) == 1 else f"{len(parsed)} organisations'"
    out.print(f"{whose} answers to {code} {what} "
              f"(as of {moment.astimezone(survey_repo.STOCKHOLM).isoformat(timespec='minutes')}).")


@round_app.command("answers")
def round_answers(
    round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id."),
    org: str = typer.Option(..., "--org", help="The respondent's organisation code."),
    as_of: str | None = typer.Option(None, help="A time, e.g. 2024-03-28T10:00 (Swedish time "
                                     "unless an offset is given); default: now."),
    draft: bool = typer.Option(False, help="Show the draft as it stood, not the submission."),
) -> None:
    """A respondent's answers as of a time, as JSON.

    The submitted version current at that time, or with --draft the draft as it stood then,
    rebuilt from the append-only answer history.
    """
    moment = _moment(as_of)
    with database() as db:
        found = _find_round(db, round_ref)
        response = survey_repo.response_for(db, found, org)
        if response is None:
            raise _fail(f"{org} is not a respondent of round {found.code}")
        if draft:
            document: dict[str, object] = {
                "round": found.code, "organisation": org, "as_of": moment.isoformat(),
                "draft": survey_repo.draft_as_of(db, response, moment)}
        else:
            sub = survey_repo.submission_as_of(db, response, moment)
            document = {"round": found.code, "organisation": org, "as_of": moment.isoformat(),
                        "version": sub.version if sub else None,
                        "submitted_at": survey_repo.aware(sub.submitted_at).isoformat()
                        if sub else None,
                        "answers": sub.answers if sub else None}
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False))


class ResultFormat(StrEnum):
    """Output formats of ``round results``."""

    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    pdf = "pdf"


def _result_rows(questions: list[QuestionResult]) -> list[list[object]]:
    rows: list[list[object]] = []
    for q in questions:
        base = [q.item.key, q.item.name, q.item.number]
        if q.options:
            rows += [[*base, o.name, "", o.count, q.n, o.percent, None, None, None, None]
                     for o in q.options]
        elif q.numbers is not None:
            n = q.numbers
            rows.append([*base, "", "", None, n.n, None, n.minimum, n.median, n.maximum, n.total])
        elif q.cells:
            for c in q.cells:
                where = f"{c.row.name}.{c.column.name}"
                if c.options:
                    rows += [[*base, o.name, where, o.count, c.n, o.percent, None, None, None,
                              None] for o in c.options]
                elif c.numbers is not None:
                    n = c.numbers
                    rows.append([*base, "", where, None, c.n, None, n.minimum, n.median,
                                 n.maximum, n.total])
                else:
                    rows.append([*base, "", where, None, c.n, None, None, None, None, None])
        else:
            rows.append([*base, "", "", None, q.n, None, None, None, None, None])
    return rows


RESULT_COLUMNS = ["key", "question", "number", "option", "cell", "count", "n", "percent",
                  "min", "median", "max", "sum"]


@round_app.command("results")
def round_results(
    round_ref: str = typer.Argument(..., metavar="ROUND", help="Code or id."),
    question: str | None = typer.Option(None, help="Only this question (name or stable key)."),
    fmt: ResultFormat = typer.Option(ResultFormat.csv, "--format", help="csv, json, xlsx or "
                                     "pdf (every question as a document, free texts in full)."),
    out_file: Path | None = typer.Option(None, "--out", help="Write to this file (needed for "
                                         "xlsx and pdf); default: standard output."),
    per_respondent: bool = typer.Option(False, help="One row per respondent and one column per "
                                        "question instead of counts per question."),
    report: str | None = typer.Option(None, help="interim or final (default: latest version)."),
    lang: str = typer.Option("sv", help="Language of the PDF: sv or en."),
    site: str = typer.Option("", help="Address the web pages are served at, for the PDF's "
                             "link to the round's answers (e.g. https://nara.example.se)."),
) -> None:
    """Results of a round: counts per question, or every answer per respondent.

    Counts per option come with n (those who answered the item); numbers with n, min, median,
    max and sum. Text that a spreadsheet would run as a formula is escaped. As PDF, the
    document the web offers staff: the respondents counted and every question, free texts in
    full.
    """
    if fmt in (ResultFormat.xlsx, ResultFormat.pdf) and out_file is None:
        raise _fail(f"--format {fmt.value} needs --out FILE.{fmt.value}")
    if lang not in ("sv", "en"):
        raise _fail(f"--lang must be sv or en, got {lang!r}")
    if fmt is ResultFormat.pdf and (question or per_respondent):
        raise _fail("--format pdf gives every question; leave out --question and "
                    "--per-respondent")
    if report not in (None, "interim", "final"):
        raise _fail(f"--report must be interim or final, got {report!r}")
    with database() as db:
        found = _find_round(db, round_ref)
        if fmt is ResultFormat.pdf:
            from naravard.web.round_answers import answers_pdf

            assert out_file is not None
            with err.status("rendering the answers per question …"):
                content = answers_pdf(db, found, report, lang, site.rstrip("/"))
            out_file.write_bytes(content)
            out.print(f"Wrote {out_file}: {len(content) // 1024} kB")
            return
        form = survey_repo.round_form(found)
        answers = latest_answers(db, found, report)
        if per_respondent:
            headers, rows = answer_table(form, answers)
        else:
            questions = question_results(form, answers)
            if question:
                questions = [q for q in questions if question in (q.item.name, q.item.key)]
                if not questions:
                    raise _fail(f"no question {question!r} in {found.form_id}")
            headers, rows = RESULT_COLUMNS, _result_rows(questions)
        code = found.code
    if fmt is ResultFormat.xlsx:
        assert out_file is not None
        out_file.write_bytes(table_xlsx(headers, rows, code))
        out.print(f"Wrote {out_file}: {len(rows)} rows")
        return
    if fmt is ResultFormat.json:
        text = json.dumps([dict(zip(headers, r, strict=True)) for r in rows], ensure_ascii=False,
                          indent=2, default=str) + "\n"
    else:
        text = table_csv(headers, rows)
    if out_file is not None:
        out_file.write_text(text, encoding="utf-8")
        out.print(f"Wrote {out_file}: {len(rows)} rows")
    else:
        typer.echo(text, nl=False)
