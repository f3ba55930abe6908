"""A country's decisions that come by the North African transit route (``transit``), and when each is due."""

from __future__ import annotations

import heapq

import numpy as np

from sim.params.schema import ScenarioParams
from sim.params.transit import route_decisions_per_year


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
