"""returnsim: an agent-based simulator of the return process (Mesa 3.5, Hydra).

``from sim import run, sweep, effects, build`` gives the Python API (:mod:`sim.runs.api`);
it is loaded on first use, so the command-line tools do not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.runs.api import Results, build, effects, run, sweep

__all__ = ["Results", "build", "effects", "run", "sweep"]


def __getattr__(name: str) -> object:
    if name in __all__:
        from sim.runs import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
