"""The return-process model (Mesa 3.5): arrivals, migrant timers and daily agency work.

Based on the process described by the Swedish national audit office (RiR
2020:7), the migration agency's and police's co-location reports, and the
Nordic ministers' 2023 initiatives (see ``data/published_figures.csv`` for the figures used).

Each day the model (1) creates the day's new decisions and fires the migrant
timers due, in Mesa's ``step`` (high priority), then (2) in one recurring
event with a fixed order: the North African transit route's flows (when
``transit`` is on), third-country authorities answer requests, the
day's flights leave, each country's migration agency and police work, the
charter desks book charters and the transport services escorted seats; and
(3) records the stocks (low priority). Attachés work on their own weekly
recurring events.
"""

from __future__ import annotations

import logging

import mesa
import pandas as pd
from mesa.time import Priority, Schedule

from sim.model.agents.attache import Attache
from sim.model.agents.charter_desk import CharterDesk
from sim.model.agents.third_country import ThirdCountryAuthority
from sim.model.agents.transit import TransitRoute
from sim.model.clock import MigrantClock
from sim.model.country import CountrySystem
from sim.model.flight_schedule import FlightSchedule
from sim.model.register import CaseRegister, register_frame
from sim.model.run_tables import FLIGHT_COLUMNS, STOCK_COLUMNS
from sim.model.states import ACTIVE, State
from sim.model.streams import Streams
from sim.params.schema import ScenarioParams
from sim.params.timeline import changes_hazards, moves_open_cases

logging.getLogger("MESA").setLevel(logging.WARNING)


class ReturnModel(mesa.Model):
    """Return process of one or more countries from decision to departure, absconding or expiry."""

    def __init__(self, params: ScenarioParams, replication: int = 0) -> None:
        """Build agencies and authorities from ``params``; replication ``r`` uses sub-streams of the seed."""
        self.streams = Streams(params.seed, replication)
        super().__init__(rng=self.streams.mesa_seed)
        self.params = params
        stages = list(zip(params.stages(), params.timeline, strict=True))
        self.replication = replication
        self.end_day = params.warmup_days + params.horizon_days
        self.clock = MigrantClock(self.end_day)
        self._case_ids = 0
        self.third_countries = {
            name: ThirdCountryAuthority(self, name, origin) for name, origin in params.origins.items()
        }
        self.countries = {code: CountrySystem(self, params.nations[code], params) for code in params.countries}
        self.transit = TransitRoute(self) if params.transit.mode != "none" else None
        """The North African transit route (``transit``), or none."""
        self.flight_schedule = FlightSchedule(params.flights, params.monitoring, self.countries)
        members = list(self.countries.values())
        pooled = params.flights.mode != "national"
        self.charter_desks: list[CharterDesk] = []
        for group in [members] if pooled else [[c] for c in members]:
            desk = CharterDesk(self, group)
            self.charter_desks.append(desk)
            for c in group:
                c.charter_desk = desk
        self.attaches = [
            Attache(self, c, self.third_countries[post])
            for c in self.countries.values()
            for post in c.params.attache_posts
        ]
        self.stages = {
            day: (values, changes_hazards(change.set), moves_open_cases(change.set)) for (day, values), change in stages
        }
        """Model day -> the values in force from then, whether the cases' hazards changed and the countries whose
        open cases move into centres (``timeline``)."""
        self.datacollector = mesa.DataCollector(tables={"stocks": list(STOCK_COLUMNS)})
        self.schedule_recurring(self.working_day, Schedule(interval=1, start=1))
        self.schedule_recurring(self.collect, Schedule(interval=1, start=1), priority=Priority.LOW)

    def step(self) -> None:
        """A change of the timeline due today, the new decisions of the day, then every migrant timer due by its end."""
        t = self.time
        stage = self.stages.get(int(t))
        if stage is not None:
            self.apply(*stage, t - 1.0)
        for country in self.countries.values():
            country.arrivals(t)
        self.clock.run_day(int(t))

    def apply(self, values: ScenarioParams, hazards_changed: bool, take_in: list[str], t: float) -> None:
        """Work with the timeline's ``values`` from time ``t`` (the start of the day the change is due).

        Agencies, authorities, charter desks and arrivals read their values
        where they act, so a new capacity or lever acts from today. A country
        in ``take_in`` (the change set its ``centre_moves_open_cases`` on) takes
        open cases into its centres.
        When the migrants' hazards changed, every open case draws its next
        transition again from ``t`` (exact: hazards are memoryless).
        """
        self.params = values
        self.flight_schedule.cfg = values.flights
        self.flight_schedule.monitoring = values.monitoring
        for desk in self.charter_desks:
            desk.cfg = values.flights
        for name, authority in self.third_countries.items():
            authority.origin = values.origins[name]
        for code, country in self.countries.items():
            country.adopt(values)
            country.transport.retune()
            if code in take_in:
                country.return_centre.take_in(t)
        if hazards_changed:
            for country in self.countries.values():
                for m in list(country.open_cases.values()):
                    m.reschedule(t)

    def working_day(self) -> None:
        """The transit route's day; authorities answer, flights leave, agencies work; charters and seats are booked."""
        t = int(self.time)
        if self.transit is not None:
            self.transit.work_day(t)
        for authority in self.third_countries.values():
            authority.work_day(t)
        self.flight_schedule.fly(t)
        for country in self.countries.values():
            country.casework_day(t)
        for desk in self.charter_desks:
            desk.plan(t)
        for country in self.countries.values():
            country.booking_day(t)

    def collect(self) -> None:
        """Record today's stocks and queues for each country."""
        t = int(self.time)
        if t == self.params.warmup_days:
            for c in self.countries.values():
                c.end_warmup()
            if self.transit is not None:
                self.transit.end_warmup()
        for code, c in self.countries.items():
            row = {"day": t, "country": code}
            for s in ACTIVE:
                row[s.label] = c.stock[s]
            row["departure_position"] = sum(c.stock[s] for s in ACTIVE if s != State.ABSCONDED)
            row.update(
                wanted=len(c.police.wanted),
                talk_queue=len(c.agency.talk_queue),
                police_queue=len(c.police.casework),
                flight_queue=len(c.transport.queue),
                detention_occupied=c.detention.occupied,
                detention_places=c.detention.places,
                return_centre_occupied=c.return_centre.occupied,
                removal_risk=c.enforcement.pooled_risk(),
            )
            self.datacollector.add_table_row("stocks", row)

    def next_case_id(self) -> int:
        """A new case number, unique across countries."""
        self._case_ids += 1
        return self._case_ids

    def run(self) -> None:
        """Run the warm-up and the measured horizon."""
        self.run_until(self.end_day)

    @property
    def cases_opened(self) -> int:
        """Cases opened so far in every country (a mover's case in each country it reached)."""
        return self._case_ids

    @property
    def events_processed(self) -> int:
        """Migrant timers fired so far (the unit of the engine's cost)."""
        return self.clock.fired

    def case_register(self) -> pd.DataFrame:
        """Every case, closed or open, one row each, with the replication number."""
        countries = self.countries.values()
        df = register_frame(
            [*(c.register for c in countries), *(CaseRegister.of(c.open_cases.values()) for c in countries)]
        )
        df.insert(0, "replication", self.replication)
        return df

    def transitions(self) -> pd.DataFrame | None:
        """Every state change (``from_state`` -1 marks a new decision), if ``output.transitions`` is on."""
        logs = [c.transitions for c in self.countries.values() if c.transitions is not None]
        if not logs:
            return None
        rows = [row for log in logs for row in log]
        df = pd.DataFrame.from_records(rows, columns=["migrant_id", "day", "from_state", "to_state"])
        df.insert(0, "replication", self.replication)
        return df

    def flights(self) -> pd.DataFrame:
        """One row per charter (or EU operation) and country on board, with returnees and who paid."""
        rows = [
            (
                f.flight_id,
                f.day,
                f.destination,
                f.kind,
                f.organiser,
                f.seats,
                sum(f.boarded.values()),
                code,
                n,
                f.paid[code],
                f.frontex_paid[code],
                f.monitored,
                f.monitoring_paid[code] if f.monitoring_paid else 0.0,
            )
            for f in self.flight_schedule.charters
            for code, n in (f.boarded or {f.organiser: 0}).items()
        ]
        df = pd.DataFrame.from_records(rows, columns=list(FLIGHT_COLUMNS))
        df.insert(0, "replication", self.replication)
        return df

    def stocks(self) -> pd.DataFrame:
        """The daily stock series, one row per day and country."""
        df = self.datacollector.get_table_dataframe("stocks")
        df.insert(0, "replication", self.replication)
        return df
