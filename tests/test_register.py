"""The case register holds every case, open or closed, as the case tables hold it; a closed case's row is final;
and a case keeps only its own random numbers."""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from sim.model.model import CASES, ReturnModel
from sim.model.states import ACTIVE, State
from sim.model.streams import case_seed
from tests.conftest import SMALL, params

QUICK = (*SMALL, "warmup_days=100", "horizon_days=300", "seed=5")


@cache
def _run() -> tuple[ReturnModel, pd.DataFrame]:
    run = ReturnModel(params(*QUICK))
    run.run()
    return run, run.case_register()


def test_the_register_has_one_row_for_every_case_open_or_closed_as_the_case_tables_hold_it():
    """One row per case opened, under its own id; its outcome is the case's state now (the state's name while
    open), its days are the tables', and only closed cases have an outcome day."""
    run, reg = _run()
    e = run.engine
    hot, history = e.hot[: e.size], e.history[: e.size]
    assert len(reg) == run.cases_opened == e.size > 1000
    assert reg["migrant_id"].is_unique and set(reg["migrant_id"]) == set(history["migrant_id"].tolist())
    rows = reg.set_index("migrant_id").loc[history["migrant_id"]]
    labels = np.array([s.label for s in State], dtype=object)
    assert (rows["outcome"].to_numpy() == labels[hot["state"]]).all()
    np.testing.assert_array_equal(rows["decision_day"].to_numpy(), history["decision_day"])
    open_ = hot["state"] < State.RETURNED_VOLUNTARY
    assert rows["outcome_day"].isna().to_numpy().tolist() == open_.tolist()
    counts = reg["outcome"].value_counts()
    assert [counts.get(s.label, 0) for s in ACTIVE] == [e.stocks[0, s] for s in ACTIVE]  # open cases included
    assert open_.sum() > 100 and set(reg["outcome"]) > {"returned_voluntary", "absconded"}
    assert reg["fields_passed"].map(type).eq(str).all()


def test_a_closed_cases_row_is_the_same_at_the_end_of_the_run_as_when_it_closed():
    """The register read part-way holds every case opened by then, and the rows of cases closed by then are
    unchanged at the end: a closed case's row is final, whenever the register is read."""
    run = ReturnModel(params(*QUICK))
    run.run_until(250)
    early = run.case_register().set_index("migrant_id")
    run.run()
    final = run.case_register().set_index("migrant_id")
    closed = early[early["outcome_day"].notna()]
    assert len(closed) > 1000 and early.index.isin(final.index).all()
    pd.testing.assert_frame_equal(final.loc[closed.index], closed)
    assert len(final) > len(early)


def test_a_case_holds_its_own_random_numbers_not_a_block_of_its_arrival_day():
    """Each case keeps one seed, made from its stream's key and its place in that stream, and counts the numbers
    it has used: no two cases share a seed, so no case's draws depend on who else arrived that day."""
    run, _ = _run()
    e = run.engine
    hot = e.hot[: e.size]
    assert e.sequences[0].tolist() == [e.size, 0, 0]  # one country, direct arrivals only: one stream
    key = np.uint64(e.keys[0, CASES])
    seeds = np.array([np.uint64(case_seed(key, i)) for i in range(e.size)], dtype=np.uint64)
    np.testing.assert_array_equal(hot["seed"], seeds)
    assert len(np.unique(hot["seed"])) == e.size
    assert hot["draws"].max() > 0
