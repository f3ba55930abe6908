"""The prison and probation transport service: escorted seats and national charters."""

from __future__ import annotations

import heapq
from collections import defaultdict, deque
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING

import mesa

from sim.states import State

if TYPE_CHECKING:
    from sim.agents.migrant import Migrant
    from sim.country import CountrySystem
    from sim.model import ReturnModel

ON_BOARD_STATES = (State.AWAITING_FLIGHT, State.DETAINED)


@dataclass
class Flight:
    """A booked departure: one escorted seat on a scheduled flight, or a charter."""

    day: float
    destination: str
    passengers: list[Migrant]
    charter: bool
    seats: int = 1
    boarded: int = field(default=0)


class TransportService(mesa.Agent):
    """Escorts for removals on scheduled flights, and charters when enough people wait.

    Each day the service first flies the flights due, then books: a charter to
    a destination once ``charter_min_returnees`` documented people wait for it
    and the destination accepts charters; escorted seats on scheduled flights,
    first come first served, as far as today's escort capacity allows.
    With joint planning (co-location) a person at risk of absconding is
    detained only now, when the departure date is known.
    """

    def __init__(self, model: ReturnModel, country: CountrySystem) -> None:
        """Create the transport service of ``country`` with no bookings."""
        super().__init__(model)
        self.country = country
        self.stream = model.streams.py["transport"]
        self.queue: deque[Migrant] = deque()
        self.waiting_by_destination: dict[str, list[Migrant]] = defaultdict(list)
        self.flights: list[tuple[float, int, Flight]] = []
        self.charter_planned: dict[str, float] = {}
        self.flown: list[Flight] = []
        self._seq = count()
        self._credit = 0.0

    def enqueue(self, m: Migrant) -> None:
        """A documented person is ready to be booked on a flight."""
        self.queue.append(m)
        self.waiting_by_destination[m.origin].append(m)

    # --- the working day --------------------------------------------------------
    def fly(self, t: int) -> None:
        """Carry out every flight due today."""
        while self.flights and self.flights[0][0] <= t:
            flight = heapq.heappop(self.flights)[2]
            self._depart(flight, t)

    def book(self, t: int) -> None:
        """Plan charters where demand is high enough, then book today's escorted seats."""
        p = self.country.params
        for destination, waiting in self.waiting_by_destination.items():
            waiting[:] = [m for m in waiting if m.state in ON_BOARD_STATES and not m.booked]
            if (
                len(waiting) >= p.charter_min_returnees
                and self.model.third_countries[destination].origin.accepts_charters
                and self.charter_planned.get(destination, -1.0) < t
            ):
                self._plan_charter(destination, waiting, t)
        self._credit += p.escorts / (p.escorts_per_returnee * p.escort_trip_days)
        while self._credit >= 1.0 and self.queue:
            m = self.queue.popleft()
            if m.state in ON_BOARD_STATES and not m.booked:
                self._credit -= 1.0
                self._schedule(Flight(t + p.booking_lead_days, m.origin, [m], charter=False), t)
        if not self.queue:
            self._credit = min(self._credit, 1.0)

    def _plan_charter(self, destination: str, waiting: list[Migrant], t: int) -> None:
        p = self.country.params
        passengers = waiting[: p.charter_seats]
        del waiting[: p.charter_seats]
        day = t + p.charter_lead_days
        self.charter_planned[destination] = day
        self._schedule(Flight(day, destination, passengers, charter=True, seats=p.charter_seats), t)

    def _schedule(self, flight: Flight, t: int) -> None:
        police = self.country.police
        for m in flight.passengers:
            m.booked = True
            if m.joint_planned and m.state == State.AWAITING_FLIGHT and police.at_risk(m):
                self.country.detention.request(m, t)
        heapq.heappush(self.flights, (flight.day, next(self._seq), flight))

    def _depart(self, flight: Flight, t: int) -> None:
        """Remove everyone still there; a medical stop sends a person back to the police."""
        p, country = self.country.params, self.country
        health = country.field_effects.get("health")
        for m in flight.passengers:
            if m.state not in ON_BOARD_STATES or not m.booked:
                continue
            m.booked = False
            failure = p.medical_removal_failure if m.vulnerable else 0.0
            if health is not None and "health" in m.fields:
                failure *= 1.0 - health.removal_failure_avoided
            if self.stream.random() < failure:
                country.events["removal_failed"] += 1
                if m.state == State.AWAITING_FLIGHT:
                    m.move(State.POLICE_CASE, t)
                country.police.enqueue(m)
                continue
            flight.boarded += 1
            m.charter = flight.charter
            m.escorts = p.escorts_per_returnee
            if not flight.charter:
                country.costs["escorted_removals"] += p.cost_escorted_removal
            m.move(State.RETURNED_FORCED, t)
            country.record_removal()
        if flight.charter:
            country.costs["charters"] += p.cost_charter
            self.flown.append(flight)
