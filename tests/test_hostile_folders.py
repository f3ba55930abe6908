"""Results folders crafted by someone else: each is refused before anything is hashed or simulated.

Every folder starts as a genuine run and is then edited with its checksums
re-recorded, so the hashes alone would pass it. ``returnsim-reproduce`` and
``returnsim-compare`` must each exit 2 naming the file, without a
traceback, without writing anything, and (for the cases that used to
allocate gigabytes or read for minutes) within 1 GB of memory. Report and
comparison failures half-way leave none of their files behind.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.analysis.compare import main as compare_main
from sim.analysis.report import main as report_main
from sim.outputs.files import COMPLETION_MARKER, file_sha256
from sim.runs.reproduce import main as reproduce_main
from sim.runs.runner import run_scenario
from tests.conftest import TINY, params

Edit = Callable[[Path], None]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory) -> Path:
    """A finished run of the tiny scenario, written as returnsim writes one (figures off: they are not read)."""
    run_dir = tmp_path_factory.mktemp("genuine") / "run"
    run_scenario(params(*TINY, "seed=7", "output.figures=false"), run_dir)
    return run_dir


def _record(run_dir: Path) -> dict:
    return json.loads((run_dir / COMPLETION_MARKER).read_text())


def _save_record(run_dir: Path, record: dict) -> None:
    (run_dir / COMPLETION_MARKER).write_text(json.dumps(record))


def _rehash(run_dir: Path, *names: str) -> None:
    """Record the files' present hashes in ``run.json``, as someone hiding an edit would."""
    record = _record(run_dir)
    for name in names:
        record["files"][name] = file_sha256(run_dir / name)
    _save_record(run_dir, record)


def _set_record(key: str, value: object) -> Edit:
    def edit(run_dir: Path) -> None:
        record = _record(run_dir)
        record[key] = value
        _save_record(run_dir, record)

    return edit


def _edit_config(change: Callable[[dict], None]) -> Edit:
    def edit(run_dir: Path) -> None:
        config = yaml.safe_load((run_dir / "config.yaml").read_text())
        change(config)
        (run_dir / "config.yaml").write_text(yaml.safe_dump(config))
        _rehash(run_dir, "config.yaml")

    return edit


def _edit_table(name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Edit:
    def edit(run_dir: Path) -> None:
        path = run_dir / name
        table = pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)
        changed = change(table)
        changed.to_csv(path, index=False) if path.suffix == ".csv" else changed.to_parquet(path, index=False)
        _rehash(run_dir, name)

    return edit


def _list_file(name: str, make: Callable[[Path], None]) -> Edit:
    """Make a file (or link) and list it in ``run.json`` with its hash."""

    def edit(run_dir: Path) -> None:
        make(run_dir / name)
        record = _record(run_dir)
        record["files"][name] = "0" * 64  # refused before any hashing: a digest is never computed for it
        _save_record(run_dir, record)

    return edit


def _sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("r+b" if path.exists() else "wb") as fh:
            fh.truncate(size)

    return make


def _padded_record(run_dir: Path) -> None:
    record = _record(run_dir)
    record["versions"]["padding"] = "x" * (2 * 1024 * 1024)
    _save_record(run_dir, record)


def _many_replications(run_dir: Path) -> None:
    record = _record(run_dir)
    record["register_sha256"] = {str(r): "0" * 64 for r in range(10_000)}
    _save_record(run_dir, record)


def _delete(key: str) -> Callable[[dict], None]:
    return lambda config: config.pop(key)


def _set(key: str, value: object) -> Callable[[dict], None]:
    return lambda config: config.update({key: value})


def _arrivals(value: float) -> Callable[[dict], None]:
    return lambda config: config["nations"]["SE"].update(decisions_per_year=value)


CASES: dict[str, tuple[Edit, str]] = {
    # run.json: the record itself
    "seed of the wrong type": (_set_record("seed", "abc"), "run.json is damaged (TypeError: seed is not an integer)"),
    "files not a table": (_set_record("files", ["config.yaml"]), "files is not a table of file names"),
    "hashes not digests": (_set_record("register_sha256", {"0": 5}), "register_sha256 is not a table"),
    "record not an object": (lambda d: (d / COMPLETION_MARKER).write_text("[1, 2]"), "not a JSON object"),
    "record of 2 MB": (_padded_record, "more than returnsim writes (1,048,576); not read"),
    # config.yaml: validated as a new run's config
    "config without warmup_days": (_edit_config(_delete("warmup_days")), "valid config now: warmup_days"),
    "posterior_draw not a number": (_edit_config(_set("posterior_draw", "abc")), "valid config now: posterior_draw"),
    "a warm-up of 10^9 days": (_edit_config(_set("warmup_days", 10**9)), "above max_days=36,500"),
    "a million arrivals a day": (_edit_config(_arrivals(1e9)), "decisions_per_year"),
    # run.json against the config it claims
    "10 000 replications listed": (_many_replications, "register hashes for 10,000 replications"),
    "a seed the config did not run": (_set_record("seed", 8), "run.json records seed 8, its config.yaml seed 7"),
    "a file outside the folder": (_list_file("../outside.txt", lambda p: p.write_text("x")), "a run does not write"),
    "a 300 GB sparse file": (_list_file("transitions.parquet", _sparse(300 * 2**30)), "more than its run could"),
    "a listed symbolic link": (
        _list_file("transitions.parquet", lambda p: p.symlink_to("/dev/zero")),
        "transitions.parquet is not a regular file",
    ),
    # each table against the data dictionary
    "a summary without rows": (_edit_table("summary.parquet", lambda t: t.iloc[:0]), "summary.parquet has no rows"),
    "a summary without return_rate": (
        _edit_table("summary.csv", lambda t: t.drop(columns="return_rate")),
        "summary.csv does not have the data dictionary's columns (missing: return_rate",
    ),
    "a stock table without a drawn state": (
        _edit_table("stocks.parquet", lambda t: t.drop(columns="detained")),
        "stocks.parquet does not have the data dictionary's columns (missing: detained",
    ),
    "a summary without country": (
        _edit_table("summary.parquet", lambda t: t.drop(columns="country")),
        "summary.parquet does not have the data dictionary's columns (missing: country",
    ),
    "a rate as text": (
        _edit_table("summary.parquet", lambda t: t.assign(return_rate="high")),
        "columns of the wrong kind: return_rate (text, not number)",
    ),
}


def _crafted(genuine: Path, tmp_path: Path, edit: Edit) -> Path:
    run_dir = tmp_path / "shared_with_you" / "run"
    shutil.copytree(genuine, run_dir)
    edit(run_dir)
    return run_dir


def _refused(main: Callable[[list[str]], None], argv: list[str], capsys) -> str:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    out, err = capsys.readouterr()
    assert ended.value.code == 2, (out, err)
    assert "Traceback" not in err and "identical" not in out
    return err


@pytest.mark.parametrize("case", CASES)
def test_a_crafted_run_folder_is_refused_naming_what_is_wrong(genuine, tmp_path, capsys, case):
    edit, named = CASES[case]
    run_dir = _crafted(genuine, tmp_path, edit)
    before = sorted(p.name for p in run_dir.iterdir())
    err = _refused(reproduce_main, [str(run_dir)], capsys)
    assert f"{run_dir} is damaged; nothing was re-run" in err and named in err, err
    out = tmp_path / "comparison"
    err = _refused(compare_main, [str(run_dir), str(genuine), "--out", str(out)], capsys)
    assert named in err and not out.exists(), err
    assert sorted(p.name for p in run_dir.iterdir()) == before, "nothing was written into the folder"


def test_a_comparison_of_a_metric_without_any_value_is_refused(genuine, tmp_path, capsys):
    """A summary whose compared metric is all missing (a valid table) gave an empty comparison and exit 0."""
    run_dir = _crafted(genuine, tmp_path, _edit_table("summary.parquet", lambda t: t.assign(return_rate=float("nan"))))
    out = tmp_path / "comparison"
    err = _refused(compare_main, [str(run_dir), "--metrics", "return_rate", "--out", str(out)], capsys)
    assert "its summary has no value of return_rate" in err and not out.exists()


def test_the_genuine_run_passes_every_check(genuine, capsys):
    """The checks refuse only what a run could not have written: the run they start from reproduces."""
    reproduce_main([str(genuine)])
    assert "reproduced" in capsys.readouterr().out


HEAVY = ["a 300 GB sparse file", "10 000 replications listed", "a warm-up of 10^9 days", "record of 2 MB"]


def test_the_cases_that_took_gigabytes_are_refused_within_1_gb(genuine, tmp_path):
    """Peak memory of one process refusing each heavy case in turn (they allocated 104 GiB or read for minutes).

    The peak is the process's own (``VmHWM``, reset at exec): ``ru_maxrss`` would carry over the peak of the
    test process that started it, which compiled the model's kernels in a fresh clone.
    """
    if not Path("/proc/self/status").exists():
        pytest.skip("no /proc/self/status here to read a process's own peak memory from")
    folders = []
    for i, case in enumerate(HEAVY):
        folders.append(_crafted(genuine, tmp_path / str(i), CASES[case][0]))
    script = (
        "import re\n"
        "from pathlib import Path\n"
        "from sim.runs.reproduce import command\n"
        f"for folder in {[str(f) for f in folders]!r}:\n"
        "    try:\n"
        "        command([folder])\n"
        "    except SystemExit as ended:\n"
        "        assert ended.code == 2, folder\n"
        "    else:\n"
        "        raise AssertionError(f'not refused: {folder}')\n"
        "print(re.search(r'VmHWM:\\s+(\\d+) kB', Path('/proc/self/status').read_text()).group(1))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    peak_kib = int(done.stdout.split()[-1])
    assert peak_kib < 1024 * 1024, f"peak memory {peak_kib / 1024:.0f} MiB"


def _no_space(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_comparison_that_fails_half_way_leaves_none_of_its_files(genuine, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("sim.analysis.compare.figure", _no_space)
    out = tmp_path / "comparison"
    other = tmp_path / "other"
    shutil.copytree(genuine, other)
    with pytest.raises(SystemExit) as ended:
        compare_main([str(genuine), str(other), "--out", str(out), "--labels", "a", "b"])
    assert ended.value.code == 1 and "No space left on device" in capsys.readouterr().err
    assert not out.exists(), "the table and page written before the figure failed are removed"


def test_a_report_that_fails_half_way_leaves_none_of_its_files(sweep, tmp_path, monkeypatch, capsys):
    """A full disk at the report's first figure: the tables written before it are removed, and the page of the
    previous report too (it would describe tables that are gone)."""
    sweep_dir, _ = sweep
    copy = tmp_path / "sweep"
    shutil.copytree(sweep_dir, copy)
    assert (copy / "report.md").exists()
    monkeypatch.setattr("sim.analysis.figures.metrics_figure", _no_space)
    with pytest.raises(SystemExit) as ended:
        report_main([str(copy)])
    assert ended.value.code == 1 and "No space left on device" in capsys.readouterr().err
    left = [n for n in ("report.md", "runs.parquet", "effects.csv", "columns.md") if (copy / n).exists()]
    assert not left, f"left behind: {left}"
