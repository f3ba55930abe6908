"""The cases as rows of two typed tables, and the case register they become.

Each case is a row number. The *hot* table holds what the hazards and the
agencies read and write while the case is open, packed into one record of
:data:`HOT` (88 bytes) so that a compiled kernel touches one or two cache
lines per case; the *history* table holds what only the register reads
(days and counts written when their event happens). Rows are appended as
cases open and never reused, so at the end of a run the two tables are the
register (:func:`register_frame`): one row per case, the raw material for
every metric. Text is stored as small codes into lists kept beside the
tables (:class:`Codes`): origins, handover grounds, flight kinds, countries.
The kernels that act on the cases live beside the mechanisms they compile.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.model.states import ACTIVE, State
from sim.params.levers import INFO_FIELDS

KINDS = ("escorted", "charter", "joint_charter", "eu_operation", "supervised")
"""How a forced return leaves: flight kinds, coded 1.. (0: none) in the register's ``flight`` and on a flight.
``supervised``: on a scheduled flight under the police's supervision, without the transport service's escorts."""

HOT = np.dtype(
    [
        # days and rates the hazards read on every timer
        ("since", "f8"),  # day the case entered its current state
        ("expiry_day", "f8"),  # day the decision becomes statute-barred
        ("willingness", "f8"),  # the person's willingness to return (departure hazards scale with it)
        ("abscond_propensity", "f8"),  # willingness ** -abscond_willingness_exponent
        ("detention_limit", "f8"),  # the detention's legal end (inf when not detained)
        ("detention_review", "f8"),  # the detention's next review (inf when not detained)
        ("seed", "u8"),  # the case's own random numbers (:mod:`sim.model.streams`)
        # counters and codes
        ("epoch", "u4"),  # moved on by every new timer: an older timer is stale
        ("booked_on", "i4"),  # flight id of the seat booked, or -1
        ("listed_at", "i4"),  # place on the wanted list (while ``wanted``) or on the detainees' list (while detained)
        ("draws", "u2"),  # how many of its own random numbers the case has used
        ("state", "i1"),  # :class:`sim.model.states.State`
        ("timer_target", "i1"),  # where the live timer leads (a state, or a detention deadline)
        ("origin", "u1"),  # index into the scenario's origins
        ("country", "u1"),  # index of the country that holds the case, in the model's order
        ("talks", "u1"),  # return talks held
        # the process's flags
        ("documents", "?"),  # travel documents in hand
        ("avr_offered", "?"),
        ("avr_takes", "?"),
        ("handover_announced", "?"),
        ("released", "?"),  # released from detention (more likely to abscond)
        ("in_return_centre", "?"),
        ("wanted", "?"),  # on the police's wanted list
        ("document_pending", "?"),  # a document request awaits the third country's answer
        ("joint_planned", "?"),  # detention planned jointly with the transport service (co-location)
        ("unenforceable", "?"),  # the document attempts are used up
        ("contacted", "?"),  # the police have reached the person
        ("in_casework", "?"),  # in the police's casework queue
        ("supervised", "?"),  # to be removed under the police's supervision, without escorts
    ],
    align=True,
)
"""What an open case's process reads and writes (one record per case)."""


class HotCase(Protocol):
    """A row of :data:`HOT` as a compiled kernel reads and writes it (a record of the table, by reference)."""

    since: float
    expiry_day: float
    willingness: float
    abscond_propensity: float
    detention_limit: float
    detention_review: float
    seed: np.uint64
    epoch: int
    booked_on: int
    listed_at: int
    draws: int
    state: int
    timer_target: int
    origin: int
    country: int
    talks: int
    documents: bool
    avr_offered: bool
    avr_takes: bool
    handover_announced: bool
    released: bool
    in_return_centre: bool
    wanted: bool
    document_pending: bool
    joint_planned: bool
    unenforceable: bool
    contacted: bool
    in_casework: bool
    supervised: bool


HISTORY = np.dtype(
    [
        ("migrant_id", "i8"),
        ("person_id", "i8"),
        ("previous_case_id", "i8"),
        ("decision_day", "f8"),
        ("entered", "f8", (len(ACTIVE),)),
        ("outcome_day", "f8"),
        ("documents_day", "f8"),
        ("handover_decided_day", "f8"),
        ("handover_day", "f8"),
        ("detention_days", "f8"),
        ("flight_ready_day", "f8"),
        ("detention_days_awaiting_flight", "f8"),
        ("times_absconded", "u2"),
        ("times_detained", "u2"),
        ("released_at_limit", "u2"),
        ("document_requests", "u2"),
        ("document_version", "u2"),
        ("contact_attempts", "u2"),
        ("escorts", "u2"),
        ("fields_passed", "u1"),  # bit i: INFO_FIELDS[i] was passed to the police
        ("package", "u1"),  # the fields of a handover on its way to the police (as fields_passed)
        ("police_notice", "i4"),  # sequence number of the police's latest notice of an absence
        ("detain_plan", "i4"),  # sequence number of the latest planned detention before a flight
        ("detain_flight", "i4"),  # the flight that detention was planned for
        ("handover_ground", "u1"),  # code into Codes.grounds
        ("flight", "u1"),  # code into Codes.flights
        ("moved_to", "u1"),  # code into Codes.countries
        ("closed_from", "i1"),  # last open state, -1 while open
        ("matched", "?"),
        ("has_id_document", "?"),
        ("vulnerable", "?"),
        ("family", "?"),
        ("lived_in_return_centre", "?"),
        ("ever_absconded", "?"),
        ("reintegration_support", "?"),
    ],
    align=True,
)
"""What only the register reads of a case: written when its event happens."""


ENTERED = tuple(f"entered_{s.label}" for s in ACTIVE)
"""The day a case first entered each open state (a column each, from the history's ``entered``)."""
REGISTER: dict[str, str] = {
    "migrant_id": "q",
    "person_id": "q",
    "previous_case_id": "q",
    "matched": "b",
    "country": "O",
    "origin": "O",
    "decision_day": "d",
    "willingness": "d",
    "has_id_document": "b",
    "vulnerable": "b",
    "family": "b",
    "return_centre": "b",
    "entered": "d",
    "outcome": "q",
    "outcome_day": "d",
    "handover_ground": "O",
    "handover_decided_day": "d",
    "handover_day": "d",
    "fields_passed": "O",
    "talks": "q",
    "contact_attempts": "q",
    "avr_offered": "b",
    "ever_absconded": "b",
    "times_absconded": "q",
    "times_detained": "q",
    "detention_days": "d",
    "released_at_limit": "q",
    "document_requests": "q",
    "documents_day": "d",
    "unenforceable": "b",
    "flight_ready_day": "d",
    "flight": "O",
    "detention_days_awaiting_flight": "d",
    "escorts": "q",
    "reintegration_support": "b",
    "moved_to": "O",
    "closed_from": "q",
}
"""The register's fields in order, each with its kind: ``q`` integer, ``d`` float, ``b`` true/false, ``O`` text
(``entered`` stands for the :data:`ENTERED` columns)."""
COLUMNS = tuple(col for name in REGISTER for col in (ENTERED if name == "entered" else (name,)))
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
_NUMPY = {"q": np.int64, "d": np.float64, "b": np.bool_}
_FROM_HOT = {"talks": "talks", "avr_offered": "avr_offered", "unenforceable": "unenforceable"}
_FROM_HOT |= {"outcome": "state", "willingness": "willingness"}
_RENAMED = {"return_centre": "lived_in_return_centre"}


class Codes:
    """The text behind the tables' small codes.

    Origins and a case's own country are numbered from 0 in the scenario's
    order; in the handover grounds, flight kinds and ``moved_to`` countries
    code 0 is the empty text (none yet).
    """

    def __init__(self, origins: list[str], countries: list[str]) -> None:
        """Codes for the scenario's ``origins`` and the model's ``countries`` (codes), plus the fixed lists."""
        self.origins = list(origins)
        self.countries = ["", *countries]
        self.grounds = ["", "coercion", "absconded"]
        self.flights = ["", *KINDS]


def fields_text(bits: int) -> str:
    """The information fields of a ``fields_passed`` bit set, their names sorted and joined by commas."""
    return ",".join(sorted(name for i, name in enumerate(INFO_FIELDS) if bits >> i & 1))


def register_frame(hot: np.ndarray, history: np.ndarray, codes: Codes) -> pd.DataFrame:
    """The case register of the cases in ``hot`` and ``history`` (rows of equal number), sorted by migrant id.

    The state codes become the ``outcome`` and ``closed_from`` labels, the
    entry days one ``entered_*`` column per open state, the information
    fields their sorted names joined by commas, and the other text columns
    categories.
    """
    order = np.argsort(history["migrant_id"], kind="stable")
    hot, history = hot[order], history[order]
    texts = {
        "country": (codes.countries[1:], hot["country"]),
        "origin": (codes.origins, hot["origin"]),
        "handover_ground": (codes.grounds, history["handover_ground"]),
        "flight": (codes.flights, history["flight"]),
        "moved_to": (codes.countries, history["moved_to"]),
    }
    columns: dict[str, Any] = {}
    for name, kind in REGISTER.items():
        if name == "entered":
            columns.update(zip(ENTERED, history["entered"].T.astype(np.float64), strict=True))
        elif name in texts:
            names, code = texts[name]
            columns[name] = pd.Categorical(np.asarray(names, dtype=object)[code])
        elif name == "fields_passed":
            sets = np.asarray([fields_text(bits) for bits in range(1 << len(INFO_FIELDS))], dtype=object)
            columns[name] = sets[history["fields_passed"]]
        else:
            source = hot[_FROM_HOT[name]] if name in _FROM_HOT else history[_RENAMED.get(name, name)]
            columns[name] = source.astype(_NUMPY[kind])
    df = pd.DataFrame(columns)
    df["outcome"] = pd.Categorical.from_codes(df["outcome"], categories=STATE_LABELS)
    df["closed_from"] = pd.Categorical.from_codes(df["closed_from"], categories=ACTIVE_LABELS)
    return df
