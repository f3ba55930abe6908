"""Before and after a change of the engine, from one run: two source trees timed in turn.

This machine's speed drifts by tens of percent within a session, so figures
of two separate benchmark runs do not compare. This script alternates the
two trees: every repeat runs each scenario once from the tree before the
change and once from this one, each in a fresh interpreter that imports
that tree's ``sim`` (its code and its configs), on the same seed, timed on
its second run (the first compiles or loads what it needs). It reports
each side's median seconds and the median of the repeats' paired ratios
(after / before), and each side's events, so a change that alters the
process (not only its speed) shows. Check out the earlier release beside
this one first, e.g. ``git worktree add ../before <commit>``, then::

    uv run python -m benchmarks.compare ../before --only default --repeats 5

The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from benchmarks.__main__ import CONFIGS

HERE = Path(__file__).resolve().parents[1]
"""This source tree (the one after the change)."""

MEASURE = """
import json, sys
from benchmarks.__main__ import time_once
overrides, seed = json.loads(sys.argv[1]), int(sys.argv[2])
time_once(overrides, seed)
print(json.dumps(time_once(overrides, seed)))
"""
"""What each fresh interpreter runs: the tree's own ``time_once`` on the given overrides and seed, once to warm
up (imports, and a compiled engine's kernels compiled or loaded from numba's cache) and once timed."""


def time_in(tree: Path, overrides: list[str], seed: int) -> dict[str, float]:
    """Seconds, events and migrants of one run of ``overrides`` with the code and configs of ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(overrides), str(seed)],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the run in {tree} failed:\n{done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    """Time each scenario from both trees in turn and print the paired comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="source tree of the release before the change")
    parser.add_argument("--repeats", type=int, default=5, help="paired runs of each scenario (>= 1; medians)")
    parser.add_argument("--only", choices=sorted(CONFIGS), action="append")
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"--repeats={args.repeats} is out of range; allowed: >= 1")
    if not (args.before / "sim" / "__init__.py").is_file() or not (args.before / "configs").is_dir():
        parser.error(f"before={args.before} is not a returnsim source tree (no sim/ package and configs/ beside it)")
    trees = {"before": args.before.resolve(), "after": HERE}
    names = args.only or list(CONFIGS)
    runs: dict[str, dict[str, list[dict[str, float]]]] = {n: {"before": [], "after": []} for n in names}
    for i in range(args.repeats):
        for name in names:
            for side in ("before", "after") if i % 2 == 0 else ("after", "before"):  # neither always goes first
                runs[name][side].append(time_in(trees[side], CONFIGS[name], seed=i))
    results = {}
    for name in names:
        before, after = runs[name]["before"], runs[name]["after"]
        paired = [a["seconds"] / b["seconds"] for a, b in zip(after, before, strict=True)]
        results[name] = {
            "seconds_before": round(statistics.median(r["seconds"] for r in before), 3),
            "seconds_after": round(statistics.median(r["seconds"] for r in after), 3),
            "ratio_after_before": round(statistics.median(paired), 3),
            "ratio_range": [round(min(paired), 3), round(max(paired), 3)],
            "events_before": int(statistics.median(r["events"] for r in before)),
            "events_after": int(statistics.median(r["events"] for r in after)),
        }
        print(f"{name:>14}: {results[name]}", flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
