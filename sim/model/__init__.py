"""The simulation: a Mesa model whose cases are table rows worked on by compiled kernels (numba).

Kernels are compiled once and kept in numba's on-disk cache. Numba checks a
cached kernel only against its own file, yet a kernel carries compiled
copies of the kernels it calls in other files and the constants it reads
from them, so an edit of one file could leave stale code in another file's
cache. The cache therefore lives in a folder named by a digest of every
source the kernels are compiled from: any edit gives a fresh folder (and a
full compilation), and folders of older digests are removed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_SOURCES = [*sorted(_HERE.glob("*.py")), _HERE.parent / "params" / "levers.py"]
"""The model's modules and the parameter module whose constants kernels read (the information fields)."""
_DIGEST = hashlib.sha256(b"".join(p.read_bytes() for p in _SOURCES)).hexdigest()[:16]
_PREFIX = "returnsim-kernels-"
_GIVEN = Path(os.environ.get("NUMBA_CACHE_DIR") or _HERE / "__pycache__")
_BASE = _GIVEN.parent if _GIVEN.name.startswith(_PREFIX) else _GIVEN
"""The folder of the kernel caches: numba's own setting if the user made one (a process this one started
inherits the digest's folder as that setting), else the package's ``__pycache__``."""
KERNEL_CACHE = _BASE / f"{_PREFIX}{_DIGEST}"
"""Where this version of the kernels is cached."""
if not KERNEL_CACHE.is_dir():
    for old in _BASE.glob(f"{_PREFIX}*"):  # older versions' caches (never this one: another process may fill it)
        if old != KERNEL_CACHE:
            shutil.rmtree(old, ignore_errors=True)


def kernels_cached() -> bool:
    """Whether the kernels of these sources are compiled and cached (else the next model compiles them).

    Asked when a run starts, not when the package is imported: a sweep's
    worker imports it once and runs many models, the first of which fills
    the cache. numba makes the folder as soon as a cached kernel is defined,
    so it is the index files (``*.nbi``, written once a kernel is compiled,
    in a subfolder numba names after the sources' folder) that say so.
    """
    return any(KERNEL_CACHE.rglob("*.nbi"))


os.environ["NUMBA_CACHE_DIR"] = str(KERNEL_CACHE)  # numba reads it when imported, and again when it reloads
if "numba" in sys.modules:  # imported already: its settings were read
    sys.modules["numba"].config.CACHE_DIR = str(KERNEL_CACHE)
