"""The case register: one row per migrant, the raw material for every metric."""

from __future__ import annotations

import pandas as pd

from sim.model.states import ACTIVE, State

COLUMNS = (
    "migrant_id",
    "person_id",
    "previous_case_id",
    "matched",
    "country",
    "origin",
    "decision_day",
    "willingness",
    "has_id_document",
    "vulnerable",
    "family",
    "return_centre",
    *(f"entered_{s.label}" for s in ACTIVE),
    "outcome",
    "outcome_day",
    "handover_ground",
    "handover_decided_day",
    "handover_day",
    "fields_passed",
    "talks",
    "contact_attempts",
    "avr_offered",
    "ever_absconded",
    "times_absconded",
    "times_detained",
    "detention_days",
    "released_at_limit",
    "document_requests",
    "documents_day",
    "unenforceable",
    "flight_ready_day",
    "flight",
    "detention_days_awaiting_flight",
    "escorts",
    "reintegration_support",
    "moved_to",
    "closed_from",
)
"""Columns of the register; ``outcome`` is the state at the end of the run
(a terminal outcome, or the active state of a case still open). A person who
moves to another Nordic country gets a new case there (``person_id`` and
``previous_case_id`` link them); ``matched`` marks a case that continues the
earlier decision rather than a new one; ``flight`` is the kind of flight a
forced return left on; ``closed_from`` is the last open state of a closed case
(e.g. ``absconded`` for a departure registered after absconding), empty while open."""


STATE_LABELS = [s.label for s in State]
"""Outcome labels in the order of the states (the categories of ``outcome``)."""
ACTIVE_LABELS = [s.label for s in ACTIVE]
"""Labels of the open states (the categories of ``closed_from``; code -1 is an open case)."""


def register_frame(rows: list[tuple]) -> pd.DataFrame:
    """The case register as a table sorted by migrant id.

    Rows hold the state as its code and the information fields as a set
    (cheap to build for every case); here they become the ``outcome`` label
    and a comma-separated, sorted ``fields_passed``.
    """
    df = pd.DataFrame.from_records(rows, columns=list(COLUMNS))
    df = df.sort_values("migrant_id", kind="stable").reset_index(drop=True)
    df["outcome"] = pd.Categorical.from_codes(df["outcome"].astype(int), categories=STATE_LABELS)
    df["closed_from"] = pd.Categorical.from_codes(df["closed_from"].astype(int), categories=ACTIVE_LABELS)
    joined = {f: ",".join(sorted(f)) for f in set(df["fields_passed"])}
    df["fields_passed"] = df["fields_passed"].map(joined)
    for col in ("country", "origin", "handover_ground", "flight", "moved_to"):
        df[col] = df[col].astype("category")
    return df
