"""Running the model: single runs, sweeps, reproduction, the Python API, help and the interactive page."""
