"""The North African transit route: its parameters, and the share of the Nordic decisions it supplies.

The Nordic ministers' third initiative (Copenhagen 2023, seed 000) offers
migrants stranded in North Africa assisted voluntary return to their origin
country with help to settle there. No source gives the route's size or flows:
every constant here is an assumption, with its range and reason in
``configs/assumptions/levers.yaml``.

A country's ``decisions_per_year`` stays the figure it is calibrated on, the
*total*. With the route on, a part of it comes through the route: the model
draws only the rest directly, and the route's onward movers supply the part
it expects with no programme (:func:`route_decisions_per_year`). A programme
that empties the transit stock then lowers the total through the process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sim.params.checks import PROB, ConfigError, one_of, required, value_range


@dataclass
class Transit:
    """Stranded migrants in North Africa, their onward movement and the Nordic-funded return places."""

    mode: str = one_of("none", "north_africa")
    inflow_per_year: float = required()
    """People newly stranded on the route within the programme's reach each year."""
    onward_rate_per_year: float = required()
    """Hazard of setting out for Europe (per person and year)."""
    other_exit_rate_per_year: float = required()
    """Hazard of leaving the stock otherwise: settling, moving elsewhere, returning on one's own."""
    nordic_share: float = required(PROB)
    """Share of onward movers who apply for asylum in a Nordic country."""
    refusal_share: float = required(PROB)
    """Share of those applicants who get a final decision to leave (the rest are granted protection)."""
    asylum_days: float = required(value_range(1.0))
    """Mean days from arriving in a Nordic country to the final decision."""
    places_per_year: float = required()
    """Lever: assisted-return places the Nordic countries fund each year (0: no programme)."""
    support_eur: float = required()
    """Lever: reintegration support per returnee in the origin country."""
    application_rate_per_year: float = required()
    """Hazard of applying for a place while places are offered, with no support (per person and year)."""
    support_uptake_gain: float = required()
    """Relative rise in applications at full support effect (0: support draws no one)."""
    support_half_eur: float = required(value_range(1.0))
    """Support at which half of its full effect is reached (a saturating response)."""
    remigration_share: float = required(PROB)
    """Share of returnees without support who set out again and re-enter the transit stock."""
    support_remigration_reduction: float = required(PROB)
    """Share of re-migration that full support effect prevents (0: support keeps no one home)."""
    remigration_days: float = required(value_range(1.0))
    """Mean days from return to re-entering the transit stock."""
    cost_per_return: float = required()
    """EUR per assisted return (travel, documents, reception), besides the support."""

    def support_effect(self) -> float:
        """How much of its full effect the support level has: ``s / (s + support_half_eur)``, 0 to 1."""
        return self.support_eur / (self.support_eur + self.support_half_eur)

    def equilibrium_stock(self) -> float:
        """The transit stock with no programme: inflow balanced by onward movement and other exits."""
        return self.inflow_per_year / (self.onward_rate_per_year + self.other_exit_rate_per_year)


class _Nation(Protocol):
    decisions_per_year: float


def destination_weights(nations: Mapping[str, _Nation]) -> dict[str, float]:
    """Where the route's Nordic applicants go: in proportion to each Nordic country's decisions (A)."""
    total = sum(n.decisions_per_year for n in nations.values())
    return {code: n.decisions_per_year / total for code, n in nations.items()}


def route_decisions_per_year(transit: Transit, nations: Mapping[str, _Nation]) -> dict[str, float]:
    """Each country's decisions a year that come through the route with no programme (0 with the route off)."""
    if transit.mode == "none":
        return {code: 0.0 for code in nations}
    nordic = transit.equilibrium_stock() * transit.onward_rate_per_year * transit.nordic_share * transit.refusal_share
    return {code: nordic * w for code, w in destination_weights(nations).items()}


def check_transit(transit: Transit, stages: list[Mapping[str, _Nation]]) -> None:
    """The route has a balanced stock and a destination, and supplies only a part of each country's decisions.

    ``stages``: the nations at the start and after each change of the timeline;
    the route's part, at the start's flows, must stay below every country's
    decisions in each (:class:`sim.model.transit.RouteArrivals`).
    """
    if transit.mode == "none":
        return
    if transit.onward_rate_per_year + transit.other_exit_rate_per_year <= 0:
        raise ConfigError(
            "transit: nobody would ever leave the route's stock; set transit.onward_rate_per_year or "
            "transit.other_exit_rate_per_year above 0"
        )
    for nations in stages:
        if sum(n.decisions_per_year for n in nations.values()) <= 0:
            raise ConfigError("transit: the route's applicants need a destination; every decisions_per_year is 0")
        for code, via_route in route_decisions_per_year(transit, nations).items():
            if via_route >= nations[code].decisions_per_year > 0:
                raise ConfigError(
                    f"transit: the route would supply {via_route:,.0f} of nations.{code}.decisions_per_year="
                    f"{nations[code].decisions_per_year:,.0f} a year; lower transit.inflow_per_year, "
                    "transit.nordic_share or transit.refusal_share"
                )
