"""The engine's outcomes keep their distribution (the reference written by ``tests/helpers/engine_reference.py``).

The reference file holds the outcomes of the reference configs over 24 seeds; the engine in use
runs every reference config over seeds the reference did not use and compares
each outcome's mean and spread with the stated tolerances of
:func:`~tests.helpers.engine_reference.distribution_gaps`. A second test shows
the comparison can fail: a 10 % faster departure hazard in return cases is caught (the share of
voluntary returns moves by about 8 standard errors).
"""

from __future__ import annotations

import pandas as pd
import pytest

from sim.params.compose import load_params
from tests.helpers import engine_reference as ref


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    table = pd.read_csv(ref.REFERENCE)
    assert set(table["config"]) == set(ref.CONFIGS), "write the reference again: its configs changed"
    assert table.groupby("config").size().eq(len(ref.REFERENCE_SEEDS)).all()
    return table


@pytest.mark.slow
def test_outcome_distributions_match_the_reference(reference):
    new = pd.concat([ref.outcomes(name, ref.CHECK_SEEDS) for name in ref.CONFIGS], ignore_index=True)
    gaps = ref.distribution_gaps(reference, new)
    assert not gaps, "outcomes moved beyond the tolerance:\n" + "\n".join(gaps)


@pytest.mark.slow
def test_the_comparison_catches_a_ten_percent_faster_departure_hazard(reference, monkeypatch):
    name = "sweden_quarter"
    rate = load_params(ref.CONFIGS[name]).behaviour.return_case_departure
    monkeypatch.setitem(ref.CONFIGS, name, [*ref.CONFIGS[name], f"behaviour.return_case_departure={rate * 1.1}"])
    gaps = ref.distribution_gaps(reference, ref.outcomes(name, ref.CHECK_SEEDS))
    assert any("voluntary_share_of_returns" in g for g in gaps), gaps
