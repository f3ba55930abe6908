"""A person with a final decision to leave, moving through the return process.

The migrant does not act every day. On entering a state it draws its next
transition from competing exponential hazards (plus any deadline of that
state) and puts one timer on the model's :class:`~sim.model.clock.MigrantClock`;
an agency action that changes its state first makes that timer stale.
"""

from __future__ import annotations

import math
from array import array
from typing import TYPE_CHECKING, Any

from sim.model.states import ALLOWED, State

if TYPE_CHECKING:
    from sim.model.country import CountrySystem
    from sim.model.flights import Flight
    from sim.model.model import ReturnModel

NAN = math.nan
INF = math.inf
log = math.log
VP, RC, AB, PC, DET, AF = (
    State.VOLUNTARY_PERIOD,
    State.RETURN_CASE,
    State.ABSCONDED,
    State.POLICE_CASE,
    State.DETAINED,
    State.AWAITING_FLIGHT,
)
RET_VOL, RET_AVR, RET_FORCED = State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.RETURNED_FORCED
MOVED, DEPARTED, EXPIRED = State.MOVED_NORDIC, State.DEPARTED_UNRECORDED, State.EXPIRED
PERMIT, CLOSED = State.PERMIT_GRANTED, State.CLOSED_OTHER
NO_FIELDS: frozenset[str] = frozenset()
DETENTION_LIMIT = -2
"""Timer target meaning "the detention's maximum length is reached"."""
DETENTION_REVIEW = -3
"""Timer target meaning "the police review whether the detention is still needed"."""
UNIFORMS_PER_CASE = 32
"""Random numbers a case carries for itself: enough for most cases' whole path (more are drawn if not)."""


class Migrant:
    """One return case: a person, their decision and where the case stands.

    Migrants are plain objects rather than ``mesa.Agent``s: a scenario
    creates hundreds of thousands of them, and registering one with Mesa's
    agent set and removing it again costs about 10 µs (measured), more than all
    of its own events. The agencies and authorities, few and long-lived, are
    Mesa agents.
    """

    # Slots: a scenario holds tens of thousands of open cases; slots make them
    # smaller and their attributes faster to read than an instance dict.
    __slots__ = (
        # read on every timer: kept together, so a transition touches few cache lines
        "model",
        "unique_id",
        "country",
        "state",
        "epoch",
        "since",
        "entered",
        "expiry_day",
        "uniforms",
        "next_uniform",
        "last_uniform",
        "willingness",
        "abscond_propensity",
        "in_return_centre",
        "documents",
        "talks",
        "avr_offered",
        "avr_takes",
        "handover_announced",
        "released",
        "wanted",
        "detention_limit",
        "detention_review",
        # the rest of the case
        "origin",
        "decision_day",
        "has_id_document",
        "vulnerable",
        "family",
        "lived_in_return_centre",
        "documents_day",
        "outcome_day",
        "handover_ground",
        "handover_decided_day",
        "handover_day",
        "fields",
        "ever_absconded",
        "times_absconded",
        "released_at_limit",
        "detention_days",
        "times_detained",
        "document_requests",
        "document_pending",
        "document_version",
        "contacted",
        "contact_attempts",
        "in_casework",
        "unenforceable",
        "joint_planned",
        "booked_on",
        "flight",
        "flight_ready_day",
        "detention_days_awaiting_flight",
        "escorts",
        "person_id",
        "previous_case_id",
        "matched",
        "moved_to",
        "closed_from",
    )

    def __init__(
        self,
        model: ReturnModel,
        country: CountrySystem,
        origin: str,
        decision_day: float,
        willingness: float,
        has_id_document: bool,
        vulnerable: bool,
        family: bool,
        in_return_centre: bool,
        state: State = VP,
        since: float | None = None,
        expiry_day: float | None = None,
        uniforms: array[float] | None = None,
        first_uniform: int = 0,
    ) -> None:
        """Open the case on ``decision_day``: a new decision starts in the voluntary-departure period.

        The case's own random numbers for its hazard draws are the
        :data:`UNIFORMS_PER_CASE` values of ``uniforms`` from ``first_uniform`` on,
        drawn with its arrival (the day's new cases share one block): a lever that
        leaves a person's path unchanged then leaves their timing unchanged too
        (common random numbers across scenarios).
        """
        self.model = model
        self.unique_id = model.next_case_id()
        self.country = country
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
        self.entered[state] = since
        self.documents_day = decision_day if has_id_document else NAN
        self.expiry_day = decision_day + country.params.statute_of_limitation_days if expiry_day is None else expiry_day
        self.uniforms = country.fresh_uniforms() if uniforms is None else uniforms
        self.next_uniform = first_uniform
        self.last_uniform = first_uniform + UNIFORMS_PER_CASE
        # case history, written to the case register
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
        self.booked_on: Flight | None = None
        self.flight = ""
        self.flight_ready_day = NAN
        self.detention_days_awaiting_flight = 0.0
        self.escorts = 0
        self.detention_limit = INF
        self.detention_review = INF
        self.person_id = -1  # the person's first case number: a case opened for them elsewhere keeps it
        self.previous_case_id = -1
        self.matched = False  # this case continues another Nordic country's decision (info_sharing=nordic)
        self.moved_to = ""
        self.closed_from = -1  # the last open state, once the case closes
        country.stock[state] += 1
        country.enforcement.opened(origin)
        if country.transitions is not None:
            country.transitions.append((self.unique_id, since, -1, state))
        country.open_cases[self.unique_id] = self
        self.reschedule(since)

    @property
    def active(self) -> bool:
        """Whether the case is still open (not in a terminal state)."""
        return self.state < RET_VOL

    # --- transitions -----------------------------------------------------
    def move(self, new: State, t: float) -> None:
        """Leave the current state for ``new`` at time ``t``, keeping every stock and resource in step."""
        old = self.state
        if new not in ALLOWED[old]:
            raise RuntimeError(f"migrant {self.unique_id}: transition {old.name} -> {new.name} is not allowed")
        country = self.country
        if old == DET:
            country.detention.free(self, t)
        elif old == AB and self.wanted:
            country.police.wanted.discard(self)
        if self.in_return_centre and new > RC:
            country.return_centre.leave(self)
        if country.transitions is not None:
            country.transitions.append((self.unique_id, t, old, new))
        stock = country.stock
        stock[old] -= 1
        stock[new] += 1
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
            country.close(self)

    def fire(self, target: State | int, t: float) -> None:
        """Carry out the transition a timer drew for this migrant."""
        country = self.country
        if target == DETENTION_LIMIT:
            country.detention.at_limit(self, t)
        elif target == DETENTION_REVIEW:
            country.detention.review(self, t)
        elif target == AB:
            came_from = self.state
            self.ever_absconded = True
            self.times_absconded += 1
            self.booked_on = None  # a seat booked for them leaves empty
            self.move(AB, t)
            if came_from in (VP, RC):
                country.agency.notice_abscond(self, t)
            else:
                country.police.notice_abscond(self, t)
        elif target == RC:
            self.move(RC, t)
            country.agency.open_return_case(self, t)
        elif target == PC:  # found by chance while absconded
            country.police.receive_located(self, t)
        elif target == MOVED:
            country.secondary_move(self, t)
        else:
            self.move(target, t)

    # --- hazards ---------------------------------------------------------
    def reschedule(self, t: float) -> None:
        """Draw the next transition from the current state's competing hazards and deadline.

        Bumping the epoch first makes any timer drawn earlier stale: hazards are
        memoryless, so redrawing after a change of context is exact. Departure
        hazards are multiplied by the enforcement factor of the person's origin
        as it stands now (:mod:`sim.model.enforcement`); a case keeps that factor until
        its context next changes. This is the model's innermost loop.
        """
        self.epoch += 1
        country = self.country
        b = country.behaviour
        s = self.state
        a = self.abscond_propensity
        if self.in_return_centre:
            a *= b.return_centre_abscond_multiplier
        if s == VP:
            dep = b.voluntary_period_departure * self.willingness * country.enforcement.factors[self.origin]
            deadline = self.since + country.params.voluntary_departure_days
            self._race(t, deadline, RC, dep, RET_VOL, b.voluntary_period_abscond * a, AB)
        elif s == RC:
            dep = b.return_case_departure * self.willingness * country.enforcement.factors[self.origin]
            ab = b.return_case_abscond * a
            if self.talks:
                dep *= b.talk_departure_multiplier
            if not self.documents:
                dep *= b.no_document_departure_multiplier
            if self.avr_offered:
                ab *= country.avr.abscond_multiplier
                if self.avr_takes:
                    dep *= country.avr.departure_multiplier
            if self.handover_announced:
                ab *= b.handover_announced_abscond_multiplier
            target = RET_AVR if self.avr_takes else RET_VOL
            self._race(t, INF, 0, dep, target, ab, AB, b.permit_after_impediment, PERMIT)
        elif s == AB:
            self._race(
                t,
                INF,
                0,
                b.absconded_chance_encounter,
                PC,
                b.absconded_leave_unrecorded,
                DEPARTED,
                b.absconded_registered_departure,
                RET_VOL,
                b.absconded_move_nordic,
                MOVED,
                b.absconded_other_closure,
                CLOSED,
            )
        elif s == PC:
            ab = b.police_case_abscond * a
            if self.released:
                ab *= b.released_abscond_multiplier
            dep = b.police_case_departure * self.willingness * country.enforcement.factors[self.origin]
            if not self.documents:
                dep *= b.no_document_departure_multiplier
            self._race(t, INF, 0, dep, RET_VOL, ab, AB, b.permit_after_impediment, PERMIT)
        elif s == AF:
            ab = b.police_case_abscond * a * b.handover_announced_abscond_multiplier
            if self.released:
                ab *= b.released_abscond_multiplier
            self._race(t, INF, 0, ab, AB)
        else:  # detained: the legal maximum length, or the next review of the detention, ends it
            if self.detention_review < self.detention_limit:
                self._race(t, self.detention_review, DETENTION_REVIEW)
            else:
                self._race(t, self.detention_limit, DETENTION_LIMIT)

    def _race(self, t: float, deadline: float, on_deadline: int, *hazards: Any) -> None:
        """Push one timer: the first of the exponential race of ``hazards``, the deadline and expiry.

        ``hazards`` alternates rates per day and the states they lead to. Two of
        the case's own random numbers decide the race: one the time of the first
        event at the total rate, one which hazard it is.
        """
        if self.expiry_day <= deadline:
            deadline = self.expiry_day
            on_deadline = EXPIRED
        total = 0.0
        for i in range(0, len(hazards), 2):
            total += hazards[i]
        if total > 0.0:
            k = self.next_uniform
            if k + 2 > self.last_uniform:
                self.uniforms = self.country.fresh_uniforms()
                self.last_uniform = len(self.uniforms)
                k = 0
            uniforms = self.uniforms
            self.next_uniform = k + 2
            when = t - log(1.0 - uniforms[k]) / total  # exponential with rate ``total``
            if when < deadline:
                u = uniforms[k + 1] * total
                target = on_deadline
                for i in range(0, len(hazards), 2):
                    rate = hazards[i]
                    if rate > 0.0:
                        target = hazards[i + 1]
                        if u < rate:
                            break
                        u -= rate
                self.model.clock.push(when, self, self.epoch, target)
                return
        if deadline < INF:
            self.model.clock.push(deadline, self, self.epoch, on_deadline)

    # --- register ----------------------------------------------------------
    def record(self) -> tuple:
        """One row of the case register (see :data:`sim.model.register.COLUMNS`)."""
        return (
            self.unique_id,
            self.unique_id if self.person_id < 0 else self.person_id,
            self.previous_case_id,
            self.matched,
            self.country.code,
            self.origin,
            self.decision_day,
            self.willingness,
            self.has_id_document,
            self.vulnerable,
            self.family,
            self.lived_in_return_centre,
            *self.entered,
            self.state,
            self.outcome_day,
            self.handover_ground,
            self.handover_decided_day,
            self.handover_day,
            self.fields,
            self.talks,
            self.contact_attempts,
            self.avr_offered,
            self.ever_absconded,
            self.times_absconded,
            self.times_detained,
            self.detention_days,
            self.released_at_limit,
            self.document_requests,
            self.documents_day,
            self.unenforceable,
            self.flight_ready_day,
            self.flight,
            self.detention_days_awaiting_flight,
            self.escorts,
            self.state == RET_AVR and self.country.avr.reintegration_support,
            self.moved_to,
            self.closed_from,
        )
