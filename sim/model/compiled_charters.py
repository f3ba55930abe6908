"""Charters on the compiled kernels: each country's desk books a charter when enough people wait.

The counterpart of :class:`sim.model.agents.charter_desk.CharterDesk` for
one country, where a pooled Nordic desk (``joint_nordic``, ``frontex``) has
one member and plans as a national one (pooling across several countries is
not built on the kernels yet): for every destination that accepts
charters, once at least ``charter_min_returnees`` documented people wait and
no charter to it is already planned, the country books one for the
``charter_seats`` longest-waiting, leaving ``charter_lead_days`` later. With
``flights=frontex`` other member states' operations to a destination are
announced at random at its ``eu_charters_per_year`` (one draw per day and
destination from the ``flights`` stream, as the interpreted desk draws):
the ``eu_spare_seats`` longest-waiting take seats on it, leaving after
``max(eu_notice_days, transfer_days)``; Frontex pays their flight
(``frontex_contribution_per_returnee`` each), the country their transfer,
and Frontex covers the same contribution per returnee of the country's own
charters, up to the aircraft's cost. A
charter booked on a co-located day (share ``days_per_week / 5``, with
``colocation.joint_charter_planning``) is planned jointly: people who
become ready for its destination take its free seats until
``charter_boarding_cutoff_days`` before it leaves. With ``monitoring=all_charters`` observers
fly with every charter (a one-country charter is never a joint Nordic
operation, so ``joint_nordic`` monitors none; nor another member state's
operation) and the organiser pays them.
Charters are a few a month, so the desk is
Python working on arrays of case rows; bookings and removals go through the
transport kernels.
"""

from __future__ import annotations

import numpy as np

from sim.model.engine import EngineState
from sim.model.handoffs import take_boarding, wait_in_line
from sim.model.police_state import PoliceState
from sim.model.streams import Streams
from sim.model.transport_kernel import booked, new_flight, remove, waiting_for
from sim.model.transport_state import KINDS, TransportState
from sim.params.schema import ScenarioParams

CHARTER = KINDS.index("charter") + 1
"""The charter kind's code (:data:`sim.model.transport_state.KINDS`, from 1)."""
EU_OPERATION = KINDS.index("eu_operation") + 1
"""The code of seats on another member state's operation."""
EU = -1
"""The organiser of another member state's operation (no country of the run)."""


class CharterDesks:
    """Each country's charters to each destination, and its seats on EU operations: booked, flown and paid for."""

    def __init__(self, s: ScenarioParams, codes: list[str], streams: Streams) -> None:
        """Desks for the countries ``codes``, destinations in the scenario's order of origins.

        Of ``streams``, ``charter_planning`` decides whether a charter is
        planned jointly and ``flights`` whether an EU operation is announced.
        """
        self.s = s
        self.codes = codes
        self.planning = streams.py["charter_planning"]
        self.announcements = streams.py["flights"]
        self.boarding = np.full((len(codes), len(s.origins)), -1)
        """Per country and destination, the jointly planned charter whose boarding may be open (-1: none)."""
        self.seated_late = 0
        """People given a free seat on a jointly planned charter after it was booked."""
        self.planned_until = np.full((len(codes), len(s.origins)), -1.0)
        self.passengers: dict[int, np.ndarray] = {}
        """Each charter's passengers (rows), by flight id, until it has flown."""
        self.costs = np.zeros(len(codes))
        """Per country, what its charters cost."""
        self.monitoring_costs = np.zeros(len(codes))
        """Per country, what the observers on its charters cost."""
        self.transfer_costs = np.zeros(len(codes))
        """Per country, what bringing its returnees to other member states' operations cost."""
        self.flown: list[tuple[int, int, int, float, float, float]] = []
        """``(flight id, the country on board, people removed, what that country paid, what Frontex paid, what
        the observers cost)`` of every charter and EU operation flown; the country is the organiser (:data:`EU`
        for another member state's operation) when nobody boarded."""

    def plan(self, e: EngineState, tr: TransportState, police: PoliceState, t: int) -> None:
        """Seat people who became ready today on open charters; book charters where enough people wait."""
        self._board_late(e, tr, police, t)
        frontex = self.s.flights.mode == "frontex"
        for c, code in enumerate(self.codes):
            p = self.s.nations[code]
            for d, origin in enumerate(self.s.origins.values()):
                if not origin.accepts_charters:
                    continue
                waiting = self._longest_waiting_first(e, waiting_for(e, c, d))
                per_year = origin.eu_charters_per_year
                announced = frontex and per_year > 0.0 and self.announcements.random() < per_year / 365.0
                if announced and len(waiting):
                    cfg = self.s.flights
                    day = t + max(cfg.eu_notice_days, cfg.transfer_days)
                    seats = cfg.eu_spare_seats
                    self._book(e, tr, police, waiting[:seats], c, d, t, day, EU_OPERATION, seats)
                    waiting = waiting[cfg.eu_spare_seats :]
                if self.planned_until[c, d] >= t or len(waiting) < p.charter_min_returnees:
                    continue
                day = t + p.charter_lead_days
                self.planned_until[c, d] = day
                flight = self._book(e, tr, police, waiting[: p.charter_seats], c, d, t, day, CHARTER, p.charter_seats)
                col = self.s.colocation
                if col.joint_charter_planning and self.planning.random() < col.days_per_week / 5.0:
                    self.boarding[c, d] = flight
                    closes = day - col.charter_boarding_cutoff_days
                    e.boarding_until[c, d] = closes if closes < day else np.nextafter(day, -np.inf)

    @staticmethod
    def _longest_waiting_first(e: EngineState, waiting: np.ndarray) -> np.ndarray:
        """The rows ``waiting`` in the order seats go: earliest ready for a flight first, ties by row."""
        return waiting[np.lexsort((waiting, e.history["flight_ready_day"][waiting]))]

    def _book(
        self,
        e: EngineState,
        tr: TransportState,
        police: PoliceState,
        chosen: np.ndarray,
        c: int,
        d: int,
        t: int,
        day: float,
        kind: int,
        seats: int,
    ) -> int:
        """Book ``chosen`` (rows of country ``c``) for ``d`` on a new flight of ``kind`` with ``seats``; its id."""
        flight = new_flight(tr, day, d, kind, EU if kind == EU_OPERATION else c, seats, -1)
        for row in chosen.tolist():
            booked(tr, e, police, row, float(t), flight)
        self.passengers[flight] = chosen
        return flight

    def _board_late(self, e: EngineState, tr: TransportState, police: PoliceState, t: int) -> None:
        """Each person waiting for a jointly planned charter gets a free seat on it, or joins the line.

        The charter's boarding window is the one fixed when it was booked (``boarding_until``).
        """
        seats, hot, boarding_until = tr.flights["seats"], e.hot, e.boarding_until
        for c in range(len(self.codes)):
            for row in take_boarding(e, c).tolist():
                d = int(hot[row]["origin"])
                flight = int(self.boarding[c, d])
                passengers = self.passengers.get(flight)
                if passengers is None or t > boarding_until[c, d]:
                    wait_in_line(e, c, row)
                    continue
                if int((hot["booked_on"][passengers] == flight).sum()) >= seats[flight]:
                    wait_in_line(e, c, row)
                    continue
                if row not in passengers:  # a person released from this flight's booking may come back to it
                    self.passengers[flight] = np.append(passengers, row)
                booked(tr, e, police, row, float(t), flight)
                self.seated_late += 1

    def fly(self, e: EngineState, tr: TransportState, police: PoliceState, charters: np.ndarray, t: int) -> None:
        """Fly today's charters and EU operations: everyone still booked is removed; then who pays what.

        A country's charter: the aircraft, less Frontex's contribution per
        returnee under ``frontex`` (the whole cost when nobody boarded), and
        the observers. An EU operation: Frontex pays the contribution per
        returnee, the country (where its returnees boarded) their transfers.
        """
        flights, m, cfg = tr.flights, self.s.monitoring, self.s.flights
        observers = m.observers_per_operation * m.observer_days_per_operation * m.cost_per_observer_day
        contribution = cfg.frontex_contribution_per_returnee if cfg.mode == "frontex" else 0.0
        for flight in charters.tolist():
            rows = self.passengers.pop(flight)
            eu_operation = flights[flight]["kind"] == EU_OPERATION
            monitored = m.mode == "all_charters" and not eu_operation
            flights[flight]["monitored"] = monitored  # before the removals: observers change medical stops
            removed = sum(remove(tr, e, police, row, flight, t) for row in rows.tolist())
            if eu_operation:
                c = int(e.hot["country"][rows[0]]) if removed else EU
                transfers = removed * cfg.transfer_cost_per_returnee
                if removed:
                    self.transfer_costs[c] += transfers
                self.flown.append((flight, c, removed, transfers, removed * contribution, 0.0))
                continue
            organiser = int(flights[flight]["organiser"])
            cost = self.s.nations[self.codes[organiser]].cost_charter
            covered = min(cost, removed * contribution)
            self.costs[organiser] += cost - covered
            paid_observers = observers if monitored else 0.0
            self.monitoring_costs[organiser] += paid_observers
            self.flown.append((flight, organiser, removed, cost - covered, covered, paid_observers))
