"""The uncertain inputs a sensitivity analysis varies, and how a sampled coordinate becomes a config value.

Three kinds, one interface (``bounds`` for the sampler, ``value`` for a scenario):

- ``RangeFactor``: a key over a range the study states (``parameters``), sampled on a linear or log scale;
- ``PosteriorFactor``: a fitted parameter over its calibration posterior: the coordinate u in [0, 1] is a
  quantile of the preset's draws, so each parameter follows its marginal posterior (the draws' correlations
  are not kept: an index says what a parameter's own uncertainty does, within its posterior);
- ``AssumptionFactor``: a lever's assumed constant (``configs/assumptions``): u is the quantile of
  whichever range applies to the scenario's option, as in ``uncertainty=posterior+levers``, so a point is
  the same world with and without the lever (a slow-handover world is slow in both).

A factor may not apply to a scenario (an assumption with no range for its option): ``value`` is then
``None`` and the configured value stays. Reads configs only; imports nothing of the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from omegaconf import DictConfig

from sim.params.assumptions import Assumption, range_for
from sim.params.ranges import Range

UNIT = (0.0, 1.0)


class Factor(Protocol):
    """A config key a study varies: its sampling bounds and its value in a scenario."""

    @property
    def key(self) -> str:
        """The config key it sets."""
        ...

    @property
    def source(self) -> str:
        """Where its range comes from: ``range``, ``posterior`` or ``assumption``."""
        ...

    @property
    def bounds(self) -> tuple[float, float]:
        """The sampler's bounds for its coordinate."""
        ...

    def value(self, coordinate: float, model: DictConfig | None) -> float | None:
        """The config value at ``coordinate`` in scenario ``model`` (None: keep the configured value)."""
        ...


@dataclass(frozen=True)
class RangeFactor:
    """A key over a stated range (``Range``: linear, or log10 as the coordinate)."""

    key: str
    range: Range
    source: str = "range"

    @property
    def bounds(self) -> tuple[float, float]:
        """The range in search coordinates."""
        return self.range.bounds

    def value(self, coordinate: float, model: DictConfig | None) -> float:
        """The value at a search coordinate, the same in every scenario."""
        return self.range.from_unit(coordinate)


@dataclass(frozen=True)
class PosteriorFactor:
    """A fitted parameter over its marginal posterior (the preset's equally weighted draws)."""

    key: str
    draws: tuple[float, ...]
    source: str = "posterior"
    bounds: tuple[float, float] = UNIT

    def value(self, coordinate: float, model: DictConfig | None) -> float:
        """The draws' ``coordinate`` quantile (linear interpolation between draws)."""
        return float(np.quantile(self.draws, coordinate))


@dataclass(frozen=True)
class AssumptionFactor:
    """A lever's assumed constant over the range that applies to the scenario's option."""

    assumption: Assumption
    source: str = "assumption"
    bounds: tuple[float, float] = UNIT

    @property
    def key(self) -> str:
        """The assumption's config key."""
        return self.assumption.key

    def value(self, coordinate: float, model: DictConfig | None) -> float | None:
        """The ``coordinate`` quantile of the scenario's range; None where no range applies to its option."""
        bounds = range_for(self.assumption, model) if model is not None else None
        if bounds is None:
            return None
        return bounds[0] + coordinate * (bounds[1] - bounds[0])


def values_at(factors: list[Factor], coordinates: np.ndarray, model: DictConfig | None) -> dict[str, float]:
    """``{key: value}`` of every factor that applies to ``model`` (None: a test function) at one point's coordinates."""
    found: dict[str, float] = {}
    for factor, coordinate in zip(factors, coordinates.tolist(), strict=True):
        value = factor.value(coordinate, model)
        if value is not None:
            found[factor.key] = value
    return found
