"""Charters: a desk books a charter when enough people wait for one destination, and pays for it.

With ``flights=national`` each country has its own desk; with
``joint_nordic`` and ``frontex`` one desk pools the waiting returnees of all
countries. For every destination that accepts charters, once the people
waiting reach the organiser's ``charter_min_returnees`` and no charter to it
is already planned, the desk books one for the organiser's
``charter_seats`` longest-waiting (whichever country they are in), leaving
``charter_lead_days`` later (at least ``transfer_days`` when other
countries' returnees come along: a joint charter). The organiser is the
country with the most people waiting (``organiser=largest``, the first in
the model's order on a tie) or the next in turn with someone waiting
(``rotation``). With ``flights=frontex`` other member states' operations to
a destination are announced at random at its ``eu_charters_per_year`` (one
draw per day, desk and destination from the ``flights`` stream): the
``eu_spare_seats`` longest-waiting take seats on it, leaving after
``max(eu_notice_days, transfer_days)``. A charter booked on a co-located day
(share ``days_per_week / 5``, with ``colocation.joint_charter_planning``) is
planned jointly: people of the desk's countries who become ready for its
destination take its free seats until ``charter_boarding_cutoff_days``
before it leaves; otherwise the manifest is fixed at booking.

Payments: the aircraft is shared by the returnees boarded (the organiser
pays it all when nobody boarded), less Frontex's contribution per returnee
under ``frontex``; each country but the organiser pays its returnees'
transfers; on an EU operation Frontex pays the contribution per returnee and
every country its transfers. Observers fly with every charter
(``monitoring=all_charters``) or with the joint Nordic ones
(``joint_nordic``: a joint charter, or any charter with returnees of several
countries still booked as it leaves), never on an EU operation, and are paid
like the aircraft. Charters are a few a month, so the desk is Python working
on arrays of case rows; bookings and removals go through the transport
kernels.
"""

from __future__ import annotations

import numpy as np

from sim.model.cases import KINDS
from sim.model.engine import EngineState
from sim.model.moves import take_boarding, wait_in_line
from sim.model.police import PoliceState
from sim.model.streams import Streams
from sim.model.transport import TransportState, booked, new_flight, remove, waiting_for
from sim.params.schema import ScenarioParams

CHARTER = KINDS.index("charter") + 1
"""The charter kind's code (:data:`sim.model.cases.KINDS`, from 1)."""
JOINT_CHARTER = KINDS.index("joint_charter") + 1
"""The code of a charter with returnees of several countries."""
EU_OPERATION = KINDS.index("eu_operation") + 1
"""The code of seats on another member state's operation."""
EU = -1
"""The organiser of another member state's operation (no country of the run)."""


class CharterDesks:
    """The desks' charters to each destination, and their seats on EU operations: booked, flown and paid for."""

    def __init__(self, s: ScenarioParams, codes: list[str], streams: Streams) -> None:
        """Desks for the countries ``codes``, destinations in the scenario's order of origins.

        Of ``streams``, ``charter_planning`` decides whether a charter is
        planned jointly and ``flights`` whether an EU operation is announced.
        """
        self.s = s
        self.codes = codes
        self.desks = self._grouped(s)
        """The countries each desk serves."""
        self.planning = streams.py["charter_planning"]
        self.announcements = streams.py["flights"]
        self.boarding = np.full((len(codes), len(s.origins)), -1)
        """Per country and destination, the jointly planned charter whose boarding may be open (-1: none)."""
        self.seated_late = 0
        """People given a free seat on a jointly planned charter after it was booked."""
        self.planned_until = np.full((len(self.desks), len(s.origins)), -1.0)
        self.turn = np.zeros((len(self.desks), len(s.origins)), dtype=np.int64)
        """Per desk and destination, the member whose turn to organise comes next (``organiser=rotation``)."""
        self.passengers: dict[int, np.ndarray] = {}
        """Each charter's passengers (rows), by flight id, until it has flown."""
        self.prices: dict[int, float] = {}
        """Each charter's cost (the organiser's ``cost_charter`` when it was booked), by flight id, until flown."""
        self.costs = np.zeros(len(codes))
        """Per country, what its share of the charters cost."""
        self.monitoring_costs = np.zeros(len(codes))
        """Per country, what its share of the observers cost."""
        self.transfer_costs = np.zeros(len(codes))
        """Per country, what bringing its returnees to other countries' charters and EU operations cost."""
        self.flown: list[tuple[int, int, int, int, float, float, float]] = []
        """``(flight id, country, its returnees removed, all removed, what that country paid, what Frontex paid
        for them, its share of the observers)`` of every charter and EU operation flown, one per country on board;
        the organiser (:data:`EU` for another member state's operation) with nobody removed when none boarded."""

    def _grouped(self, s: ScenarioParams) -> list[np.ndarray]:
        """One desk for every country (``joint_nordic``, ``frontex``), or one each (``national``)."""
        every = np.arange(len(self.codes))
        return [every] if s.flights.mode != "national" else [every[c : c + 1] for c in every]

    def regroup(self, s: ScenarioParams) -> None:
        """The desks of ``s.flights.mode`` from now on (a timeline's change).

        Charters booked keep their seats; a destination with a charter
        planned by any member's desk waits for it; organising turns start again.
        """
        before = {int(c): g for g, members in enumerate(self.desks) for c in members}
        self.s = s
        self.desks = self._grouped(s)
        planned = np.full((len(self.desks), len(s.origins)), -1.0)
        for g, members in enumerate(self.desks):
            planned[g] = self.planned_until[[before[int(c)] for c in members]].max(axis=0)
        self.planned_until = planned
        self.turn = np.zeros((len(self.desks), len(s.origins)), dtype=np.int64)

    def plan(self, e: EngineState, tr: TransportState, police: PoliceState, t: int) -> None:
        """Seat people who became ready today on open charters; book charters where enough people wait."""
        self._board_late(e, tr, police, t)
        cfg, col = self.s.flights, self.s.colocation
        for g, members in enumerate(self.desks):
            for d, origin in enumerate(self.s.origins.values()):
                if not origin.accepts_charters:
                    continue
                per_year = origin.eu_charters_per_year
                announced = cfg.mode == "frontex" and per_year > 0.0 and self.announcements.random() < per_year / 365.0
                if not announced and self.planned_until[g, d] >= t:
                    continue  # a charter is planned and no EU operation comes: nobody to book today
                waiting, countries = waiting_for(e, members, d)
                if announced and len(waiting):
                    day = t + max(cfg.eu_notice_days, cfg.transfer_days)
                    chosen, waiting = waiting[: cfg.eu_spare_seats], waiting[cfg.eu_spare_seats :]
                    countries = countries[cfg.eu_spare_seats :]
                    self._book(e, tr, police, chosen, EU, d, t, day, EU_OPERATION, cfg.eu_spare_seats)
                if self.planned_until[g, d] >= t or not len(waiting):
                    continue
                organiser = self._organiser(g, d, members, countries)
                p = self.s.nations[self.codes[organiser]]
                if len(waiting) < p.charter_min_returnees:
                    continue
                chosen = waiting[: p.charter_seats]
                joint = bool((countries[: p.charter_seats] != organiser).any())
                day = t + (max(p.charter_lead_days, cfg.transfer_days) if joint else p.charter_lead_days)
                self.planned_until[g, d] = day
                kind = JOINT_CHARTER if joint else CHARTER
                flight = self._book(e, tr, police, chosen, organiser, d, t, day, kind, p.charter_seats)
                if col.joint_charter_planning and self.planning.random() < col.days_per_week / 5.0:
                    closes = day - col.charter_boarding_cutoff_days
                    for c in members:
                        self.boarding[c, d] = flight
                        e.boarding_until[c, d] = closes if closes < day else np.nextafter(day, -np.inf)

    def _organiser(self, g: int, d: int, members: np.ndarray, countries: np.ndarray) -> int:
        """The member of desk ``g`` who organises the next charter to ``d``; ``countries``: of those waiting."""
        counts = np.bincount(countries, minlength=len(self.codes))[members]
        if self.s.flights.organiser == "largest":
            return int(members[int(np.argmax(counts))])
        while True:  # someone is waiting, so some member's turn comes
            k = int(self.turn[g, d])
            self.turn[g, d] = (k + 1) % len(members)
            if counts[k]:
                return int(members[k])

    def _book(
        self,
        e: EngineState,
        tr: TransportState,
        police: PoliceState,
        chosen: np.ndarray,
        organiser: int,
        d: int,
        t: int,
        day: float,
        kind: int,
        seats: int,
    ) -> int:
        """Book ``chosen`` (rows) for ``d`` on a new flight of ``kind`` with ``seats``; return its id."""
        flight = new_flight(tr, day, d, kind, organiser, seats, -1)
        for row in chosen.tolist():
            booked(tr, e, police, row, float(t), flight)
        self.passengers[flight] = chosen
        self.prices[flight] = 0.0 if kind == EU_OPERATION else self.s.nations[self.codes[organiser]].cost_charter
        return flight

    def _board_late(self, e: EngineState, tr: TransportState, police: PoliceState, t: int) -> None:
        """Each person waiting for a jointly planned charter gets a free seat on it, or joins the line.

        The charter's boarding window is the one fixed when it was booked (``boarding_until``).
        """
        for c in range(len(self.codes)):
            rows = take_boarding(e, c)
            if not len(rows):
                continue
            seats, hot, boarding_until = tr.flights["seats"], e.hot, e.boarding_until  # read only when needed
            for row in rows.tolist():
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
        """Fly today's charters and EU operations: everyone still booked is removed; then who pays what."""
        if not len(charters):
            return
        flights, m, cfg = tr.flights, self.s.monitoring, self.s.flights
        observers = m.observers_per_operation * m.observer_days_per_operation * m.cost_per_observer_day
        contribution = cfg.frontex_contribution_per_returnee if cfg.mode == "frontex" else 0.0
        for flight in charters.tolist():
            rows = self.passengers.pop(flight)
            kind, organiser = int(flights[flight]["kind"]), int(flights[flight]["organiser"])
            aboard = rows[e.hot["booked_on"][rows] == flight]
            several = len(np.unique(e.hot["country"][aboard])) > 1
            monitored = kind != EU_OPERATION and (
                m.mode == "all_charters" or (m.mode == "joint_nordic" and (kind == JOINT_CHARTER or several))
            )
            flights[flight]["monitored"] = monitored  # before the removals: observers change medical stops
            countries = e.hot["country"][rows]
            removed = np.array([remove(tr, e, police, row, flight, t) for row in rows.tolist()], dtype=bool)
            boarded = np.bincount(countries[removed], minlength=len(self.codes))
            self._pay(flight, kind, organiser, boarded, contribution, observers if monitored else 0.0)

    def _pay(
        self, flight: int, kind: int, organiser: int, boarded: np.ndarray, contribution: float, observers: float
    ) -> None:
        """Share a flown flight's costs between the countries on board (``boarded`` per country) and Frontex."""
        cfg = self.s.flights
        total = int(boarded.sum())
        cost = self.prices.pop(flight)
        on_board = np.flatnonzero(boarded).tolist()
        for c in on_board:
            n = int(boarded[c])
            transfers = n * cfg.transfer_cost_per_returnee if c != organiser else 0.0
            self.transfer_costs[c] += transfers
            if kind == EU_OPERATION:
                paid, covered = transfers, n * contribution
            else:
                share = cost * n / total
                covered = min(share, n * contribution)
                paid = transfers + share - covered
                self.costs[c] += share - covered
            self.monitoring_costs[c] += observers * n / total
            self.flown.append((flight, c, n, total, paid, covered, observers * n / total))
        if not total:
            if organiser != EU:
                self.costs[organiser] += cost
                self.monitoring_costs[organiser] += observers
            self.flown.append((flight, organiser, 0, 0, cost, 0.0, observers))
