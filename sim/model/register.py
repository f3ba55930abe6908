"""The case register: one row per case, the raw material for every metric.

A row is read from the case by attribute name (:data:`FROM_CASE`), so the
register's columns and the case's attributes are matched in one place, not by
the order of a long tuple.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.model.states import ACTIVE, State

ENTERED = tuple(f"entered_{s.label}" for s in ACTIVE)
"""The day a case first entered each open state: read from the case's ``entered`` list."""

FROM_CASE: dict[str, tuple[str, str]] = {
    "migrant_id": ("unique_id", "q"),
    "person_id": ("person_id", "q"),
    "previous_case_id": ("previous_case_id", "q"),
    "matched": ("matched", "b"),
    "country": ("country.code", "O"),
    "origin": ("origin", "O"),
    "decision_day": ("decision_day", "d"),
    "willingness": ("willingness", "d"),
    "has_id_document": ("has_id_document", "b"),
    "vulnerable": ("vulnerable", "b"),
    "family": ("family", "b"),
    "return_centre": ("lived_in_return_centre", "b"),
    "entered": ("entered", "d"),
    "outcome": ("state", "q"),
    "outcome_day": ("outcome_day", "d"),
    "handover_ground": ("handover_ground", "O"),
    "handover_decided_day": ("handover_decided_day", "d"),
    "handover_day": ("handover_day", "d"),
    "fields_passed": ("fields", "O"),
    "talks": ("talks", "q"),
    "contact_attempts": ("contact_attempts", "q"),
    "avr_offered": ("avr_offered", "b"),
    "ever_absconded": ("ever_absconded", "b"),
    "times_absconded": ("times_absconded", "q"),
    "times_detained": ("times_detained", "q"),
    "detention_days": ("detention_days", "d"),
    "released_at_limit": ("released_at_limit", "q"),
    "document_requests": ("document_requests", "q"),
    "documents_day": ("documents_day", "d"),
    "unenforceable": ("unenforceable", "b"),
    "flight_ready_day": ("flight_ready_day", "d"),
    "flight": ("flight", "O"),
    "detention_days_awaiting_flight": ("detention_days_awaiting_flight", "d"),
    "escorts": ("escorts", "q"),
    "reintegration_support": ("reintegration_support", "b"),
    "moved_to": ("moved_to", "O"),
    "closed_from": ("closed_from", "q"),
}
"""Register column -> (attribute of :class:`~sim.model.agents.migrant.Migrant` it is read from, its kind).

The kind is the column's type: ``q`` integer, ``d`` float, ``b`` true/false,
``O`` text (or, for the information fields, a set)."""

record = attrgetter(*(attribute for attribute, _ in FROM_CASE.values()))
"""One raw row of the register from a case: the attributes of :data:`FROM_CASE`, in its order."""


def _columns() -> tuple[str, ...]:
    return tuple(col for name in FROM_CASE for col in (ENTERED if name == "entered" else (name,)))


COLUMNS = _columns()
"""Columns of the register; ``outcome`` is the state at the end of the run
(a terminal outcome, or the active state of a case still open). A person who
moves to another Nordic country gets a new case there (``person_id`` and
``previous_case_id`` link them); ``matched`` marks a case that continues the
earlier decision rather than a new one; ``flight`` is the kind of flight a
forced return left on; ``reintegration_support`` marks an assisted return with
reintegration support; ``closed_from`` is the last open state of a closed case
(e.g. ``absconded`` for a departure registered after absconding), empty while open."""


STATE_LABELS = [s.label for s in State]
"""Outcome labels in the order of the states (the categories of ``outcome``)."""
ACTIVE_LABELS = [s.label for s in ACTIVE]
"""Labels of the open states (the categories of ``closed_from``; code -1 is an open case)."""


ROW = np.dtype(
    [
        (name, ("f8", (len(ENTERED),)) if name == "entered" else {"q": "i8", "d": "f8", "b": "?", "O": "O"}[kind])
        for name, (_, kind) in FROM_CASE.items()
    ]
)
"""A packed register row: typed fields, the entry days as one field of six, text as references."""

PACK_EVERY = 4096
"""Closed rows kept as tuples before they are packed into a block of :data:`ROW`.

A row as a tuple of Python objects costs about 630 bytes with its floats and
entry-day list, a packed row 273 (five countries for ten years: 232 000
closed cases). Packing in blocks keeps closing a case as cheap as taking one
tuple; NumPy packs a block at about 1 µs a row."""


class CaseRegister:
    """The register rows of a country's closed cases, packed into typed blocks as they accumulate."""

    def __init__(self) -> None:
        """Start empty."""
        self._rows: list[tuple[Any, ...]] = []
        self._blocks: list[np.ndarray] = []
        self._packed = 0

    @classmethod
    def of(cls, cases: Iterable[Any]) -> CaseRegister:
        """The rows of ``cases`` as they stand now (the open cases at the end of a run)."""
        register = cls()
        register._rows.extend(map(record, cases))
        return register

    def add(self, case: Any) -> None:
        """Take the row of a case that closed."""
        rows = self._rows
        rows.append(record(case))
        if len(rows) == PACK_EVERY:
            self._pack()

    def __len__(self) -> int:
        """Rows held."""
        return self._packed + len(self._rows)

    def _pack(self) -> None:
        """Move the waiting rows into a block."""
        if self._rows:
            self._blocks.append(np.array(self._rows, dtype=ROW))
            self._packed += len(self._rows)
            self._rows.clear()

    def rows(self) -> np.ndarray:
        """Every row so far, as one array of :data:`ROW`."""
        self._pack()
        return np.concatenate(self._blocks) if self._blocks else np.empty(0, dtype=ROW)


class RegisterPart(Protocol):
    """Cases that give their register rows: closed ones packed (:class:`CaseRegister`) or the kernels' tables."""

    def rows(self) -> np.ndarray:
        """Every case as a row of :data:`ROW`."""


def register_frame(parts: Iterable[RegisterPart]) -> pd.DataFrame:
    """The case register of ``parts`` as one table sorted by migrant id.

    The state codes become the ``outcome`` and ``closed_from`` labels, the
    entry days one ``entered_*`` column per open state, the information
    fields (a set) their sorted names joined by commas, and the other text
    columns categories.
    """
    rows = np.concatenate([part.rows() for part in parts])
    rows = rows[np.argsort(rows["migrant_id"], kind="stable")]
    columns: dict[str, Any] = {}
    for name in FROM_CASE:
        if name == "entered":
            columns.update(zip(ENTERED, rows["entered"].T, strict=True))
        else:
            columns[name] = rows[name]
    df = pd.DataFrame(columns)
    df["outcome"] = pd.Categorical.from_codes(df["outcome"], categories=STATE_LABELS)
    df["closed_from"] = pd.Categorical.from_codes(df["closed_from"], categories=ACTIVE_LABELS)
    joined = {f: ",".join(sorted(f)) for f in set(df["fields_passed"])}
    df["fields_passed"] = df["fields_passed"].map(joined)
    for col in ("country", "origin", "handover_ground", "flight", "moved_to"):
        df[col] = df[col].astype("category")
    return df
