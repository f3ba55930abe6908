"""Property-based checks of the config's ranges (hypothesis): every numeric key with a declared range,
set just inside it, gives a model that runs a short horizon with its invariants intact (or a named
cross-field error); set just outside it, gives a ConfigError naming the key, never another exception."""

from __future__ import annotations

import math
from dataclasses import fields, is_dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model.states import ACTIVE, TERMINAL
from sim.params.checks import ConfigError
from sim.params.compose import load_params
from sim.runs.runner import run_replication

TINY = ("nations.SE.decisions_per_year=400", "warmup_days=20", "horizon_days=60", "output.figures=false")
SPAN_WITHOUT_UPPER_BOUND = 3.0
"""A key with no upper bound is drawn up to this many times its default (at least its lower bound + 1):
large enough to explore, small enough that a run stays short."""


def _ranged(obj: object, path: str = "") -> list[tuple[str, float | None, float | None, bool, float]]:
    """(key, lower bound, upper bound, whole number, default) of every numeric field with a declared range."""
    found = []
    for f in fields(obj):
        value = getattr(obj, f.name)
        key = f"{path}{f.name}"
        if is_dataclass(value):
            found += _ranged(value, key + ".")
        elif isinstance(value, dict):
            for k, v in value.items():
                if is_dataclass(v) and (not key.startswith("nations") or k == "SE"):
                    found += _ranged(v, f"{key}.{k}.")
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            lo, hi = f.metadata.get("ge"), f.metadata.get("le")
            if lo is not None or hi is not None:
                found.append((key, lo, hi, isinstance(value, int), float(value)))
    return found


BASE = load_params(list(TINY))
KEYS = [
    k for k in _ranged(BASE) if not k[0].startswith(("seed", "max_cases", "max_days", "warmup_days", "horizon_days"))
]


@st.composite
def inside(draw: st.DrawFn) -> tuple[str, float]:
    key, lo, hi, whole, default = draw(st.sampled_from(KEYS))
    low = lo if lo is not None else default - SPAN_WITHOUT_UPPER_BOUND * abs(default) - 1
    high = hi if hi is not None else max(low + 1, SPAN_WITHOUT_UPPER_BOUND * default)
    if key.endswith("decisions_per_year"):
        high = min(high, 2000.0)  # a short run, whatever the arrivals
    value = draw(st.integers(math.ceil(low), math.floor(high)) if whole else st.floats(low, high))
    return key, value


@st.composite
def outside(draw: st.DrawFn) -> tuple[str, float]:
    key, lo, hi, whole, _ = draw(st.sampled_from(KEYS))
    sides = [b for b in ("low", "high") if (lo if b == "low" else hi) is not None]
    side = draw(st.sampled_from(sides))
    step = 1 if whole else max(1e-6, 0.01 * abs(lo if side == "low" else hi))
    value = lo - step if side == "low" else hi + step
    return key, value if not whole else int(value)


def _open_cases_add_up(result) -> None:  # noqa: ANN001
    reg, stocks = result.register, result.stocks
    day = stocks["day"].to_numpy()
    decided = np.searchsorted(np.sort(reg["decision_day"].to_numpy()), day, side="right")
    closed = reg["outcome"].isin([s.label for s in TERMINAL])
    exits = np.searchsorted(np.sort(reg.loc[closed, "outcome_day"].to_numpy()), day, side="right")
    assert np.array_equal(stocks[[s.label for s in ACTIVE]].sum(axis=1).to_numpy(), decided - exits)


@pytest.mark.slow
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(inside())
def test_a_value_inside_its_range_runs_with_the_invariants_intact(case):
    key, value = case
    try:
        params = load_params([*TINY, f"{key}={value!r}"])
    except ConfigError as exc:  # a rule between keys (e.g. a maximum stay below the ordinary one) names them
        assert str(exc), key
        return
    result = run_replication(params, 0)
    _open_cases_add_up(result)
    assert result.stocks["detention_occupied"].max() <= params.nations["SE"].detention_places


@settings(max_examples=60, deadline=None, derandomize=True)
@given(outside())
def test_a_value_just_outside_its_range_is_a_named_config_error(case):
    key, value = case
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_params([*TINY, f"{key}={value!r}"])


def test_the_property_tests_cover_the_schema():
    """Every range-checked part of the scenario is drawn from: behaviour, levers, the country, the origins."""
    prefixes = {k[0].split(".")[0] for k in KEYS}
    assert {"behaviour", "colocation", "avr", "attaches", "nations", "origins", "flights"} <= prefixes
    assert len(KEYS) > 60
