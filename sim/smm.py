"""Simulated method of moments: the distance to targets and the sandwich covariance of the estimate."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def distance(moments: np.ndarray, targets: np.ndarray, sds: np.ndarray) -> float:
    """Weighted squared distance of the mean simulated moments to the targets (weights 1/sd²).

    ``moments`` has one row per replication and one column per target.
    """
    gap = (moments.mean(axis=0) - targets) / sds
    return float(gap @ gap)


def jacobian(
    moments_at: Callable[[list[np.ndarray]], list[np.ndarray]], x: np.ndarray, steps: np.ndarray
) -> np.ndarray:
    """Central finite differences of the mean moments in each coordinate, all points in one batch.

    ``moments_at`` maps a list of points to their moment arrays (one row per replication);
    common random numbers keep the differences smooth.
    """
    points = []
    for i, h in enumerate(steps):
        for sign in (1.0, -1.0):
            p = x.copy()
            p[i] += sign * h
            points.append(p)
    means = [m.mean(axis=0) for m in moments_at(points)]
    return np.column_stack([(means[2 * i] - means[2 * i + 1]) / (2 * h) for i, h in enumerate(steps)])


def sandwich_covariance(jac: np.ndarray, weight: np.ndarray, moment_cov: np.ndarray) -> np.ndarray:
    """Covariance of the SMM estimate: (J'WJ)⁻¹ J'W S W J (J'WJ)⁻¹ (pseudo-inverse if J is rank deficient)."""
    bread = np.linalg.pinv(jac.T @ weight @ jac)
    return bread @ jac.T @ weight @ moment_cov @ weight @ jac @ bread


def moment_covariance(moments: np.ndarray, sds: np.ndarray, data_share: float) -> np.ndarray:
    """Uncertainty of (target − simulated mean) in the moments' space.

    Three parts: each published figure's own uncertainty (``sds``, rounding:
    "just over half"); the sampling noise of the real cohort, the replications'
    covariance scaled by ``data_share`` (simulated cohort size / real size);
    and the simulation noise of the mean over the replications.
    """
    reps = moments.shape[0]
    cov = np.cov(moments, rowvar=False, ddof=1) if reps > 1 else np.zeros((moments.shape[1],) * 2)
    return np.diag(sds**2) + np.atleast_2d(cov) * (data_share + 1.0 / reps)


def identification(jac: np.ndarray, sds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Singular values and directions (rows) of the Jacobian in tolerance units.

    A direction is a combination of the parameters (search coordinates); its
    singular value is how many tolerances the moments move per unit step along
    it. Small values mark combinations the targets hardly constrain.
    """
    _, values, directions = np.linalg.svd(jac / sds[:, None])
    return values, directions
