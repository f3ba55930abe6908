"""``returnsim-reproduce``: re-run a run from its saved config and check the result is identical.

The run's ``config.yaml`` is the exact, resolved config it ran with and
``run.json`` holds a SHA-256 of each file and of each replication's case
register. The folder is first checked as untrusted data
(:func:`sim.outputs.saved.inspect_run`: the config validated as a new run's,
the record against it, every table against the data dictionary and every
file against its hash); a damaged run is reported as damaged, not re-run.
The replications are run again in this process and their registers hashed;
if a hash differs, the library versions recorded with the run are compared
with the ones installed now, the usual cause.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.outputs.files import COMPLETION_MARKER, REDO, frame_hash, versions
from sim.outputs.saved import DamagedRun, SavedRun, inspect_run
from sim.params.entry import guarded
from sim.runs.runner import run_replication


def reproduce(run: SavedRun) -> tuple[dict[int, bool], dict[str, tuple[str, str]]]:
    """Re-run every replication of a checked run; return whether each register matches, and version changes."""
    matches = {}
    for key, expected in sorted(run.record["register_sha256"].items(), key=lambda kv: int(kv[0])):
        replication = int(key)
        matches[replication] = frame_hash(run_replication(run.params, replication).register) == expected
    now = versions()
    changed = {
        name: (was, now.get(name, "not installed"))
        for name, was in run.record["versions"].items()
        if now.get(name) != was
    }
    return matches, changed


def command(argv: list[str] | None = None) -> None:
    """``returnsim-reproduce RUN_DIR``: exit 0 if every replication's case register is identical, 1 if not.

    A run folder that is incomplete or damaged (a file whose SHA-256 differs
    from the one ``run.json`` records, an unreadable ``run.json`` or Parquet
    file) is named as such with exit code 2, before anything is re-run.
    """
    parser = argparse.ArgumentParser(prog="returnsim-reproduce", description=command.__doc__)
    parser.add_argument("run_dir", type=Path, help="a run folder holding config.yaml and run.json")
    args = parser.parse_args(argv)
    if not (args.run_dir / COMPLETION_MARKER).exists() or not (args.run_dir / "config.yaml").exists():
        parser.exit(2, f"returnsim-reproduce: {args.run_dir} is not a complete run (no run.json or config.yaml)\n")
    try:
        run = inspect_run(args.run_dir)
    except DamagedRun as exc:
        lines = "".join(f"  {p}\n" for p in exc.problems)
        parser.exit(
            2, f"returnsim-reproduce: {args.run_dir} is damaged; nothing was re-run:\n{lines}To repair it, {REDO}.\n"
        )
    matches, changed = reproduce(run)
    for replication, same in matches.items():
        print(f"replication {replication}: case register {'identical' if same else 'DIFFERS'}")
    if all(matches.values()):
        print(f"reproduced: {args.run_dir}")
        return
    if changed:
        print("versions that differ from the run's (recorded -> installed):")
        for name, (was, now) in changed.items():
            print(f"  {name}: {was} -> {now}")
    else:
        print("every recorded version and the model's source are the ones installed: report this as a bug")
    sys.exit(1)


main = guarded("returnsim-reproduce", command)

if __name__ == "__main__":
    main()
