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
    "dublin_transfers_per_year",
    "crime_expulsions_per_year",
    "entry_refusals_per_year",
)
"""Keys of ``nations.<CODE>`` that grow with arrivals: every capacity that serves them, and the other removals
that share those capacities (a history's yearly values of these keys are scaled by ``history.scale``)."""


def scale_country(cfg: DictConfig, code: str, factor: float) -> list[str]:
    """Overrides that multiply country ``code``'s arrivals and capacities by ``factor``.

    Whole-number capacities are rounded and kept at least 1 where they were at least 1.
    """
    if factor <= 0:
        raise ValueError(f"scale factor must be positive, got {factor}")
    nation = cfg.nations[code]
    overrides = [f"history.scale={factor * cfg.history.scale}"]
    for key in SCALED_KEYS:
        value = nation[key]
        scaled = value * factor
        if isinstance(value, int):
            scaled = max(round(scaled), 1 if value >= 1 else 0)
        overrides.append(f"nations.{code}.{key}={scaled}")
    return overrides
