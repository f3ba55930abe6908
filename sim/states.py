"""States of a return case and the outcomes that end it (DESIGN.md's state table)."""

from __future__ import annotations

from enum import IntEnum


class State(IntEnum):
    """Where a person with a final decision to leave stands in the return process."""

    VOLUNTARY_PERIOD = 0
    RETURN_CASE = 1
    ABSCONDED = 2
    POLICE_CASE = 3
    DETAINED = 4
    AWAITING_FLIGHT = 5
    RETURNED_VOLUNTARY = 6
    RETURNED_ASSISTED = 7
    RETURNED_FORCED = 8
    MOVED_NORDIC = 9
    DEPARTED_UNRECORDED = 10
    EXPIRED = 11

    @property
    def label(self) -> str:
        """Lower-case name used in tables and plots."""
        return self.name.lower()


ACTIVE = tuple(s for s in State if s < State.RETURNED_VOLUNTARY)
TERMINAL = tuple(s for s in State if s >= State.RETURNED_VOLUNTARY)
RETURNED = (State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.RETURNED_FORCED)

ALLOWED = {
    State.VOLUNTARY_PERIOD: {State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.ABSCONDED, State.RETURN_CASE},
    State.RETURN_CASE: {State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.ABSCONDED, State.POLICE_CASE},
    State.ABSCONDED: {State.POLICE_CASE, State.MOVED_NORDIC, State.DEPARTED_UNRECORDED},
    State.POLICE_CASE: {State.AWAITING_FLIGHT, State.DETAINED, State.ABSCONDED, State.RETURNED_VOLUNTARY},
    State.DETAINED: {State.RETURNED_FORCED, State.POLICE_CASE, State.AWAITING_FLIGHT},
    State.AWAITING_FLIGHT: {State.RETURNED_FORCED, State.DETAINED, State.POLICE_CASE, State.ABSCONDED},
}
"""Transitions DESIGN.md allows (expiry is allowed from every active state)."""
for _s in ACTIVE:
    ALLOWED[_s].add(State.EXPIRED)
