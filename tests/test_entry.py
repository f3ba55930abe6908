"""How a command ends on a fault that is not returnsim's: the user's input or the machine (``sim.params.entry``)."""

from __future__ import annotations

import errno

import pytest
import yaml

from sim.outputs.files import atomic_write
from sim.params.checks import ConfigError
from sim.params.entry import INPUT_FAULT, MACHINE_FAULT, describe
from tests.conftest import cli


def test_a_full_disk_names_the_file_being_written(tmp_path):
    """A full disk raises an OSError with no file name: the message names the file returnsim was writing."""

    def fill(_path):
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as raised:
        atomic_write(tmp_path / "effects.csv", fill)
    code, message = describe(raised.value)
    assert code == MACHINE_FAULT
    assert message.startswith(f"cannot write {tmp_path / 'effects.csv'}: No space left on device")
    assert not list(tmp_path.iterdir()), "no temporary file left behind"


def test_input_faults_exit_2_and_bugs_keep_their_traceback():
    assert describe(ConfigError("seed=-1 is out of range"))[0] == INPUT_FAULT
    try:
        yaml.safe_load("a: [unclosed")
    except yaml.YAMLError as exc:
        code, message = describe(exc)
    assert code == INPUT_FAULT and "is not valid YAML" in message and "line 1" in message
    assert describe(KeyError("a bug")) is None and describe(ZeroDivisionError()) is None


def test_hydras_own_flags_mis_combined_are_named_without_a_traceback(tmp_path):
    """``--cfg`` with ``-m`` is refused by Hydra itself with a ValueError: an input fault, not a bug."""
    done = cli("-m", "--cfg", "job", cwd=tmp_path)
    assert done.returncode == INPUT_FAULT, done.stderr
    assert "Traceback" not in done.stderr and "Only one of --run, --multirun, --cfg" in done.stderr
    assert describe(ValueError("a bug elsewhere")) is None  # a ValueError not raised by Hydra's flag check stays a bug


def test_an_output_set_that_fails_removes_every_file_it_wrote_and_only_those(tmp_path):
    """A report's tables written before its figure failed would pass for a report: the set removes them."""
    from sim.outputs.files import output_set, write_text

    write_text(tmp_path / "before.md", "kept")
    with pytest.raises(OSError, match="disk full"), output_set() as written:
        write_text(tmp_path / "table.csv", "a\n1\n")
        write_text(tmp_path / "sub" / "page.md", "page")
        raise OSError("disk full")
    assert written == [tmp_path / "table.csv", tmp_path / "sub" / "page.md"]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["before.md"]
    with output_set():
        write_text(tmp_path / "table.csv", "a\n1\n")
    assert (tmp_path / "table.csv").exists(), "a set that ends well keeps its files"
