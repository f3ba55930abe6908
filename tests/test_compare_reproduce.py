"""Comparing runs and sweeps side by side, and reproducing a run from its folder."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.analysis.compare import comparison
from sim.analysis.compare import main as compare_main
from sim.outputs.files import COMPLETION_MARKER, file_sha256
from tests.conftest import TINY, cli, damage


def test_compare_puts_runs_and_sweeps_side_by_side(sweep, tmp_path, capsys):
    sweep_dir, _ = sweep
    run = sweep_dir / "colocation=full,seed=0"
    out = tmp_path / "cmp"
    compare_main([str(sweep_dir), str(run), "--metrics", "return_rate", "cost_per_return", "--out", str(out)])
    table = pd.read_csv(out / "comparison.csv")
    assert len(table) == 3 * 2  # (two scenarios of the sweep + one run) x two metrics
    single = table[table["label"] == "colocation/colocation=full,seed=0"]
    assert single["n"].eq(1).all() and single["ci_low"].isna().all()
    swept = table[table["label"] == "colocation: full"]
    assert (swept["ci_low"] <= swept["mean"]).all() and (swept["mean"] <= swept["ci_high"]).all()
    assert (out / "comparison.png").stat().st_size > 20_000
    assert "colocation: none" in capsys.readouterr().out


def test_compare_lays_a_one_country_sweep_beside_a_pooled_one():
    """Each label's own result: a Swedish sweep's SE rows beside a Nordic sweep's pooled ALL rows."""
    rows = pd.DataFrame(
        {
            "label": ["sweden", "sweden", "nordic", "nordic", "nordic", "nordic"],
            "country": ["SE", "SE", "SE", "ALL", "SE", "ALL"],
            "return_rate": [0.5, 0.6, 0.4, 0.45, 0.42, 0.47],
        }
    )
    table = comparison(rows, ["return_rate"], None)
    assert dict(zip(table["label"], table["country"], strict=True)) == {"sweden": "SE", "nordic": "ALL"}
    assert table.set_index("label").loc["nordic", "mean"] == pytest.approx(0.46)
    assert comparison(rows, ["return_rate"], "SE")["n"].tolist() == [2, 2]


def test_compare_rejects_unknown_metric(sweep):
    sweep_dir, _ = sweep
    with pytest.raises(SystemExit) as exit_info:
        compare_main([str(sweep_dir), "--metrics", "happiness"])
    assert exit_info.value.code == 2


def test_reproduce_round_trip_and_a_detected_mismatch(tmp_path):
    proc = cli(*TINY, "replications=2", "seed=4", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run = tmp_path / "run"
    same = cli(str(run), module="sim.runs.reproduce", cwd=tmp_path)
    assert same.returncode == 0, same.stderr
    assert same.stdout.count("identical") == 2
    meta = json.loads((run / COMPLETION_MARKER).read_text())
    meta["register_sha256"]["1"] = "0" * 64
    meta["versions"]["numpy"] = "1.0.0"
    (run / COMPLETION_MARKER).write_text(json.dumps(meta))
    differs = cli(str(run), module="sim.runs.reproduce", cwd=tmp_path)
    assert differs.returncode == 1
    assert "replication 0: case register identical" in differs.stdout
    assert "replication 1: case register DIFFERS" in differs.stdout
    assert "numpy: 1.0.0 ->" in differs.stdout
    # A run made by an older returnsim, whose config lacked a key this one requires: named, with the way out.
    old = tmp_path / "old"
    shutil.copytree(run, old)
    saved = OmegaConf.load(old / "config.yaml")
    del saved["max_cases"]
    OmegaConf.save(saved, old / "config.yaml")
    meta["files"]["config.yaml"] = file_sha256(old / "config.yaml")
    meta["versions"]["returnsim_source_sha256"] = "a" * 64
    (old / COMPLETION_MARKER).write_text(json.dumps(meta))
    refused = cli(str(old), module="sim.runs.reproduce", cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "config.yaml is not a valid config now" in refused.stderr and "max_cases" in refused.stderr
    assert "made by another version of returnsim (source SHA-256 aaaaaaaaaaaa" in refused.stderr


def test_reproduce_names_a_damaged_run_and_does_not_re_run_it(tmp_path):
    proc = cli(*TINY, "seed=4", f"hydra.run.dir={tmp_path / 'run'}", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = ("overwritten", "crafted", "truncated", "unrecorded")
    overwritten, crafted, truncated, unrecorded = (tmp_path / n for n in names)
    for folder in (overwritten, crafted, truncated, unrecorded):
        shutil.copytree(tmp_path / "run", folder)
    with (overwritten / "columns.md").open("a") as page:
        page.write("an edit after the run\n")
    damage(crafted, rehash=True)
    (truncated / COMPLETION_MARKER).write_text((truncated / COMPLETION_MARKER).read_text()[:50])
    meta = json.loads((unrecorded / COMPLETION_MARKER).read_text())
    del meta["register_sha256"]
    (unrecorded / COMPLETION_MARKER).write_text(json.dumps(meta))
    for folder, named in [
        (overwritten, "columns.md is damaged: its SHA-256 differs"),
        (crafted, "summary.parquet is damaged: it is not a readable Parquet file"),
        (truncated, "run.json is damaged (JSONDecodeError"),
        (unrecorded, "run.json is damaged (KeyError: 'register_sha256')"),
    ]:
        done = cli(str(folder), module="sim.runs.reproduce", cwd=tmp_path)
        assert done.returncode == 2, (folder.name, done.stdout, done.stderr)
        assert f"{folder} is damaged; nothing was re-run" in done.stderr and named in done.stderr
        assert "run it again" in done.stderr and "Traceback" not in done.stderr
        assert "identical" not in done.stdout and "reproduced" not in done.stdout


def test_compare_names_a_damaged_parquet_file_without_a_traceback(sweep, tmp_path):
    sweep_dir, _ = sweep
    copy = tmp_path / "copy"
    shutil.copytree(sweep_dir, copy)
    run = copy / "colocation=full,seed=0"
    damage(run, rehash=True)
    for folder in (run, copy):
        done = cli(str(folder), "--out", str(tmp_path / "cmp"), module="sim.analysis.compare", cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "colocation=full,seed=0" in done.stderr and "summary.parquet is damaged" in done.stderr
        assert "Traceback" not in done.stderr and not (tmp_path / "cmp").exists()


def _refused(argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        compare_main(argv)
    assert exit_info.value.code == 2
    return capsys.readouterr().err


def test_compare_refuses_what_would_pool_runs_into_a_false_interval(sweep, tmp_path, capsys):
    """The same folder twice, or two folders under one label, merged into one column with n = 2 (a narrower,
    false interval): refused, naming the folders; nothing written."""
    sweep_dir, _ = sweep
    run = sweep_dir / "colocation=full,seed=0"
    other = sweep_dir / "colocation=full,seed=1"
    out = tmp_path / "cmp"
    err = _refused([str(run), str(run), "--out", str(out)], capsys)
    assert "is given twice (arguments 1 and 2)" in err
    err = _refused([str(run), str(other), "--labels", "a", "a", "--out", str(out)], capsys)
    assert "have the same label 'a'" in err and "--labels" in err
    assert not out.exists()


def test_compare_refuses_runs_of_different_horizons_unless_asked_and_then_says_so(sweep, tmp_path, capsys):
    """A mean over another horizon is another quantity: refused naming both, or shown with the warning."""
    sweep_dir, _ = sweep
    run = sweep_dir / "colocation=full,seed=0"
    longer = tmp_path / "longer"
    shutil.copytree(run, longer)
    config = longer / "config.yaml"
    cfg = OmegaConf.load(config)
    cfg.horizon_days = cfg.horizon_days + 365
    config.write_text(OmegaConf.to_yaml(cfg))
    meta = json.loads((longer / COMPLETION_MARKER).read_text())
    meta["files"]["config.yaml"] = file_sha256(config)  # a consistent run of another design
    (longer / COMPLETION_MARKER).write_text(json.dumps(meta))
    out = tmp_path / "cmp"
    err = _refused([str(run), str(longer), "--metrics", "return_rate", "--out", str(out)], capsys)
    assert "the runs differ in horizon (horizon_days: " in err and f"{longer}: " in err and "--allow-mismatch" in err
    assert not out.exists()
    compare_main([str(run), str(longer), "--metrics", "return_rate", "--out", str(out), "--allow-mismatch"])
    assert "warning: the runs differ in horizon" in capsys.readouterr().err
    assert (out / "comparison.md").read_text().startswith("**Warning: the runs differ in horizon")
    assert "warm-up" not in (out / "comparison.md").read_text()
