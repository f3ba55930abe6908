"""The interfaces through which a country's agencies, the authorities and the model reach each other.

Agents import these Protocols, never the classes that implement them, so the
agents' modules form no import circle: a police unit asks "the transport
service of my country" (:class:`Transport`) to take a case, whatever class
does the job. Each Protocol lists only what the other agents use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Protocol

from mesa.time import Priority, Schedule

from sim.model.agents.migrant import Migrant
from sim.model.enforcement import EnforcementSignal
from sim.model.flight import Flight
from sim.model.hazards import Timers
from sim.model.information import InformationEffects
from sim.model.route_arrivals import RouteArrivals
from sim.model.streams import Streams, StreamSet
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

    code: str
    params: CountryParams
    avr: Avr
    colocation: Colocation
    info_sharing: InfoSharing
    field_effects: dict[str, FieldEffects]
    streams: StreamSet
    costs: Counter[str]
    events: Counter[str]
    enforcement: EnforcementSignal
    agency: Agency
    police: Police
    transport: Transport
    detention: DetentionPlaces
    charter_desk: Charters
    information: InformationEffects
    open_cases: dict[int, Migrant]
    route: RouteArrivals

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

    time: float
    params: ScenarioParams
    streams: Streams
    countries: dict[str, Country]
    third_countries: dict[str, Authority]
    flight_schedule: Bookings
    clock: Timers

    def next_case_id(self) -> int: ...
    def schedule_recurring(
        self, function: Callable[[], object], schedule: Schedule, priority: Priority = ...
    ) -> object: ...
