"""Counts and amounts by name (decisions, detention days, euros): a :class:`collections.Counter` of numbers.

Countries, the transit route and the flights keep their tallies in Counters:
a name never added reads 0, and subtracting the warm-up's tally leaves what
the measured horizon added. The values are floats as often as ints (days,
euros), which typeshed's ``Counter`` (int values only) does not admit, so
the type checker is given the Counter's interface with float values; at run
time a ``Tally`` is a ``Counter``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    class Tally(dict[str, float]):
        """The part of :class:`collections.Counter`'s interface the model uses, with float values.

        Only the methods below are the Counter's; ``update`` and ``|`` would be
        typed as a dict's (replacing values) while a Counter's add them, so the
        model does not use them on a tally.
        """

        def __missing__(self, key: str) -> float:
            """A name never added reads 0."""

        def copy(self) -> Tally:
            """A tally with the same numbers."""

        def __add__(self, other: Tally) -> Tally:
            """Sums by name, keeping only positive ones."""

        def __sub__(self, other: Tally) -> Tally:
            """Differences by name, keeping only positive ones."""

else:
    Tally = Counter
