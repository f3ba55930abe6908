# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # returnsim from Python: a scenario, two levers compared, one figure
#
# This notebook uses returnsim's Python API (`from sim import run, sweep, effects`). It runs on the
# same configs as the command line (`configs/`): an override here is an override there
# (`"colocation=full"`), and a run here equals `uv run returnsim` with the same overrides and seed.
#
# Open it as a notebook with Jupytext (`uv run --with jupytext --with notebook jupyter notebook
# docs/tutorial.py`), or run it as a script: `uv run python docs/tutorial.py`. The full version
# took 13 minutes on two cores (measured while a test run shared them); the test suite runs it on a tiny horizon
# (`RETURNSIM_TUTORIAL_QUICK=1`).

# %%
import os

import matplotlib.pyplot as plt
import seaborn as sns

from sim import effects, run, sweep
from sim.outputs.columns import TABLES

QUICK = os.environ.get("RETURNSIM_TUTORIAL_QUICK") == "1"
SIZE = ["warmup_days=60", "horizon_days=300", "nations.SE.decisions_per_year=2000"] if QUICK else []
SEEDS = range(2) if QUICK else range(6)
DRAWS = range(2) if QUICK else range(5)
WORKERS = 2

# %% [markdown]
# ## 1. One scenario
# The default scenario is Sweden at its calibrated behaviour (the posterior medians of
# `configs/calibration/sweden_2013_2019.yaml`): six years of warm-up, then three measured years.
# Three replications give each metric a 95 % interval, which covers seed noise only.

# %%
result = run(SIZE, replications=3)
result.intervals("return_rate", "share_ever_absconded", "detention_days_per_forced_return")

# %% [markdown]
# Every table is a DataFrame: `result.summary`, `result.register` (a row per case), `result.stocks`
# (a row per day) and `result.flights`. What a column means, its unit and how it is computed is in
# the data dictionary (also in every results folder as `columns.md`):

# %%
entry = TABLES["case_register"].columns["closed_from"]
print(entry.meaning, "|", entry.unit, "|", entry.computed)
result.register[["origin", "decision_day", "outcome", "outcome_day", "closed_from"]].head()

# %%
result.plot_stocks()

# %% [markdown]
# ## 2. Two levers, compared with intervals
# Co-location of the agencies and the information-sharing rule, each at two settings, every
# combination on the same seeds (common random numbers: runs with the same seed share arrivals and
# behaviour, so their differences are paired). The runs also cross a few draws of the calibration's
# posterior (`posterior_draw`), so the intervals include what we do not know about behaviour, not
# only seed noise.

# %%
table = sweep(
    {"colocation": ["none", "full"], "info_sharing": ["restricted", "extended"], "posterior_draw": list(DRAWS)},
    seeds=SEEDS,
    overrides=SIZE,
    workers=WORKERS,
)
table[["colocation", "info_sharing", "posterior_draw", "seed", "return_rate", "share_ever_absconded"]].head()

# %% [markdown]
# `effects` compares each scenario with the baseline (no co-location, restricted sharing), paired
# by draw and seed: `ci_low`/`ci_high` hold parameter and seed uncertainty together,
# `stochastic_ci_*` seed noise alone, `worlds_*` where the effect lies in 90 % of the draws.

# %%
metrics = ["return_rate", "share_ever_absconded", "detention_days_per_forced_return"]
found = effects(table, baseline={"colocation": "none", "info_sharing": "restricted"}, metrics=metrics)
found[["metric", "scenario", "difference", "ci_low", "ci_high", "stochastic_ci_low", "stochastic_ci_high"]]

# %% [markdown]
# ## 3. One figure
# Each scenario's effect on the return rate with both intervals: the thick bar is seed noise alone,
# the thin one adds parameter uncertainty.

# %%
rate = found[found["metric"] == "return_rate"].reset_index(drop=True)
fig, ax = plt.subplots(figsize=(3.5, 2.4))
y = range(len(rate))
ax.hlines(y, rate["ci_low"], rate["ci_high"], color="0.3", linewidth=1, label="parameters + seeds")
ax.hlines(y, rate["stochastic_ci_low"], rate["stochastic_ci_high"], color="C0", linewidth=4, label="seeds only")
ax.plot(rate["difference"], y, "o", color="black", markersize=3)
ax.axvline(0, color="0.6", linestyle=":")
ax.set_yticks(list(y), rate["scenario"].str.replace(", ", "\n"))
ax.set_xlabel("effect on the return rate (share of decisions)")
ax.set_title("Against no co-location, restricted sharing", fontsize=9)
ax.legend(fontsize=7, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=2)
sns.despine(fig)
fig.savefig("tutorial_effects.png", dpi=300, bbox_inches="tight")

# %% [markdown]
# ## Where next
# - The same comparison from the command line, with its report: `uv run returnsim -m
#   +experiment=colocation uncertainty=posterior` (docs/experiments.md).
# - Which unknown decides a lever's effect: `uv run returnsim-sensitivity effect_of=[colocation=full]`.
