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

import numba as nb
import numpy as np

from sim.model.engine import EngineState
from sim.model.transport import TransportState
from sim.params.schema import EnforcementFeedback


class EnforcementSignal:
    """Every country's removals over a rolling window and open decisions, per origin (or pooled), and the factors.

    Arrays, updated by one kernel call a day (:func:`observe_day`): the
    removals of each of the last ``window_days`` days in a ring, their sum,
    the open decisions now; the departure hazards' factor per country and
    origin follows from them.
    """

    def __init__(self, feedback: EnforcementFeedback, countries: int, origins: int) -> None:
        """Start with no removals; every factor is 1 until the first daily update."""
        self.on = feedback.form != "none"
        self.strength = feedback.strength
        self.reference = feedback.reference_risk
        self.pooled = feedback.scope == "country"
        keys = 1 if self.pooled else origins
        self.ring = np.zeros((countries, keys, feedback.window_days), dtype=np.int64)
        """Removals per country, key (origin, or the one pooled key) and day of the window."""
        self.in_window = np.zeros((countries, keys), dtype=np.int64)
        self.open = np.zeros((countries, keys), dtype=np.int64)
        """People with an open decision (any active state, absconded included) per country and key."""
        self.now = np.zeros(1, dtype=np.int64)
        """The ring's slot of today."""
        self.factors = np.ones((countries, origins))
        """Departure-hazard multiplier per country and origin, read when a case draws its next transition."""
        self.pooled_risk = np.zeros(countries)
        """Per country, removals per open decision per day over the window (moved on), all origins together."""

    def risk(self, c: int, origin: int) -> float:
        """Removals per open decision per day over the window, for people of ``origin`` in country ``c``."""
        key = 0 if self.pooled else origin
        return float(self.in_window[c, key] / self.ring.shape[2] / max(1, self.open[c, key]))

    def observe(self, open_decisions: np.ndarray, removed_today: np.ndarray) -> None:
        """Take today's open decisions and removals (countries x origins); recompute every factor; move on a day."""
        observe_day(
            self.ring, self.in_window, self.open, self.now, self.factors, self.pooled_risk, open_decisions,
            removed_today, self.on, self.strength, self.reference,
        )  # fmt: skip


@nb.njit(cache=True)
def observe_day(
    ring: np.ndarray,
    in_window: np.ndarray,
    open_now: np.ndarray,
    now: np.ndarray,
    factors: np.ndarray,
    pooled_risk: np.ndarray,
    open_decisions: np.ndarray,
    removed: np.ndarray,
    on: bool,
    strength: float,
    reference: float,
) -> None:
    """One day of the signal: today's counts in, the factors from them, then the window moves on by a day."""
    countries, keys, window = ring.shape
    slot = now[0]
    for c in range(countries):
        open_now[c, :] = 0
        for o in range(open_decisions.shape[1]):
            k = 0 if keys == 1 else o
            open_now[c, k] += open_decisions[c, o]
            ring[c, k, slot] += removed[c, o]
            in_window[c, k] += removed[c, o]
        if on:
            for o in range(factors.shape[1]):
                k = 0 if keys == 1 else o
                risk = in_window[c, k] / window / max(1, open_now[c, k])
                factors[c, o] = ((risk + reference) / (2.0 * reference)) ** strength
    oldest = (slot + 1) % window
    for c in range(countries):
        for k in range(keys):
            in_window[c, k] -= ring[c, k, oldest]
            ring[c, k, oldest] = 0
        pooled_risk[c] = in_window[c].sum() / window / max(1, open_now[c].sum())
    now[0] = oldest


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
