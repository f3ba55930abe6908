"""The North African transit route: a stock of stranded migrants, its flows, and the decisions it brings.

A stock, not individuals: the route holds tens of thousands of people whose
only link to the Nordic return process is the few who set out and are later
refused there, so each day's flows are drawn as counts from competing
hazards (the same exact daily probabilities the cases' timers use), in
Python (:class:`TransitFlows`, one aggregate, a few draws a day). Each
country's refused applicants wait in its :class:`RouteArrivals` until their
decision day, when they open cases whose traits come from the country's
``route`` stream and whose own random numbers come from ``route_cases``
(:class:`RouteDecisions`). A country's direct arrivals are its decisions less
the part the route supplies with no programme, so that the route changes the
total through the process; each country of the run pays its share of the
assisted-return places.
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.results import Tally
from sim.params.transit import destination_weights

if TYPE_CHECKING:
    from sim.params.schema import ScenarioParams
from sim.model.streams import Streams, StreamSet
from sim.params.schema import ScenarioParams
from sim.params.transit import route_decisions_per_year

DAY = 1.0 / 365.0


def _exit_probabilities(hazards_per_year: list[float]) -> list[float]:
    """Chance in one day of each of several competing exits, and (last) of none."""
    rates = [h * DAY for h in hazards_per_year]
    total = sum(rates)
    if total <= 0.0:
        return [0.0] * len(rates) + [1.0]
    any_exit = -math.expm1(-total)
    return [any_exit * r / total for r in rates] + [1.0 - any_exit]


class TransitFlows:
    """The transit stock, its onward movement towards the Nordic countries and the assisted-return places.

    Each day: new people are stranded (a Poisson number) and earlier
    returnees come back; everyone may set out for Europe or leave otherwise;
    while places are offered, people who want to go home apply and queue for
    them (queued people may still leave); the day's places (``places_per_year
    / 365``, unused ones lapse) take the longest-waiting applicants home, with
    the support level's effect on who applies and who sets out again. Onward
    movers apply in a Nordic country with ``nordic_share``; the refused become
    new decisions there after about ``asylum_days``. Plain Python, no
    countries: :class:`RouteDecisions` carries its day's results to them.
    """

    def __init__(self, scenario: ScenarioParams, stream: np.random.Generator) -> None:
        """Start the stock at its level with no programme, so that warm-up begins in balance."""
        self.stream = stream
        self.stock = round(scenario.transit.equilibrium_stock())
        self.queue = 0
        """People in the stock who applied and wait for a place."""
        self._places = 0.0
        self._returning: list[float] = []
        """Days on which returnees who set out again re-enter the stock (a heap)."""
        self.events: Tally = Tally(start_stock=self.stock)
        self.events_at_warmup: Tally = Tally()

    def work_day(self, scenario: ScenarioParams, t: int) -> tuple[dict[str, list[float]], dict[str, float]]:
        """One day of the route's flows with the values ``scenario``, and the places used.

        Returns the days on which the refused applicants get their decisions,
        per Nordic country with any (drawn for all five, so that the draws are
        the same whichever countries take part), and each Nordic country's
        share of the day's programme cost (none when no one went home).
        """
        cfg, rng, ev = scenario.transit, self.stream, self.events
        new = int(rng.poisson(cfg.inflow_per_year * DAY))
        back = 0
        while self._returning and self._returning[0] <= t:
            heapq.heappop(self._returning)
            back += 1
        self.stock += new + back
        ev["stranded"] += new
        ev["re_entered"] += back
        offered = cfg.places_per_year > 0.0
        apply = (
            cfg.application_rate_per_year * (1.0 + cfg.support_uptake_gain * cfg.support_effect()) if offered else 0.0
        )
        waiting = self.stock - self.queue
        applied, onward_w, other_w, _ = rng.multinomial(
            waiting, _exit_probabilities([apply, cfg.onward_rate_per_year, cfg.other_exit_rate_per_year])
        )
        onward_q, other_q, _ = rng.multinomial(
            self.queue, _exit_probabilities([cfg.onward_rate_per_year, cfg.other_exit_rate_per_year])
        )
        onward, other = int(onward_w + onward_q), int(other_w + other_q)
        self.queue += int(applied) - int(onward_q) - int(other_q)
        self.stock -= onward + other
        ev["onward"] += onward
        ev["other_exits"] += other
        refused = self._set_out(scenario, onward, t)
        costs = self._return_home(scenario, self._use_places(cfg.places_per_year), t)
        return refused, costs

    def _use_places(self, places_per_year: float) -> int:
        """Today's places take applicants home; places no one is waiting for lapse."""
        self._places += places_per_year * DAY
        served = min(self.queue, int(self._places))
        self._places -= served
        if served == self.queue:
            self._places = min(self._places, 1.0)
        self.queue -= served
        self.stock -= served
        return served

    def _return_home(self, scenario: ScenarioParams, served: int, t: int) -> dict[str, float]:
        """Assisted returns: their cost per Nordic country, and who sets out again.

        The Nordic countries share the cost as they share the decisions the
        route would bring (``destination_weights``, over all five, so that a
        country pays for the share of the benefit it gets); the shares of
        countries outside the run are not counted by the caller.
        """
        if served == 0:
            return {}
        cfg = scenario.transit
        self.events["assisted_returns"] += served
        cost = served * (cfg.cost_per_return + cfg.support_eur)
        shares = {code: cost * w for code, w in destination_weights(scenario.nations).items()}
        again = cfg.remigration_share * (1.0 - cfg.support_remigration_reduction * cfg.support_effect())
        n = int(self.stream.binomial(served, again))
        for day in (t + self.stream.exponential(cfg.remigration_days, n)).tolist():
            heapq.heappush(self._returning, day)
        return shares

    def _set_out(self, scenario: ScenarioParams, onward: int, t: int) -> dict[str, list[float]]:
        """Onward movers: those who apply in a Nordic country and are refused become decisions there later."""
        cfg = scenario.transit
        nordic = int(self.stream.binomial(onward, cfg.nordic_share))
        if nordic == 0:
            return {}
        self.events["onward_nordic"] += nordic
        weights = destination_weights(scenario.nations)
        codes = list(weights)
        arrived = self.stream.multinomial(nordic, [weights[c] for c in codes])
        refused: dict[str, list[float]] = {}
        for code, n in zip(codes, arrived.tolist(), strict=True):
            decided = int(self.stream.binomial(n, cfg.refusal_share)) if n else 0
            if decided:
                refused[code] = (t + self.stream.exponential(cfg.asylum_days, decided)).tolist()
        return refused

    def end_warmup(self) -> None:
        """Remember the counts so far: metrics count only the measured horizon."""
        self.events_at_warmup = self.events.copy()

    def conserved(self) -> bool:
        """Everyone who entered the stock is in it or left it by one of its exits."""
        ev = self.events
        entered = ev["start_stock"] + ev["stranded"] + ev["re_entered"]
        left = ev["onward"] + ev["other_exits"] + ev["assisted_returns"]
        return entered == self.stock + left and 0 <= self.queue <= self.stock


class RouteArrivals:
    """Refused applicants who came by the route, due as decisions here, and the part of the arrivals they make.

    The country's ``decisions_per_year`` is its total; the part the route
    supplies with no programme, at the route's flows when the run starts, is
    drawn through the route instead of directly. A timeline that changes the
    route's flows therefore changes the total through the process, while one
    that changes a country's decisions moves only the direct part.
    """

    def __init__(self, code: str, scenario: ScenarioParams, rng: np.random.Generator) -> None:
        """No decision due yet; ``rng`` draws the route's cases' traits and own random numbers."""
        self.code = code
        self.start = scenario.transit
        self.rng = rng
        self.due: list[float] = []
        """Days on which the route's refused applicants get their decision here (a heap)."""

    def expected_per_year(self, scenario: ScenarioParams) -> float:
        """Decisions a year the route supplies here with no programme, at the start's flows (0 with the route off)."""
        return route_decisions_per_year(self.start, scenario.nations)[self.code]

    def add(self, days: list[float]) -> None:
        """Applicants will be refused on ``days``."""
        for day in days:
            heapq.heappush(self.due, day)

    def due_by(self, t: int) -> list[float]:
        """The decision days due by the end of day ``t``, in order, taken off the heap."""
        days = []
        while self.due and self.due[0] <= t:
            days.append(heapq.heappop(self.due))
        return days


ROUTE_CASES = 2
"""The engine's stream column of the case seeds of people who came by the route."""


class RouteDecisions:
    """The route's flows (none without ``transit``) and each country's decisions due from it."""

    def __init__(self, s: ScenarioParams, codes: list[str], streams: Streams, country: list[StreamSet]) -> None:
        """The route of scenario ``s`` for the countries ``codes`` (engine positions) with their ``country`` streams."""
        self.codes = codes
        self.flows = TransitFlows(s, streams.np["transit"]) if s.transit.mode != "none" else None
        """The route's stock and flows, read by the metrics (``transit``)."""
        self.arrivals = [RouteArrivals(code, s, st.np["route"]) for code, st in zip(codes, country, strict=True)]
        self.events = [Tally() for _ in codes]
        """Per country, the decisions that came by the route."""
        self.costs = [Tally() for _ in codes]
        """Per country, its share of the route's assisted-return places."""

    def direct_per_year(self, s: ScenarioParams, c: int) -> float:
        """Country ``c``'s decisions a year drawn directly with the values ``s``: the route's part left out."""
        return s.nations[self.codes[c]].decisions_per_year - self.arrivals[c].expected_per_year(s)

    def work_day(self, s: ScenarioParams, t: int) -> None:
        """The route's day with the values ``s``: refused applicants due as decisions, the places' cost shared."""
        if self.flows is None:
            return
        refused, costs = self.flows.work_day(s, t)
        for c, code in enumerate(self.codes):
            if code in refused:
                self.arrivals[c].add(refused[code])
            if code in costs:
                self.costs[c]["transit_programme"] += costs[code]

    def due(self, c: int, t: int) -> list[float]:
        """Country ``c``'s decision days from the route due by the end of day ``t``, in order (counted)."""
        days = self.arrivals[c].due_by(t)
        self.events[c]["transit_decisions"] += len(days)
        return days
