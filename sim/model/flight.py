"""A booked departure: an escorted seat, a national or joint charter, or seats on an EU operation."""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.model.agents.migrant import Migrant
from sim.model.tally import Tally


@dataclass(slots=True)
class Flight:
    """A booked departure: an escorted seat, a national or joint charter, or seats on an EU operation."""

    flight_id: int
    day: float
    destination: str
    kind: str
    """``escorted``, ``charter`` (one country), ``joint_charter`` (several) or ``eu_operation``."""
    organiser: str
    """Country code of the organiser; ``EU`` for another member state's operation."""
    passengers: list[Migrant]
    seats: int
    cost: float
    """What the organiser pays for the aircraft (0 for escorted seats and EU operations)."""
    boarded: Tally = field(default_factory=Tally)
    """Returnees boarded by country (charters only, counted when flown; empty until then)."""
    paid: Tally = field(default_factory=Tally)
    """Charter cost and transfer cost paid by each country (charters only, shared when flown; empty until then)."""
    frontex_paid: Tally = field(default_factory=Tally)
    """Frontex's contribution, by the country whose returnees it covered (charters only)."""
    monitored: bool = False
    """Whether independent observers are on board (``monitoring``)."""
    monitoring_paid: Tally = field(default_factory=Tally)
    """The observers' cost paid by each country (monitored charters only, shared when flown; empty until then)."""
    boarding_closes: float = -1.0
    """Last day a returnee who becomes ready can still take a free seat (jointly planned charters only)."""

    @property
    def is_charter(self) -> bool:
        """Whether this is an aircraft chartered for returnees (not a seat on a scheduled flight)."""
        return self.kind != "escorted"

    def seats_taken(self) -> int:
        """Passengers still booked on this flight (those released or absconded since have left their seat)."""
        return sum(1 for m in self.passengers if m.booked_on is self)
