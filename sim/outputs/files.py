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
from importlib import metadata
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from omegaconf import DictConfig, OmegaConf

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


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
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


def run_problems(run_dir: Path) -> list[str]:
    """Why ``run_dir`` is not a finished, intact run, one line per problem; empty when it is one.

    A run is finished when ``run.json`` is valid JSON, marks it complete and
    lists ``config.yaml``, and every file it lists still has the SHA-256
    recorded there; a Parquet file must also open as Parquet.
    """
    marker = run_dir / COMPLETION_MARKER
    if not marker.is_file():
        return [f"no {COMPLETION_MARKER}: the run did not finish"]
    try:
        meta = json.loads(marker.read_text(encoding="utf-8"))
        files = dict(meta["files"])
        complete = meta["status"] == "complete" and "config.yaml" in files
        recorded = {key: meta[key] for key in ("seed", "register_sha256", "versions")}
        if not all(isinstance(value, dict) for value in (recorded["register_sha256"], recorded["versions"])):
            raise TypeError("register_sha256 and versions must be tables")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{COMPLETION_MARKER} is damaged ({type(exc).__name__}: {exc})"]
    if not complete:
        return [f"{COMPLETION_MARKER} does not mark the run complete with its config.yaml"]
    problems = []
    for name, digest in files.items():
        path = run_dir / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif file_sha256(path) != digest:
            problems.append(f"{name} is damaged: its SHA-256 differs from the one {COMPLETION_MARKER} records")
        elif path.suffix == ".parquet" and not _is_parquet(path):
            problems.append(f"{name} is damaged: it is not a readable Parquet file")
    if not problems:
        try:
            read_saved_config(run_dir / "config.yaml")
        except SavedConfigError as exc:
            problems.append(str(exc))
    return problems


class SavedConfigError(ValueError):
    """A saved config that is not plain data (it would run code or read the environment if evaluated)."""


MAX_SAVED_YAML = 8 * 1024 * 1024
"""The largest YAML file of a results folder that is read (bytes): a saved config of five countries with its
posterior draws is about 100 KB, so a larger file was not written by returnsim and is refused unread."""


class _PlainLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases (``*a``): returnsim writes none.

    Nested aliases expand exponentially when loaded (a "billion laughs" file
    takes gigabytes), and an alias may refer to its own node.
    """

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.YAMLError(f"an alias (*{event.anchor}) at line {event.start_mark.line + 1}: not plain data")
        return super().compose_node(parent, index)


def plain_yaml(text: str) -> object:
    """``text`` read as plain YAML data: safely, without aliases (``yaml.YAMLError`` otherwise)."""
    return yaml.load(text, Loader=_PlainLoader)  # noqa: S506 - a SafeLoader that also refuses aliases


def read_plain_yaml(path: Path) -> object:
    """A YAML file of a results folder as plain data: at most :data:`MAX_SAVED_YAML` bytes, no aliases.

    Raises ``OSError`` (unreadable), ``ValueError`` (too large, not text) or ``yaml.YAMLError``.
    """
    size = path.stat().st_size
    if size > MAX_SAVED_YAML:
        raise ValueError(f"{path.name} is {size:,} bytes, more than returnsim writes ({MAX_SAVED_YAML:,}); not read")
    return plain_yaml(path.read_text(encoding="utf-8"))


def read_saved_config(path: Path) -> DictConfig:
    """A config saved in a results folder, as plain data; a :class:`SavedConfigError` if it is not.

    A results folder is data, not code: the YAML is read with a safe loader
    and refused if it holds an interpolation or resolver (``${...}``, e.g.
    ``${oc.env:VAR}``), a ``_target_`` (an object Hydra would build) or a
    ``hydra:`` block. A config that returnsim saved holds none of them.
    """
    try:
        data = read_plain_yaml(path)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise SavedConfigError(f"{path.name} cannot be read as plain YAML ({type(exc).__name__}: {exc})") from None
    if not isinstance(data, dict):
        raise SavedConfigError(f"{path.name} is not a mapping of config keys")
    if "hydra" in data:
        raise SavedConfigError(f"{path.name}: holds a hydra block, which is not plain data; nothing was run")
    for where, value in _leaves(data, ()):
        key = ".".join(map(str, where))
        if where and where[-1] == "_target_":
            raise SavedConfigError(f"{path.name}: {key} is a _target_ (an object Hydra would build); nothing was run")
        if isinstance(value, str) and "${" in value:
            raise SavedConfigError(f"{path.name}: {key} holds an interpolation (${{...}}); nothing in it is evaluated")
    return OmegaConf.create(data)


def _leaves(node: object, where: tuple) -> Iterator[tuple[tuple, object]]:
    """Every key path and value; a ``_target_`` key is yielded whatever its value."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "_target_":
                yield (*where, k), v
            else:
                yield from _leaves(v, (*where, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, (*where, i))
    else:
        yield where, node


def _is_parquet(path: Path) -> bool:
    try:
        pq.read_metadata(path)
    except (pa.ArrowException, OSError):
        return False
    return True


def run_is_complete(run_dir: Path, config_text: str | None = None) -> bool:
    """Whether ``run_dir`` holds a finished, intact run (:func:`run_problems`) of the same config.

    With ``config_text``, the saved ``config.yaml`` must also equal it: a run
    of a different config under the same folder is not this run.
    """
    if config_text is not None:
        try:
            if (run_dir / "config.yaml").read_text(encoding="utf-8") != config_text:
                return False
        except (OSError, ValueError):
            return False
    return not run_problems(run_dir)


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
