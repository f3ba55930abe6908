"""The cases as rows of two typed tables: what the process reads, and what the register keeps.

Each case is a row number. The *hot* table holds what the hazards and the
agencies read and write while the case is open, packed into one record of
:data:`HOT` (88 bytes) so that a compiled kernel touches one or two cache
lines per case; the *history* table holds what only the register reads
(days and counts written when their event happens). Rows are appended as
cases open and never reused, so at the end of a run the two tables are the
register. Text is stored as small codes into lists kept beside the tables
(:class:`Codes`): origins, handover grounds, flight kinds, countries.

This module holds the data and its conversion to the register's rows
(:data:`sim.model.register.ROW`); the kernels that act on it live beside the
mechanisms they compile.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.model.register import ROW
from sim.model.states import ACTIVE
from sim.model.transport_state import KINDS
from sim.params.levers import INFO_FIELDS

HOT = np.dtype(
    [
        # days and rates the hazards read on every timer
        ("since", "f8"),  # day the case entered its current state
        ("expiry_day", "f8"),  # day the decision becomes statute-barred
        ("willingness", "f8"),  # the person's willingness to return (departure hazards scale with it)
        ("abscond_propensity", "f8"),  # willingness ** -abscond_willingness_exponent
        ("detention_limit", "f8"),  # the detention's legal end (inf when not detained)
        ("detention_review", "f8"),  # the detention's next review (inf when not detained)
        ("seed", "u8"),  # the case's own random numbers (:mod:`sim.model.case_draws`)
        # counters and codes
        ("epoch", "u4"),  # moved on by every new timer: an older timer is stale
        ("booked_on", "i4"),  # flight id of the seat booked, or -1
        ("wanted_at", "i4"),  # place on the police's wanted list (while ``wanted``)
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
    wanted_at: int
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


def fields_text(bits: int) -> frozenset[str]:
    """The information fields of a ``fields_passed`` bit set."""
    return frozenset(name for i, name in enumerate(INFO_FIELDS) if bits >> i & 1)


class CaseTable:
    """The engine's cases, every country's, as the register reads them (:func:`sim.model.register.register_frame`)."""

    def __init__(self, hot: np.ndarray, history: np.ndarray, codes: Codes) -> None:
        """The first rows of ``hot`` and ``history`` (of equal length), their codes' texts in ``codes``."""
        self.hot, self.history, self.codes = hot, history, codes

    def rows(self) -> np.ndarray:
        """Every case as a row of the register (:data:`sim.model.register.ROW`), in row order.

        The same interface as :meth:`sim.model.register.CaseRegister.rows`, so
        :func:`sim.model.register.register_frame` reads either.
        """
        hot, history, codes = self.hot, self.history, self.codes
        rows = np.zeros(len(hot), dtype=ROW)
        for name in ROW.names or ():
            if name in (HISTORY.names or ()) and name not in ("fields_passed", "handover_ground", "flight", "moved_to"):
                rows[name] = history[name]
        for name in ("talks", "avr_offered", "unenforceable"):
            rows[name] = hot[name]
        rows["outcome"] = hot["state"]
        rows["willingness"] = hot["willingness"]
        rows["return_centre"] = history["lived_in_return_centre"]
        rows["country"] = np.asarray(codes.countries[1:], dtype=object)[hot["country"]]
        rows["origin"] = np.asarray(codes.origins, dtype=object)[hot["origin"]]
        for name, names in (("handover_ground", codes.grounds), ("flight", codes.flights)):
            rows[name] = np.asarray(names, dtype=object)[history[name]]
        rows["moved_to"] = np.asarray(codes.countries, dtype=object)[history["moved_to"]]
        sets = [fields_text(bits) for bits in range(1 << len(INFO_FIELDS))]
        rows["fields_passed"] = np.asarray(sets, dtype=object)[history["fields_passed"]]
        return rows
