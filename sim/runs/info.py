"""``returnsim-info``: what a researcher can choose, read from ``configs/`` and the metrics themselves.

Every config group of the root config's defaults list with its line from
that list, each option with the first sentence of its file's header
comment, the named experiments, the metrics with their units, and the other
commands. Nothing is written down twice: adding an option file or a metric
shows it here.
"""

from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path

from sim.params.compose import CONFIG_DIR
from sim.params.entry import guarded

DEFAULT_LINE = re.compile(
    r"^\s*-\s+(?:optional\s+)?(?:override\s+)?([\w/]+)(?:@[\w.]+)?:\s*\"?([\w+]+)\"?\s*(?:#\s*(.*))?$"
)
"""One entry of a defaults list: ``- group: option  # what it is``."""
KEY_LINE = re.compile(r"^(\w+):\s+(\S+)\s+#\s*(.*)$")
"""A top-level key of the root config with its value and comment: ``seed: 0  # master seed``."""
WIDTH = 100

COMMANDS = {
    "returnsim": "run one scenario, or a sweep with -m (levers as config groups, any key as key=value)",
    "returnsim-report SWEEP_DIR": "redraw a sweep's report: effects with intervals, figures, report.md",
    "returnsim-compare RUN_DIR ...": "put single runs and sweeps side by side",
    "returnsim-reproduce RUN_DIR": "run a saved config again and check the results are identical",
    "returnsim-calibrate": "the posterior of the behavioural parameters given the published targets (ABC-SMC)",
    "returnsim-sensitivity": "Sobol indices: which unknown moves an outcome, or a lever's effect",
    "returnsim-discover": "scenario discovery: the plausible worlds where a lever fails (PRIM, EMA Workbench)",
    "returnsim-bench": "the benchmark: model seconds and µs per event of the standard scenarios",
    "returnsim-info": "this list",
}


def groups(config_dir: Path = CONFIG_DIR) -> list[tuple[str, str, str]]:
    """The config groups of the root defaults list: (group, default option, its line), in the list's order."""
    found: list[tuple[str, str, str]] = []
    for line in (config_dir / "config.yaml").read_text(encoding="utf-8").splitlines():
        match = DEFAULT_LINE.match(line)
        if match and (config_dir / match[1]).is_dir() and not match[1].startswith("hydra"):
            group = match[1]
            if group not in (g for g, _, _ in found):
                found.append((group, match[2], (match[3] or "").strip()))
    return found


def header(path: Path) -> str:
    """The first sentence of a config file's header comment (``@package`` lines skipped)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        text = line.lstrip("#").strip()
        if text and not text.startswith("@package"):
            lines.append(text)
    text = " ".join(lines)
    match = re.match(r"(.+?)\.(\s|$)", text)
    return match[1] if match else text


def options(group: str, config_dir: Path = CONFIG_DIR) -> dict[str, str]:
    """Each option of a group (its YAML files) with its header line."""
    return {path.stem: header(path) for path in sorted((config_dir / group).glob("*.yaml"))}


def experiments(config_dir: Path = CONFIG_DIR) -> dict[str, str]:
    """Each named experiment (``+experiment=NAME``) with its header line."""
    return options("experiment", config_dir)


def keys(config_dir: Path = CONFIG_DIR) -> dict[str, tuple[str, str]]:
    """The root config's commented top-level keys: name -> (default value, comment)."""
    lines = (config_dir / "config.yaml").read_text(encoding="utf-8").splitlines()
    return {m[1]: (m[2], m[3].strip()) for m in map(KEY_LINE.match, lines) if m}


def help_text() -> str:
    """``returnsim --help``: how to run, the config groups and their options, where each is explained.

    Read from ``configs/`` (file names and header lines) without composing
    the config, so it answers at once.
    """
    out = [
        "returnsim: an agent-based simulator of the return process after a final decision to leave.",
        "Run one scenario:  uv run returnsim [group=option ...] [key=value ...]",
        "Sweep:             uv run returnsim -m colocation=none,full seed=0,1,2",
        "Experiment:        uv run returnsim -m +experiment=colocation",
        "",
        "== Config groups (group=option) ==",
    ]
    out += [f"{group}: {', '.join(options(group))}" for group, _, _ in groups()]
    out += [
        "",
        "What each option, key, experiment and metric means: uv run returnsim-info",
        "The resolved config of a run: uv run returnsim --cfg job;  Hydra's own flags: uv run returnsim --hydra-help",
    ]
    return "\n".join(out)


def text() -> str:
    """The whole listing."""
    from sim.outputs.metrics import METRICS, UNITS

    out = ["returnsim: what you can choose. An option: group=option; any key: key=value; a sweep: -m.", ""]
    out.append("CONFIG GROUPS (* the default)")
    for group, default, line in groups():
        out.append(f"  {group}: {line}" if line else f"  {group}")
        for name, about in options(group).items():
            mark = "*" if name == default else " "
            out.append(_wrap(f"{mark} {name:<17}", about, 4))
    out += ["", "KEYS (key=value; every key of every group too, e.g. nations.SE.detention_places=400)"]
    out += [_wrap(f"{name + '=' + value:<20}", about, 2) for name, (value, about) in keys().items()]
    out += ["", "EXPERIMENTS (uv run returnsim -m +experiment=NAME; report: results/NAME/report.md)"]
    out += [_wrap(f"{name:<20}", about, 2) for name, about in experiments().items()]
    out += ["", "METRICS (summary columns [unit]; every column of every table: columns.md in a results folder)"]
    out += [_wrap(f"{name} [{UNITS[name]}]", about, 2) for name, about in METRICS.items()]
    out += ["", "COMMANDS"]
    out += [_wrap(f"{name:<30}", about, 2) for name, about in COMMANDS.items()]
    return "\n".join(out)


def _wrap(label: str, about: str, indent: int) -> str:
    """``label`` then ``about``, wrapped at :data:`WIDTH` under the label's end."""
    first = " " * indent + label + " "
    return textwrap.fill(about, WIDTH, initial_indent=first, subsequent_indent=" " * min(len(first), 24)) or first


def app(argv: list[str] | None = None) -> None:
    """Print the listing."""
    argparse.ArgumentParser(prog="returnsim-info", description=__doc__.splitlines()[0]).parse_args(argv)
    print(text())


main = guarded("returnsim-info", app)

if __name__ == "__main__":
    main()
