"""National charters on the compiled kernels: each country's desk books a charter when enough people wait.

The counterpart of :class:`sim.model.agents.charter_desk.CharterDesk` with
``flights=national`` (pooled Nordic and Frontex desks and EU operations
are not built on the kernels yet): for every destination that accepts
charters, once at least ``charter_min_returnees`` documented people wait and
no charter to it is already planned, the country books one for the
``charter_seats`` longest-waiting, leaving ``charter_lead_days`` later. A
charter booked on a co-located day (share ``days_per_week / 5``, with
``colocation.joint_charter_planning``) is planned jointly: people who
become ready for its destination take its free seats until
``charter_boarding_cutoff_days`` before it leaves. With ``monitoring=all_charters`` observers
fly with every charter (a national charter is never a joint Nordic
operation, so ``joint_nordic`` monitors none) and the organiser pays them.
Charters are a few a month, so the desk is
Python working on arrays of case rows; bookings and removals go through the
transport kernels.
"""

from __future__ import annotations

import random

import numpy as np

from sim.model.engine import EngineState
from sim.model.handoffs import take_boarding, wait_in_line
from sim.model.police_state import PoliceState
from sim.model.transport_kernel import booked, new_flight, remove, waiting_for
from sim.model.transport_state import TransportState
from sim.params.schema import ScenarioParams

CHARTER = 2
"""The charter kind's code (:data:`sim.model.transport_kernel.KINDS`, from 1)."""


class NationalCharterDesk:
    """Each country's charters to each destination: booked, flown and paid for."""

    def __init__(self, s: ScenarioParams, codes: list[str], planning: random.Random) -> None:
        """Desks for the countries ``codes``, destinations in the scenario's order of origins.

        ``planning`` is the stream that decides whether a charter is planned jointly.
        """
        self.s = s
        self.codes = codes
        self.planning = planning
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
        self.flown: list[tuple[int, int, float, float]] = []
        """``(flight id, people removed, what the organiser paid for the aircraft, and for observers)`` of every
        charter flown."""

    def plan(self, e: EngineState, tr: TransportState, police: PoliceState, t: int) -> None:
        """Seat people who became ready today on open charters; book charters where enough people wait."""
        self._board_late(e, tr, police, t)
        history = e.history
        for c, code in enumerate(self.codes):
            p = self.s.nations[code]
            for d, origin in enumerate(self.s.origins.values()):
                if not origin.accepts_charters or self.planned_until[c, d] >= t:
                    continue
                waiting = waiting_for(e, c, d)
                if len(waiting) < p.charter_min_returnees:
                    continue
                order = np.lexsort((waiting, history["flight_ready_day"][waiting]))
                chosen = waiting[order[: p.charter_seats]]
                day = t + p.charter_lead_days
                self.planned_until[c, d] = day
                flight = new_flight(tr, day, d, CHARTER, c, p.charter_seats, -1)
                for row in chosen.tolist():
                    booked(tr, e, police, row, float(t), flight)
                self.passengers[flight] = chosen
                col = self.s.colocation
                if col.joint_charter_planning and self.planning.random() < col.days_per_week / 5.0:
                    self.boarding[c, d] = flight
                    closes = day - col.charter_boarding_cutoff_days
                    e.boarding_until[c, d] = closes if closes < day else np.nextafter(day, -np.inf)

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
        """Fly today's charters: everyone still booked is removed; the organiser pays aircraft and observers."""
        flights, m = tr.flights, self.s.monitoring
        monitored = m.mode == "all_charters"
        observers = m.observers_per_operation * m.observer_days_per_operation * m.cost_per_observer_day
        for flight in charters.tolist():
            flights[flight]["monitored"] = monitored
            rows = self.passengers.pop(flight)
            removed = sum(remove(tr, e, police, row, flight, t) for row in rows.tolist())
            organiser = int(flights[flight]["organiser"])
            cost = self.s.nations[self.codes[organiser]].cost_charter
            self.costs[organiser] += cost
            paid_observers = observers if monitored else 0.0
            self.monitoring_costs[organiser] += paid_observers
            self.flown.append((flight, removed, cost, paid_observers))
