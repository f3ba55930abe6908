"""The migrants of a run as agents to read: a view onto each case's row of the engine's tables.

The cases are rows of typed tables worked on by compiled kernels
(:mod:`sim.model.cases`), not Python objects: reading a field of a row
from Python costs far more than a kernel's work on it. For a reader (a
notebook, the interactive page, a test) ``model.migrants[i]`` is still a
migrant: its state, origin, country, traits and the states it has been in,
read from its row when asked. A view holds no copy, so it shows the row as
it stands at the moment it is read.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import overload

from sim.model.cases import HOT, Codes
from sim.model.engine import EngineState
from sim.model.states import ACTIVE, State


class Migrant:
    """One person's case, read from its row: what the process knows of them now."""

    __slots__ = ("_engine", "_codes", "row")

    def __init__(self, engine: EngineState, codes: Codes, row: int) -> None:
        """The case in row ``row`` of ``engine``'s tables; ``codes`` give the texts of its codes."""
        self._engine, self._codes, self.row = engine, codes, row

    def _hot(self, name: str) -> object:
        return self._engine.hot[name][self.row]

    def _past(self, name: str) -> object:
        return self._engine.history[name][self.row]

    @property
    def unique_id(self) -> int:
        """The case's number (the register's ``migrant_id``)."""
        return int(self._past("migrant_id"))  # type: ignore[call-overload]

    @property
    def state(self) -> State:
        """Where the case stands: an open state or its outcome."""
        return State(int(self._hot("state")))  # type: ignore[call-overload]

    @property
    def is_open(self) -> bool:
        """Whether the case is still open (no outcome yet)."""
        return self.state in ACTIVE

    @property
    def origin(self) -> str:
        """The origin (third country) the person is to return to."""
        return self._codes.origins[int(self._hot("origin"))]  # type: ignore[call-overload]

    @property
    def country(self) -> str:
        """The code of the country that holds the case."""
        return self._codes.countries[1 + int(self._hot("country"))]  # type: ignore[call-overload]

    @property
    def decision_day(self) -> float:
        """The day of the final decision that opened the case."""
        return float(self._past("decision_day"))  # type: ignore[arg-type]

    @property
    def history(self) -> list[tuple[State, float]]:
        """Each open state the case has entered, with the day it first did, in order; then its outcome if closed.

        A state entered again (absconding a second time) shows once, on its
        first day; the run's transition log (``output.transitions``) has
        every move.
        """
        entered = self._past("entered")
        steps = [(state, float(day)) for state, day in zip(ACTIVE, entered, strict=True) if not math.isnan(day)]  # type: ignore[call-overload]
        steps.sort(key=lambda step: step[1])
        if not self.is_open:
            steps.append((self.state, float(self._past("outcome_day"))))  # type: ignore[arg-type]
        return steps

    def __getattr__(self, name: str) -> object:
        """Any other field of the case's hot record (``willingness``, ``documents``, ``in_return_centre``...)."""
        if name in (HOT.names or ()):
            value = self._hot(name)
            return value.item() if hasattr(value, "item") else value
        raise AttributeError(name)

    def __repr__(self) -> str:
        return f"Migrant({self.unique_id}, {self.country}, {self.origin}, {self.state.label})"


class Migrants(Sequence[Migrant]):
    """Every case opened so far in a run, in the order they opened, as :class:`Migrant` views."""

    def __init__(self, engine: EngineState, codes: Codes) -> None:
        """The cases of ``engine``; ``codes`` give the texts of their codes."""
        self._engine, self._codes = engine, codes

    def __len__(self) -> int:
        return int(self._engine.size)

    @overload
    def __getitem__(self, i: int) -> Migrant: ...
    @overload
    def __getitem__(self, i: slice) -> list[Migrant]: ...
    def __getitem__(self, i: int | slice) -> Migrant | list[Migrant]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"migrant {i}: the run has opened {n} cases")
        return Migrant(self._engine, self._codes, i % n)

    def __iter__(self) -> Iterator[Migrant]:
        return (Migrant(self._engine, self._codes, row) for row in range(len(self)))

    def open_in(self, code: str) -> list[Migrant]:
        """The cases country ``code`` holds open now."""
        c = self._codes.countries.index(code) - 1
        hot = self._engine.hot[: len(self)]
        rows = ((hot["country"] == c) & (hot["state"] < State.RETURNED_VOLUNTARY)).nonzero()[0]
        return [Migrant(self._engine, self._codes, int(row)) for row in rows]
