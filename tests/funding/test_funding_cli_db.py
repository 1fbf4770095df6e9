"""`naravard agreement load` and `agreement freeze`: agreements and allocations in the DB."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from naravard.cli.main import app
from naravard.funding.agreement_files import dump_agreement_yaml, shipped_agreements
from naravard.storage import funding_repo

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("NARAVARD_DATABASE_URL", db_url)
    monkeypatch.setenv("NARAVARD_DATA_DIR", str(tmp_path / "var"))
    return tmp_path


def test_load_and_freeze(env: Path, session: Session) -> None:
    first = runner.invoke(app, ["agreement", "load"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [
        "gonv-2020: created", "gonv-2021: created", "gonv-2023: created"]
    assert "gonv-2020: unchanged" in runner.invoke(app, ["agreement", "load"]).output
    frozen = runner.invoke(app, ["agreement", "freeze", "gonv-2020"])
    assert frozen.exit_code == 0, frozen.output
    assert frozen.output.count("frozen now") == 7 and frozen.output.count("not allocated") == 2
    assert "2\u202f935\u202f000\u202f000" in frozen.output
    again = runner.invoke(app, ["agreement", "freeze", "gonv-2020"])
    assert again.output.count("already frozen") == 7
    line = funding_repo.get_line(session, "gonv-2020", "nara-vard")
    assert line is not None and funding_repo.current_run(session, line.id) is not None
    missing = runner.invoke(app, ["agreement", "freeze", "nope"])
    assert missing.exit_code == 1 and "No agreement nope." in missing.output


def test_load_refuses_to_change_a_frozen_line(env: Path) -> None:
    runner.invoke(app, ["agreement", "load"])
    runner.invoke(app, ["agreement", "freeze", "gonv-2020"])
    text = dump_agreement_yaml(shipped_agreements()[0])
    changed = env / "changed.yaml"
    changed.write_text(text.replace("label: Vidareutbildning för sjuksköterskor\n",
                                    "label: Vidareutbildning\n"), encoding="utf-8")
    assert "gonv-2020: updated" in runner.invoke(app, ["agreement", "load", str(changed)]).output
    bad = env / "bad.yaml"
    bad.write_text(text.replace("amount_sek: 500000000\n  recipient: regions\n",
                                "amount_sek: 400000000\n  recipient: regions\n", 1)
                   .replace("total_sek: 6250500000", "total_sek: 6150500000")
                   .replace("amount_sek: 5698500000", "amount_sek: 5598500000"),
                   encoding="utf-8")
    result = runner.invoke(app, ["agreement", "load", str(bad)])
    assert result.exit_code == 1
    assert "vidareutbildning-ssk have frozen allocations" in result.output


def test_key_figures_from_a_file_then_freeze(env: Path, session: Session) -> None:
    runner.invoke(app, ["agreement", "load"])
    runner.invoke(app, ["agreement", "freeze", "gonv-2020"])
    codes = [e.code for e in shipped_agreements()[0].key("khsv-2020").entries]
    good = env / "khsv.csv"
    good.write_text("code,weight\n" + "".join(f"{c},{1000 + i}\n" for i, c in enumerate(codes)),
                    encoding="utf-8")
    half = env / "half.csv"
    half.write_text("code,weight\n01,10.5\n", encoding="utf-8")
    bad = runner.invoke(app, ["agreement", "key", "gonv-2020", "khsv-2020", str(half),
                              "--source", "SoS"])
    assert bad.exit_code == 1
    assert "weight.01: The key counts people: enter a whole number." in bad.output
    assert "weight.03: A figure is needed for every county." in bad.output
    stored = runner.invoke(app, ["agreement", "key", "gonv-2020", "khsv-2020", str(good),
                                 "--source", "Socialstyrelsen 2019", "--period", "2019"])
    assert stored.exit_code == 0, stored.output
    # 1000 + 1001 + … + 1020 = 21 210
    assert "key khsv-2020 stored with 21 figures (sum 21\u202f210)" in stored.output
    frozen = runner.invoke(app, ["agreement", "freeze", "gonv-2020"])
    assert frozen.exit_code == 0, frozen.output
    assert frozen.output.count("frozen now") == 1 and frozen.output.count("not allocated") == 1
    assert "key khsv-2020 (half) and population" in frozen.output
    again = runner.invoke(app, ["agreement", "key", "gonv-2020", "khsv-2020", str(good),
                                "--source", "Socialstyrelsen 2019"])
    assert again.exit_code == 1
    assert "Lines medarbetare-kommuner are frozen with key khsv-2020" in again.output
    line = funding_repo.get_line(session, "gonv-2020", "medarbetare-kommuner")
    assert line is not None and funding_repo.current_run(session, line.id) is not None
