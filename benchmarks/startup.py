"""What a newcomer waits for: a command's start-up, and the first run of a fresh clone (kernels compiling).

``startup`` times, each in a fresh interpreter, ``returnsim --help``, a
refused override (``returnsim colocaton=full``, exit 2) and ``import sim``;
``first_run`` times the default ``returnsim`` with an empty kernel cache (a
fresh clone: every kernel compiles) and again with the cache it left (every
later run). Wall-clock seconds from the shell, medians over the repeats.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "help": ["-m", "sim", "--help"],
    "refused_override": ["-m", "sim", "colocaton=full"],
    "import_sim": ["-c", "import sim"],
}
"""Start-up commands, as arguments of the interpreter."""


def _wall(args: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, check=False)
    return time.perf_counter() - start


def startup(repeats: int) -> dict[str, float]:
    """Median wall seconds of each start-up command, in fresh interpreters."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    with tempfile.TemporaryDirectory() as tmp:
        return {
            name: round(statistics.median(_wall(args, env, Path(tmp)) for _ in range(repeats)), 2)
            for name, args in COMMANDS.items()
        }


def first_run() -> dict[str, float]:
    """Wall seconds of the default run with an empty kernel cache, then with the cache that run left."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUMBA_CACHE_DIR": str(Path(tmp) / "cache")}
        run = ["-m", "sim", f"hydra.run.dir={Path(tmp) / 'run'}", "output.figures=false"]
        fresh = _wall(run, env, Path(tmp))
        again = _wall([*run[:-2], f"hydra.run.dir={Path(tmp) / 'again'}", "output.figures=false"], env, Path(tmp))
    return {"fresh_clone_seconds": round(fresh, 1), "cached_seconds": round(again, 1)}
