"""The before/after benchmark runs each side from its own source tree, and refuses what is not one."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import cli

ROOT = Path(__file__).resolve().parents[1]


def test_each_side_runs_its_own_trees_code_and_configs(tmp_path):
    before = tmp_path / "before"
    for part in ("sim", "configs", "benchmarks"):
        shutil.copytree(ROOT / part, before / part, ignore=shutil.ignore_patterns("__pycache__"))
    nation = before / "configs" / "nations" / "SE.yaml"
    text = nation.read_text()
    assert "decisions_per_year: 17015" in text
    nation.write_text(text.replace("decisions_per_year: 17015", "decisions_per_year: 8500"))
    proc = cli(str(before), "--only", "default", "--repeats", "1", cwd=ROOT, module="benchmarks.compare")
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])["default"]
    assert 0.4 < result["events_before"] / result["events_after"] < 0.6  # half the decisions before: half the events
    # no assertion on the times themselves (a timed test, at the mercy of the machine's load): the ratio is
    # reported with the range of the repeats it comes from
    assert result["ratio_range"][0] <= result["ratio_after_before"] <= result["ratio_range"][1]


def test_a_path_that_is_not_a_source_tree_is_refused(tmp_path):
    proc = cli(str(tmp_path), cwd=ROOT, module="benchmarks.compare")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert f"before={tmp_path} is not a returnsim source tree" in proc.stderr
