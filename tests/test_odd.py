"""docs/ODD.md mentions every parameter of the model config."""

import re
from pathlib import Path

from omegaconf import DictConfig

from sim.params.compose import compose

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


def _leaf_names(node: DictConfig, path: tuple[str, ...] = ()) -> dict[str, str]:
    names = {}
    for key in node:
        child = node[key]
        if isinstance(child, DictConfig):
            names.update(_leaf_names(child, (*path, str(key))))
        else:
            names.setdefault(str(key), ".".join((*path, str(key))))
    return names


def test_every_config_parameter_is_in_the_odd():
    """Each leaf key of the full config (all five countries) appears in code font in the ODD."""
    text = ODD.read_text(encoding="utf-8")
    in_code = " ".join(re.findall(r"`([^`]+)`", text))
    names = _leaf_names(compose(["country=nordic"]))
    missing = [full for name, full in names.items() if not re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", in_code)]
    assert not missing, f"docs/ODD.md does not mention: {', '.join(sorted(missing))}"


def test_the_odd_has_every_section_of_the_protocol():
    text = ODD.read_text(encoding="utf-8")
    for section in [
        "Purpose and patterns",
        "Entities, state variables and scales",
        "Process overview and scheduling",
        "Design concepts",
        "Initialisation",
        "Input data",
        "Submodels",
    ]:
        assert re.search(rf"^## \d+\. {re.escape(section)}$", text, re.M), section
