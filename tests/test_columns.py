"""The data dictionary covers every column every table has, and no column that none has."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from sim.outputs.columns import TABLES
from sim.outputs.columns_page import COLUMNS_PAGE, readme_section
from sim.runs.runner import run_scenario
from tests.conftest import SMALL, params

OUTPUTS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "outputs.md"
"""The documentation's Outputs page, which holds the rendered data dictionary between its markers."""


def test_every_column_of_a_runs_tables_has_an_entry_and_every_entry_a_column(tmp_path):
    run = params(*SMALL, "countries=[SE,NO]", "flights=joint_nordic", "output.transitions=true", "horizon_days=400")
    run_scenario(run, tmp_path)
    for name in ("summary", "case_register", "stocks", "flights", "transitions"):
        written = list(pd.read_parquet(tmp_path / f"{name}.parquet").columns)
        assert written == list(TABLES[name].columns), name  # same names, same order
    assert list(pd.read_csv(tmp_path / "yearly.csv").columns) == list(TABLES["yearly"].columns)
    assert len(pd.read_parquet(tmp_path / "flights.parquet")), "the check saw real flights"
    page = (tmp_path / COLUMNS_PAGE).read_text()
    for name in ("summary", "case_register", "stocks", "flights", "transitions", "yearly"):
        assert f"## `{name}`" in page
    assert "`detention_days_awaiting_flight`" in page and re.search(r"\| model day +\|", page)


def test_every_entry_says_what_the_column_means_and_its_unit():
    for name, table in TABLES.items():
        for column, entry in table.columns.items():
            assert entry.meaning and entry.unit, f"{name}.{column}"
        assert table.row and table.computed, name


def test_the_outputs_page_holds_the_current_dictionary():
    assert readme_section() in OUTPUTS_PAGE.read_text(), (
        "run: uv run python -m sim.outputs.columns_page docs/outputs.md"
    )
