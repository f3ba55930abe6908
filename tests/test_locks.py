"""A folder's lock: held while its holder lives, named when refused, taken over when its holder died holding it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sim.outputs.locks import FolderInUse, FolderLock
from tests.conftest import cli
from tests.test_cli import SMALL_RUN

HOLD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from sim.outputs.locks import FolderLock
    FolderLock.acquire(Path(sys.argv[1]), sys.argv[2], "run")
    print("held", flush=True)
    time.sleep(600)
    """
)


def _holder(folder: Path, name: str) -> subprocess.Popen:
    """Another process that takes the folder's lock and keeps it until it is killed."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(folder), name], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def _kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def test_a_held_folder_is_refused_naming_its_holder_and_free_again_once_released(tmp_path):
    lock = FolderLock.acquire(tmp_path, "x.lock", "sweep")
    assert lock.taken_over is None
    with pytest.raises(FolderInUse, match=rf"in use by the sweep of pid {os.getpid()} on host .*, started "):
        FolderLock.acquire(tmp_path, "x.lock", "run")
    lock.release()
    assert not (tmp_path / "x.lock").exists()
    again = FolderLock.acquire(tmp_path, "x.lock", "run")
    assert again.taken_over is None, "a released lock leaves no record to take over"
    again.release()


def test_the_lock_of_a_killed_holder_is_taken_over_with_its_record(tmp_path):
    """SIGKILL leaves the lock file behind but not the lock: the next command takes the folder and says whose it was."""
    holder = _holder(tmp_path, "x.lock")
    with pytest.raises(FolderInUse, match=f"pid {holder.pid}"):
        FolderLock.acquire(tmp_path, "x.lock", "run")
    _kill(holder)
    assert (tmp_path / "x.lock").exists()
    lock = FolderLock.acquire(tmp_path, "x.lock", "run")
    assert lock.taken_over is not None and lock.taken_over.pid == holder.pid
    lock.release()


def test_a_run_into_a_held_folder_is_refused_and_into_a_dead_runs_folder_goes_ahead(tmp_path):
    """A live holder is named (exit 2, nothing written); once it is killed, the same command runs and says
    whose lock it took over (the folder is not blocked for good)."""
    folder = tmp_path / "run"
    holder = _holder(folder, "run.lock")
    refused = cli(*SMALL_RUN, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr, refused.stderr
    assert f"is in use by the run of pid {holder.pid}" in refused.stderr and "nothing was written" in refused.stderr
    assert not (folder / "run.json").exists() and not list(folder.glob("*.parquet"))
    assert not (folder / ".hydra").exists(), "the refused run wrote Hydra's record into the holder's folder"
    _kill(holder)
    done = cli(*SMALL_RUN, f"hydra.run.dir={folder}", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"locked by the run of pid {holder.pid}" in done.stderr and "ended without releasing it" in done.stderr
    assert (folder / "run.json").exists() and not (folder / "run.lock").exists()
