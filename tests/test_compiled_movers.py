"""Several countries on the compiled kernels: people who leave for another Nordic country get a case there.

Each test fails without the mechanism it names: the receiving country's
case (matched or new), its link to the earlier case, the counts, and the
destinations' weights.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from sim.model.compiled_run import CompiledRun
from sim.model.states import State
from sim.params.compose import load_params

MOVERS = [
    "countries=[SE,NO]",
    "warmup_days=200",
    "horizon_days=500",
    "output.figures=false",
    "behaviour.absconded_move_nordic=0.003",
]
"""Sweden and Norway with frequent secondary movement, over a short run."""
MOVED = State.MOVED_NORDIC.label


@cache
def _run(*overrides: str) -> tuple[CompiledRun, pd.DataFrame]:
    params = load_params([*MOVERS, *overrides])
    run = CompiledRun(params, params.seed)
    run.run()
    return run, run.case_register()


def _linked(reg: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The cases opened for people who came from another country, and their earlier cases (same order)."""
    linked = reg[reg["previous_case_id"] >= 0]
    return linked, reg.set_index("migrant_id").loc[linked["previous_case_id"]]


def _movers(run: CompiledRun, name: str) -> int:
    return sum(int(totals.events[name]) for totals in run.countries.values())


def test_matched_movers_continue_their_decision_absconded_in_the_country_they_went_to() -> None:
    """``info_sharing=nordic``: the same person and decision, absconded from the day they left, history along."""
    run, reg = _run("info_sharing=nordic")
    linked, earlier = _linked(reg)
    assert len(linked) > 100 and linked["matched"].all()
    assert (earlier["outcome"] == MOVED).all()
    assert (earlier["moved_to"].to_numpy() == linked["country"].to_numpy()).all()
    assert (earlier["country"].to_numpy() != linked["country"].to_numpy()).all()
    assert (earlier["person_id"].to_numpy() == linked["person_id"].to_numpy()).all()
    assert (earlier["decision_day"].to_numpy() == linked["decision_day"].to_numpy()).all(), "the same decision"
    assert (linked["entered_absconded"].to_numpy() == earlier["outcome_day"].to_numpy()).all()
    assert linked["entered_voluntary_period"].isna().all()
    assert (linked["times_absconded"].to_numpy() >= earlier["times_absconded"].to_numpy()).all()
    kept = (linked["document_requests"] == 0).to_numpy()  # no request here: the documents are the earlier ones
    assert earlier["documents_day"].notna().to_numpy()[kept].sum() > 50
    np.testing.assert_array_equal(linked["documents_day"].to_numpy()[kept], earlier["documents_day"].to_numpy()[kept])
    assert _movers(run, "movers_matched") == len(linked) == (reg["moved_to"] != "").sum()
    assert linked["outcome"].isin(["police_case", "detained", "awaiting_flight", "returned_forced"]).any()
    e = run.engine
    hot = e.hot[: e.size]
    for c in range(2):  # each country's stocks are its cases' states
        assert e.stocks[c].tolist() == np.bincount(hot["state"][hot["country"] == c], minlength=len(State)).tolist()


def test_unmatched_movers_apply_again_later_or_are_lost() -> None:
    """``info_sharing=restricted``: a new decision ``new_decision_days`` later, from the start; or nothing."""
    run, reg = _run("info_sharing=restricted")
    linked, earlier = _linked(reg)
    assert len(linked) > 30 and not reg["matched"].any()
    delay = linked["decision_day"].to_numpy() - earlier["outcome_day"].to_numpy()
    assert np.allclose(delay, run.params.behaviour.new_decision_days), "a new decision, later"
    assert linked["entered_voluntary_period"].notna().all() and (earlier["outcome"] == MOVED).all()
    moved_on = (reg["moved_to"] != "").sum()
    new_case, lost = _movers(run, "movers_new_case"), _movers(run, "movers_lost")
    assert new_case + lost == moved_on and lost > 0
    assert new_case >= len(linked), "a decision due after the run's end opens no case"


def test_people_go_only_where_the_weights_send_them() -> None:
    """Without Norway's weight nobody goes there; without any weight people leave the model."""
    no_norway = "nations.NO.secondary_movement_weight=0"
    _, reg = _run("info_sharing=nordic", no_norway)
    assert (reg["moved_to"] == "NO").sum() == 0 and (reg["moved_to"] == "SE").sum() > 0
    _, reg = _run("info_sharing=nordic", no_norway, "nations.SE.secondary_movement_weight=0")
    assert (reg["outcome"] == MOVED).sum() > 0 and (reg["moved_to"] == "").all()
    assert (reg["previous_case_id"] < 0).all()
