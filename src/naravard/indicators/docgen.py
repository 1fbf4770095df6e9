"""Render the data model and the indicator catalogue into Markdown blocks of ``docs/``."""

from __future__ import annotations

from pathlib import Path

from naravard.indicators.catalogue import Catalogue
from naravard.indicators.definition import Definition
from naravard.indicators.kinds import KINDS
from naravard.indicators.schema import TABLES, Column

BEGIN = "<!-- BEGIN GENERATED: {name} (naravard indicators docs) -->"
END = "<!-- END GENERATED: {name} -->"


def _type_name(col: Column) -> str:
    names = {"date32[day]": "date32", "list<item: string>": "list<string>"}
    text = str(col.type)
    return names.get(text, text)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_data_model() -> str:
    """Every table and column of the register data model as Markdown."""
    out: list[str] = []
    for spec in TABLES:
        layout = (
            f"`DIR/{spec.name}/year=YYYY/*.parquet` (partitioned by year)"
            if spec.partitioned_by_year
            else f"`DIR/{spec.name}/*.parquet`"
        )
        out += [
            f"### `{spec.name}`",
            "",
            spec.description,
            "",
            f"- Mirrors: {spec.mirrors}",
            f"- Files: {layout}",
            f"- Unique key: {', '.join(f'`{k}`' for k in spec.key)}",
            "",
            "| column | type | null | meaning | allowed values | mirrors |",
            "|---|---|---|---|---|---|",
        ]
        for col in spec.columns:
            out.append(
                f"| `{col.name}` | {_type_name(col)} | {'yes' if col.nullable else 'no'} | "
                f"{_cell(col.meaning)} | {_cell(col.rule_text())} | {_cell(col.mirrors)} |"
            )
        rules = [f"- {rc.text} (`{rc.sql}`)" for rc in spec.row_checks]
        rules += [
            f"- `{r.column}` must exist in `{r.target_table}.{r.target_column}`"
            + (" for the same year" if spec.partitioned_by_year and r.target_table == "persons"
               else "")
            for r in spec.references
        ]
        if spec.no_overlap is not None:
            g, a, b = spec.no_overlap
            rules.append(f"- spells [`{a}`, `{b}`) of the same `{g}` must not overlap")
        if rules:
            out += ["", "Row rules:", "", *rules]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def replace_block(text: str, name: str, block: str) -> str:
    """``text`` with the generated block ``name`` replaced by ``block``."""
    begin, end = BEGIN.format(name=name), END.format(name=name)
    start = text.find(begin)
    stop = text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"markers for generated block {name!r} not found")
    return text[: start + len(begin)] + "\n\n" + block + "\n" + text[stop:]


def update_file(path: Path, name: str, block: str) -> bool:
    """Write ``block`` into ``path``; True if the file changed."""
    old = path.read_text(encoding="utf-8")
    new = replace_block(old, name, block)
    if new != old:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def _value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


def render_indicators(catalogue: Catalogue) -> str:
    """Every shipped definition and code list as Markdown."""
    out: list[str] = ["### Catalogue", "", "| id | title | version | unit |", "|---|---|---|---|"]
    out += [
        f"| [`{d.id}`](#{d.id.replace('_', '-')}) | {d.title.en} | {d.version} | {d.unit.en} |"
        for d in catalogue.definitions
    ]
    out.append("")
    for d in catalogue.definitions:
        out += render_definition(d).splitlines()
        out.append("")
    out += ["### Code lists", ""]
    for cl in catalogue.codelists:
        out += [
            f"#### {cl.id}",
            "",
            f"{cl.title.en} — version `{cl.version}`, {cl.coding}, prefix match, "
            f"evidence [{cl.evidence}].",
            "",
            f"Provenance: {cl.provenance}",
            "",
            "Sources: " + "; ".join(f"<{s}>" for s in cl.sources),
            "",
            "| category | codes |",
            "|---|---|",
        ]
        out += [f"| {c.title.en} (`{c.id}`) | {', '.join(c.codes)} |" for c in cl.categories]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_definition(d: Definition) -> str:
    """One definition as Markdown."""
    out: list[str] = []
    spec = KINDS[d.kind]
    age = f"{d.age.min if d.age.min is not None else 0}" + (
        f"–{d.age.max}" if d.age.max is not None else "+")
    out += [
        f"### {d.id}",
        "",
        f"**{d.title.en}** — *{d.title.sv}*",
        "",
        d.description.en,
        "",
        f"> {d.description.sv}",
        "",
        "| field | value |",
        "|---|---|",
        f"| id, version | `{d.id}`, `{d.version}` |",
        f"| kind | `{d.kind}` (area basis: {spec.area_basis}) |",
        f"| unit | {d.unit.en} (*{d.unit.sv}*) |",
        f"| value | {d.value_type}, scale {d.scale}, {d.decimals} decimals |",
        f"| population | {_cell(d.population.en)} |",
        f"| age | {age} [{d.age.evidence}] {_cell(d.age.note)} |",
        f"| numerator | {_cell(d.numerator.en)} |",
        f"| denominator | {_cell(d.denominator.en)} |",
        f"| window | {_cell(d.window.en)} Periods: {', '.join(d.periods)}. |",
        f"| standardisation | {_std(d)} |",
        f"| breakdowns | areas: {', '.join(d.areas)}; sex: {'/'.join(d.sexes)} |",
        f"| target | {_target(d)} |",
        f"| desired direction | {d.direction.value} [{d.direction.evidence}] "
        f"{_cell(d.direction.note)} |",
        f"| too few | {_too_few(d)} |",
        f"| confidence interval | {_interval(d)} |",
        f"| disclosure | {d.disclosure}; denominator public: "
        f"{'yes' if d.denominator_public else 'no'} |",
        f"| sources | {'; '.join(d.sources)} |",
        f"| code lists | {', '.join(f'`{c}`' for c in d.codelists) or '—'} |",
        "",
        "Settings (evidence: C confirmed, P partly confirmed, I inferred — see the "
        "research notes):",
        "",
        "| setting | value | evidence | meaning | note |",
        "|---|---|---|---|---|",
    ]
    for name, s in d.settings.items():
        meaning = spec.setting(name).meaning
        out.append(f"| `{name}` | {_value(s.value)} | {s.evidence} | {_cell(meaning)} | "
                   f"{_cell(s.note)} |")
    out += ["", "Variants:", "", "| variant | title | overrides |", "|---|---|---|"]
    for v in d.variants:
        overrides = [f"`{k}` = {_value(val)}" for k, val in v.settings.items()]
        if v.standard is not None:
            overrides.append(f"standard population `{v.standard}`")
        if v.unit is not None:
            overrides.append(f"unit: {v.unit.en}")
        over = "; ".join(overrides) or "—"
        out.append(f"| `{v.id}` | {v.title.en} (*{v.title.sv}*) | {over} |")
    out.append("")
    return "\n".join(out).rstrip() + "\n"


def _std(d: Definition) -> str:
    s = d.standardisation
    if s is None:
        return "none (crude)"
    return (f"{s.method}, standard `{s.standard}`, total sex: {s.total_sex} [{s.evidence}] "
            f"{_cell(s.note)}")


def _interval(d: Definition) -> str:
    i = d.interval
    if i.method == "none":
        return f"none [{i.evidence}] {_cell(i.note)}"
    few = ("" if i.few_events_below is None
           else f"; a rate of fewer than {i.few_events_below} events is marked as uncertain")
    return f"{i.method}, {i.level:.0%}{few} [{i.evidence}] {_cell(i.note)}"


def _too_few(d: Definition) -> str:
    b = d.min_denominator_basis
    if b is None:
        return "no threshold (status `too_few` never set; a zero denominator is `missing`)"
    return (f"status `too_few` when the denominator is below {d.min_denominator} "
            f"[{b.evidence}] {_cell(b.note)}")


def _target(d: Definition) -> str:
    t = d.target
    if t is None:
        return "—"
    return f"{t.comparison} {t.value:g} — {_cell(t.text.en)}"
