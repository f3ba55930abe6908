"""Writing a run's results: atomic files, versions and the completion marker.

Every file is written to a temporary name in the same folder and renamed
into place, so an interrupted run never leaves a half-written file under a
final name; ``run.json`` is written last and marks the run complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path

import pandas as pd

PACKAGES = (
    "returnsim",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "seaborn",
    "matplotlib",
    "hydra-core",
    "omegaconf",
)
COMPLETION_MARKER = "run.json"
_UMASK = os.umask(0)
os.umask(_UMASK)


def versions() -> dict[str, str]:
    """Versions of Python, returnsim (and a hash of its source) and every library a result depends on."""
    found = {"python": platform.python_version(), "returnsim_source_sha256": source_hash()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def source_hash() -> str:
    """SHA-256 over the model's Python source files: tells whether the code a run used has changed."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def write_table(path: Path, df: pd.DataFrame) -> None:
    """Write a table atomically as Parquet or CSV, by the file's suffix."""
    if path.suffix == ".csv":
        atomic_write(path, lambda tmp: df.to_csv(tmp, index=False))
    else:
        atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


def write_json(path: Path, obj: dict) -> None:
    """Write a JSON document atomically."""
    write_text(path, json.dumps(obj, indent=2, sort_keys=True, default=str) + "\n")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (read in blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_is_complete(run_dir: Path, config_text: str | None = None) -> bool:
    """Whether ``run_dir`` holds a finished run: its marker, every file it lists intact, the same config.

    A run is finished when ``run.json`` exists and every file it lists still has
    the SHA-256 recorded there (a deleted or damaged file makes it unfinished).
    With ``config_text``, the saved ``config.yaml`` must also equal it: a run
    of a different config under the same folder is not this run.
    """
    marker = run_dir / COMPLETION_MARKER
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
        files = meta["files"]
        if meta.get("status") != "complete" or "config.yaml" not in files:
            return False
        if config_text is not None and (run_dir / "config.yaml").read_text(encoding="utf-8") != config_text:
            return False
        return all(file_sha256(run_dir / name) == digest for name, digest in files.items())
    except (OSError, ValueError, KeyError, TypeError):
        return False


def frame_hash(df: pd.DataFrame) -> str:
    """A content hash of a table, stable across processes and machines for the same values."""
    row_hashes = pd.util.hash_pandas_object(df, index=False).to_numpy()
    digest = hashlib.sha256(row_hashes.tobytes())
    digest.update(",".join(df.columns).encode())
    return digest.hexdigest()


def discard_run_dir(out_dir: Path) -> None:
    """Remove a run directory that holds nothing but Hydra's own bookkeeping (after a config error)."""
    if out_dir.exists() and all(p.name in {".hydra", "cli.log"} or p.suffix == ".log" for p in out_dir.iterdir()):
        shutil.rmtree(out_dir)
