"""Invariants of a real run, checked against the full transition log."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.states import ACTIVE, ALLOWED, TERMINAL, State
from tests.conftest import SMALL, TRACED, params

P = params(*SMALL, *TRACED)


def _chains(tr: pd.DataFrame) -> pd.DataFrame:
    tr = tr.reset_index(drop=True)
    tr["prev_to"] = tr.groupby("migrant_id")["to_state"].shift(1)
    tr["prev_day"] = tr.groupby("migrant_id")["day"].shift(1)
    return tr


def test_each_transition_starts_where_the_last_ended_and_is_allowed(traced):
    tr = _chains(traced.transitions)
    first = tr["prev_to"].isna()
    assert (tr.loc[first, "from_state"] == -1).all(), "every case starts with a decision"
    assert (tr.loc[first, "to_state"] == State.VOLUNTARY_PERIOD).all()
    later = tr[~first]
    assert (later["from_state"] == later["prev_to"]).all(), "a migrant is in exactly one state at a time"
    assert (later["day"] >= later["prev_day"]).all(), "a migrant's transitions are in time order"
    pairs = set(zip(later["from_state"], later["to_state"], strict=True))
    assert not any(State(a) in TERMINAL for a, _ in pairs), "no migrant leaves a terminal state"
    illegal = [(State(a).name, State(b).name) for a, b in pairs if State(b) not in ALLOWED[State(a)]]
    assert not illegal


def test_recorded_stocks_equal_stocks_rebuilt_from_transitions(traced):
    tr = traced.transitions
    days = np.ceil(tr["day"].to_numpy() - 1e-12).astype(int)
    n_days = P.warmup_days + P.horizon_days
    delta = np.zeros((n_days + 2, len(State)), dtype=int)
    np.add.at(delta, (days, tr["to_state"].to_numpy()), 1)
    leaves = tr["from_state"].to_numpy() >= 0
    np.add.at(delta, (days[leaves], tr["from_state"].to_numpy()[leaves]), -1)
    rebuilt = delta.cumsum(axis=0)
    stocks = traced.stocks.set_index("day")
    for s in ACTIVE:
        assert np.array_equal(stocks[s.label].to_numpy(), rebuilt[1 : n_days + 1, s]), s.label


def test_stocks_add_up_to_decisions_minus_exits(traced):
    reg, stocks = traced.register, traced.stocks
    day = stocks["day"].to_numpy()
    decided = np.searchsorted(np.sort(reg["decision_day"].to_numpy()), day, side="right")
    closed = reg["outcome"].isin([s.label for s in TERMINAL])
    exits = np.searchsorted(np.sort(reg.loc[closed, "outcome_day"].to_numpy()), day, side="right")
    open_cases = stocks[[s.label for s in ACTIVE]].sum(axis=1).to_numpy()
    assert np.array_equal(open_cases, decided - exits)


def test_detention_never_exceeds_places_or_maximum_stay(traced):
    stocks = traced.stocks
    assert stocks["detention_occupied"].max() <= P.nations["SE"].detention_places
    assert stocks["detention_occupied"].max() == P.nations["SE"].detention_places, (
        "the limit should bind in this scenario"
    )
    tr = _chains(traced.transitions)
    det = tr[tr["from_state"] == State.DETAINED]
    stays = det["day"] - det["prev_day"]
    assert (stays >= 0).all()
    assert stays.max() <= P.nations["SE"].detention_max_days_extended + 1e-9
    released = tr[(tr["from_state"] == State.DETAINED) & (tr["to_state"] == State.POLICE_CASE)]
    assert len(released) > 0, "some people are released from detention in this scenario"


def test_register_days_are_ordered_and_match_the_log(traced):
    reg = traced.register
    entered = reg[[f"entered_{s.label}" for s in ACTIVE]]
    assert (entered.sub(reg["decision_day"], axis=0).stack().dropna() >= 0).all()
    done = reg["outcome"].isin([s.label for s in TERMINAL])
    latest = entered[done].max(axis=1)
    assert (reg.loc[done, "outcome_day"] >= latest).all()
    assert (reg["detention_days"] >= 0).all()
    final = traced.transitions.groupby("migrant_id")["to_state"].last().map(lambda s: State(s).label)
    assert final.sort_index().tolist() == reg.set_index("migrant_id")["outcome"].astype(str).sort_index().tolist()
