"""Benchmarks of the returnsim engine (``uv run python -m benchmarks``)."""
