"""The levers' assumed constants as stated ranges, and draws from them (``configs/assumptions``).

No source fixes how long a handover takes at a co-located office, how much
an address raises the chance of finding someone, or how many people take up
a return grant: each such constant is an assumption. Each gets a range with
its reasoning in config; the range may depend on a lever's option
(``by: colocation.mode``: a handover is slower without co-location). Draw k
gives assumption j its own quantile u_kj, and puts it at that quantile of
whichever range applies, so that scenarios compared on draw k live in the
same world (a world with slow handovers is slow with and without
co-location), and draws are paired across scenarios and seeds like the
posterior's.

This module reads and checks configs only; it imports nothing of the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from omegaconf import MISSING, DictConfig, OmegaConf

from sim.params.checks import ConfigError

ALL_OPTIONS = "all"
"""The ``ranges`` key of an assumption whose range does not depend on an option (``by: ""``)."""


@dataclass
class Assumption:
    """A constant no source fixes: its config key, its range (by lever option) and why."""

    key: str = MISSING
    by: str = MISSING
    """The config key of the option its range depends on (e.g. ``colocation.mode``), or "" for one range."""
    ranges: dict[str, list[float]] = MISSING
    """``{option: [low, high]}``, or ``{all: [low, high]}``; an option not listed keeps its configured value."""
    reason: str = MISSING


def range_for(assumption: Assumption, cfg: DictConfig) -> tuple[float, float] | None:
    """The range that applies under ``cfg``'s options (None: this option keeps its configured value)."""
    option = ALL_OPTIONS if not assumption.by else str(OmegaConf.select(cfg, assumption.by))
    bounds = assumption.ranges.get(option)
    return None if bounds is None else (float(bounds[0]), float(bounds[1]))


def check(assumptions: list[Assumption], cfg: DictConfig) -> None:
    """Every assumption names a key and an option key of the config, and well-formed ranges.

    A configured value outside its range is allowed (a user may explore
    beyond it); that the committed defaults lie inside is a test.
    """
    seen = set()
    for i, a in enumerate(assumptions):
        where = f"assumptions[{i}] ({a.key})"
        if a.key in seen:
            raise ConfigError(f"{where}: the key is listed twice")
        seen.add(a.key)
        if OmegaConf.select(cfg, a.key, default=None) is None:
            raise ConfigError(f"{where}: key is not a parameter of the model config")
        if a.by and OmegaConf.select(cfg, a.by, default=None) is None:
            raise ConfigError(f"{where}: by={a.by!r} is not a key of the model config")
        if not a.by and set(a.ranges) != {ALL_OPTIONS}:
            raise ConfigError(f"{where}: without `by`, give one range under {ALL_OPTIONS!r}")
        for option, bounds in a.ranges.items():
            if len(bounds) != 2 or not bounds[0] <= bounds[1]:
                raise ConfigError(f"{where}: ranges.{option}={list(bounds)}; write [low, high] with low <= high")


def draw(assumptions: list[Assumption], cfg: DictConfig, index: int, seed: int) -> dict[str, float]:
    """Draw ``index``: assumption j at its quantile u_j (uniform, from ``(seed, index)``) of its range.

    The quantiles depend only on ``(seed, index)`` and the assumption's
    place in the list, not on the scenario, so a draw is the same world in
    every scenario; whole-number keys are rounded.
    """
    u = np.random.default_rng(np.random.SeedSequence([seed, index])).random(len(assumptions))
    values = {}
    for a, quantile in zip(assumptions, u, strict=True):
        bounds = range_for(a, cfg)
        if bounds is None:
            continue
        value = bounds[0] + float(quantile) * (bounds[1] - bounds[0])
        current = OmegaConf.select(cfg, a.key)
        values[a.key] = round(value) if isinstance(current, int) and not isinstance(current, bool) else value
    return values


def ranges_of(assumptions: list[Assumption], cfg: DictConfig) -> dict[str, tuple[float, float]]:
    """The range of every assumption that applies under ``cfg``'s options (for sensitivity analysis)."""
    found = {a.key: range_for(a, cfg) for a in assumptions}
    return {k: r for k, r in found.items() if r is not None and r[0] < r[1]}
