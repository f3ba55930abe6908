"""Migrants stranded in North Africa, and the Nordic-funded assisted return that empties the stock.

A stock, not individuals: the route holds tens of thousands of people whose
only link to the Nordic return process is the few who set out and are later
refused there, so each day's flows are drawn as counts from competing
hazards (the same exact daily probabilities the cases' timers use).
"""

from __future__ import annotations

import heapq
import math
from typing import TYPE_CHECKING

import numpy as np

from sim.model.tally import Tally
from sim.params.transit import destination_weights

if TYPE_CHECKING:
    from sim.params.schema import ScenarioParams

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
    countries: the interpreted model's :class:`TransitRoute` and the compiled
    run both carry its day's results to their countries.
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
