"""A timeline's change during a run: values rewritten in place, hazards redrawn, centres taking cases in.

A change (:mod:`sim.params.timeline`) acts through the same mechanisms as a
value set from the start: the kernels read their values where they act, so
rewriting the arrays they read (:func:`sim.model.values.values_in_force`)
makes a new capacity, lever or rate act from the day of the change. A change
of a value the hazards read makes every open case draw its next transition
again (exact: hazards are memoryless); a change that opens departure
centres with ``centre_moves_open_cases`` moves the open cases a centre may
hold into it that day, while places last.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.model.engine import EV_MOVED_INTO_CENTRE, EngineState, KernelState
from sim.model.moves import reschedule
from sim.model.states import State
from sim.params.schema import CountryParams

HELD = (int(State.VOLUNTARY_PERIOD), int(State.RETURN_CASE))
"""The migration agency's states: their cases may live in a return centre."""
HELD_UNTIL_DEPARTURE = (*HELD, int(State.POLICE_CASE))
"""The states a departure centre holds (``centre_until_departure``): the police's cases too."""


def write_values(states: dict[str, KernelState], values: dict[tuple[str, str], np.ndarray]) -> None:
    """Write each array of ``values`` (by state object name and field) into that object's array, in place."""
    for (part, name), array in values.items():
        getattr(states[part], name)[...] = array


def redraw_open_cases(e: EngineState, t: float) -> None:
    """Every open case draws its next transition again from ``t`` (the hazards changed), in row order."""
    rows = np.flatnonzero(e.hot["state"][: e.size] < int(State.RETURNED_VOLUNTARY))
    reschedule(e, rows, t)


def move_into_centres(e: EngineState, c: int, n: CountryParams, draw: Callable[[], float], t: float) -> int:
    """Open cases of country ``c`` living outside move into its centres, each with ``return_centre_share``.

    While places last, in case order; each moved case draws its next
    transition again from ``t``, as a resident. Return how many moved.
    """
    hot, history = e.hot, e.history
    open_now = hot[: e.size]
    held = HELD_UNTIL_DEPARTURE if n.centre_until_departure else HELD
    outside = (open_now["country"] == c) & ~open_now["in_return_centre"] & np.isin(open_now["state"], held)
    occupied, moved = int(e.centre_occupied[c]), []
    for row in np.flatnonzero(outside).tolist():
        if draw() >= n.return_centre_share:
            continue
        if occupied >= n.return_centre_places:
            break
        occupied += 1
        moved.append(row)
    rows = np.array(moved, dtype=np.int64)
    hot["in_return_centre"][rows] = True
    history["lived_in_return_centre"][rows] = True
    e.centre_occupied[c] = occupied
    e.events[c, EV_MOVED_INTO_CENTRE] += len(rows)
    reschedule(e, rows, t)
    return len(rows)
