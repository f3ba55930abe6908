"""The competing hazards of each open state, and the race that sets a case's next transition.

A case does not act every day. On entering a state (or when its context
changes) it draws its next transition from the state's competing exponential
hazards, plus any deadline of the state, and puts one timer on the clock;
bumping its ``epoch`` first makes any earlier timer stale. Hazards are
memoryless, so redrawing after a change is exact.
"""

from __future__ import annotations

import math
from array import array
from typing import Any, Protocol

from sim.model.enforcement import EnforcementSignal
from sim.model.states import State
from sim.params.levers import Avr
from sim.params.schema import Behaviour, CountryParams

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
RET_VOL, RET_AVR = State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED
MOVED, DEPARTED, EXPIRED = State.MOVED_NORDIC, State.DEPARTED_UNRECORDED, State.EXPIRED
PERMIT, CLOSED = State.PERMIT_GRANTED, State.CLOSED_OTHER
DETENTION_LIMIT = -2
"""Timer target meaning "the detention's maximum length is reached"."""
DETENTION_REVIEW = -3
"""Timer target meaning "the police review whether the detention is still needed"."""
UNIFORMS_PER_CASE = 32
"""Random numbers a case carries for itself: enough for most cases' whole path (more are drawn if not)."""


class Timers(Protocol):
    """Where a case's next transition is filed (:class:`sim.model.clock.MigrantClock`)."""

    def push(self, time: float, case: Any, epoch: int, target: int) -> None:
        """Move ``case`` to ``target`` at ``time`` unless its ``epoch`` has moved on by then."""


class HazardContext(Protocol):
    """What the hazards read of the country that holds the case."""

    params: CountryParams
    behaviour: Behaviour
    avr: Avr
    enforcement: EnforcementSignal
    clock: Timers

    def fresh_uniforms(self) -> array[float]:
        """More of a case's own random numbers, for a case that used up those it came with."""


class CompetingHazards:
    """The hazard part of a case (:class:`sim.model.agents.migrant.Migrant` holds the other attributes).

    It owns the slots of the timer (``epoch``, moved on by every new draw and
    when the case closes) and of the case's own random numbers with the next
    one to use.
    """

    __slots__ = ("epoch", "uniforms", "next_uniform")
    country: HazardContext
    state: State
    since: float
    epoch: int
    expiry_day: float
    uniforms: array[float]
    next_uniform: int
    origin: str
    willingness: float
    abscond_propensity: float
    in_return_centre: bool
    documents: bool
    talks: int
    avr_offered: bool
    avr_takes: bool
    handover_announced: bool
    released: bool
    detention_limit: float
    detention_review: float

    def reschedule(self, t: float) -> None:
        """Draw the next transition from the current state's competing hazards and deadline.

        Departure hazards are multiplied by the enforcement factor of the
        person's origin as it stands now (:mod:`sim.model.enforcement`); a case
        keeps that factor until its context next changes. This is the model's
        innermost loop.
        """
        self.epoch += 1
        country = self.country
        b = country.behaviour
        s = self.state
        a = self.abscond_propensity
        if self.in_return_centre:
            a *= b.return_centre_abscond_multiplier * country.params.centre_abscond_multiplier
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
        if deadline < t:  # passed already (a timeline shortened it): it falls due now, not in the past
            deadline = t
        total = 0.0
        for i in range(0, len(hazards), 2):
            total += hazards[i]
        if total > 0.0:
            k = self.next_uniform
            if k + 2 > UNIFORMS_PER_CASE:
                self.uniforms = self.country.fresh_uniforms()
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
                self.country.clock.push(when, self, self.epoch, target)
                return
        if deadline < INF:
            self.country.clock.push(deadline, self, self.epoch, on_deadline)
