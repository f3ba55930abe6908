"""returnsim: an agent-based simulator of the return process (Mesa 3.5, Hydra)."""
