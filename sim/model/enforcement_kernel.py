"""What the removal risk people observe (:mod:`sim.model.enforcement`) exchanges with the kernels each day.

The signal itself stays in Python (a few numbers per origin a day); these
two kernels hand it the day's counts and take back the departure hazards'
factors, each in one call (reading the state objects' fields from Python
would box every field).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.model.engine import EngineState
from sim.model.transport_state import TransportState


@nb.njit(cache=True)
def take_removals(e: EngineState, tr: TransportState) -> tuple[np.ndarray, np.ndarray]:
    """Per country and origin, the open decisions now and the removals today (copies); today's count restarts."""
    removed = tr.removed.copy()
    tr.removed[:] = 0
    return e.open_by_origin.copy(), removed


@nb.njit(cache=True)
def set_factors(e: EngineState, factors: np.ndarray) -> None:
    """The departure hazards' enforcement factors per country and origin from now (redraws read them)."""
    e.factors[:, :] = factors
