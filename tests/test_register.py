"""The case register keeps closed cases packed, and a case keeps only its own random numbers."""

from __future__ import annotations

import pickle
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import sim.model.register as register
from sim.model.hazards import UNIFORMS_PER_CASE
from sim.model.model import ReturnModel
from tests.conftest import SMALL, params

QUICK = (*SMALL, "warmup_days=100", "horizon_days=300", "seed=5")


def _run(pack_every: int, monkeypatch: pytest.MonkeyPatch) -> tuple[ReturnModel, pd.DataFrame]:
    monkeypatch.setattr(register, "PACK_EVERY", pack_every)
    model = ReturnModel(params(*QUICK))
    model.run()
    return model, model.case_register()


def test_the_register_is_the_same_table_however_its_rows_are_packed(monkeypatch):
    loose_model, loose = _run(10**9, monkeypatch)
    block = next(k for k in (7, 8, 9) if len(loose_model.countries["SE"].register) % k)  # a part-filled last block
    packed_model, packed = _run(block, monkeypatch)
    kept = packed_model.countries["SE"].register
    assert len(kept) > 1000 and len(kept) % block  # many blocks, and a part-filled last one
    assert len(kept._rows) < block  # the closed rows are packed as they come, not kept as tuples
    pd.testing.assert_frame_equal(packed, loose)
    assert set(packed["outcome"]) > {"returned_voluntary", "absconded"}
    assert packed["fields_passed"].map(type).eq(str).all()


def test_a_packed_row_takes_under_half_the_memory_of_a_row_of_python_objects(monkeypatch):
    """Five countries for ten years close about 230 000 cases: their rows set the run's peak memory.

    Measured: 273 bytes a packed row against about 630 as Python objects.
    """
    model, _ = _run(10**9, monkeypatch)
    cases = list(model.countries["SE"].open_cases.values()) * 20
    rows = register.CaseRegister.of(cases)

    def held_by(make) -> int:  # bytes still held by what ``make`` returns
        tracemalloc.start()
        kept = make()  # noqa: F841  # held while measured
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return size

    # a closed case's row owns its floats and entry-day list and shares its text: as a pickled copy does
    blob = pickle.dumps(rows._rows)
    loose = held_by(lambda: pickle.loads(blob))
    packed = held_by(lambda: np.array(rows._rows, dtype=register.ROW))
    assert packed < 0.5 * loose, (packed / len(cases), loose / len(cases))


def test_a_case_holds_its_own_random_numbers_not_its_arrival_days_block():
    model = ReturnModel(params(*QUICK))
    model.run()
    cases = list(model.countries["SE"].open_cases.values())
    assert len(cases) > 100
    assert all(len(case.uniforms) == UNIFORMS_PER_CASE for case in cases)
