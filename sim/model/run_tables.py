"""What a finished run of either engine gives: its stock and flight tables' columns, and the counts its metrics read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from sim.model.states import ACTIVE

if TYPE_CHECKING:
    from sim.model.tally import Tally
    from sim.params.schema import ScenarioParams

STOCK_COLUMNS = (
    "day",
    "country",
    *(s.label for s in ACTIVE),
    "departure_position",
    "wanted",
    "talk_queue",
    "police_queue",
    "flight_queue",
    "detention_occupied",
    "detention_places",
    "return_centre_occupied",
    "removal_risk",
)
"""One row per day and country: the open states' stocks, the queues, the places and the observed removal risk."""

FLIGHT_COLUMNS = (
    "flight_id",
    "day",
    "destination",
    "kind",
    "organiser",
    "seats",
    "boarded_total",
    "country",
    "boarded",
    "paid_by_country",
    "paid_by_frontex",
    "monitored",
    "paid_for_monitoring",
)
"""One row per charter (or EU operation) and country on board: returnees and who paid."""


class RouteCounts(Protocol):
    """What the metrics read of the transit route: its flows now and at the warm-up's end, and its stock."""

    @property
    def stock(self) -> int:
        """People stranded on the route now."""

    @property
    def events(self) -> Tally:
        """The route's flows so far, by name."""

    @property
    def events_at_warmup(self) -> Tally:
        """The route's flows at the end of the warm-up."""


class CountryCounts(Protocol):
    """What the metrics read of a country besides its cases: costs and event counts, now and at the warm-up's end."""

    @property
    def code(self) -> str:
        """The country's code."""

    @property
    def costs(self) -> Tally:
        """Costs so far, by item."""

    @property
    def events(self) -> Tally:
        """Events so far, by name."""

    @property
    def costs_at_warmup(self) -> Tally:
        """Costs at the end of the warm-up."""

    @property
    def events_at_warmup(self) -> Tally:
        """Events at the end of the warm-up."""


class FinishedRun(Protocol):
    """What the metrics read of a finished run of either engine besides its tables (properties: read-only)."""

    @property
    def params(self) -> ScenarioParams:
        """The parameters it ran with."""

    @property
    def replication(self) -> int:
        """Its replication number."""

    @property
    def end_day(self) -> int:
        """Its last day."""

    @property
    def countries(self) -> Mapping[str, CountryCounts]:
        """Each country's counts, by code."""

    @property
    def transit(self) -> RouteCounts | None:
        """The transit route, if the scenario has one."""
