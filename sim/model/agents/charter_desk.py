"""The charter desk: plans charters for one country, or pooled for several (Nordic / Frontex)."""

from __future__ import annotations

from itertools import cycle
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sim.model.agents.migrant import Migrant
    from sim.model.flight import Flight
    from sim.model.roles import Country, World


class CharterDesk(mesa.Agent):
    """Books charters once enough documented returnees wait for one destination.

    With ``flights=national`` every country has its own desk. With
    ``joint_nordic`` one desk pools the waiting returnees of all member
    countries: one country organises each charter (the largest contributor,
    or in rotation), the others bring their returnees to its airport, and a
    charter leaves as soon as pooled demand reaches the organiser's
    threshold. With ``frontex`` the desk also takes spare seats on other
    member states' operations to a destination, which arrive at random at
    that destination's yearly rate.

    A charter booked on a co-located day (share ``days_per_week / 5``, with
    ``joint_charter_planning``) is planned jointly: its free seats stay open
    to returnees of the members who become ready for that destination until
    ``charter_boarding_cutoff_days`` before it leaves. Otherwise the manifest
    is fixed at booking.
    """

    def __init__(self, model: World, members: Sequence[Country]) -> None:
        """A desk serving ``members``."""
        super().__init__(model)
        self.members = members
        self.cfg = model.params.flights
        self.stream = model.streams.py["flights"]
        self.planning_stream = model.streams.py["charter_planning"]
        self.planned_until: dict[str, float] = {}
        self.open_charters: dict[str, list[Flight]] = {}
        """Jointly planned charters per destination whose free seats are still open."""
        self._rotation = {d: cycle(members) for d in model.third_countries}

    def plan(self, t: int) -> None:
        """Book today's charters (and EU-operation seats) for every destination that accepts them."""
        for destination, authority in self.model.third_countries.items():
            if not authority.origin.accepts_charters:
                continue
            eu_operation = self.cfg.mode == "frontex" and self._eu_operation_today(
                authority.origin.eu_charters_per_year
            )
            waiting = {c: c.transport.waiting(destination) for c in self.members}
            if eu_operation:
                self._book_eu_seats(destination, waiting, t)
            if self.planned_until.get(destination, -1.0) >= t:
                continue
            total = sum(len(w) for w in waiting.values())
            if not total:
                continue
            organiser = self._organiser(destination, waiting)
            if total >= organiser.params.charter_min_returnees:
                self._book_charter(destination, organiser, waiting, t)

    def _eu_operation_today(self, per_year: float) -> bool:
        """Whether another member state's operation to this destination is announced today (``frontex`` only)."""
        return self.cfg.mode == "frontex" and per_year > 0.0 and self.stream.random() < per_year / 365.0

    def _organiser(self, destination: str, waiting: dict[Country, list[Migrant]]) -> Country:
        """The country that organises the next charter to ``destination``."""
        if self.cfg.organiser == "largest":
            return max(self.members, key=lambda c: len(waiting[c]))
        for country in self._rotation[destination]:
            if waiting[country]:
                return country
        raise AssertionError("unreachable: someone is waiting")

    def _book_charter(
        self, destination: str, organiser: Country, waiting: dict[Country, list[Migrant]], t: int
    ) -> None:
        p = organiser.params
        passengers = self._take(waiting, p.charter_seats)
        joint = any(m.country.code != organiser.code for m in passengers)
        day = t + (max(p.charter_lead_days, self.cfg.transfer_days) if joint else p.charter_lead_days)
        self.planned_until[destination] = day
        kind = "joint_charter" if joint else "charter"
        flight = self.model.flight_schedule.book(
            day, destination, kind, organiser.code, passengers, p.charter_seats, p.cost_charter, t
        )
        col = self.model.params.colocation
        if col.joint_charter_planning and self.planning_stream.random() < col.days_per_week / 5.0:
            flight.boarding_closes = day - col.charter_boarding_cutoff_days
            self.open_charters.setdefault(destination, []).append(flight)

    def board_late(self, m: Migrant, t: float) -> bool:
        """Put ``m``, just ready for removal, on a free seat of a jointly planned charter; return whether done."""
        flights = self.open_charters.get(m.origin)
        if not flights:
            return False
        flights[:] = [f for f in flights if f.day > t and f.boarding_closes >= t and f.seats_taken() < f.seats]
        if not flights:
            return False
        flight = flights[0]
        if m not in flight.passengers:  # a person released from this flight's booking may come back to it
            flight.passengers.append(m)
        self.model.countries[m.country.code].transport.booked(m, t, flight)
        return True

    def _book_eu_seats(self, destination: str, waiting: dict[Country, list[Migrant]], t: int) -> None:
        passengers = self._take(waiting, self.cfg.eu_spare_seats)
        if passengers:
            day = t + max(self.cfg.eu_notice_days, self.cfg.transfer_days)
            self.model.flight_schedule.book(
                day, destination, "eu_operation", "EU", passengers, self.cfg.eu_spare_seats, 0.0, t
            )

    @staticmethod
    def _take(waiting: dict[Country, list[Migrant]], seats: int) -> list[Migrant]:
        """The ``seats`` longest-waiting returnees across the members, removed from their lists."""
        everyone = sorted((m for w in waiting.values() for m in w), key=lambda m: (m.flight_ready_day, m.unique_id))
        chosen = everyone[:seats]
        taken = set(map(id, chosen))
        for w in waiting.values():
            w[:] = [m for m in w if id(m) not in taken]
        return chosen
