"""returnsim's sweeper for Hydra (``hydra/sweeper=checked``): Hydra's basic sweeper, its jobs checked once.

Hydra finds sweepers only in the ``hydra_plugins`` namespace package, hence
this package beside ``sim``.
"""

from hydra_plugins.returnsim_sweeper.checked_sweeper import CheckedSweeper

__all__ = ["CheckedSweeper"]
