"""The return-process model (Mesa 3.5): Mesa's model and clock, the actors as agents, the cases as table rows.

Cases are rows of the engine's tables (:mod:`sim.model.engine`), readable as
migrants (:mod:`sim.model.migrants`); each country's migration agency,
police and transport service, each origin's authority and each attaché is a
Mesa agent whose work is a kernel call. Each day, in this order: a
timeline's change applies (:mod:`sim.model.timeline`); new decisions open
cases (with those due from the transit route: :mod:`sim.model.transit`);
the migrants' timers fire (:mod:`sim.model.timers`; a person leaving for
another Nordic country gets their case there at once:
:mod:`sim.model.movers`); on every seventh day the attachés follow requests
up (:mod:`sim.model.attaches`); the transit route's day passes; the third
countries answer requests (:mod:`sim.model.documents`); the day's escorted
flights and charters leave; each country's migration agency and police
work; the charter desks (:mod:`sim.model.charters`) and the transport
services book seats; the removal risk people observe is updated
(:mod:`sim.model.enforcement`); the day's stocks and queues are counted. A
finished run gives its register, transition, flight and stock tables and the
counts its metrics read (:mod:`sim.model.results`).
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd

from sim.model import values as kp
from sim.model.agency import MigrationAgencyOffice, new_agencies
from sim.model.attaches import authorities_and_attaches
from sim.model.cases import Codes
from sim.model.charters import CharterDesks
from sim.model.documents import new_authorities, set_attache_effects
from sim.model.documents import work_day as documents_day
from sim.model.enforcement import EnforcementSignal, set_factors, take_removals
from sim.model.engine import new_engine
from sim.model.migrants import Migrants
from sim.model.movers import SecondaryMovement
from sim.model.moves import open_cases
from sim.model.other_removals import other_removals_day
from sim.model.police import PoliceUnit, new_police
from sim.model.results import (
    COUNTED,
    FLOWS,
    CountryTotals,
    Tally,
    case_register,
    count_classes,
    count_stocks,
    country_counts,
    flight_table,
    stock_table,
    transition_table,
)
from sim.model.streams import Streams, stream_key
from sim.model.timeline import move_into_centres, redraw_open_cases, write_values
from sim.model.timers import fire_timers
from sim.model.transit import ROUTE_CASES, RouteDecisions
from sim.model.transport import TransportService, fly_escorted, new_transport
from sim.params.history import year_bounds
from sim.params.schema import ScenarioParams
from sim.params.timeline import changes_hazards, moves_open_cases

CASES = 0
"""The engine's stream column of each country's direct arrivals' case seeds."""
CASE_ROOM = 1.1
"""Rows made at the start per expected case (the decisions a run expects; movers' cases in another country
come on top): not a model value, only memory (too few rows double the tables once)."""


class ReturnModel(mesa.Model):
    """One replication of a scenario on the kernels."""

    def __init__(self, s: ScenarioParams, replication: int = 0) -> None:
        """Build every state object and agency from the validated parameters ``s``.

        Replication ``r`` uses sub-streams of the seed.
        """
        streams = Streams(s.seed, replication)
        super().__init__(rng=streams.mesa_seed)
        self.params = s
        self.replication = replication
        self.codes = list(s.countries)
        self.end_day = s.warmup_days + s.horizon_days
        self.country_streams = [streams.for_country(code) for code in self.codes]
        self.route = RouteDecisions(s, self.codes, streams, self.country_streams)
        self.transit = self.route.flows
        """The North African transit route's flows (``transit``), or none."""

        def keys(purpose: str) -> np.ndarray:
            return np.array([stream_key(st.sequences[purpose]) for st in self.country_streams], dtype=np.uint64)

        v = kp.values_in_force(s, self.codes)
        stages = s.stages()
        self.engine = new_engine(
            len(self.codes),
            len(s.origins),
            self.end_day,
            v["engine", "rates"],
            v["engine", "values"],
            np.stack([keys("cases"), keys("mover_cases"), keys("route_cases")], axis=1),
            log=s.output.transitions,
            cases=int(CASE_ROOM * s.expected_cases(stages)) + 1024,
        )
        self.agency = new_agencies(v["agency", "values"], keys("agency"))
        self.police = new_police(
            v["police", "values"],
            v["police", "answer_soon"],
            v["police", "locate_multiplier"],
            v["police", "takes_forced"],
            v["police", "other_values"],
            keys("police"),
            keys("detention_planning"),
            keys("other_removals"),
        )
        self.channels = kp.request_channels(s, self.codes)
        """Per country and origin, the channel its document requests go through."""
        self.authorities = new_authorities(
            v["authorities", "origin_values"],
            v["authorities", "channel_days"],
            v["authorities", "document_bonus"],
            v["authorities", "avr_bonus"],
            s.attaches.relationship_accept_effect,
            s.attaches.network_spillover,
            stream_key(streams.sequences["third_country"]),
        )
        self.transport = new_transport(v["transport", "values"], v["transport", "seats_per_week"], keys("transport"))
        e = self.engine
        self.casework = [
            (MigrationAgencyOffice(self, code, c, e, self.agency), PoliceUnit(self, code, c, e, self.police))
            for c, code in enumerate(self.codes)
        ]
        """Each country's migration agency and police, in the countries' order."""
        self.transport_services = [
            TransportService(self, code, c, e, self.transport, self.police) for c, code in enumerate(self.codes)
        ]
        self.charters = CharterDesks(s, self.codes, streams)
        self.movement = SecondaryMovement(s, self.codes, self.country_streams)
        self.third_countries, self.attaches = authorities_and_attaches(self, s, self.codes, self.authorities)
        """Each origin's authority (by name) and every attaché posted, as Mesa agents (:mod:`sim.model.attaches`)."""
        self.origins = list(s.origins)
        self.migrants = Migrants(self.engine, Codes(self.origins, self.codes))
        """Every case opened so far, readable as agents (``migrants[i].state``, ``.origin``, ``.history``)."""
        self.origin_cdf = kp.origin_cdf(s)
        """Cumulative shares of the origins, in their configured order (arrivals' origins are drawn on it)."""
        self.signal = EnforcementSignal(s.behaviour.enforcement_feedback, len(self.codes), len(self.origins))
        """The removal risk people observe, per country and origin, and the departure hazards' factors."""
        self.counted = np.zeros((self.end_day, len(self.codes), len(COUNTED)))
        """Each day's stocks, queues and places per country (:data:`sim.model.results.COUNTED`)."""
        self.year_ends = {s.warmup_days + last for _, _, last in year_bounds(s.history, s.horizon_days)}
        """Model days that end a year of the horizon: the police's classes are counted on them."""
        self.classes: list[tuple[int, str, int, int, int]] = []
        """At each year's end, per country: the day and the workable police cases by class (green, yellow, red)."""
        self.flows = np.zeros((self.end_day, len(self.codes), len(FLOWS)))
        """Each day's counts so far of :data:`sim.model.results.FLOWS` per country."""
        self.risks = np.zeros((self.end_day, len(self.codes)))
        """Each day's observed removal risk per country, all origins together."""
        self.at_warmup = [(Tally(), Tally()) for _ in self.codes]
        """Each country's events and costs at the end of the warm-up."""
        self.stages = {
            day: (values, changes_hazards(change.set), moves_open_cases(change.set))
            for (day, values), change in zip(stages, s.changes(), strict=True)
        }
        """Model day -> the values in force from then, whether the hazards changed, the countries taking cases in."""

    def run(self) -> None:
        """Run every day of the warm-up and the horizon on Mesa's clock."""
        self.run_until(self.end_day)

    def step(self) -> None:
        """Mesa's step: the day ending at the model's time."""
        self.day(int(self.time))

    @property
    def cases_opened(self) -> int:
        """Cases opened so far in every country (a mover's case in each country it reached)."""
        return int(self.engine.size)

    @property
    def events_processed(self) -> int:
        """Migrant timers fired so far (the unit of the engine's cost)."""
        return int(self.engine.fired[0])

    def day(self, t: int) -> None:
        """One day, in the order the module describes."""
        e = self.engine
        stage = self.stages.get(t)
        if stage is not None:
            self.apply(*stage, t - 1.0)
        for c in range(len(self.codes)):
            self._arrivals(c, t)
        while True:
            mover, left, when = fire_timers(e, self.agency, self.police, t)
            if mover < 0:
                break
            self.movement.leave(e, mover, left, when)
        if t % 7 == 0:  # Mesa runs the attachés' weekly event before the day's work (created earlier)
            for attache in self.attaches:
                attache.work_week(self.params, e, float(t))
        self.route.work_day(self.params, t)
        documents_day(self.authorities, e, self.police, t)
        charters = fly_escorted(self.transport, e, self.police, t)
        self.charters.fly(e, self.transport, self.police, charters, t)
        for c in range(len(self.codes)):
            other_removals_day(self.police, e, self.transport, c, t)
        for office, police in self.casework:
            office.work_day(t)
            police.work_day(t)
        self.charters.plan(e, self.transport, self.police, t)
        for service in self.transport_services:
            service.booking_day(t)
        self._observe_removals()
        for c in range(len(self.codes)):
            count_stocks(e, self.agency, c, self.counted[t - 1, c], self.flows[t - 1, c])
        self.risks[t - 1] = self.signal.pooled_risk
        if t in self.year_ends:
            self.classes += [(t, code, *count_classes(self.police, e, c)) for c, code in enumerate(self.codes)]
        if t == self.params.warmup_days:
            self.at_warmup = [self._counts(c) for c in range(len(self.codes))]
            if self.transit is not None:
                self.transit.end_warmup()

    def apply(self, values: ScenarioParams, hazards_changed: bool, take_in: list[str], t: float) -> None:
        """Work with the timeline's ``values`` from ``t`` (as :meth:`sim.model.model.ReturnModel.apply`)."""
        if values.flights.mode != self.params.flights.mode:
            self.charters.regroup(values)
        self.params = self.charters.s = self.movement.s = values
        parts = ("engine", "agency", "police", "authorities", "transport")
        write_values({name: getattr(self, name) for name in parts}, kp.values_in_force(values, self.codes))
        att = values.attaches
        set_attache_effects(self.authorities, att.relationship_accept_effect, att.network_spillover)
        self.origin_cdf = kp.origin_cdf(values)
        for c, code in enumerate(self.codes):
            if code in take_in:
                draw = self.country_streams[c].py["rehousing"].random
                move_into_centres(self.engine, c, values.nations[code], draw, t)
        if hazards_changed:
            redraw_open_cases(self.engine, t)

    def _arrivals(self, c: int, t: int) -> None:
        """New decisions during day ``(t-1, t]``.

        People who came from another Nordic country and applied again; a
        Poisson number of direct decisions at uniform times; those due from
        the transit route.
        """
        self.movement.decide(self.engine, c, t)
        rng = self.country_streams[c].np["arrivals"]
        n = int(rng.poisson(self.route.direct_per_year(self.params, c) / 365.0))
        if n:
            self._open(c, np.sort(t - rng.random(n)), rng, CASES)
        days = self.route.due(c, t)
        if days:
            self._open(c, np.array(days), self.route.arrivals[c].rng, ROUTE_CASES)

    def _open(self, c: int, days: np.ndarray, rng: np.random.Generator, stream: int) -> None:
        """Cases decided on ``days`` in country ``c``: traits drawn from ``rng``, seeds from the engine's ``stream``."""
        s, params = self.params, self.params.nations[self.codes[c]]
        n = len(days)
        cdf = self.origin_cdf
        origins = np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(cdf) - 1)
        b = s.behaviour
        sigma = b.willingness_sigma
        willingness = rng.lognormal(-0.5 * sigma * sigma, sigma, n) if sigma > 0 else np.ones(n)
        p = np.array([b.has_identity_document_share, b.vulnerable_share, b.family_share, params.return_centre_share])
        traits = rng.random((n, 4)) < p
        propensity = willingness**-b.abscond_willingness_exponent
        open_cases(self.engine, c, stream, days, origins.astype(np.int64), willingness, propensity, traits)

    def _counts(self, c: int) -> tuple[Tally, Tally]:
        events, costs = country_counts(self.engine, self.transport, self.authorities, self.charters, self.channels, c)
        kept = ((self.movement.events[c], events), (self.route.events[c], events), (self.route.costs[c], costs))
        for tally, into in kept:  # counts kept in Python: movers, the route's decisions and its places' cost
            for name, amount in tally.items():
                into[name] += amount
        return events, costs

    @property
    def countries(self) -> dict[str, CountryTotals]:
        """Each country's event and cost counts, now and at the end of the warm-up, by code."""
        return {code: CountryTotals(code, *self._counts(c), *self.at_warmup[c]) for c, code in enumerate(self.codes)}

    def case_register(self) -> pd.DataFrame:
        """Every case, closed or open, one row each, with the replication number."""
        return case_register(self.engine, Codes(self.origins, self.codes), self.replication)

    def transitions(self) -> pd.DataFrame | None:
        """Every state change (``from_state`` -1 marks a new decision), if ``output.transitions`` is on."""
        if not self.params.output.transitions:
            return None
        return transition_table(self.engine, self.replication)

    def flights(self) -> pd.DataFrame:
        """One row per charter flown, with returnees and who paid."""
        return flight_table(self.transport, self.charters, self.codes, self.replication)

    def stocks(self) -> pd.DataFrame:
        """The daily stock series, one row per day and country."""
        return stock_table(self.counted, self.risks, self.flows, self.codes, self.replication)

    def police_classes(self) -> pd.DataFrame:
        """The workable police cases by class at each year's end, one row per year and country."""
        columns = ["day", "country", "police_green", "police_yellow", "police_red"]
        return pd.DataFrame(self.classes, columns=columns).assign(replication=self.replication)

    def detentions(self) -> pd.DataFrame:
        """Every detention entry of a return case: the case (``migrant_id``) and the day."""
        e = self.engine
        log = e.detained_log[: e.detained_logged]
        ids = e.history["migrant_id"][log["row"]]
        return pd.DataFrame({"replication": self.replication, "migrant_id": ids, "day": log["day"]})

    def _observe_removals(self) -> None:
        """The removal risk people observe moves on a day; the departure hazards' factors follow."""
        open_decisions, removed = take_removals(self.engine, self.transport)
        self.signal.observe(open_decisions, removed)
        set_factors(self.engine, self.signal.factors)
