"""Lever assumptions: stated ranges that hold the committed values, draws that put every scenario in the
same world, and bad ranges named."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf

from sim.params.assumptions import Assumption, check, range_for
from sim.params.checks import ConfigError
from sim.params.compose import CONFIG_DIR, compose, load_params

POSTERIOR = (
    "posterior.parameters=[behaviour.return_case_abscond]",
    "posterior.draws=[[0.02],[0.004]]",
    "uncertainty.draws=2",
)


def _options(group: str) -> list[str]:
    """The options of the lever group an assumption's range depends on (its files in configs/)."""
    return sorted(p.stem for p in (CONFIG_DIR / group).glob("*.yaml"))


def test_every_assumption_has_a_reason_and_its_committed_values_lie_in_their_ranges():
    assumptions = load_params().assumptions
    assert len(assumptions) >= 15
    for a in assumptions:
        assert len(a.reason) > 20, a.key
        options = _options(a.by.split(".")[0]) if a.by else [None]
        for option in options:
            cfg = compose([f"{a.by.split('.')[0]}={option}"] if option else [])
            bounds = range_for(a, cfg)
            if bounds is not None:
                assert bounds[0] <= OmegaConf.select(cfg, a.key) <= bounds[1], (a.key, option)


def test_a_lever_draw_is_the_same_world_in_every_scenario():
    """Draw k puts handover delay and field loss at the same quantile of the range of each co-location mode."""
    drawn = {
        mode: load_params(["uncertainty=posterior+levers", "posterior_draw=1", *POSTERIOR, f"colocation={mode}"])
        for mode in ("none", "full")
    }
    for key, ranges in [
        ("handover_admin_days", {"none": (7, 28), "full": (1, 7)}),
        ("field_loss_probability", {"none": (0.1, 0.5), "full": (0.0, 0.15)}),
    ]:
        quantiles = {
            m: (getattr(p.colocation, key) - ranges[m][0]) / (ranges[m][1] - ranges[m][0]) for m, p in drawn.items()
        }
        assert quantiles["none"] == pytest.approx(quantiles["full"]), key
    assert drawn["none"].avr.uptake == drawn["full"].avr.uptake
    assert drawn["none"].behaviour.return_case_abscond == 0.004, "the posterior draw applies too"


def test_levers_move_only_with_posterior_plus_levers():
    base = load_params([*POSTERIOR])
    posterior = load_params(["uncertainty=posterior", "posterior_draw=0", *POSTERIOR])
    both = [load_params(["uncertainty=posterior+levers", f"posterior_draw={k}", *POSTERIOR]) for k in (0, 1)]
    assert posterior.colocation == base.colocation and posterior.avr == base.avr
    assert posterior.behaviour.return_case_abscond == 0.02
    assert both[0].colocation.handover_admin_days != base.colocation.handover_admin_days
    assert both[0].avr.uptake != both[1].avr.uptake, "each draw its own world"


def test_bad_assumptions_are_named():
    cfg = compose()
    with pytest.raises(ConfigError, match=r"assumptions\[0\] \(colocation.no_such\): key is not a parameter"):
        check([Assumption(key="colocation.no_such", by="", ranges={"all": [0.0, 1.0]}, reason="x")], cfg)
    with pytest.raises(ConfigError, match=r"ranges.all=\[2.0, 1.0\]; write \[low, high\]"):
        check([Assumption(key="avr.uptake", by="", ranges={"all": [2.0, 1.0]}, reason="x")], cfg)
    with pytest.raises(ConfigError, match="without `by`, give one range under 'all'"):
        check([Assumption(key="avr.uptake", by="", ranges={"standard": [0.1, 0.5]}, reason="x")], cfg)
    with pytest.raises(ConfigError, match="by='avr.no_mode' is not a key"):
        check([Assumption(key="avr.uptake", by="avr.no_mode", ranges={"standard": [0.1, 0.5]}, reason="x")], cfg)
