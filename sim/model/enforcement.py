"""The removal risk that people with a decision can observe, and how it shifts their departure hazards.

A person with a final decision cannot see the police's caseload, but they can
see whether people in their situation are removed: friends from the same
country of origin, news of removals. The signal is the recent number of
removals per person with an open decision (absconded people included),
among people of the same origin or of the whole country. It rises with real
enforcement and never with absconding: absconding moves a person from one
open state to another, so neither the removals nor the open decisions change.

The signal itself is Python (:class:`EnforcementSignal`, a few numbers per
origin a day); two kernels hand it the day's counts and take back the
departure hazards' factors, each in one call (reading the state objects'
fields from Python would box every field).
"""

from __future__ import annotations

from collections import deque

import numba as nb
import numpy as np

from sim.model.engine import EngineState
from sim.model.transport import TransportState
from sim.params.schema import EnforcementFeedback

ALL_ORIGINS = "*"
"""The one key of the signal when its scope is the whole country."""


class EnforcementSignal:
    """Removals over a rolling window and open decisions, per origin (or pooled), and the factor they give."""

    def __init__(self, feedback: EnforcementFeedback, origins: list[str]) -> None:
        """Start with no removals; every factor is 1 until the first daily update."""
        self.on = feedback.form != "none"
        self.strength = feedback.strength
        self.reference = feedback.reference_risk
        self.window = feedback.window_days
        self.pooled = feedback.scope == "country"
        keys = [ALL_ORIGINS] if self.pooled else list(origins)
        self.open = dict.fromkeys(keys, 0)
        """People with an open decision (any active state) per key."""
        self._daily: dict[str, deque[int]] = {k: deque([0] * self.window) for k in keys}
        self._in_window = dict.fromkeys(keys, 0)
        self.factors = dict.fromkeys(origins, 1.0)
        """Departure-hazard multiplier per origin, read when a case draws its next transition."""

    def _key(self, origin: str) -> str:
        return ALL_ORIGINS if self.pooled else origin

    def opened(self, origin: str) -> None:
        """A decision of ``origin`` became open (a new case)."""
        self.open[self._key(origin)] += 1

    def closed(self, origin: str) -> None:
        """A case of ``origin`` closed (any terminal outcome)."""
        self.open[self._key(origin)] -= 1

    def removed(self, origin: str, n: int = 1) -> None:
        """``n`` people of ``origin`` were removed today."""
        key = self._key(origin)
        self._daily[key][-1] += n
        self._in_window[key] += n

    def risk(self, origin: str) -> float:
        """Removals per open decision per day over the window, for people of ``origin``."""
        key = self._key(origin)
        return self._in_window[key] / self.window / max(1, self.open[key])

    def pooled_risk(self) -> float:
        """Removals per open decision per day over the window, all origins together (for the stock series)."""
        return sum(self._in_window.values()) / self.window / max(1, sum(self.open.values()))

    def observe(self, open_decisions: dict[str, int], removed_today: dict[str, int]) -> None:
        """Take today's open decisions and removals per origin as counted elsewhere (the compiled engine)."""
        for key in self.open:
            self.open[key] = 0
        for origin, n in open_decisions.items():
            self.open[self._key(origin)] += n
        for origin, n in removed_today.items():
            self.removed(origin, n)

    def end_day(self) -> None:
        """Recompute every factor from today's counts, then move the window on by a day."""
        if not self.on:
            return
        ref, strength = self.reference, self.strength
        for origin in self.factors:
            self.factors[origin] = ((self.risk(origin) + ref) / (2.0 * ref)) ** strength
        for key, daily in self._daily.items():
            self._in_window[key] -= daily.popleft()
            daily.append(0)


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
