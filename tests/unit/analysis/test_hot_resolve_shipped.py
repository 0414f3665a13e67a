"""Hot outage re-solves (``HighsModel.keep_basis`` + ``resolve_closed``) against cold solves.

On the shipped dataset every N-1 case of links and countries is solved both ways. The
dataset has ties (equal-cost routes), so hot and cold may stop at different optimal
vertices: the hot flows are checked to be feasible and optimal for the outage LP (same
objective, every bound and row satisfied), and everything ``stress`` reports from them
(added unmet per importer, shut-in per producer, economic cost) to equal the cold one's.
"""

from __future__ import annotations

import numpy as np
import pytest

import crudeflow as cf
from crudeflow.analysis.contingency import _Reader, asset_columns
from crudeflow.optimize.build import Model, build_lp
from crudeflow.optimize.solve import HighsModel

TOL = 1e-7


@pytest.fixture(scope="module")
def model() -> Model:
    return build_lp(cf.read_dataset("caspian-europe"))


@pytest.mark.parametrize("assets", ["links", "countries"])
def test_hot_equals_cold_on_every_shipped_n1_case(model: Model, assets: str) -> None:
    lp = model.lp
    a = lp.matrix()
    reader = _Reader(model)
    hm = HighsModel(lp)
    base = hm.run()
    hm.keep_basis()
    solved = 0
    for asset, c in asset_columns(model, assets).items():
        if len(c) == 0 or float(base.x[c].max()) <= TOL:
            continue
        hot = hm.resolve_closed(c)
        fresh = HighsModel(lp)
        fresh.close_cols(c)
        cold = fresh.run()
        assert hot.status is cold.status, asset
        if not cold.ok:
            continue
        solved += 1
        assert hot.objective == pytest.approx(cold.objective, rel=1e-9), asset
        x = hot.x
        lo, hi = lp.col_lower.copy(), lp.col_upper.copy()
        lo[c] = hi[c] = 0.0
        assert np.all(x >= lo - TOL), asset
        assert np.all(x <= hi + TOL), asset
        act = a @ x
        assert np.all(act >= lp.row_lower - TOL), asset
        assert np.all(act <= lp.row_upper + TOL), asset
        (hu, hs, he), (cu, cs, ce) = reader.read(x), reader.read(cold.x)
        np.testing.assert_allclose(hu, cu, atol=1e-9, err_msg=asset)
        np.testing.assert_allclose(hs, cs, atol=1e-9, err_msg=asset)
        assert he == pytest.approx(ce, rel=1e-9, abs=1.0), asset
    assert solved >= (60 if assets == "links" else 15)  # 74 links and 17 countries carry flow
    # bounds restored: the model solves back to the base plan
    assert hm.run().objective == pytest.approx(base.objective, rel=1e-12)
