"""Names of results folders: a run's ``name``, a single run's scenario folder, a sweep's run folders.

Hydra resolves these while it composes a config (``hydra.run.dir``,
``hydra.sweep.subdir``), before returnsim's own code runs, so they depend on
nothing but the overrides and the sweep's ``sweep.json``.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from sim.params.checks import ConfigError

FOLDER_NAME = re.compile(r"[\w-][\w.-]*")
"""A plain folder name: letters, digits, ``_``, ``-`` and ``.``, not starting with ``.``."""


def is_folder_name(value: str) -> bool:
    """Whether ``value`` is one plain folder name (no ``/``, no ``..``), safe to put in a results path."""
    return FOLDER_NAME.fullmatch(value) is not None and ".." not in value


def check_folder_name(key: str, value: str) -> None:
    """Raise ConfigError naming ``key`` unless ``value`` is a plain folder name (a run's ``name``)."""
    if not is_folder_name(value):
        raise ConfigError(
            f"{key}={value!r} is not allowed: it names one folder under the results folder; "
            "use letters, digits, _, - and . (not first, and no ..)"
        )


INVALID_NAME_FOLDER = "invalid-name"
"""The results folder Hydra is given for a run whose ``name`` is not a plain folder name."""


def results_root(path: str) -> str:
    """The results folder ``paths.results_dir`` (resolver ``results_root``, in ``hydra.*.dir``); empty is refused.

    Resolved by Hydra before it creates a run folder: an empty value (or ``/``)
    would put the run under the file system's root (``/default/...``).
    """
    if not str(path).strip() or Path(str(path)).resolve() == Path(Path.cwd().anchor):
        raise ConfigError(
            f"paths.results_dir={str(path)!r} would write runs under the file system's root; give the folder "
            "results are written to (default: results)"
        )
    return str(path)


def results_folder(name: str) -> str:
    """The folder a run's ``name`` gives under the results folder (resolver ``results_folder``, in ``hydra.*.dir``).

    Hydra creates the run folder before the config is validated: a name that
    is not a plain folder name (``../../x``) gives :data:`INVALID_NAME_FOLDER`
    instead, so that nothing is written outside the results folder; the
    validation then rejects the name and removes the run folder.
    """
    return name if is_folder_name(str(name)) else INVALID_NAME_FOLDER


SWEEP_FILE = "sweep.json"


def run_folder(sweep_dir: str, overrides: list[str], limit: int = 120) -> str:
    """A sweep run's folder name: the overrides of the keys the sweep varies (``hydra.sweep.subdir``).

    Stable across re-runs of the same sweep, so a re-run finds each run again.
    Keys every run shares are left out; a name longer than ``limit`` is cut
    and made unique with a hash of the full overrides.
    """
    try:
        swept = json.loads((Path(sweep_dir) / SWEEP_FILE).read_text(encoding="utf-8"))["swept"]
    except (OSError, ValueError, KeyError):
        swept = None
    items = [o for o in overrides if swept is None or bare_key(o.partition("=")[0]) in swept]
    return _folder_name(items, overrides, limit)


def scenario_folder(overrides: list[str], limit: int = 120) -> str:
    """A single run's scenario folder: its command-line overrides, sorted (``base`` without any).

    ``hydra.run.dir`` puts each single run at ``<name>/<scenario>/<time>``, so
    runs of one scenario sit together and a folder says what was run.
    """
    return _folder_name(list(overrides), list(overrides), limit)


def _folder_name(items: list[str], overrides: list[str], limit: int) -> str:
    """``items`` sorted and joined with commas (``/`` made ``_``); cut at ``limit`` with a hash of ``overrides``."""
    name = ",".join(sorted(items)).replace("/", "_") or "base"
    if len(name) > limit:
        digest = hashlib.sha1(",".join(sorted(overrides)).encode()).hexdigest()[:12]
        name = f"{name[: limit - 13]}~{digest}"
    return name


def bare_key(key: str) -> str:
    """An override's key without Hydra's ``+``/``~`` prefixes."""
    return key.lstrip("+~")
