"""Writing a run's results: atomic files, versions and the completion marker.

Every file is written to a temporary name in the same folder and renamed
into place, so an interrupted run never leaves a half-written file under a
final name; ``run.json`` is written last and marks the run complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextvars import ContextVar
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
OVERRIDES_FILE = "overrides.yaml"
"""What a run changed from returnsim's defaults, key by key, beside its full ``config.yaml``."""
REDO = (
    "run it again: a single run with returnsim and the overrides it was made with, a sweep's run with the same "
    "sweep command (it redoes only the runs that are not complete)"
)
"""What to do about a damaged or unfinished run (the end of the messages that name one)."""
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
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


_OUTPUT_SET: ContextVar[list[Path] | None] = ContextVar("output_set", default=None)


@contextlib.contextmanager
def output_set() -> Iterator[list[Path]]:
    """The files written inside are one set of outputs: if anything fails, each one written so far is removed.

    A report or a comparison is several files that only make sense
    together; a failure half-way (a full disk, a bad figure) leaves none of
    them behind to pass for a result. Yields the list of files written.
    """
    written: list[Path] = []
    token = _OUTPUT_SET.set(written)
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    finally:
        _OUTPUT_SET.reset(token)


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it to ``path``.

    Inside :func:`output_set` the file joins the set.
    """
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
    written = _OUTPUT_SET.get()
    if written is not None:
        written.append(path)


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


def frame_hash(df: pd.DataFrame) -> str:
    """A content hash of a table, stable across processes and machines for the same values."""
    row_hashes = pd.util.hash_pandas_object(df, index=False).to_numpy()
    digest = hashlib.sha256(row_hashes.tobytes())
    digest.update(",".join(df.columns).encode())
    return digest.hexdigest()


RUN_LOCK = "run.lock"
"""A single run's lock on its folder while it runs (:class:`sim.outputs.locks.FolderLock`)."""
KEPT_AFTER_FAILURE = (".hydra", "failed.json", RUN_LOCK)


def remove_partial_results(out_dir: Path) -> None:
    """After a failed run, remove every result it wrote, so nothing in the folder passes for a result.

    Kept: Hydra's record (``.hydra/``), the log and ``failed.json``, which
    say what was run and why it failed.
    """
    if not out_dir.is_dir():
        return
    for path in out_dir.iterdir():
        if path.name in KEPT_AFTER_FAILURE or path.suffix == ".log":
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


def discard_run_dir(out_dir: Path) -> None:
    """Remove a run directory that holds nothing but Hydra's own bookkeeping (after a config error).

    Its scenario folder goes too when nothing else is in it (another run's folder keeps it).
    """
    if out_dir.exists() and all(p.name in {".hydra", "cli.log"} or p.suffix == ".log" for p in out_dir.iterdir()):
        shutil.rmtree(out_dir)
        with contextlib.suppress(OSError):  # not empty: it holds other runs of the scenario
            out_dir.parent.rmdir()
