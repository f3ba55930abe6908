"""What the compiled kernels' state objects share: typing their fields, and reading them from Python.

A state object is a numba ``structref``: kernels take it as one argument and
may replace its arrays (to grow them). From Python its fields are read by
name, whole, through one compiled getter per state class that returns every
field (a getter per field would compile a function per field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from numba.core import types
from numba.experimental import structref


class KernelStateType(types.StructRef):
    """The numba type of a state object: each field typed by its value's type, never a literal."""

    def preprocess_fields(self, fields: tuple[tuple[str, types.Type], ...]) -> tuple[tuple[str, types.Type], ...]:
        """Type each field by its value's type (a count made with 0 may grow)."""
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class KernelState(structref.StructRefProxy):
    """A state object from Python: fields read by name as whole arrays (or numbers).

    An array read here shares memory with the object until a kernel grows
    it: read it again after a kernel ran. Subclasses name their fields
    (``names``) and give the compiled getter that returns them all in that
    order (``getter``).
    """

    names: ClassVar[tuple[str, ...]]
    getter: ClassVar[Callable[[Any], tuple[Any, ...]]]

    def __getattr__(self, name: str) -> Any:
        names = type(self).names
        if name not in names:
            raise AttributeError(name)
        return type(self).getter(self)[names.index(name)]
