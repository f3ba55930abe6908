"""The case register: one row per case, the raw material for every metric.

A row is read from the case by attribute name (:data:`FROM_CASE`), so the
register's columns and the case's attributes are matched in one place, not by
the order of a long tuple.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import pandas as pd

from sim.model.states import ACTIVE, State

ENTERED = tuple(f"entered_{s.label}" for s in ACTIVE)
"""The day a case first entered each open state: read from the case's ``entered`` list."""

FROM_CASE: dict[str, str] = {
    "migrant_id": "unique_id",
    "person_id": "person_id",
    "previous_case_id": "previous_case_id",
    "matched": "matched",
    "country": "country.code",
    "origin": "origin",
    "decision_day": "decision_day",
    "willingness": "willingness",
    "has_id_document": "has_id_document",
    "vulnerable": "vulnerable",
    "family": "family",
    "return_centre": "lived_in_return_centre",
    "entered": "entered",
    "outcome": "state",
    "outcome_day": "outcome_day",
    "handover_ground": "handover_ground",
    "handover_decided_day": "handover_decided_day",
    "handover_day": "handover_day",
    "fields_passed": "fields",
    "talks": "talks",
    "contact_attempts": "contact_attempts",
    "avr_offered": "avr_offered",
    "ever_absconded": "ever_absconded",
    "times_absconded": "times_absconded",
    "times_detained": "times_detained",
    "detention_days": "detention_days",
    "released_at_limit": "released_at_limit",
    "document_requests": "document_requests",
    "documents_day": "documents_day",
    "unenforceable": "unenforceable",
    "flight_ready_day": "flight_ready_day",
    "flight": "flight",
    "detention_days_awaiting_flight": "detention_days_awaiting_flight",
    "escorts": "escorts",
    "reintegration_support": "reintegration_support",
    "moved_to": "moved_to",
    "closed_from": "closed_from",
}
"""Register column -> attribute of :class:`~sim.model.agents.migrant.Migrant` it is read from."""

record = attrgetter(*FROM_CASE.values())
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


def register_frame(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The case register as a table sorted by migrant id.

    Rows are :func:`record` tuples: the state as its code, the entry days as a
    list and the information fields as a set (cheap to keep for every case);
    here they become the ``outcome`` label, one ``entered_*`` column per open
    state and a comma-separated, sorted ``fields_passed``.
    """
    df = pd.DataFrame.from_records(rows, columns=list(FROM_CASE))
    entered = pd.DataFrame(df.pop("entered").tolist(), columns=list(ENTERED), index=df.index, dtype=float)
    at = df.columns.get_loc("outcome")
    df = pd.concat([df.iloc[:, :at], entered, df.iloc[:, at:]], axis=1)
    df = df.sort_values("migrant_id", kind="stable").reset_index(drop=True)
    df["outcome"] = pd.Categorical.from_codes(df["outcome"].astype(int), categories=STATE_LABELS)
    df["closed_from"] = pd.Categorical.from_codes(df["closed_from"].astype(int), categories=ACTIVE_LABELS)
    joined = {f: ",".join(sorted(f)) for f in set(df["fields_passed"])}
    df["fields_passed"] = df["fields_passed"].map(joined)
    for col in ("country", "origin", "handover_ground", "flight", "moved_to"):
        df[col] = df[col].astype("category")
    return df
