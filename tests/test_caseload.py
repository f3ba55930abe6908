"""The police's caseload over a run: blocked cases stay open and workable, and absconding's exits slow with time.

Run-level checks of two mechanisms, each against the run with it switched
off (paired seeds): a police case whose removal is blocked absconds less
(``blocked_abscond_multiplier``), so the workable stock grows and its red
class is what grows; and the exits from absconding run faster in the first
months (``absconded_early_exit_multiplier``), so more of those who leave the
wanted list do so early.
"""

from __future__ import annotations

import numpy as np

from tests.conftest import run


def _end(result, column: str) -> float:
    return float(result.yearly[column].iloc[-1])


def test_blocked_cases_that_abscond_less_stay_workable_in_the_red_class():
    """With the multiplier at 0.1 the year-end workable stock and its red part are larger than at 1 (no effect)."""
    for seed in (0, 1):
        off = run("behaviour.blocked_abscond_multiplier=1.0", f"seed={seed}")
        on = run("behaviour.blocked_abscond_multiplier=0.1", f"seed={seed}")
        assert _end(on, "police_red_end") > 1.5 * _end(off, "police_red_end") > 0
        assert _end(on, "police_workable_end") > _end(off, "police_workable_end")


def _exit_times(*overrides: str) -> np.ndarray:
    """Days from the first absconding to the case's exit from absconding, for those who left it (the log)."""
    result = run(*overrides, "output.transitions=true", "behaviour.absconded_move_nordic=0")
    log = result.transitions
    first = log[log["to_state"] == 2].groupby("migrant_id")["day"].first()
    out = log[log["from_state"] == 2].groupby("migrant_id")["day"].first()
    both = first.index.intersection(out.index)
    return (out[both] - first[both]).to_numpy()


def test_exits_from_absconding_come_early_when_the_first_months_run_faster():
    """At a multiplier of 1 the exits do not depend on time since absconding; at 5 over the first 180 days the
    share of exits within those days is far higher (measured on one seed of the small scenario)."""
    flat = _exit_times("behaviour.absconded_early_exit_multiplier=1.0")
    early = _exit_times("behaviour.absconded_early_exit_multiplier=5.0")
    assert len(flat) > 200 and len(early) > 200
    assert (early <= 180).mean() > (flat <= 180).mean() + 0.1
