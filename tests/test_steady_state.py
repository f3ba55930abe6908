"""The default warm-up is long enough: every stock is steady over its last year."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.runs.runner import run_replication
from tests.conftest import params

STOCKS = ["voluntary_period", "return_case", "absconded", "police_case", "detained", "awaiting_flight", "wanted"]
TOLERANCE = 0.10
"""Largest relative change of a stock's yearly mean allowed between the last two warm-up years: the
day-to-day noise of the small stocks (a few hundred people in detention) moves their yearly means by
about 5 %."""
SMALL_STOCK = 5.0
"""Or by fewer people than this: a stock of a few dozen (people awaiting a charter, who leave in batches)
moves its yearly mean by a few people without a trend."""
SLOW_TOLERANCE = 0.03
"""The absconded stock, the largest and slowest (it fills for four years until expiry), within 3 %."""


@pytest.fixture(scope="module")
def warmup() -> tuple[pd.DataFrame, int]:
    """The default scenario (full-size Sweden) run to the end of its warm-up."""
    p = params("horizon_days=1", "output.figures=false")
    return run_replication(p, 0).stocks, p.warmup_days


def _yearly_mean(stocks: pd.DataFrame, first: int, last: int) -> pd.Series:
    return stocks[(stocks["day"] > first) & (stocks["day"] <= last)][STOCKS].mean()


def test_every_stock_is_steady_over_the_last_warmup_year(warmup):
    stocks, w = warmup
    last, before = _yearly_mean(stocks, w - 365, w), _yearly_mean(stocks, w - 730, w - 365)
    change = ((last - before) / before).abs()
    steady = (change < TOLERANCE) | ((last - before).abs() < SMALL_STOCK)
    assert steady.all(), {"relative change": change.round(3).to_dict(), "last year": last.round(1).to_dict()}
    assert change["absconded"] < SLOW_TOLERANCE, change.round(3).to_dict()


def test_the_warmup_covers_the_statute_of_limitation(warmup):
    """Expiry has been running for a year before measurement starts, so the horizon includes it."""
    _, w = warmup
    assert w >= params().nations["SE"].statute_of_limitation_days + 365
