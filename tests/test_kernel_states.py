"""Every compiled state object reads back from Python by name: the one getter follows each class's field list.

Each state class (:class:`sim.model.engine.KernelState`) names its fields
once (from its ``Protocol``, in the order the object is made with) and every
class reads them all from one compiled getter over the struct's fields
(:func:`sim.model.engine.field_values`). Were the struct's order not the
names' order, two fields of the same type would be read under each other's
names; these tests compare the getter with one generated from the names,
after giving every number field a value of its own.
"""

from __future__ import annotations

from typing import Any

import numba as nb
import numpy as np
import pytest

from sim.model.engine import KernelState, field_values
from sim.model.model import ReturnModel
from sim.params.compose import load_params

PARTS = ("engine", "agency", "police", "authorities", "transport")


@pytest.fixture(scope="module")
def run() -> ReturnModel:
    params = load_params(["warmup_days=10", "horizon_days=20", "output.figures=false"])
    made = ReturnModel(params)
    made.run()
    return made


def _compiled(source: str, name: str) -> Any:
    scope: dict[str, Any] = {}
    exec(source, scope)  # noqa: S102 - generated from the class's own field names
    return nb.njit(scope[name])


def _by_name(names: tuple[str, ...]) -> Any:
    body = ", ".join(f"s.{name}" for name in names)
    return _compiled(f"def by_name(s):\n    return ({body},)\n", "by_name")


def _number_each(names: list[str]) -> Any:
    lines = "".join(f"    s.{name} = {i + 2}\n" for i, name in enumerate(names)) or "    pass\n"
    return _compiled(f"def number_each(s):\n{lines}", "number_each")


def _same_field(a: object, b: object) -> bool:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        same_buffer = a.__array_interface__["data"][0] == b.__array_interface__["data"][0]
        return same_buffer and a.shape == b.shape and a.dtype == b.dtype
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("part", PARTS)
def test_the_getter_returns_each_field_under_its_own_name(run: ReturnModel, part: str) -> None:
    """Arrays are the same buffers, numbers (each set to its own value first) the same values, in the names' order."""
    state: KernelState = getattr(run, part)
    cls = type(state)
    assert len(cls.names) == len(set(cls.names))
    numbers = [name for name, value in zip(cls.names, field_values(state), strict=True) if np.isscalar(value)]
    _number_each([name for name in numbers if not isinstance(getattr(state, name), (bool, np.bool_))])(state)
    truth = _by_name(cls.names)(state)
    got = field_values(state)
    assert len(got) == len(truth)
    wrong = [name for name, a, b in zip(cls.names, got, truth, strict=True) if not _same_field(a, b)]
    assert wrong == []
    assert all(np.isscalar(getattr(state, name)) for name in numbers)
