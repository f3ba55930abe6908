"""The vocabulary of the data dictionary: a column, a table, and the columns many tables share."""

from __future__ import annotations

from dataclasses import dataclass

from sim.model.states import ACTIVE, State


@dataclass(frozen=True)
class Column:
    """One column: what it means, its unit, and how it is computed (empty: the table's rule)."""

    meaning: str
    unit: str
    computed: str = ""


@dataclass(frozen=True)
class Table:
    """One table a run or a report writes."""

    files: str
    """The file names (one table may be written as Parquet and CSV)."""
    row: str
    """What one row is."""
    computed: str
    """How the columns are computed, unless a column says otherwise."""
    columns: dict[str, Column]
    open_columns: str = ""
    """Columns whose names vary with the run (e.g. the swept config keys), described once."""


TEXT_UNITS = frozenset({"code", "name", "category", "state", "list", "label"})
"""Units whose values are text (a country code, an origin's name, a state's name)."""
BOOL_UNITS = frozenset({"bool", "yes/no"})


def kind_of(column: Column) -> str:
    """What a column's values are, by its unit: ``text``, ``bool`` or ``number`` (what a saved table is checked for)."""
    if column.unit in TEXT_UNITS:
        return "text"
    return "bool" if column.unit in BOOL_UNITS else "number"


DAY = "model day"
STATE_NAMES = ", ".join(s.label for s in State)
OPEN_STATE_NAMES = ", ".join(s.label for s in ACTIVE)
REPLICATION = Column("replication number within the run (0-based; each has its own random streams)", "index")
COUNTRY = Column("country code (SE, NO, DK, FI, IS); ALL pools the countries of a multi-country run", "code")
COUNTRY_ONE = Column("country code (SE, NO, DK, FI, IS)", "code")
