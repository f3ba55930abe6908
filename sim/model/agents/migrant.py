"""A person with a final decision to leave, moving through the return process.

The migrant does not act every day: it draws its next transition from the
competing hazards of its state (:mod:`sim.model.hazards`) and puts one timer
on the clock. The country that holds the case is reached only through
:class:`CaseHost`: it keeps the stocks, releases what a case held when it
leaves a state, and routes a fired timer (:meth:`CaseHost.timer_fired`) to the
agency that acts on it.
"""

from __future__ import annotations

import math
from array import array
from typing import Protocol

from sim.model.hazards import CompetingHazards, HazardContext
from sim.model.states import ALLOWED, State

NAN = math.nan
INF = math.inf
RET_VOL = State.RETURNED_VOLUNTARY
NO_FIELDS: frozenset[str] = frozenset()


class Booking(Protocol):
    """A seat booked for a case (:class:`sim.model.flight.Flight`): the case only keeps which one."""

    flight_id: int
    day: float


class CaseHost(HazardContext, Protocol):
    """What a case needs of the country that holds it (:class:`sim.model.country.CountrySystem`)."""

    code: str

    def new_case_id(self) -> int:
        """A case number unique across countries."""

    def opened(self, case: Migrant) -> None:
        """Count a new case in its state's stock and keep it among the open cases."""

    def release(self, case: Migrant, new: State, t: float) -> None:
        """Give back what the case's state held (places, the wanted list) and move the stocks."""

    def close(self, case: Migrant) -> None:
        """Write the register row of a case that reached a terminal state, and let it go."""

    def timer_fired(self, case: Migrant, target: State | int, t: float) -> None:
        """Carry out the transition the case's timer drew, through the agency that acts on it."""


class Migrant(CompetingHazards):
    """One return case: a person, their decision and where the case stands.

    Migrants are plain objects rather than ``mesa.Agent``s: a scenario
    creates hundreds of thousands of them, and registering one with Mesa's
    agent set and removing it again costs about 10 µs (measured), more than all
    of its own events. The agencies and authorities, few and long-lived, are
    Mesa agents. Slots make a case smaller and its attributes faster to read.
    """

    __slots__ = (
        # read on every timer (the hazards)
        *("country", "unique_id", "state", "since", "entered", "expiry_day"),
        *("willingness", "abscond_propensity", "in_return_centre"),
        *("documents", "talks", "avr_offered", "avr_takes", "handover_announced", "released"),
        *("wanted", "detention_limit", "detention_review"),
        # the person
        *("origin", "decision_day", "has_id_document", "vulnerable", "family", "lived_in_return_centre"),
        *("person_id", "previous_case_id", "matched", "moved_to"),
        # the case's history, written to the register
        *("documents_day", "outcome_day", "closed_from", "fields", "ever_absconded", "times_absconded"),
        *("handover_ground", "handover_decided_day", "handover_day", "released_at_limit"),
        *("detention_days", "times_detained", "detention_days_awaiting_flight"),
        *("document_requests", "document_pending", "document_version", "contacted", "contact_attempts"),
        *("in_casework", "unenforceable", "joint_planned", "booked_on", "flight", "flight_ready_day", "escorts"),
        "reintegration_support",
    )
    country: CaseHost

    def __init__(
        self,
        country: CaseHost,
        origin: str,
        decision_day: float,
        willingness: float,
        has_id_document: bool,
        vulnerable: bool,
        family: bool,
        in_return_centre: bool,
        state: State = State.VOLUNTARY_PERIOD,
        since: float | None = None,
        expiry_day: float | None = None,
        uniforms: array[float] | None = None,
    ) -> None:
        """Open the case on ``decision_day``: a new decision starts in the voluntary-departure period.

        The case's own random numbers for its hazard draws are ``uniforms``
        (:data:`~sim.model.hazards.UNIFORMS_PER_CASE` of them), drawn with its
        arrival: a lever that leaves a person's path unchanged then leaves
        their timing unchanged too (common random numbers across scenarios).
        Each case holds its own copy, so a long-open case does not keep its
        arrival day's whole block alive.
        """
        self.country = country
        self.unique_id = country.new_case_id()
        self.origin = origin
        self.decision_day = decision_day
        self.willingness = willingness
        self.abscond_propensity = willingness**-country.behaviour.abscond_willingness_exponent
        self.has_id_document = has_id_document
        self.documents = has_id_document
        self.vulnerable = vulnerable
        self.family = family
        self.in_return_centre = in_return_centre
        self.lived_in_return_centre = in_return_centre
        self.state = state
        self.since = since = decision_day if since is None else since
        self.epoch = 0
        self.entered = [NAN, NAN, NAN, NAN, NAN, NAN]
        """Day the case first entered each open state, indexed by the state (NaN: never)."""
        self.entered[state] = since
        self.documents_day = decision_day if has_id_document else NAN
        self.expiry_day = decision_day + country.params.statute_of_limitation_days if expiry_day is None else expiry_day
        self.uniforms = country.fresh_uniforms() if uniforms is None else uniforms
        self.next_uniform = 0
        self.outcome_day = NAN
        self.talks = 0
        self.avr_offered = False
        self.avr_takes = False
        self.handover_announced = False
        self.handover_ground = ""
        self.handover_decided_day = NAN
        self.handover_day = NAN
        self.fields = NO_FIELDS
        self.wanted = False
        self.ever_absconded = False
        self.times_absconded = 0
        self.released = False
        self.released_at_limit = 0
        self.detention_days = 0.0
        self.times_detained = 0
        self.document_requests = 0
        self.document_pending = False
        self.document_version = 0
        self.contacted = False
        self.contact_attempts = 0
        self.in_casework = False
        self.unenforceable = False
        self.joint_planned = False
        self.booked_on: Booking | None = None
        self.flight = ""
        self.flight_ready_day = NAN
        self.detention_days_awaiting_flight = 0.0
        self.escorts = 0
        self.detention_limit = INF
        self.detention_review = INF
        self.person_id = self.unique_id
        """The person's first case number: a case opened for them in another country keeps it."""
        self.previous_case_id = -1
        self.matched = False
        """Whether this case continues another Nordic country's decision (``info_sharing=nordic``)."""
        self.moved_to = ""
        self.closed_from = -1
        """The last open state, once the case closes."""
        self.reintegration_support = False
        """An assisted return with reintegration support (the AVR in force when it closed)."""
        country.opened(self)
        self.reschedule(since)

    @property
    def active(self) -> bool:
        """Whether the case is still open (not in a terminal state)."""
        return self.state < RET_VOL

    def move(self, new: State, t: float) -> None:
        """Leave the current state for ``new`` at time ``t``; the country releases what the old state held."""
        old = self.state
        if new not in ALLOWED[old]:
            raise RuntimeError(f"migrant {self.unique_id}: transition {old.name} -> {new.name} is not allowed")
        self.country.release(self, new, t)
        self.state = new
        self.since = t
        if new < RET_VOL:
            if self.entered[new] != self.entered[new]:  # NaN: first entry
                self.entered[new] = t
            self.reschedule(t)
        else:
            self.epoch += 1
            self.outcome_day = t
            self.closed_from = old
            self.country.close(self)

    def abscond(self, t: float) -> State:
        """The person absconds: any seat booked for them leaves empty. Return the state they left."""
        came_from = self.state
        self.ever_absconded = True
        self.times_absconded += 1
        self.booked_on = None
        self.move(State.ABSCONDED, t)
        return came_from

    def fire(self, target: State | int, t: float) -> None:
        """The timer this case drew fires (:mod:`sim.model.clock`): its country carries out the transition."""
        self.country.timer_fired(self, target, t)
