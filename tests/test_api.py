"""The Python API: the same configs and results as the command line, one tidy sweep table, paired effects."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import effects, run, sweep
from sim.outputs.files import COMPLETION_MARKER, frame_hash
from sim.params.checks import ConfigError
from tests.conftest import cli

TINY = ["nations.SE.decisions_per_year=2000", "warmup_days=60", "horizon_days=300"]


def test_a_run_equals_the_command_line_run_of_the_same_overrides(tmp_path):
    result = run([*TINY, "colocation=full"], replications=2, seed=5, progress=False)
    proc = cli(*TINY, "colocation=full", "replications=2", "seed=5", f"hydra.run.dir={tmp_path / 'cli'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    recorded = json.loads((tmp_path / "cli" / COMPLETION_MARKER).read_text())["register_sha256"]
    assert {str(r.replication): frame_hash(r.register) for r in result.replications} == recorded
    assert (tmp_path / "cli" / "config.yaml").read_text() == result.config
    saved = result.save(tmp_path / "api")
    assert (saved / COMPLETION_MARKER).exists() and (saved / "columns.md").exists()
    table = result.intervals("return_rate", "share_ever_absconded")
    assert list(table["metric"]) == ["return_rate", "share_ever_absconded"]
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()
    assert (table["replications"] == 2).all()
    assert result.summary.shape[0] == 2 and set(result.register["replication"]) == {0, 1}


def test_a_sweep_is_one_tidy_table_the_same_on_any_number_of_workers():
    levers = {"colocation": ["none", "full"]}
    one = sweep(levers, seeds=range(3), overrides=TINY, workers=1, progress=False)
    two = sweep(levers, seeds=range(3), overrides=TINY, workers=2, progress=False)
    pd.testing.assert_frame_equal(one, two)
    assert len(one) == 2 * 3
    assert list(one["scenario"].cat.categories) == ["none", "full"]  # the order given
    assert sorted(one.groupby("colocation")["seed"].apply(sorted).tolist()) == [[0, 1, 2]] * 2
    table = effects(one, baseline={"colocation": "none"}, metrics=["mean_handover_delay_days"])
    delay = table.iloc[0]
    assert delay["scenario"] == "full" and delay["pairs"] == 3
    assert delay["ci_high"] < 0, "co-location shortens the handover: the interval lies below zero"


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        (["colocation=bogus"], "colocation"),
        (["nations.SE.foo=1"], "nations.SE.foo"),
        (["replications=0"], "replications"),
        (["report.metrics=[returnrate]"], "report.metrics: unknown name 'returnrate'"),
    ],
)
def test_bad_input_raises_a_config_error_naming_the_key(overrides, named):
    with pytest.raises(ConfigError, match=named):
        run(overrides, progress=False)


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda: run(None, progress=False), "overrides must be a list of key=value strings, not None"),
        (lambda: run([5], progress=False), "overrides[0]=5 is not a key=value string"),
        (lambda: run(TINY, seed="abc", progress=False), "seed='abc': give a whole number"),
        (lambda: run(TINY, replications=1.5, progress=False), "replications=1.5: give a whole number"),
        (
            lambda: sweep({"colocation": ["none"]}, overrides=TINY, workers=0),
            "workers=0 is out of range; allowed: 1 to",
        ),
        (lambda: sweep(["colocation"], overrides=TINY), "sweep: levers=['colocation']; give a mapping"),
        (lambda: effects(pd.DataFrame(), {"colocation": "none"}, metrics=["bogus"]), "unknown metric 'bogus'"),
        (lambda: effects(pd.DataFrame(), {"colocation": "none"}, metrics="return_rate"), "not the string"),
    ],
)
def test_a_wrong_argument_raises_a_config_error_naming_it(call, named):
    """Bare TypeError, ValueError or KeyError before; now a ConfigError (a ValueError) naming the argument."""
    with pytest.raises(ConfigError, match=re.escape(named)):
        call()


def test_the_tutorial_runs_on_a_tiny_horizon(tmp_path):
    """docs/tutorial.py, executed as the script it is, writes its figure."""
    tutorial = Path(__file__).resolve().parent.parent / "docs" / "tutorial.py"
    env = {**os.environ, "RETURNSIM_TUTORIAL_QUICK": "1", "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(tutorial)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "tutorial_effects.png").stat().st_size > 20_000


def test_the_api_names_stay_functions_after_every_module_is_loaded():
    """``from sim import sweep`` must not give a submodule of that name once the command line has loaded it."""
    import importlib
    import pkgutil

    import sim

    for module in pkgutil.iter_modules(sim.__path__):
        if module.name not in {"__main__", "page"}:  # the entry point runs on import; the page needs a front end
            importlib.import_module(f"sim.{module.name}")
    for name in sim.__all__:
        assert not isinstance(getattr(sim, name), type(sim)), f"sim.{name} is a module, not the API's {name}"
