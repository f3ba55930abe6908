"""returnsim-info and returnsim --help list what a researcher can choose, read from configs/."""

from __future__ import annotations

from sim.outputs.metrics import METRICS
from sim.params.compose import CONFIG_DIR
from sim.runs.info import groups, header, text
from tests.conftest import cli


def test_info_lists_every_group_option_experiment_and_metric():
    listing = text()
    listed = {group for group, _, _ in groups()}
    on_disk = {p.name for p in CONFIG_DIR.iterdir() if p.is_dir()} - {"hydra", "experiment", "local"}
    assert on_disk <= listed, "a config group missing from the root defaults list"
    for group in on_disk:
        for option in (CONFIG_DIR / group).glob("*.yaml"):
            assert f" {option.stem} " in listing, f"{group}={option.stem}"
    for experiment in (CONFIG_DIR / "experiment").glob("*.yaml"):
        assert f"  {experiment.stem} " in listing
    for metric in METRICS:
        assert f"  {metric} [" in listing
    assert "* full " not in listing and "* none " in listing, "the default option is marked"
    assert "seed=0" in listing and "horizon_days=1095" in listing


def test_an_options_line_is_the_first_sentence_of_its_header(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("# @package _global_\n# First part: still the sentence. Second.\n# more\nkey: 1  # not read\n")
    assert header(path) == "First part: still the sentence"


def test_help_lists_the_groups_and_points_to_info(tmp_path):
    proc = cli("--help", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "colocation: charters_only, detention_only, full, handover_only, none, partial" in proc.stdout
    assert "returnsim-info" in proc.stdout


def test_info_runs_as_a_command(tmp_path):
    proc = cli(cwd=tmp_path, module="sim.runs.info")
    assert proc.returncode == 0 and proc.stdout.startswith("returnsim: what you can choose")
