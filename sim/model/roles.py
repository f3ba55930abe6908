"""The interfaces through which a country's agencies, the authorities and the model reach each other.

Agents import these Protocols, never the classes that implement them, so the
agents' modules form no import circle: a police unit asks "the transport
service of my country" (:class:`Transport`) to take a case, whatever class
does the job. Each Protocol lists only what the other agents use. What an
agent reads of the country or the model is a read-only property: the agents
do not replace them, and a read-only member admits the concrete class (a
``MigrationAgency`` is an :class:`Agency`), which a settable one would not.
``tests/test_types.py`` checks that every class passed as a role fits it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from mesa.time import Priority, Schedule

from sim.model.agents.migrant import Migrant
from sim.model.enforcement import EnforcementSignal
from sim.model.flight import Flight
from sim.model.hazards import Timers
from sim.model.information import InformationEffects
from sim.model.route_arrivals import RouteArrivals
from sim.model.streams import Streams, StreamSet
from sim.model.tally import Tally
from sim.params.levers import Avr, Colocation, FieldEffects, InfoSharing
from sim.params.schema import CountryParams, Origin, ScenarioParams


class Agency(Protocol):
    """The migration agency (:class:`sim.model.agents.migration_agency.MigrationAgency`)."""

    def open_return_case(self, m: Migrant, t: float) -> None: ...
    def notice_abscond(self, m: Migrant, t: float, reporting_days: float) -> None: ...


class Police(Protocol):
    """The police (:class:`sim.model.agents.police.PoliceUnit`)."""

    def intake(self, m: Migrant, fields: frozenset[str], day: float) -> None: ...
    def notice_abscond(self, m: Migrant, t: float, reporting_days: float) -> None: ...
    def receive_located(self, m: Migrant, t: float) -> None: ...
    def enqueue(self, m: Migrant) -> None: ...
    def documents_refused(self, m: Migrant, t: float) -> None: ...
    def flight_booked(self, m: Migrant, t: float, flight: Flight) -> None: ...


class Transport(Protocol):
    """The transport service (:class:`sim.model.agents.transport.TransportService`)."""

    def enqueue(self, m: Migrant) -> None: ...
    def waiting(self, destination: str) -> list[Migrant]: ...
    def booked(self, m: Migrant, t: float, flight: Flight) -> None: ...
    def remove(self, m: Migrant, flight: Flight, t: int) -> bool: ...


class DetentionPlaces(Protocol):
    """Detention places (:class:`sim.model.places.Detention`)."""

    def request(self, m: Migrant, t: float) -> bool: ...
    def release(self, m: Migrant, t: float) -> None: ...


class Charters(Protocol):
    """The charter desk that books a country's charters (:class:`sim.model.agents.charter_desk.CharterDesk`)."""

    def board_late(self, m: Migrant, t: float) -> bool: ...


class Country(Protocol):
    """A country's return system as its agencies see it (:class:`sim.model.country.CountrySystem`)."""

    @property
    def code(self) -> str: ...
    @property
    def params(self) -> CountryParams: ...
    @property
    def avr(self) -> Avr: ...
    @property
    def colocation(self) -> Colocation: ...
    @property
    def info_sharing(self) -> InfoSharing: ...
    @property
    def field_effects(self) -> dict[str, FieldEffects]: ...
    @property
    def streams(self) -> StreamSet: ...
    @property
    def costs(self) -> Tally: ...
    @property
    def events(self) -> Tally: ...
    @property
    def enforcement(self) -> EnforcementSignal: ...
    @property
    def agency(self) -> Agency: ...
    @property
    def police(self) -> Police: ...
    @property
    def transport(self) -> Transport: ...
    @property
    def detention(self) -> DetentionPlaces: ...
    @property
    def charter_desk(self) -> Charters: ...
    @property
    def information(self) -> InformationEffects: ...
    @property
    def open_cases(self) -> dict[int, Migrant]: ...
    @property
    def route(self) -> RouteArrivals: ...

    def documents_decided(self, m: Migrant, accepted: bool, forced: bool, t: float) -> None: ...
    def receive_mover(self, m: Migrant, t: float) -> None: ...


class Authority(Protocol):
    """A third country's authority (:class:`sim.model.agents.third_country.ThirdCountryAuthority`)."""

    origin: Origin

    def request(self, m: Migrant, country: Country, forced: bool, t: float) -> None: ...
    def embassy_for(self, country_code: str) -> str | None: ...


class Bookings(Protocol):
    """The model's flight schedule (:class:`sim.model.flight_schedule.FlightSchedule`)."""

    def book(
        self,
        day: float,
        destination: str,
        kind: str,
        organiser: str,
        passengers: list[Migrant],
        seats: int,
        cost: float,
        t: float,
    ) -> Flight: ...


class World(Protocol):
    """The model as agents see it (:class:`sim.model.model.ReturnModel`, a ``mesa.Model``)."""

    @property
    def time(self) -> float: ...
    @property
    def params(self) -> ScenarioParams: ...
    @property
    def streams(self) -> Streams: ...
    @property
    def countries(self) -> Mapping[str, Country]: ...
    @property
    def third_countries(self) -> Mapping[str, Authority]: ...
    @property
    def flight_schedule(self) -> Bookings: ...
    @property
    def clock(self) -> Timers: ...

    def next_case_id(self) -> int: ...
    def schedule_recurring(
        self, function: Callable[[], object], schedule: Schedule, priority: Priority = ...
    ) -> object: ...
