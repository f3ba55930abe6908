"""The package's layout: layers whose imports point one way, no import circle, modules and folders a reader takes in.

Every ``import`` of a ``sim`` module counts, wherever it stands (top level,
inside a function, under ``TYPE_CHECKING``): a late or type-only import is
still a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "sim"
LAYERS = ["params", "model", "outputs", "runs", "studies"]
"""Each layer may import the layers before it, never those after it."""
ANALYSIS_MAY_IMPORT = {"params", "outputs", "analysis"}
"""``sim.analysis`` reads results folders: besides these it may use only the vocabulary of states."""
STATES = "sim.model.states"
MAX_LINES = 500
MAX_FILES = 25
"""Python modules in one folder: a newcomer finds a mechanism by its name in one listing."""


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> nx.DiGraph:
    """An edge a -> b for each sim module a that imports sim module b (a module, not a name in it)."""
    modules = {_module(p): p for p in PACKAGE.rglob("*.py")}
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            else:
                continue
            for target in targets:
                if target in modules and target not in (name, "sim"):
                    graph.add_edge(name, target)
    return graph


def _layer(module: str) -> str:
    return module.split(".")[1] if module.count(".") else ""


def test_layers_import_only_the_layers_before_them():
    wrong = []
    for a, b in import_graph().edges:
        la, lb = _layer(a), _layer(b)
        if la == lb or "" in (la, lb) or "analysis" in (la, lb):
            continue
        if la in LAYERS and lb in LAYERS and LAYERS.index(lb) > LAYERS.index(la):
            wrong.append(f"{a} -> {b}")
    assert not wrong, "imports against the layers: " + ", ".join(wrong)


def test_analysis_never_imports_the_model_or_the_runners():
    wrong = [
        f"{a} -> {b}"
        for a, b in import_graph().edges
        if _layer(a) == "analysis" and _layer(b) not in ANALYSIS_MAY_IMPORT and b != STATES
    ]
    assert not wrong, ", ".join(wrong)
    lower = [f"{a} -> {b}" for a, b in import_graph().edges if _layer(b) == "analysis" and _layer(a) in LAYERS[:3]]
    assert not lower, "parameters, model and outputs must not import the analysis: " + ", ".join(lower)


def test_reading_results_loads_no_simulation():
    """In a fresh interpreter, the analysis modules load no part of the model but its states."""
    code = (
        "import importlib, pkgutil, sys, sim.analysis\n"
        "for m in pkgutil.iter_modules(sim.analysis.__path__): importlib.import_module('sim.analysis.' + m.name)\n"
        "print(sorted(m for m in sys.modules if m.startswith('sim.model.')))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert loaded.stdout.strip() == str([STATES])


def test_no_import_circle():
    """No module imports itself back, through any chain: each can be read after the ones it imports."""
    cycles = [" -> ".join(c) for c in nx.simple_cycles(import_graph())]
    assert not cycles, cycles[:5]


def test_no_file_is_longer_than_500_lines():
    files = [*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    long = {p.relative_to(ROOT).as_posix() for p in files if len(p.read_text().splitlines()) > MAX_LINES}
    assert not long, f"over {MAX_LINES} lines: {sorted(long)}"


def test_no_folder_holds_more_than_25_modules():
    crowded = {
        folder.relative_to(ROOT).as_posix(): n
        for folder in [PACKAGE, *(p for p in PACKAGE.rglob("*") if p.is_dir() and p.name != "__pycache__")]
        if (n := len(list(folder.glob("*.py")))) > MAX_FILES
    }
    assert not crowded, crowded


def test_the_model_has_a_module_per_actor_and_mechanism():
    """A newcomer who wants the police opens ``sim/model/police.py``: each actor the mission names, and each
    mechanism, is one module of the model, holding its state, its kernels and its Mesa agent."""
    actors = {"police": "PoliceUnit", "agency": "MigrationAgencyOffice", "transport": "TransportService"}
    actors |= {"attaches": "Attache", "migrants": "Migrant", "model": "ReturnModel"}
    for module, cls in actors.items():
        assert re.search(rf"^class {cls}\b", (PACKAGE / "model" / f"{module}.py").read_text(), re.M), (module, cls)
    mechanisms = ("hazards", "detention", "documents", "charters", "movers", "transit", "enforcement", "timeline")
    assert all((PACKAGE / "model" / f"{m}.py").is_file() for m in mechanisms)
