"""Points in parameter space: shared by calibration, sensitivity analysis and the EMA adapter.

A study varies some keys of the model config (``behaviour.police_case_abscond``,
``nations.SE.detention_places``, ...) within ranges, and runs the model at each
point on the same replication seeds (common random numbers), so that two points
differ only through the parameters.
"""

from __future__ import annotations

import functools
import multiprocessing
import shutil
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from sim.outputs.files import discard_run_dir
from sim.params.checks import ConfigError, check_number, declared_range, typed_config
from sim.params.compose import AppConfig, to_params
from sim.params.folders import check_folder_name
from sim.params.ranges import Range


def check_ranges(section: str, ranges: Mapping[str, Range], model: DictConfig) -> None:
    """Each key exists in the model config and its range is well formed and inside the key's own allowed values.

    Checked before the first simulation: a probability ranging up to 5 is
    refused here, not after the sampler has drawn from it.
    """
    if not ranges:
        raise ConfigError(f"{section}: give at least one config key with low and high")
    for key, r in ranges.items():
        if OmegaConf.select(model, key, default=None) is None:
            raise ConfigError(f"{section}.{key}: not a key of the model config (e.g. behaviour.return_case_abscond)")
        if not r.low < r.high:
            raise ConfigError(f"{section}.{key}: low={r.low} must be below high={r.high}")
        if r.log and r.low <= 0:
            raise ConfigError(f"{section}.{key}: a log-scale range needs low > 0, got {r.low}")
        allowed = declared_range(model, key)
        for end, value in (("low", r.low), ("high", r.high)):
            check_number(f"{section}.{key}.{end}", value, allowed)


def check_simulations(count: int, formula: str, limit: int) -> None:
    """Refuse a design of more than ``max_simulations`` model runs before anything is sampled or allocated.

    ``formula`` says how the count came about, so that the message names the keys to lower.
    """
    if count > limit:
        raise ConfigError(
            f"the study would run {count:,} simulations ({formula}), above max_simulations={limit:,}: "
            "lower them, or raise max_simulations"
        )


def check_no_posterior_draw(model: DictConfig) -> None:
    """A study sets parameters itself: a scenario on a posterior draw (which would set them back) is refused."""
    draw = OmegaConf.select(model, "posterior_draw", default=-1)
    if draw >= 0:
        raise ConfigError(
            f"scenario: posterior_draw={draw}; a calibration or sensitivity study varies the parameters itself, "
            "so it runs on the preset's values (posterior_draw=-1)"
        )


def with_values(model: DictConfig, values: Mapping[str, Any]) -> AppConfig:
    """The validated parameters of ``model`` with ``values`` set (whole-number keys rounded)."""
    cfg = model.copy()
    for key, value in values.items():
        current = OmegaConf.select(cfg, key)
        if isinstance(current, int) and not isinstance(current, bool):
            value = round(float(value))
        elif isinstance(value, np.generic):
            value = value.item()
        OmegaConf.update(cfg, key, value, merge=False)
    return to_params(cfg)


@contextmanager
def worker_map(workers: int, chunksize: int = 1) -> Iterator[Callable[[Callable, Iterable], Iterator]]:
    """A ``map`` over ``workers`` processes (or this process for one): same results either way.

    Workers start from a fork server, not by forking this process: pyabc's
    database and Hydra's logging run threads here, and forking a threaded
    process can deadlock the child.
    """
    if workers <= 1:
        yield map
        return
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver")) as pool:
        yield functools.partial(pool.map, chunksize=chunksize)


def run_study[T](command: str, schema: type[Any], cfg: DictConfig, body: Callable[[Any, Path], T]) -> tuple[T, Path]:
    """Type ``cfg`` by ``schema`` and run ``body(config, output folder)`` inside a Hydra app.

    ``schema`` has a ``name`` (the results folder's, checked to be a plain
    folder name). A config error (wrong value, unknown name, invalid model
    override) ends with a message naming the key, exit code 2 and no results
    folder left; a folder that cannot be written (full disk, read-only) with
    exit code 1 and the study's partial results removed.
    """
    out_dir = Path(HydraConfig.get().runtime.output_dir)
    try:
        typed = typed_config(schema, cfg)
        check_folder_name("name", typed.name)
        return body(typed, out_dir), out_dir
    except (ConfigError, OmegaConfBaseException, HydraException) as exc:
        discard_run_dir(out_dir)
        print(f"{command}: invalid config: {exc}", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:  # a full disk or a folder that cannot be written: no partial study may pass for one
        shutil.rmtree(out_dir, ignore_errors=True)
        print(
            f"{command}: cannot write {exc.filename or out_dir}: {exc.strerror or exc}; nothing was kept",
            file=sys.stderr,
        )
        sys.exit(1)
