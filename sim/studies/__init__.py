"""Studies over many runs: calibration (ABC), sensitivity (Sobol) and scenario discovery."""
