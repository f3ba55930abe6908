"""The North African transit route in a compiled run: its flows, and the decisions it brings each country.

The route's stock and daily flows are :class:`sim.model.agents.transit.TransitFlows`,
as in the interpreted model (one aggregate, a few draws a day: Python). Each
country's refused applicants wait in its
:class:`sim.model.route_arrivals.RouteArrivals` until their decision day,
when they open cases whose traits come from the country's ``route`` stream
and whose own random numbers come from ``route_cases``. A country's direct
arrivals are its decisions less the part the route supplies with no
programme, so that the route changes the total through the process.
"""

from __future__ import annotations

from sim.model.agents.transit import TransitFlows
from sim.model.route_arrivals import RouteArrivals
from sim.model.streams import Streams, StreamSet
from sim.model.tally import Tally
from sim.params.schema import ScenarioParams

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
