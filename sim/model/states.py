"""States of a return case and the outcomes that end it.

The order of the values is part of the model's contract: every active state
has a lower value than every terminal one (``state < RETURNED_VOLUNTARY`` means
"still open"), and the six active states are numbered 0-5 so that a case can
keep the day it first entered each one in a list indexed by the state.
"""

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
    PERMIT_GRANTED = 12
    CLOSED_OTHER = 13

    @property
    def label(self) -> str:
        """Lower-case name used in tables and plots."""
        return self.name.lower()


ACTIVE = tuple(s for s in State if s < State.RETURNED_VOLUNTARY)
TERMINAL = tuple(s for s in State if s >= State.RETURNED_VOLUNTARY)
RETURNED = (State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.RETURNED_FORCED)
ON_BOARD_STATES = (State.AWAITING_FLIGHT, State.DETAINED)
"""States from which a booked person can be removed."""

ALLOWED = {
    State.VOLUNTARY_PERIOD: {State.RETURNED_VOLUNTARY, State.RETURNED_ASSISTED, State.ABSCONDED, State.RETURN_CASE},
    State.RETURN_CASE: {
        State.RETURNED_VOLUNTARY,
        State.RETURNED_ASSISTED,
        State.ABSCONDED,
        State.POLICE_CASE,
        State.PERMIT_GRANTED,
    },
    State.ABSCONDED: {
        State.POLICE_CASE,
        State.MOVED_NORDIC,
        State.DEPARTED_UNRECORDED,
        State.RETURNED_VOLUNTARY,  # a departure registered after absconding (exit check, another state's notice)
        State.CLOSED_OTHER,
    },
    State.POLICE_CASE: {
        State.AWAITING_FLIGHT,
        State.DETAINED,
        State.ABSCONDED,
        State.RETURNED_VOLUNTARY,
        State.PERMIT_GRANTED,
    },
    State.DETAINED: {State.RETURNED_FORCED, State.POLICE_CASE, State.AWAITING_FLIGHT},
    State.AWAITING_FLIGHT: {State.RETURNED_FORCED, State.DETAINED, State.POLICE_CASE, State.ABSCONDED},
}
"""Transitions the model allows (expiry is allowed from every active state)."""
for _s in ACTIVE:
    ALLOWED[_s].add(State.EXPIRED)
