"""Benchmarks of the returnsim engine (``uv run python -m benchmarks``)."""

DESIGN_WARMUP = "warmup_days=365"
"""The speed targets are set for a 1-year warm-up + 3-year horizon; the default run warms up longer."""
