"""Each lever, on its own, moves the outcome it acts on, through its mechanism (paired by seed)."""

from __future__ import annotations

import pytest
from scipy import stats

from tests.conftest import run

SEEDS = range(6)
ALPHA = 0.01


def _metric(metric: str, *overrides: str) -> list[float]:
    return [float(run(*overrides, f"seed={s}").summary[metric].iloc[0]) for s in SEEDS]


FEEDBACK = ("none", "removal_risk")
"""Every lever's direction must hold with the enforcement feedback off as well as on."""


@pytest.mark.parametrize("feedback", FEEDBACK)
@pytest.mark.parametrize(
    ("metric", "low", "high", "why"),
    [
        ("mean_handover_delay_days", ("colocation=full",), ("colocation=none",), "co-location shortens the handover"),
        ("located", ("info_sharing=restricted",), ("info_sharing=extended",), "address and contact fields help locate"),
        ("returns", ("avr=none",), ("avr=reintegration",), "return support raises departures"),
        (
            "share_detained",
            ("nations.SE.detention_places=10",),
            ("nations.SE.detention_places=120",),
            "more places, more detained",
        ),
        (
            "forced_returns",
            ("nations.SE.police_officers=15",),
            ("nations.SE.police_officers=80",),
            "police capacity enforces",
        ),
    ],
)
def test_lever_moves_its_outcome(metric, low, high, why, feedback):
    form = f"behaviour.enforcement_feedback.form={feedback}"
    lo, hi = _metric(metric, *low, form), _metric(metric, *high, form)
    test = stats.ttest_rel(hi, lo, alternative="greater")
    assert test.pvalue < ALPHA, f"{why}: {metric} {lo} vs {hi}"


def test_extended_information_passes_more_fields_to_police():
    restricted = run("info_sharing=restricted", "seed=0").register
    extended = run("info_sharing=extended", "seed=0").register
    handed = extended["handover_day"].notna()
    assert extended.loc[handed, "fields_passed"].str.contains("address").mean() > 0.5
    assert not restricted["fields_passed"].str.contains("address").any()
