"""``python -m sim`` runs the ``returnsim`` command."""

from sim.runs.cli import main

main()
