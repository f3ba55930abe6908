"""``python -m sim`` runs the ``returnsim`` command."""

from sim.cli import main

main()
