"""Outcome distributions of the engine over many seeds: what any new engine must reproduce.

The engine may change how it draws its random numbers (e.g. cases stored as
columns, events batched per day), so a new engine cannot give the same runs as
the old one. It must give the same *distribution* of outcomes on the same
configs. ``uv run python -m tests.helpers.engine_reference`` runs the configs
below over the reference seeds and writes ``tests/reference/engine_outcomes.csv``;
``tests/test_engine_reference.py`` runs the engine in use over other seeds
and compares. The compiled engine was first written to a file written by
the engine before it (each case a Python object, retired since); the file in
the repository was written again, by the compiled engine, when the history's
mechanisms changed the process on purpose (other removals sharing places and
escorts, the police's blocked cases and classes, the first months of
absconding, supervised removals, detention places planned jointly). Rewrite
the file only when a mechanism changes on purpose (write it with that change
and say so in the commit), never to make a change of the engine pass.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from scipy import stats

from sim.params.compose import compose, load_params
from sim.params.scaling import scale_country
from sim.runs.runner import run_replication

REFERENCE = Path(__file__).resolve().parent.parent / "reference" / "engine_outcomes.csv"
SHORT = ["warmup_days=730", "horizon_days=730", "output.figures=false"]
REFERENCE_FIT = [
    "behaviour.return_case_departure=0.01886",
    "behaviour.return_case_abscond=0.008738",
    "behaviour.police_case_departure=0.002477",
    "behaviour.police_case_abscond=0.008346",
    "behaviour.absconded_registered_departure=5.192e-05",
    "behaviour.enforcement_feedback.strength=1.201",
    "nations.SE.locate_probability_per_search=0.01751",
    "nations.SE.detention_risk_threshold=1.464",
    "nations.SE.detention_document_wait_max_days=57.85",
    "behaviour.blocked_abscond_multiplier=0.3",
    "behaviour.absconded_early_exit_multiplier=3.0",
    "nations.SE.supervised_removal_share=0.5",
]
"""The parameter values the reference is written with: the fit of 2026-11-23 (on the engine before the compiled
kernels) and the hand-set start values of the parameters added with the history's mechanisms (blocked police
cases, the first months after absconding, supervised removals). Every config pins them, so that a new fit
does not move the reference's configs: the reference compares engines, not fits. The other countries follow
Sweden's police values (the preset's interpolations)."""
_CONFIGS: dict[str, list[str]] = {
    "sweden_quarter": [*scale_country(compose(), "SE", 0.25), *SHORT],
    "sweden_quarter_levers": [
        *scale_country(compose(), "SE", 0.25),
        *SHORT,
        "colocation=full",
        "info_sharing=extended",
        "avr=reintegration",
        "behaviour.enforcement_feedback.form=removal_risk",
    ],
    "nordic_network": [
        "countries=[SE,NO,DK]",
        *(o for code in ("SE", "NO", "DK") for o in scale_country(compose(["countries=[SE,NO,DK]"]), code, 0.2)),
        *SHORT,
        "flights=joint_nordic",
        "attaches=nordic_network",
        "info_sharing=nordic",
    ],
    "sweden_quarter_frontex": [*scale_country(compose(), "SE", 0.25), *SHORT, "flights=frontex"],
    "nordic_frontex_unmatched": [
        "countries=[SE,NO,DK]",
        *(o for code in ("SE", "NO", "DK") for o in scale_country(compose(["countries=[SE,NO,DK]"]), code, 0.2)),
        *SHORT,
        "flights=frontex",
        "flights.organiser=rotation",
        "monitoring=joint_nordic",
        "info_sharing=restricted",
        "behaviour.absconded_move_nordic=0.001",
    ],
    "transit_pair": [
        "countries=[SE,NO]",
        *(o for code in ("SE", "NO") for o in scale_country(compose(["countries=[SE,NO]"]), code, 0.2)),
        *SHORT,
        "transit=north_africa",
        "transit.places_per_year=20000",
    ],
}
CONFIGS = {name: [*REFERENCE_FIT, *overrides] for name, overrides in _CONFIGS.items()}
"""Configs that exercise every part of the engine: one country, the levers and the enforcement feedback on,
three countries with pooled charters, the attachés' network and secondary movement matched across them, one
country with seats on other member states' (Frontex) operations, three countries pooling Frontex charters
organised in turn with joint monitoring and movers nobody matches (ten times the moving hazard, so that
new cases for movers are common), and two countries fed by the North African transit route with a large
assisted-return programme."""
METRICS = [
    "decisions",
    "return_rate",
    "share_ever_absconded",
    "voluntary_share_of_returns",
    "share_detained",
    "detention_days_per_forced_return",
    "median_days_to_return",
    "handed_to_police",
    "mean_handover_delay_days",
    "share_handovers_absconded",
    "located",
    "backlog_end",
    "forced_returns",
    "charter_returnees",
    "charters_flown",
    "charter_cost_paid_by_frontex",
    "share_forced_returns_monitored",
    "requests_followed_up",
    "moved_out",
    "movers_new_case",
    "transit_decisions",
    "transit_assisted_returns",
]
"""Outcomes compared: returns, absconding, detention, timing, police work (the handovers read from the
register), stocks, flights and who paid for them, monitoring, the attachés' follow-ups, secondary movement
and the transit route."""
REFERENCE_SEEDS = range(0, 24)
CHECK_SEEDS = range(1000, 1024)


def outcomes(name: str, seeds: range) -> pd.DataFrame:
    """The :data:`METRICS` of config ``name`` (all its countries together) for each seed, one row per seed."""
    rows = []
    for seed in seeds:
        params = load_params([*CONFIGS[name], f"seed={seed}"])
        summary = run_replication(params, 0).summary
        row = summary.iloc[-1]  # the pool of its countries (``ALL``), or the one country
        rows.append({"config": name, "seed": seed, **{m: float(row[m]) for m in METRICS}})
    return pd.DataFrame(rows)


MAX_MEAN_Z = 4.5
"""Tolerance for a mean: the two samples' means may differ by at most this many standard errors of their
difference (Welch; a false alarm about once in 150 000 comparisons, so about once in 1 100 runs of the 132)."""
MIN_SPREAD_P = 1e-4
"""Tolerance for a spread: Brown-Forsythe's test of equal variances must not reject at this level."""


def distribution_gaps(reference: pd.DataFrame, new: pd.DataFrame) -> list[str]:
    """Every config and metric whose mean or spread differs beyond the stated tolerances, described."""
    gaps = []
    for name, ref in reference.groupby("config"):
        now = new[new["config"] == name]
        if now.empty:
            continue
        for metric in METRICS:
            a, b = ref[metric].to_numpy(), now[metric].to_numpy()
            if a.std() == 0 and b.std() == 0:
                if a.mean() != b.mean():
                    gaps.append(f"{name} {metric}: constant {a.mean():.6g} vs {b.mean():.6g}")
                continue
            se = (a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b)) ** 0.5
            z = abs(b.mean() - a.mean()) / se
            spread = stats.levene(a, b, center="median").pvalue
            if z > MAX_MEAN_Z or spread < MIN_SPREAD_P:
                gaps.append(
                    f"{name} {metric}: mean {a.mean():.6g} -> {b.mean():.6g} ({z:.1f} SE), "
                    f"sd {a.std(ddof=1):.3g} -> {b.std(ddof=1):.3g} (equal-spread p={spread:.1g})"
                )
    return gaps


def main() -> None:
    """Write the reference outcomes of the engine in use."""
    table = pd.concat([outcomes(name, REFERENCE_SEEDS) for name in CONFIGS], ignore_index=True)
    table.to_csv(REFERENCE, index=False, float_format="%.10g")
    print(f"wrote {REFERENCE} ({len(table)} rows)", file=sys.stderr)


if __name__ == "__main__":
    main()
