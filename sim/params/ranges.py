"""A parameter's range, searched or sampled on a linear or a log scale.

Shared by calibration, sensitivity analysis and the ABC adapter; imports
nothing of the package.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass
class Range:
    """An uncertain or free parameter: the config key's range, searched on a log scale if ``log``."""

    low: float
    high: float
    log: bool = False

    def to_unit(self, value: float) -> float:
        """``value`` as the search coordinate (its log10 when ``log``)."""
        return math.log10(value) if self.log else value

    def from_unit(self, coordinate: float) -> float:
        """The config value of a search coordinate."""
        return 10.0**coordinate if self.log else coordinate

    @property
    def bounds(self) -> tuple[float, float]:
        """The range in search coordinates."""
        return self.to_unit(self.low), self.to_unit(self.high)
