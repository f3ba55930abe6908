"""One country's return system: its agencies, scarce places, stocks and arrivals."""

from __future__ import annotations

import heapq
from array import array
from typing import Any

import numpy as np

from sim.model.agents.migrant import Migrant
from sim.model.agents.migration_agency import MigrationAgency
from sim.model.agents.police import PoliceUnit
from sim.model.agents.transport import TransportService
from sim.model.enforcement import EnforcementSignal
from sim.model.hazards import DETENTION_LIMIT, DETENTION_REVIEW, UNIFORMS_PER_CASE
from sim.model.information import InformationEffects
from sim.model.places import Detention, ReturnCentre
from sim.model.register import CaseRegister
from sim.model.roles import Charters, World
from sim.model.route_arrivals import RouteArrivals
from sim.model.states import State
from sim.model.tally import Tally
from sim.params.schema import CountryParams, ScenarioParams

VP, RC, AB, PC, DET = (
    State.VOLUNTARY_PERIOD,
    State.RETURN_CASE,
    State.ABSCONDED,
    State.POLICE_CASE,
    State.DETAINED,
)
LEAVE_CENTRE = frozenset({AB, DET, *(s for s in State if s >= State.RETURNED_VOLUNTARY)})
"""States that end a stay in a departure centre (``centre_until_departure``)."""


class CountrySystem:
    """A host country: agencies, detention, return centres, stocks and the case register."""

    def __init__(self, model: World, params: CountryParams, scenario: ScenarioParams) -> None:
        """Build the country's agencies from its parameters and the scenario's levers."""
        self.model = model
        self.clock = model.clock
        self.code = params.code
        self.origin_names = list(scenario.origins)
        self.streams = model.streams.for_country(self.code)
        self.arrival_rng = self.streams.np["arrivals"]
        self.movers_rng = self.streams.py["movers"]
        self.cases_rng = self.streams.np["cases"]
        self.route = RouteArrivals(self.code, scenario, self.streams.np["route"])
        self.adopt(scenario)
        self.movers: list[tuple[float, int, Migrant]] = []
        """People who moved here unmatched and will get a new decision: ``(day, case id, earlier case)``."""
        self.stock = [0] * len(State)
        self.register = CaseRegister()
        """The register rows of the cases closed here."""
        self.transitions: list[tuple[int, float, int, int]] | None = [] if scenario.output.transitions else None
        self.open_cases: dict[int, Migrant] = {}
        self.costs: Tally = Tally()
        self.events: Tally = Tally()
        self.costs_at_warmup: Tally = Tally()
        self.events_at_warmup: Tally = Tally()
        self.enforcement = EnforcementSignal(scenario.behaviour.enforcement_feedback, self.origin_names)
        self.detention = Detention(self)
        self.return_centre = ReturnCentre(self)
        self.agency = MigrationAgency(model, self)
        self.police = PoliceUnit(model, self)
        self.transport = TransportService(model, self)
        self.charter_desk: Charters
        """The desk that books this country's charters (its own, or one pooled desk): set by the model."""

    def adopt(self, scenario: ScenarioParams) -> None:
        """Work from now on with the scenario's values (at the start, and on each day the timeline changes them).

        Capacities, levers and arrivals are read where they act, so a new value
        acts from today: a changed capacity frees or blocks queues, a lever
        applies to the handovers, talks and bookings from today.
        """
        self.params = scenario.nations[self.code]
        self.behaviour = scenario.behaviour
        self.avr = scenario.avr
        self.colocation = scenario.colocation
        self.info_sharing = scenario.info_sharing
        self.field_effects = scenario.field_effects
        shares = np.array([scenario.origins[name].share for name in self.origin_names])
        self.origin_cdf = np.cumsum(shares / shares.sum())
        self.information = InformationEffects(scenario.field_effects)
        self.direct_decisions_per_year = self.params.decisions_per_year - self.route.expected_per_year(scenario)
        """Decisions drawn directly: the total less the part the transit route supplies with no programme."""

    # --- cases --------------------------------------------------------------
    def new_case_id(self) -> int:
        """A new case number, unique across countries."""
        return self.model.next_case_id()

    def opened(self, m: Migrant) -> None:
        """A case opened here: count it in its state's stock and keep it among the open cases."""
        self.stock[m.state] += 1
        self.enforcement.opened(m.origin)
        if self.transitions is not None:
            self.transitions.append((m.unique_id, m.since, -1, m.state))
        self.open_cases[m.unique_id] = m

    def release(self, m: Migrant, new: State, t: float) -> None:
        """``m`` leaves its state for ``new``: give back what the state held, and move the stocks.

        Detention frees its place (and counts the days), the wanted list lets
        go of a person no longer absconded, and a centre place is freed once the
        case leaves the migration agency (a departure centre's, ``centre_until_departure``:
        on absconding, detention or leaving).
        """
        old = m.state
        if old == DET:
            self.detention.free(m, t)
        elif old == AB and m.wanted:
            self.police.wanted.discard(m)
        if m.in_return_centre and (new > RC if not self.params.centre_until_departure else new in LEAVE_CENTRE):
            self.return_centre.leave(m)
        if self.transitions is not None:
            self.transitions.append((m.unique_id, t, old, new))
        self.stock[old] -= 1
        self.stock[new] += 1

    def close(self, m: Migrant) -> None:
        """A case reached a terminal state: write its register row and let the migrant go."""
        if m.state == State.RETURNED_ASSISTED:
            self.costs["avr_grants"] += self.avr.grant_cost
            m.reintegration_support = self.avr.reintegration_support
        self.enforcement.closed(m.origin)
        self.register.add(m)
        del self.open_cases[m.unique_id]

    def timer_fired(self, m: Migrant, target: State | int, t: float) -> None:
        """Carry out the transition the timer of ``m`` drew, through the agency that acts on it."""
        if target == DETENTION_LIMIT:
            self.detention.at_limit(m, t)
        elif target == DETENTION_REVIEW:
            self.detention.review(m, t)
        elif target == AB:
            reporting = self.params.centre_reporting_days if m.in_return_centre else 0.0
            if m.abscond(t) in (VP, RC):
                self.agency.notice_abscond(m, t, reporting)
            else:
                self.police.notice_abscond(m, t, reporting)
        elif target == RC:
            m.move(RC, t)
            self.agency.open_return_case(m, t)
        elif target == PC:  # found by chance while absconded
            self.police.receive_located(m, t)
        elif target == State.MOVED_NORDIC:
            self.secondary_move(m, t)
        else:
            m.move(target, t)  # type: ignore[arg-type]  # the hazards file states as targets

    # --- secondary movement ------------------------------------------------------
    def secondary_move(self, m: Migrant, t: float) -> None:
        """An absconded person leaves for another Nordic country in the model (if any).

        The destination is drawn by ``secondary_movement_weight``. The case here
        closes as ``moved_nordic``; the receiving country learns of the person
        as described in :meth:`receive_mover`.
        """
        others = [c for c in self.model.countries.values() if c is not self]
        destination = None
        if others:
            weights = [c.params.secondary_movement_weight for c in others]
            destination = self.movers_rng.choices(others, weights)[0] if sum(weights) > 0 else None
        if destination is not None:
            m.moved_to = destination.code
        m.move(State.MOVED_NORDIC, t)
        if destination is not None:
            destination.receive_mover(m, t)

    def receive_mover(self, m: Migrant, t: float) -> None:
        """A person who absconded elsewhere arrives, unknown to the authorities here.

        With ``info_sharing=nordic`` the earlier decision is matched when the
        person is found: the case continues here, absconded, with its documents,
        information and statute of limitation. Otherwise the person either
        applies again and gets a new decision after ``new_decision_days`` (a
        new, unknown case) or stays hidden, lost to the statistics.
        """
        if self.info_sharing.mode == "nordic":
            case = self._case_for(
                m, m.decision_day, in_return_centre=False, state=State.ABSCONDED, since=t, expiry_day=m.expiry_day
            )
            case.matched = True
            case.documents, case.documents_day, case.fields = m.documents, m.documents_day, m.fields
            case.ever_absconded, case.times_absconded = True, m.times_absconded
            self.events["movers_matched"] += 1
        elif self.movers_rng.random() < self.behaviour.unmatched_new_case_share:
            heapq.heappush(self.movers, (t + self.behaviour.new_decision_days, m.unique_id, m))
            self.events["movers_new_case"] += 1
        else:
            self.events["movers_lost"] += 1

    def _case_for(self, earlier: Migrant, decision_day: float, **state: Any) -> Migrant:
        """A case here for the person of ``earlier``: same person and traits, new case number, linked to it."""
        case = Migrant(
            self,
            earlier.origin,
            decision_day,
            earlier.willingness,
            earlier.has_id_document,
            earlier.vulnerable,
            earlier.family,
            **state,
        )
        case.person_id = earlier.person_id
        case.previous_case_id = earlier.unique_id
        return case

    def _new_decisions_for_movers(self, t: int) -> None:
        """Unmatched movers whose new application was decided: new cases, unaware of the earlier one."""
        while self.movers and self.movers[0][0] <= t:
            day, _, m = heapq.heappop(self.movers)
            wants_centre = self.movers_rng.random() < self.params.return_centre_share
            self._case_for(m, day, in_return_centre=wants_centre and self.return_centre.admit())

    def fresh_uniforms(self) -> array[float]:
        """A case's own random numbers (a new case's, or more for one that used its own up)."""
        return array("d", self.cases_rng.random(UNIFORMS_PER_CASE).tobytes())

    # --- arrivals ------------------------------------------------------------
    def arrivals(self, t: int) -> None:
        """New final decisions during day ``(t-1, t]``: a Poisson number at uniform times, then the route's due.

        The route's cases draw from their own stream, so that the direct
        arrivals stay the same whatever the route does (common random numbers).
        """
        if self.movers:
            self._new_decisions_for_movers(t)
        rng = self.arrival_rng
        n = int(rng.poisson(self.direct_decisions_per_year / 365.0))
        if n:
            self._open_cases(np.sort(t - rng.random(n)).tolist(), rng, self.cases_rng)
        days = self.route.due_by(t)
        if days:
            self._open_cases(days, self.route.rng, self.route.rng)
            self.events["transit_decisions"] += len(days)

    def _open_cases(self, days: list[float], rng: np.random.Generator, cases_rng: np.random.Generator) -> None:
        """New cases decided on ``days``: traits from ``rng``, each case's own random numbers from ``cases_rng``."""
        n, p, b = len(days), self.params, self.behaviour
        last = len(self.origin_names) - 1
        origins = np.minimum(np.searchsorted(self.origin_cdf, rng.random(n), side="right"), last).tolist()
        sigma = b.willingness_sigma
        willingness = (rng.lognormal(-0.5 * sigma * sigma, sigma, n) if sigma > 0 else np.ones(n)).tolist()
        shares = np.array([b.has_identity_document_share, b.vulnerable_share, b.family_share, p.return_centre_share])
        flags = (rng.random((n, 4)) < shares).tolist()
        uniforms = array("d", cases_rng.random(n * UNIFORMS_PER_CASE).tobytes())
        per_case = UNIFORMS_PER_CASE
        names, centre = self.origin_names, self.return_centre
        for i in range(n):
            has_doc, vulnerable, family, wants_centre = flags[i]
            Migrant(
                self,
                origin=names[origins[i]],
                decision_day=days[i],
                willingness=willingness[i],
                has_id_document=has_doc,
                vulnerable=vulnerable,
                family=family,
                in_return_centre=wants_centre and centre.admit(),
                uniforms=uniforms[i * per_case : (i + 1) * per_case],
            )
        self.events["decisions"] += n

    # --- daily work ----------------------------------------------------------
    def casework_day(self, t: int) -> None:
        """The migration agency, then the police, work through today's capacity."""
        self.agency.work_day(t)
        self.police.work_day(t)

    def booking_day(self, t: int) -> None:
        """After the charter desk: escorted seats for those still waiting; then the day's removal risk."""
        self.transport.book_escorted(t)
        self.enforcement.end_day()

    def end_warmup(self) -> None:
        """Remember costs and counts so far: metrics count only the measured horizon."""
        self.costs_at_warmup = self.costs.copy()
        self.events_at_warmup = self.events.copy()

    def documents_decided(self, m: Migrant, accepted: bool, forced: bool, t: float) -> None:
        """A third-country authority answered a document request for ``m``."""
        m.document_pending = False
        if not m.active:
            return
        if accepted:
            m.documents = True
            m.documents_day = t
            if m.state in (State.POLICE_CASE, State.DETAINED):
                self.police.enqueue(m)
            if m.state in (State.RETURN_CASE, State.POLICE_CASE):
                m.reschedule(t)
        elif forced:
            self.police.documents_refused(m, t)
