"""The column dictionary as Markdown: ``columns.md`` in every results folder, and the Outputs page's copy.

``uv run python -m sim.outputs.columns_page docs/outputs.md`` rewrites the
section of the documentation's Outputs page between its markers from
:data:`sim.outputs.columns.TABLES`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from sim.outputs.columns import TABLES, Table


def table_frame(table: Table) -> pd.DataFrame:
    """A table's dictionary as a DataFrame: column, meaning, unit, computed."""
    return pd.DataFrame(
        [(f"`{name}`", c.meaning, c.unit, c.computed or "") for name, c in table.columns.items()],
        columns=["column", "meaning", "unit", "how computed"],
    )


def markdown(names: tuple[str, ...] | list[str] = tuple(TABLES), level: int = 3) -> str:
    """The dictionary of the named tables as markdown: a heading, what a row is and a table per table."""
    parts = []
    for name in names:
        table = TABLES[name]
        parts.append(f"{'#' * level} `{name}` — {table.files}\n")
        parts.append(f"One row: {table.row}. Computed {table.computed}, unless a column says otherwise.\n")
        if table.open_columns:
            parts.append(f"Also: {table.open_columns}.\n")
        parts.append(table_frame(table).to_markdown(index=False) + "\n")
    return "\n".join(parts)


COLUMNS_PAGE = "columns.md"


def columns_page(files: list[str]) -> str:
    """``columns.md`` of a results folder: the dictionary of the tables among ``files`` (names in the folder)."""
    names = list(dict.fromkeys(Path(f).name.split(".")[0] for f in files if Path(f).name.split(".")[0] in TABLES))
    head = (
        "# What each column means\n\n"
        "Days are model days: day 0 starts the run, the warm-up (`warmup_days`) comes first and the measured "
        "horizon is (warmup_days, warmup_days + horizon_days]. Shares are fractions in [0, 1]; money is EUR.\n\n"
    )
    return head + markdown(names, level=2)


PAGE_START = "<!-- columns: start (written by `uv run python -m sim.outputs.columns_page docs/outputs.md`) -->"
"""The line that opens the data dictionary on the Outputs page (``docs/outputs.md``)."""
PAGE_END = "<!-- columns: end -->"
"""The line that closes it."""


def readme_section() -> str:
    """The Outputs page's data dictionary, between its markers (``tests/test_columns.py`` checks the page holds it)."""
    return f"{PAGE_START}\n\n{markdown()}\n{PAGE_END}"


def update_page(path: Path) -> None:
    """Replace the data dictionary of the page at ``path`` (between the markers) with the current one.

    A page without the start marker is refused rather than given a second copy at its end.
    """
    text = path.read_text(encoding="utf-8")
    head, found, rest = text.partition(PAGE_START)
    if not found:
        raise SystemExit(f"{path}: no line {PAGE_START!r} marks where the data dictionary goes")
    _, _, tail = rest.partition(PAGE_END)
    path.write_text(head + readme_section() + tail, encoding="utf-8")


if __name__ == "__main__":
    update_page(Path(sys.argv[1]))
