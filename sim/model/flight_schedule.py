"""The flight schedule: every booked flight, flown on its day, and who pays for it."""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from itertools import count

from sim.model.agents.migrant import Migrant
from sim.model.flight import Flight
from sim.model.roles import Country
from sim.params.levers import Flights, Monitoring

JOINT = "joint_charter"
"""The kind of a joint Nordic operation: a charter with returnees of several Nordic countries."""


class FlightSchedule:
    """Every booked flight of the model, flown on its day in booking order."""

    def __init__(self, flights: Flights, monitoring: Monitoring, countries: Mapping[str, Country]) -> None:
        """Start with no bookings."""
        self.cfg = flights
        self.monitoring = monitoring
        self.countries = countries
        self._heap: list[tuple[float, int, Flight]] = []
        self._ids = count(1)
        self.charters: list[Flight] = []
        """Charters and EU operations flown, for the flight outcomes."""

    def book(
        self,
        day: float,
        destination: str,
        kind: str,
        organiser: str,
        passengers: list[Migrant],
        seats: int,
        cost: float,
        t: float,
    ) -> Flight:
        """Book ``passengers`` on a new flight leaving on ``day``."""
        flight = Flight(next(self._ids), day, destination, kind, organiser, passengers, seats, cost)
        for m in passengers:
            self.countries[m.country.code].transport.booked(m, t, flight)
        heapq.heappush(self._heap, (day, flight.flight_id, flight))
        return flight

    def fly(self, t: int) -> None:
        """Carry out every flight due today."""
        while self._heap and self._heap[0][0] <= t:
            flight = heapq.heappop(self._heap)[2]
            if not flight.is_charter:
                (m,) = flight.passengers
                self.countries[m.country.code].transport.remove(m, flight, t)
                continue
            flight.monitored = self._monitored(flight)
            boarded = flight.boarded
            for m in flight.passengers:
                if self.countries[m.country.code].transport.remove(m, flight, t):
                    boarded[m.country.code] += 1
            self._share_cost(flight)
            self.charters.append(flight)

    def _monitored(self, flight: Flight) -> bool:
        """Whether observers fly with this charter: decided as it leaves, from the countries still on its manifest.

        A jointly planned national charter that took other members' returnees
        since it was booked is a joint Nordic operation too. Other member
        states' operations (``eu_operation``) are never the Nordic observers'.
        """
        mode = self.monitoring.mode
        if mode == "none" or flight.kind == "eu_operation":
            return False
        if mode == "all_charters" or flight.kind == JOINT:
            return True
        return len({m.country.code for m in flight.passengers if m.booked_on is flight}) > 1

    def _share_cost(self, flight: Flight) -> None:
        """Transfers are paid by each sending country; the aircraft by shares of returnees boarded.

        With ``flights=frontex`` Frontex pays up to its contribution per returnee of
        the aircraft's cost, and finances other member states' operations outright.
        """
        cfg = self.cfg
        total = sum(flight.boarded.values())
        frontex = cfg.mode == "frontex"
        for code, n in flight.boarded.items():
            country = self.countries[code]
            if code != flight.organiser:
                transfer = n * cfg.transfer_cost_per_returnee
                flight.paid[code] += transfer
                country.costs["transfers"] += transfer
            if flight.kind == "eu_operation":
                flight.frontex_paid[code] += n * cfg.frontex_contribution_per_returnee
                continue
            share = flight.cost * n / total
            covered = min(share, n * cfg.frontex_contribution_per_returnee) if frontex else 0.0
            flight.frontex_paid[code] += covered
            flight.paid[code] += share - covered
            country.costs["charters"] += share - covered
        if not total and flight.cost:
            flight.paid[flight.organiser] += flight.cost
            self.countries[flight.organiser].costs["charters"] += flight.cost
        if flight.monitored:
            self._share_monitoring(flight, total)

    def _share_monitoring(self, flight: Flight, total: float) -> None:
        """The observers' cost, shared like the aircraft by returnees boarded (the organiser's when none)."""
        m = self.monitoring
        cost = m.observers_per_operation * m.observer_days_per_operation * m.cost_per_observer_day
        shares = {code: cost * n / total for code, n in flight.boarded.items()} if total else {flight.organiser: cost}
        for code, share in shares.items():
            flight.monitoring_paid[code] += share
            self.countries[code].costs["monitoring"] += share
