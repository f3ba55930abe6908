"""A folder's lock while a run or a sweep works in it, which the operating system lifts when its holder dies.

The lock is an exclusive ``flock`` on a file in the folder. The file also
records who holds it (:class:`Holder`: pid, host, start time, what it runs),
so that a command refused at the door names the holder. The record is only
for the message: whether the folder is held is the ``flock``, which the
kernel releases when the holding process ends in any way (SIGKILL, a crash).
A lock file left behind by a process that died is therefore not a lock: the
next command takes the folder over and says whose record it found.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    """Who holds (or last held) a folder's lock."""

    pid: int
    host: str
    started: str
    command: str

    def describe(self) -> str:
        """``the sweep of pid 123 on host h, started 2026-12-07 15:30:01``."""
        return f"the {self.command} of pid {self.pid} on host {self.host}, started {self.started}"


class FolderInUse(Exception):
    """The folder's lock is held by a live process (its :class:`Holder`, when it has written its record)."""

    def __init__(self, folder: Path, holder: Holder | None) -> None:
        self.folder = folder
        self.holder = holder
        who = holder.describe() if holder else "another process that is just starting"
        super().__init__(f"{folder} is in use by {who}")


@dataclass
class FolderLock:
    """A held lock: release it when the work in the folder is done (or let the process end)."""

    path: Path
    fd: int
    taken_over: Holder | None
    """The record of an earlier holder that ended without releasing the lock (killed or crashed)."""

    @classmethod
    def acquire(cls, folder: Path, name: str, command: str) -> FolderLock:
        """Lock ``folder`` (creating it) through the file ``name`` in it; :class:`FolderInUse` if it is held."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _record(fd)
                os.close(fd)
                raise FolderInUse(folder, holder) from None
            if _same_file(fd, path):
                break
            os.close(fd)  # the holder released (removed) the file between our open and our lock: open it again
        previous = _record(fd)
        me = Holder(os.getpid(), socket.gethostname(), time.strftime("%Y-%m-%d %H:%M:%S"), command)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(me)).encode(), 0)
        return cls(path, fd, previous)

    def release(self) -> None:
        """Remove the lock file and give up the lock (the file first, so no one locks a file about to go)."""
        if self.fd < 0:
            return
        self.path.unlink(missing_ok=True)
        os.close(self.fd)
        self.fd = -1

    def announce_takeover(self, program: str) -> None:
        """Say on stderr whose lock this command took over, if an earlier holder died holding it."""
        if self.taken_over is not None:
            print(
                f"{program}: {self.path.parent} was locked by {self.taken_over.describe()}, which ended without "
                "releasing it; this command takes the folder over",
                file=sys.stderr,
                flush=True,
            )


def _record(fd: int) -> Holder | None:
    """The holder's record in the lock file, or None when it is empty or not a record (an old or foreign file)."""
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads(os.pread(fd, 4096, 0).decode())
        return Holder(int(data["pid"]), str(data["host"]), str(data["started"]), str(data["command"]))
    return None


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.fstat(fd).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False
