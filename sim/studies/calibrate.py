"""``returnsim-calibrate``: the posterior of unknown parameters given published figures of the return process.

Likelihood-free Bayesian inference (ABC-SMC, :mod:`sim.studies.inference` on pyabc):
a particle is a draw of the free parameters; it runs once, on its own seed,
every setting a target comes from (Sweden's history 2013-2023, whose yearly
table gives the published figures of the fitted years and whose 2013-2014
decisions are the audit office's cohort followed four years), and is kept when
its outcomes lie close enough to the published targets, distance measured in
each target's tolerance. Successive generations tighten the threshold. What
is left is the posterior: particles with weights, summarised per parameter,
checked against every target by posterior-predictive simulation, and a preset
holding an ensemble of draws (the default scenario uses their medians).
Config: ``configs/calibrate.yaml``.
"""

from __future__ import annotations

import errno
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import hydra
import numpy as np
import pandas as pd
import sqlalchemy.exc
from omegaconf import DictConfig, OmegaConf

from sim.outputs.columns import YEARLY
from sim.outputs.files import versions, write_json, write_table, write_text
from sim.outputs.metrics import UNITS, cohort_outcomes
from sim.params.checks import ConfigError
from sim.params.compose import CONFIG_DIR, compose, to_params
from sim.params.entry import guarded
from sim.params.history import check_overrides
from sim.params.scaling import scale_country
from sim.params.schema import ScenarioParams
from sim.params.schema import validate as validate_params
from sim.params.timeline import apply_change
from sim.runs.runner import ReplicationResult, run_replication
from sim.studies.calibration_config import (
    SCALE_FREE_UNITS,
    CalibrationConfig,
    Setting,
    Target,
    check_scenario,
    recovery_values,
    validate,
)
from sim.studies.inference import PARTICLE_SEED_BITS, run_abc
from sim.studies.posterior_summary import parameter_summary, predictive_check
from sim.studies.study import run_study, worker_map


@dataclass
class Moments:
    """The targets' simulated values at a parameter point (picklable, for worker processes).

    A point runs every setting once, on one replication index; a count is
    divided by the setting's scale and by its measured years, so it compares
    with a published count per year.
    """

    models: dict[str, DictConfig]
    settings: dict[str, Setting]
    targets: dict[str, Target]
    scale: float

    def __post_init__(self) -> None:
        self.base = {name: to_params(model) for name, model in self.models.items()}
        """Each setting's validated parameters, made once: a point sets its values on a copy (composing and
        typing the config again would cost more than a small run). Only the calibrated country runs, so the
        other countries' values that follow it by interpolation (``shared_with``) need not follow here."""

    def __call__(self, values: Mapping[str, float]) -> dict[str, float]:
        """The targets at ``values`` on a replication index drawn from numpy's global random state.

        pyabc's model interface passes only the parameters; the calling task
        has seeded the global state (:class:`sim.studies.inference.SeededMappingSampler`).
        """
        return self.at((dict(values), int(np.random.randint(2**PARTICLE_SEED_BITS - 1))))

    def at(self, job: tuple[dict[str, float], int]) -> dict[str, float]:
        """The targets at ``(values, replication)``."""
        values, replication = job
        out: dict[str, float] = {}
        for name, model in self.models.items():
            setting = self.settings[name]
            params = self._at(name, model, values)
            mine = {t: target for t, target in self.targets.items() if target.setting == name}
            out.update(self._measure(setting, params.warmup_days, run_replication(params, replication), mine))
        return {t: out[t] for t in self.targets}

    def _measure(
        self, setting: Setting, warmup: float, result: ReplicationResult, targets: dict[str, Target]
    ) -> dict[str, float]:
        """Each of ``targets``' outcomes in ``result``, counts at full size (divided by the scale) and per year."""
        if setting.kind == "period":
            row = result.summary.iloc[0]
            per_year = 365.0 / setting.days / self.scale
            return {
                t: float(row[g.moment]) * (1.0 if UNITS[g.moment] in SCALE_FREE_UNITS else per_year)
                for t, g in targets.items()
            }
        cohort = cohort_outcomes(result.register, warmup, warmup + setting.days, setting.follow_days)
        years = result.yearly.set_index("year")
        out = {}
        for t, g in targets.items():
            if not g.year:
                out[t] = cohort[g.moment]
                continue
            value = float(years.loc[g.year, g.moment]) if g.year in years.index else np.nan
            out[t] = value if YEARLY.columns[g.moment].unit in SCALE_FREE_UNITS else value / self.scale
        return out

    def _at(self, name: str, model: DictConfig, values: Mapping[str, float]) -> ScenarioParams:
        """Setting ``name``'s parameters with ``values`` (whole-number keys rounded), validated."""
        rounded = {
            key: round(value) if isinstance(OmegaConf.select(model, key), int) else float(value)
            for key, value in values.items()
        }
        params = apply_change(self.base[name], rounded, "parameters: ", during_run=False)
        validate_params(params)
        return params


def published_targets(cfg: CalibrationConfig, models: Mapping[str, DictConfig]) -> dict[str, Target]:
    """The published figures of the fitted years of each history setting with ``fit_published``, as targets."""
    out = {}
    for name, setting in cfg.settings.items():
        if not setting.fit_published:
            continue
        history = models[name].history
        for figure in history.published:
            if figure.year <= history.fitted_until:
                out[f"{figure.metric}_{figure.year}"] = Target(
                    setting=name, moment=figure.metric, value=figure.value, sd=figure.sd, source=figure.source,
                    year=figure.year,
                )  # fmt: skip
    return out


def setting_model(cfg: CalibrationConfig, setting: Setting) -> DictConfig:
    """The model config of a setting: shared and own overrides, its run length (a history's own), scaled."""
    length = [] if setting.kind == "history" else [f"horizon_days={setting.days + setting.follow_days}"]
    overrides = [
        *cfg.scenario,
        *setting.overrides,
        f"countries=[{cfg.nation}]",
        *length,
        f"seed={cfg.seed}",
        "replications=1",
    ]
    model = compose(overrides)
    to_params(model)  # the scenario as written must be valid, not only once scaled (-5 officers would round to 0)
    if cfg.scale != 1.0:
        model = compose([*overrides, *scale_country(model, cfg.nation, cfg.scale)])
    return model


def calibrate(cfg: CalibrationConfig, out_dir: Path) -> dict[str, float]:
    """Infer the posterior, check it against every target, write every output; return the headline figures."""
    check_scenario(cfg, compose(cfg.scenario))
    wanted = {t.setting for t in cfg.targets.values()} | {n for n, s in cfg.settings.items() if s.fit_published}
    models = {name: setting_model(cfg, cfg.settings[name]) for name in cfg.settings if name in wanted}
    for name, model in models.items():
        check_overrides(to_params(model).history, [*cfg.scenario, *cfg.settings[name].overrides])
    cfg.targets = {**published_targets(cfg, models), **cfg.targets}
    validate(cfg, compose(cfg.scenario))
    used = list(models)
    moments = Moments(models, dict(cfg.settings), dict(cfg.targets), cfg.scale)
    start = {k: float(OmegaConf.select(models[used[0]], k)) for k in cfg.parameters}
    streams = np.random.SeedSequence(cfg.seed).spawn(2)  # 0: observed data of a recovery check; 1: ensemble
    t0 = time.perf_counter()
    with worker_map(cfg.workers) as pool_map:
        first = moments.at((start, 0))
        empty = [name for name, value in first.items() if not np.isfinite(value)]
        if empty:  # every particle would be rejected: ABC would never end
            raise ConfigError(
                "targets "
                + ", ".join(f"{n} ({cfg.targets[n].setting}.{cfg.targets[n].moment})" for n in empty)
                + ": the setting gives no data for this outcome at the start values (e.g. no police cases in the "
                "cohort); lengthen the setting's days or follow_days, or raise scale"
            )
        truth = recovery_values(cfg)
        if truth:
            replication = int(streams[0].generate_state(1)[0] % (2**PARTICLE_SEED_BITS - 1))
            observed = moments.at(({**start, **truth}, replication))
        else:
            observed = {name: t.value for name, t in cfg.targets.items()}
        try:
            posterior = run_abc(
                moments,
                observed,
                {name: t.sd for name, t in cfg.targets.items()},
                cfg.parameters,
                cfg.abc,
                pool_map,
                cfg.seed,
                out_dir / "abc.db",
            )
        except sqlalchemy.exc.OperationalError as exc:  # pyabc's SQLite history could not be written
            raise OSError(
                errno.EIO, f"pyabc's database could not be written ({exc.orig})", str(out_dir / "abc.db")
            ) from exc
        seconds_abc = time.perf_counter() - t0
        rng = np.random.default_rng(streams[1])
        ensemble = posterior.particles.iloc[
            rng.choice(len(posterior.particles), size=cfg.ensemble, p=posterior.particles["weight"])
        ].reset_index(drop=True)[list(cfg.parameters)]
        replications = rng.integers(2**PARTICLE_SEED_BITS - 1, size=cfg.ensemble)
        jobs = [(row.to_dict(), int(r)) for (_, row), r in zip(ensemble.iterrows(), replications, strict=True)]
        predicted = pd.DataFrame(list(pool_map(moments.at, jobs)))
    tolerances = np.array([cfg.targets[n].sd for n in predicted.columns])
    observations = predicted + rng.normal(size=predicted.shape) * tolerances  # a published figure = outcome + its error
    seconds = time.perf_counter() - t0
    summary = parameter_summary(cfg.parameters, posterior, start, truth)
    check = predictive_check(cfg.targets, observed, predicted, observations)
    figures = {
        "simulations": posterior.simulations,
        "generations": len(posterior.generations),
        "final_epsilon": float(posterior.generations["epsilon"].iloc[-1]),
        "targets_met": int(check["met"].sum()),
        "targets": len(check),
        "identified": int(summary["identified"].sum()),
        "parameters": len(summary),
        "seconds_abc": round(seconds_abc, 1),
        "seconds": round(seconds, 1),
    }
    _write(cfg, out_dir, posterior, summary, check, predicted, ensemble, figures)
    return figures


def _write(cfg, out_dir: Path, posterior, summary, check, predicted, ensemble, figures) -> None:  # noqa: ANN001
    from sim.studies.calibration_output import (
        marginals_figure,
        pairs_figure,
        predictive_figure,
        preset_yaml,
        report_markdown,
    )

    write_table(out_dir / "posterior.parquet", posterior.particles)
    write_table(out_dir / "generations.csv", posterior.generations)
    write_table(out_dir / "parameters.csv", summary)
    write_table(out_dir / "predictive_check.csv", check)
    write_table(out_dir / "predictive.parquet", predicted)
    write_table(out_dir / "ensemble.csv", ensemble)
    weighted = posterior.particles.drop(columns="distance")
    marginals_figure(weighted, summary, out_dir / "figures" / "marginals")
    pairs_figure(weighted, cfg.parameters, out_dir / "figures" / "pairs")
    predictive_figure(check, predicted, out_dir / "figures" / "predictive")
    write_text(out_dir / cfg.preset, preset_yaml(cfg, summary, ensemble, figures))
    write_text(out_dir / "calibration.md", report_markdown(cfg, summary, check, posterior.generations, figures))
    write_json(out_dir / "calibration.json", {**figures, "versions": versions()})


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="calibrate")
def app(cfg: DictConfig) -> None:
    """Validate the calibration config, infer the posterior, and write the results and the preset."""
    figures, out_dir = run_study("returnsim-calibrate", CalibrationConfig, cfg, calibrate)
    print(
        f"posterior: {figures['simulations']} simulations in {figures['generations']} generations "
        f"({figures['seconds_abc']:.0f} s), final threshold {figures['final_epsilon']:.3g} tolerance units; "
        f"{figures['targets_met']} of {figures['targets']} targets inside the 90 % predictive interval; "
        f"{figures['identified']} of {figures['parameters']} parameters identified"
    )
    print(f"results: {out_dir}")


main = guarded("returnsim-calibrate", app)


if __name__ == "__main__":
    main()
