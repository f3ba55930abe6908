"""How every command ends when the fault is the user's input or the machine, not returnsim.

Hydra prints a stack trace for anything that goes wrong before a command's own code runs: a config
file that is not valid YAML, a results folder it cannot create (read-only, full disk); any command
can meet a folder it cannot write. Those are not bugs, so ``guarded`` turns them into one line naming
the file, and an exit code (2: the input; 1: the machine). Anything else is a bug and keeps its full
traceback. ``HYDRA_FULL_ERROR=1`` set by the user keeps Hydra's own behaviour, for debugging.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import yaml
from hydra.errors import (
    CompactHydraException,
    ConfigCompositionException,
    HydraException,
    MissingConfigException,
    OverrideParseException,
)
from omegaconf.errors import ConfigAttributeError, ConfigKeyError, OmegaConfBaseException

from sim.params.checks import ConfigError, unknown_key, unknown_option

INPUT_FAULT = 2
MACHINE_FAULT = 1


def guarded(prog: str, app: Callable[..., None]) -> Callable[..., None]:
    """The console entry point of command ``app`` (a Hydra app, or a function taking ``argv``)."""

    def entry(*args: Any, **kwargs: Any) -> None:
        if os.environ.get("HYDRA_FULL_ERROR") == "1":
            app(*args, **kwargs)
            return
        os.environ["HYDRA_FULL_ERROR"] = "1"  # let Hydra raise, so that the fault is named here
        try:
            app(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - sorted below: a user's or machine's fault, or a bug
            fault = describe(exc)
            if fault is None:
                raise
            code, message = fault
            print(f"{prog}: {message}", file=sys.stderr)
            sys.exit(code)
        finally:  # a second command in the same process (a notebook, a test) is guarded too
            os.environ.pop("HYDRA_FULL_ERROR", None)

    entry.__doc__ = app.__doc__
    return entry


def describe(exc: BaseException) -> tuple[int, str] | None:
    """Exit code and one-line message for a fault in the input or on the machine; ``None`` for a bug."""
    parse_error = _cause(exc, yaml.YAMLError)
    if parse_error is not None:
        return INPUT_FAULT, f"a config file is not valid YAML: {' '.join(str(parse_error).split())}"
    if isinstance(exc, ConfigError):
        return INPUT_FAULT, f"invalid config: {exc}"
    if isinstance(exc, OverrideParseException):
        return INPUT_FAULT, (
            f"cannot read the override {_unparsable_override()!r}: {' '.join(str(exc).split())} (a list is "
            """'key=[a,b]', and an item that holds = or a space is quoted inside it: 'key=["a=1","b=2"]')"""
        )
    if isinstance(exc, CompactHydraException | OmegaConfBaseException):
        return INPUT_FAULT, composition_message(exc)
    if isinstance(exc, ValueError) and _last_frame(exc) == "_run_hydra":  # Hydra's own flags, mis-combined
        return INPUT_FAULT, f"{exc} (see --help)"
    if isinstance(exc, OSError):
        where = exc.filename or _output_dir(exc) or "the results folder"
        return MACHINE_FAULT, f"cannot write {where}: {exc.strerror or exc}; nothing written there is complete"
    return None


def composition_message(exc: HydraException | OmegaConfBaseException) -> str:
    """One line for a fault Hydra or OmegaConf met while composing the config.

    An override of a key that does not exist names the key, the closest keys
    at its level and all of them (Hydra's own message would advise adding it
    with ``+``, which the schema then refuses, and name a class); an option
    that is not a file of its config group names the closest options.
    """
    missing = _cause(exc, MissingConfigException)
    wanted = (missing.missing_cfg_file or "") if missing is not None else ""
    if missing is not None and missing.options and "/" in wanted:
        group, _, option = wanted.rpartition("/")
        return unknown_option(group, option, missing.options)
    key_error = _cause(exc, ConfigAttributeError) or _cause(exc, ConfigKeyError)
    if isinstance(exc, ConfigCompositionException) and key_error is not None and key_error.full_key:
        kind = key_error.object_type
        allowed = [f.name for f in fields(kind)] if is_dataclass(kind) else list(key_error.parent_node or ())
        return unknown_key(key_error.full_key, allowed)
    cause = f" ({exc.__cause__})" if isinstance(exc.__cause__, OmegaConfBaseException) else ""
    message = str(exc).split("Config search path:")[0]  # the search path is Hydra's internals, not the fault
    return f"{' '.join(message.split())}{cause}"


def _last_frame(exc: BaseException) -> str:
    """The name of the function that raised ``exc``."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name if tb is not None else ""


def _output_dir(exc: BaseException) -> str | None:
    """The file or folder being written when ``exc`` was raised (a full disk names no file).

    Hydra's ``run_job`` holds its run folder as ``hydra_output`` (its ``.hydra`` record) while it writes
    the config, and its sweeper and launchers the sweep folder as ``sweep_dir``; returnsim writes every
    result through ``sim.outputs.files.atomic_write(path, ...)``.
    """
    tb = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if "hydra_output" in frame.f_locals:
            return str(Path(frame.f_locals["hydra_output"]).parent)
        if frame.f_code.co_name in ("sweep", "launch") and "sweep_dir" in frame.f_locals:  # Hydra's sweeper, launchers
            return str(frame.f_locals["sweep_dir"])
        if frame.f_code.co_name == "atomic_write" and "path" in frame.f_locals:
            return str(frame.f_locals["path"])
        tb = tb.tb_next
    return None


def _unparsable_override() -> str:
    """The first command-line override Hydra's grammar rejects (its error names only the spot)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    for arg in sys.argv[1:]:
        if arg.startswith("-"):
            continue
        try:
            parser.parse_override(arg)
        except HydraException:  # the grammar's own error class for one override
            return arg
    return " ".join(sys.argv[1:])


def _cause[E: BaseException](exc: BaseException, kind: type[E]) -> E | None:
    """``exc`` or the first exception in its chain of causes that is a ``kind``."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None
