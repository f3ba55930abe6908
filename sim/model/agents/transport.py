"""The prison and probation transport service: escorted seats, and removing people on flights."""

from __future__ import annotations

import math
from collections import defaultdict, deque
from typing import TYPE_CHECKING

import mesa

from sim.model.states import ON_BOARD_STATES, State

if TYPE_CHECKING:
    from sim.model.agents.migrant import Migrant
    from sim.model.flight import Flight
    from sim.model.roles import Country, World


class TransportService(mesa.Agent):
    """Escorts for removals on scheduled flights; the charter desk books the rest on charters.

    Documented people ready for removal wait in first-come order and, per
    destination, for a charter. Each day, after the charter desk has booked
    charters, the service books escorted seats on scheduled flights as far as
    today's escort capacity allows. Every booking is reported to the police
    (``PoliceUnit.flight_booked``), who decide when a person at risk of
    absconding is detained for it.
    """

    def __init__(self, model: World, country: Country) -> None:
        """Create the transport service of ``country`` with no one waiting."""
        super().__init__(model)
        self.country = country
        self.stream = country.streams.py["transport"]
        self.queue: deque[Migrant] = deque()
        self.waiting_by_destination: dict[str, list[Migrant]] = defaultdict(list)
        self._credit = 0.0
        self._seats_per_week: dict[str, float] = {}
        """Escorted seats a week on scheduled flights to each destination, for this country."""
        self.retune()
        self._seats = dict.fromkeys(self._seats_per_week, 0.0)
        """Escorted seats on scheduled flights still available this week, per destination."""

    def retune(self) -> None:
        """Seats a week from the destinations' flights and the country's connectivity (also after a timeline change)."""
        connectivity = self.country.params.flight_connectivity
        self._seats_per_week = {
            name: authority.origin.scheduled_seats_per_week * connectivity
            for name, authority in self.model.third_countries.items()
        }

    def enqueue(self, m: Migrant) -> None:
        """A documented person is ready to be booked: a jointly planned charter's free seat, or the queue."""
        if math.isnan(m.flight_ready_day):
            m.flight_ready_day = self.model.time
        if self.country.charter_desk.board_late(m, self.model.time):
            return
        self.queue.append(m)
        self.waiting_by_destination[m.origin].append(m)

    def waiting(self, destination: str) -> list[Migrant]:
        """People still waiting for a flight to ``destination``, longest-waiting first."""
        waiting = self.waiting_by_destination[destination]
        waiting[:] = [m for m in waiting if m.state in ON_BOARD_STATES and m.booked_on is None]
        return waiting

    def book_escorted(self, t: int) -> None:
        """Book escorted seats on scheduled flights, first come first served, within escort capacity.

        A destination offers only so many escorted seats a week
        (``scheduled_seats_per_week``, scaled by the country's
        ``flight_connectivity``); people for a destination without a seat
        today keep their place in the queue, and wait for a seat or a charter.
        """
        p = self.country.params
        schedule = self.model.flight_schedule
        seats = self._seats
        for name, per_week in self._seats_per_week.items():
            seats[name] = min(seats[name] + per_week / 7.0, max(1.0, per_week))
        self._credit += p.escorts / (p.escorts_per_returnee * p.escort_trip_days)
        queue, kept = self.queue, []
        while self._credit >= 1.0 and queue:
            m = queue.popleft()
            if m.state not in ON_BOARD_STATES or m.booked_on is not None:
                continue
            if seats[m.origin] < 1.0:
                kept.append(m)
                continue
            seats[m.origin] -= 1.0
            self._credit -= 1.0
            schedule.book(t + p.booking_lead_days, m.origin, "escorted", self.country.code, [m], 1, 0.0, t)
        queue.extendleft(reversed(kept))
        if self._credit >= 1.0:  # nobody left who could fly today: unused escort time does not carry over
            self._credit = 1.0

    def booked(self, m: Migrant, t: float, flight: Flight) -> None:
        """``m`` has a seat on ``flight``: escorts are committed, and the police decide on detention.

        A charter seat takes the same escort capacity as an escorted seat on a
        scheduled flight (escorts go with returnees on charters too); the
        capacity may run into debt for a charter, which later escorted seats
        then wait for.
        """
        m.booked_on = flight
        if flight.is_charter:
            self._credit -= 1.0
        self.country.police.flight_booked(m, t, flight)

    def remove(self, m: Migrant, flight: Flight, t: int) -> bool:
        """Remove ``m`` on ``flight`` if still there; a medical stop sends the case back to the police."""
        if m.state not in ON_BOARD_STATES or m.booked_on is not flight:
            return False
        m.booked_on = None
        country, p = self.country, self.country.params
        health = country.field_effects.get("health")
        failure = base = p.medical_removal_failure if m.vulnerable else 0.0
        if health is not None and "health" in m.fields:
            failure *= 1.0 - health.removal_failure_avoided
        if flight.monitored:  # the observers' assumed effect (1: none)
            failure *= self.model.params.monitoring.removal_stop_multiplier
        if base and self.stream.random() < failure:  # drawn for every vulnerable returnee: common random numbers
            country.events["removal_failed"] += 1
            if m.state == State.AWAITING_FLIGHT:
                m.move(State.POLICE_CASE, t)
            country.police.enqueue(m)
            return False
        m.flight = flight.kind
        m.escorts = p.escorts_per_returnee
        if flight.kind == "escorted":
            country.costs["escorted_removals"] += p.cost_escorted_removal
        m.move(State.RETURNED_FORCED, t)
        country.enforcement.removed(m.origin)
        return True
