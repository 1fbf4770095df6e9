"""Render the data model and the indicator catalogue into Markdown blocks of ``docs/``."""

from __future__ import annotations

from pathlib import Path

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
