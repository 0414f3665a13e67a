"""The shipped frictions.csv is what `crudeflow calibrate` computes on the shipped data.

After a data change, `crudeflow calibrate --write` regenerates it (one command); this test
fails until then, so the frictions cannot drift silently from the data they were fitted to.
"""

from __future__ import annotations

import pandas as pd

from crudeflow import api
from crudeflow.analysis.calibrate import calibrate
from crudeflow.io.dataset import read_dataset


def test_shipped_frictions_are_what_calibrate_computes() -> None:
    net = read_dataset("caspian-europe")
    fresh = calibrate(net, computed="x").frictions.drop(columns=["computed"])
    shipped = net.frictions.drop(columns=["computed"])
    assert list(shipped.index) == list(fresh.index), "run `crudeflow calibrate --write`"
    pd.testing.assert_frame_equal(shipped, fresh, check_dtype=False, atol=1e-6, obj="frictions.csv")


def test_calibrated_backtest_meets_the_calibrate_rows() -> None:
    plain = api.backtest()
    cal = api.backtest(calibrated=True)
    assert cal.score("calibrate") >= 90.0
    assert cal.score("holdout") >= plain.score("holdout")  # fitting must not cost the held-out rows
