"""Each country's agencies as Mesa agents that do their day's work on the compiled kernels.

On the compiled engine the cases are rows of one table (:mod:`sim.model.engine`),
not agents; the agencies that work on them stay agents, one per country and
agency. Each holds its country's position and the state its kernel works on,
and its day is one kernel call on its country's rows: the migration agency's
return talks and handovers, the police's casework and searches, the transport
service's escorted seats. The model calls them in the interpreted model's
order (:meth:`sim.model.compiled_run.CompiledRun.day`).
"""

from __future__ import annotations

import mesa

from sim.model.agency_kernel import AgencyState
from sim.model.agency_kernel import work_day as agency_day
from sim.model.engine import EngineState
from sim.model.police_kernel import work_day as police_day
from sim.model.police_state import PoliceState
from sim.model.transport_kernel import book_escorted
from sim.model.transport_state import TransportState


class MigrationAgencyOffice(mesa.Agent):
    """A country's migration agency: return talks, assisted-return grants, handovers to the police."""

    def __init__(self, model: mesa.Model, code: str, c: int, engine: EngineState, agency: AgencyState) -> None:
        """The office of country ``code`` (position ``c``) working on ``engine``'s cases with ``agency``'s state."""
        super().__init__(model)
        self.code, self.c, self.engine, self.agency = code, c, engine, agency

    def work_day(self, t: int) -> None:
        """The day's talks and handovers, by the office's capacity."""
        agency_day(self.agency, self.engine, self.c, t)


class PoliceUnit(mesa.Agent):
    """A country's police: the handovers' casework, searches for the wanted, detention decisions."""

    def __init__(self, model: mesa.Model, code: str, c: int, engine: EngineState, police: PoliceState) -> None:
        """The police of country ``code`` (position ``c``) working on ``engine``'s cases with ``police``'s state."""
        super().__init__(model)
        self.code, self.c, self.engine, self.police = code, c, engine, police

    def work_day(self, t: int) -> None:
        """The day's casework and searches, by the unit's capacity."""
        police_day(self.police, self.engine, self.c, t)


class TransportService(mesa.Agent):
    """A country's prison-and-probation transport service: escorted seats on scheduled flights."""

    def __init__(
        self,
        model: mesa.Model,
        code: str,
        c: int,
        engine: EngineState,
        transport: TransportState,
        police: PoliceState,
    ) -> None:
        """The service of country ``code`` (position ``c``) booking ``engine``'s ready cases."""
        super().__init__(model)
        self.code, self.c, self.engine, self.transport, self.police = code, c, engine, transport, police

    def booking_day(self, t: int) -> None:
        """Book escorted seats for the documented people ready to leave, within the week's escorts."""
        book_escorted(self.transport, self.engine, self.police, self.c, t)
