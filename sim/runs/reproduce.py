"""``returnsim-reproduce``: re-run a run from its saved config and check the result is identical.

The run's ``config.yaml`` is the exact, resolved config it ran with and
``run.json`` holds a SHA-256 of each file and of each replication's case
register. Every file is first checked against its hash (a damaged run is
reported as damaged, not re-run). The replications are run again in this process and their registers hashed; if a
hash differs, the library versions recorded with the run are compared with
the ones installed now, the usual cause.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sim.outputs.columns import check_report
from sim.outputs.files import (
    COMPLETION_MARKER,
    REDO,
    SavedConfigError,
    frame_hash,
    read_saved_config,
    run_problems,
    source_hash,
    versions,
)
from sim.params.checks import ConfigError
from sim.params.compose import AppConfig, register_schema, to_params
from sim.params.entry import guarded
from sim.runs.runner import run_replication


def reproduce(run_dir: Path) -> tuple[dict[int, bool], dict[str, tuple[str, str]]]:
    """Re-run every replication of ``run_dir``; return whether each register matches, and version changes."""
    meta = json.loads((run_dir / COMPLETION_MARKER).read_text(encoding="utf-8"))
    params = load_run_config(run_dir)
    matches = {}
    for key, expected in sorted(meta["register_sha256"].items(), key=lambda kv: int(kv[0])):
        replication = int(key)
        matches[replication] = frame_hash(run_replication(params, replication).register) == expected
    now = versions()
    changed = {
        name: (was, now.get(name, "not installed")) for name, was in meta["versions"].items() if now.get(name) != was
    }
    return matches, changed


def load_run_config(run_dir: Path) -> AppConfig:
    """The validated parameters of a saved run."""
    register_schema()
    try:
        cfg = read_saved_config(run_dir / "config.yaml")
    except SavedConfigError as exc:
        raise ConfigError(str(exc)) from None
    params = to_params(cfg)
    check_report(params)
    return params


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
    problems = run_problems(args.run_dir)
    if problems:
        lines = "".join(f"  {p}\n" for p in problems)
        parser.exit(
            2, f"returnsim-reproduce: {args.run_dir} is damaged; nothing was re-run:\n{lines}To repair it, {REDO}.\n"
        )
    try:
        matches, changed = reproduce(args.run_dir)
    except ConfigError as exc:
        parser.exit(2, f"returnsim-reproduce: the saved config is not valid now: {exc}\n{_made_by(args.run_dir)}")
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


def _made_by(run_dir: Path) -> str:
    """Advice when a saved config no longer validates: name the other version of returnsim that made the run."""
    recorded = json.loads((run_dir / COMPLETION_MARKER).read_text(encoding="utf-8"))["versions"]
    key = "returnsim_source_sha256"
    installed = source_hash()
    if recorded.get(key) == installed:
        return ""
    return (
        f"The run was made by another version of returnsim (source SHA-256 {recorded.get(key, 'not recorded')[:12]}, "
        f"installed {installed[:12]}), whose config had other keys: reproduce it with that version "
        "(the commit whose sim/ has that hash), or re-run its scenario with this one.\n"
    )


main = guarded("returnsim-reproduce", command)

if __name__ == "__main__":
    main()
