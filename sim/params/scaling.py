"""Scale a country's arrivals together with its capacities.

A smaller (or larger) copy of a country keeps the ratios of demand to capacity,
so shares and waiting times stay comparable while run time scales with the
number of cases: calibration runs the cohort at a fraction of its size, the
benchmark at ten times.
"""

from __future__ import annotations

from omegaconf import DictConfig

SCALED_KEYS = (
    "decisions_per_year",
    "case_officers",
    "police_officers",
    "detention_places",
    "escorts",
    "return_centre_places",
    "flight_connectivity",
)
"""Keys of ``nations.<CODE>`` that grow with arrivals: every capacity that serves them."""


def scale_country(cfg: DictConfig, code: str, factor: float) -> list[str]:
    """Overrides that multiply country ``code``'s arrivals and capacities by ``factor``.

    Whole-number capacities are rounded and kept at least 1 where they were at least 1.
    """
    if factor <= 0:
        raise ValueError(f"scale factor must be positive, got {factor}")
    nation = cfg.nations[code]
    overrides = []
    for key in SCALED_KEYS:
        value = nation[key]
        scaled = value * factor
        if isinstance(value, int):
            scaled = max(round(scaled), 1 if value >= 1 else 0)
        overrides.append(f"nations.{code}.{key}={scaled}")
    return overrides
