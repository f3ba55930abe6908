"""Reading a results folder as untrusted data: limits, plain YAML, the run's record, config and tables checked.

A results folder may come from anyone (a colleague's share, a download) and
may have been edited with its checksums re-recorded, so every reader
(``returnsim-reproduce``, ``-report``, ``-compare``, resuming a sweep) first
asks :func:`inspect_run`, which checks, in this order and before hashing or
simulating anything:

1. ``run.json`` is at most :data:`MAX_RUN_RECORD` bytes of JSON with fields
   of the right types;
2. ``config.yaml`` is plain YAML (no alias, interpolation, ``_target_`` or
   ``hydra:`` block) and validates with the same schema and limits as a new
   run (``max_cases``, ``max_days``);
3. the record agrees with that config: its seed, one register hash per
   replication, and only file names a run writes;
4. each listed file is a regular file no larger than the run could have
   written (:func:`largest_file`), and each table has the data dictionary's
   columns, their kinds and, where a run always writes one, a row;
5. each file has the SHA-256 the record holds.

Each problem is one line naming the file; a reader reports them and exits 2.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from omegaconf import DictConfig, OmegaConf

from sim.outputs.column_types import Table, kind_of
from sim.outputs.columns import FLIGHTS, REGISTER, STOCKS, SUMMARY, TRANSITIONS, YEARLY, check_report
from sim.outputs.columns_page import COLUMNS_PAGE
from sim.outputs.files import COMPLETION_MARKER, OVERRIDES_FILE, file_sha256, source_hash
from sim.params.checks import ConfigError
from sim.params.compose import AppConfig, register_schema, to_params

MAX_SAVED_YAML = 8 * 1024 * 1024
"""The largest YAML file of a results folder that is read (bytes): a saved config of five countries with its
posterior draws is about 100 KB, so a larger file was not written by returnsim and is refused unread."""
MAX_RUN_RECORD = 1024 * 1024
"""The largest ``run.json`` that is read (bytes): a run of 8 replications records about 3 KB."""
RUN_TABLES: dict[str, tuple[Table, bool]] = {
    "summary.parquet": (SUMMARY, True),
    "summary.csv": (SUMMARY, True),
    "case_register.parquet": (REGISTER, False),
    "stocks.parquet": (STOCKS, True),
    "flights.parquet": (FLIGHTS, False),
    "transitions.parquet": (TRANSITIONS, False),
    "yearly.csv": (YEARLY, False),
}
"""Every table a run writes, its dictionary entry, and whether a run always writes a row (a summary row per
replication, a stock row per day; a run may fly no charter or open no case)."""
FIGURE_NAME = re.compile(r"figures/[a-z_]{1,40}\.(png|svg)")
SHA256 = re.compile(r"[0-9a-f]{64}")
BYTES_PER_CASE = 1024
"""What a case may take in a file (a register row is about 200 bytes in Parquet, more in a transition log)."""
BYTES_PER_DAY = 2048
"""What a day of one country may take in a file (a stock row is about 250 bytes)."""
SMALLEST_LIMIT = 64 * 1024 * 1024
"""A file of a run may always be this large (figures, a config with posterior draws, small runs' tables)."""


class SavedConfigError(ValueError):
    """A saved config that is not plain data (it would run code or read the environment if evaluated)."""


@dataclass(frozen=True)
class SavedRun:
    """A run folder that passed :func:`inspect_run`: its validated config and its record."""

    params: AppConfig
    record: dict


_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's safe loader, in C where libyaml is present (ten times faster on a saved config)."""


def plain_yaml(text: str) -> object:
    """``text`` read as plain YAML data: safely and without aliases (``yaml.YAMLError`` otherwise).

    returnsim writes no alias (``*a``); nested aliases expand exponentially
    when loaded (a "billion laughs" file takes gigabytes) and an alias may
    refer to its own node, so the events are scanned for one before loading.
    """
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.YAMLError(f"an alias (*{event.anchor}) at line {event.start_mark.line + 1}: not plain data")
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader


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


def _leaves(node: object, where: tuple) -> list[tuple[tuple, object]]:
    """Every key path and value; a ``_target_`` key is listed whatever its value."""
    if isinstance(node, dict):
        found: list[tuple[tuple, object]] = []
        for k, v in node.items():
            found += [((*where, k), v)] if k == "_target_" else _leaves(v, (*where, k))
        return found
    if isinstance(node, list):
        return [leaf for i, v in enumerate(node) for leaf in _leaves(v, (*where, i))]
    return [(where, node)]


class DamagedRun(ValueError):
    """A run folder that is not a finished, intact run of this returnsim; ``problems`` says why, one per line."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def inspect_run(run_dir: Path) -> SavedRun:
    """The run in ``run_dir`` with its validated config; :class:`DamagedRun` naming every problem otherwise."""
    record = _read_record(run_dir)
    params = _validated_config(run_dir, record)
    problems = _record_against_config(record, params)
    if problems:
        raise DamagedRun(problems)
    limit = largest_file(params)
    for name in record["files"]:
        problems += _file_problems(run_dir / name, name, limit)
    if problems:
        raise DamagedRun(problems)
    for name, digest in record["files"].items():
        if file_sha256(run_dir / name) != digest:
            problems.append(f"{name} is damaged: its SHA-256 differs from the one {COMPLETION_MARKER} records")
    if problems:
        raise DamagedRun(problems)
    return SavedRun(params, record)


def run_problems(run_dir: Path) -> list[str]:
    """Why ``run_dir`` is not a finished, intact run (:func:`inspect_run`), one line per problem; empty when it is."""
    try:
        inspect_run(run_dir)
    except DamagedRun as exc:
        return exc.problems
    return []


def run_is_complete(run_dir: Path, config_text: str) -> bool:
    """Whether ``run_dir`` holds a finished, intact run (:func:`inspect_run`) of the config ``config_text``.

    A run of a different config under the same folder is not this run.
    """
    try:
        if (run_dir / "config.yaml").read_text(encoding="utf-8") != config_text:
            return False
    except (OSError, ValueError):
        return False
    return not run_problems(run_dir)


def largest_file(params: AppConfig) -> int:
    """The most bytes a file of a run of ``params`` may hold: its cases and its days, over its replications."""
    days = params.warmup_days + params.horizon_days
    per_replication = BYTES_PER_CASE * params.expected_cases(params.stages()) + BYTES_PER_DAY * days * len(
        params.countries
    )
    return SMALLEST_LIMIT + params.replications * int(per_replication)


def _read_record(run_dir: Path) -> dict:
    """``run.json`` with its fields' types checked."""
    marker = run_dir / COMPLETION_MARKER
    if not marker.is_file():
        raise DamagedRun([f"no {COMPLETION_MARKER}: the run did not finish"])
    try:
        size = marker.stat().st_size
        if size > MAX_RUN_RECORD:
            raise ValueError(f"{size:,} bytes, more than returnsim writes ({MAX_RUN_RECORD:,}); not read")
        record = json.loads(marker.read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            raise TypeError("not a JSON object")
        for key, check, what in (
            ("status", lambda v: v == "complete", '"complete"'),
            ("seed", _is_int, "an integer"),
            ("files", lambda v: _is_table(v, SHA256.fullmatch), "a table of file names and SHA-256 digests"),
            ("register_sha256", lambda v: _is_table(v, SHA256.fullmatch), "a table of replications and digests"),
            ("versions", lambda v: _is_table(v, lambda x: True), "a table of names and versions"),
        ):
            if key not in record:
                raise KeyError(key)
            if not check(record[key]):
                raise TypeError(f"{key} is not {what}")
        if "config.yaml" not in record["files"]:
            raise KeyError("files.config.yaml")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DamagedRun([f"{COMPLETION_MARKER} is damaged ({type(exc).__name__}: {exc})"]) from None
    return record


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_table(value: object, valid: object) -> bool:
    """A JSON object of strings whose values are strings that ``valid`` accepts."""
    return isinstance(value, dict) and all(
        isinstance(v, str) and valid(v)  # type: ignore[operator]
        for v in value.values()
    )


def _validated_config(run_dir: Path, record: dict) -> AppConfig:
    """The run's ``config.yaml`` as plain data, validated as a new run's config is."""
    register_schema()
    try:
        params = to_params(read_saved_config(run_dir / "config.yaml"))
        check_report(params)
    except SavedConfigError as exc:
        raise DamagedRun([str(exc)]) from None
    except ConfigError as exc:
        raise DamagedRun([f"config.yaml is not a valid config now: {exc}. {_made_by(record)}"]) from None
    return params


def _made_by(record: dict) -> str:
    """Which returnsim made the run, when it is not the one installed (its config had other keys)."""
    recorded = record["versions"].get("returnsim_source_sha256", "not recorded")
    installed = source_hash()
    if recorded == installed:
        return "The run was made by this returnsim: the file was changed after the run"
    return (
        f"The run was made by another version of returnsim (source SHA-256 {recorded[:12]}, installed "
        f"{installed[:12]}), whose config had other keys: reproduce it with that version (the commit whose sim/ "
        "has that hash), or re-run its scenario with this one"
    )


def _record_against_config(record: dict, params: AppConfig) -> list[str]:
    """What in ``run.json`` the config it claims could not have written."""
    problems = []
    if record["seed"] != params.seed:
        problems.append(f"{COMPLETION_MARKER} records seed {record['seed']}, its config.yaml seed {params.seed}")
    expected = {str(r) for r in range(params.replications)}
    if set(record["register_sha256"]) != expected:
        problems.append(
            f"{COMPLETION_MARKER} records register hashes for {len(record['register_sha256']):,} replications, "
            f"its config.yaml runs {params.replications} (0 to {params.replications - 1})"
        )
    foreign = [n for n in record["files"] if not _is_run_file(n)]
    if foreign:
        problems.append(
            f"{COMPLETION_MARKER} lists {len(foreign):,} file(s) a run does not write (first: {foreign[0][:80]!r}); "
            f"a run writes config.yaml, {OVERRIDES_FILE}, {COLUMNS_PAGE}, {', '.join(RUN_TABLES)} and "
            "figures/<name>.png|svg"
        )
    return problems


def _is_run_file(name: str) -> bool:
    return name in {"config.yaml", OVERRIDES_FILE, COLUMNS_PAGE, *RUN_TABLES} or FIGURE_NAME.fullmatch(name) is not None


def _file_problems(path: Path, name: str, limit: int) -> list[str]:
    """Whether a listed file is there, a regular file, no larger than ``limit``, and a table as the dictionary says."""
    if path.is_symlink() or not path.is_file():
        return [f"{name} is missing" if not path.exists() else f"{name} is not a regular file"]
    size = path.stat().st_size
    if size > limit:
        return [f"{name} is {size:,} bytes, more than its run could write ({limit:,}); not read"]
    if name not in RUN_TABLES:
        return []
    table, has_rows = RUN_TABLES[name]
    try:
        columns, rows = _table_kinds(path)
    except (pa.ArrowException, OSError, ValueError, pd.errors.ParserError) as exc:
        kind = "Parquet" if path.suffix == ".parquet" else "CSV"
        return [f"{name} is damaged: it is not a readable {kind} file ({type(exc).__name__})"]
    missing = [c for c in table.columns if c not in columns]
    extra = [c for c in columns if c not in table.columns]
    if missing or extra:
        return [
            f"{name} does not have the data dictionary's columns (missing: {', '.join(missing) or 'none'}; "
            f"not in the dictionary: {', '.join(extra) or 'none'})"
        ]
    if has_rows and rows == 0:
        return [f"{name} has no rows; a run always writes some"]
    wrong = [
        f"{c} ({found}, not {kind_of(table.columns[c])})"
        for c, found in columns.items()
        if rows and found not in (kind_of(table.columns[c]), "empty")
    ]
    return [f"{name}: columns of the wrong kind: {', '.join(wrong)}"] if wrong else []


def _table_kinds(path: Path) -> tuple[dict[str, str], int]:
    """Each column's kind (``text``, ``bool``, ``number`` or ``empty``) and the number of rows, read cheaply."""
    if path.suffix == ".parquet":
        schema = pq.read_schema(path)
        return {f.name: _arrow_kind(f.type) for f in schema}, pq.read_metadata(path).num_rows
    frame = pd.read_csv(path)
    return {str(c): _pandas_kind(frame[c]) for c in frame.columns}, len(frame)


def _arrow_kind(kind: pa.DataType) -> str:
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_null(kind):
        return "empty"
    if pa.types.is_boolean(kind):
        return "bool"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return "number"
    return "text" if pa.types.is_string(kind) or pa.types.is_large_string(kind) else str(kind)


def _pandas_kind(column: pd.Series) -> str:
    if column.isna().all():
        return "empty"
    if pd.api.types.is_bool_dtype(column):
        return "bool"
    return "number" if pd.api.types.is_numeric_dtype(column) else "text"
