"""Benchmark rows for calibration (issue 16): its time as a ratio to one plan, in one run.

```bash
python -m benchmarks.calibrate          # shipped dataset and synthetic 10k links
```

Rows:
* shipped: ``calibrate`` on caspian-europe (the uncalibrated solve, the calibration LP with
  one band row per calibrate observation, and the check: an uncalibrated and a calibrated
  plan measured against the rows) against one ``solve_plan`` of the same dataset.
* synthetic 10k links: ``transport_network(2000, 10_000)`` with 50 observed ``link_flow``
  rows made from a perturbed plan (the planned flow of 40 used links × U(0.6, 1.4), and 10
  unused links observed at 1 Mt/yr; tolerance max(10 %, 0.3 Mt/yr)), same ratio; also how
  many frictions and how many rows pass before and after.

Timings are medians of three runs after a warm-up (process start excluded).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.periods import median_seconds
from crudeflow.analysis.calibrate import calibrate
from crudeflow.io.dataset import read_dataset
from crudeflow.model.network import Network
from crudeflow.results.solve import solve_plan
from crudeflow.schema import OBSERVED
from crudeflow.synthetic import transport_network


def observed_from_plan(net: Network, n_used: int = 40, n_unused: int = 10, seed: int = 1) -> Network:
    """``net`` with calibrate rows made from its own plan, perturbed (see the module doc)."""
    rng = np.random.default_rng(seed)
    flows = solve_plan(net).flows.groupby("link")["mt_per_year"].sum()
    used = flows[flows > 0.5].index.to_numpy()
    unused = np.setdiff1d(net.active_links().index.to_numpy(), flows[flows > 1e-6].index.to_numpy())
    pick_u = rng.choice(used, size=min(n_used, len(used)), replace=False)
    pick_z = rng.choice(unused, size=min(n_unused, len(unused)), replace=False)
    value = np.concatenate(
        [flows[pick_u].to_numpy() * rng.uniform(0.6, 1.4, len(pick_u)), np.ones(len(pick_z))]
    )
    links = np.concatenate([pick_u, pick_z])
    n = len(links)
    cols = {c: [""] * n for c in OBSERVED.names}
    cols.update({
        "id": [f"obs-{i}" for i in range(n)], "quantity": [f"flow on {lk}" for lk in links],
        "year": [int(net.meta.base_year)] * n, "value": value, "unit": ["Mt/yr"] * n,
        "measure": ["link_flow"] * n, "links": [(str(lk),) for lk in links], "origins": [()] * n,
        "grades": [()] * n, "tolerance": np.maximum(0.1 * value, 0.3), "role": ["calibrate"] * n,
        "source": ["synthetic"] * n,
    })  # fmt: skip
    obs = pd.DataFrame(cols).set_index("id")
    return net.replace(observed=obs)


def row(name: str, net: Network) -> dict[str, Any]:
    """Calibration and plan medians for one network, their ratio, and the fit."""
    cal = calibrate(net)
    t_cal = median_seconds(lambda: calibrate(net))
    t_plan = median_seconds(lambda: solve_plan(net))
    return {
        "row": name,
        "links": len(net.links),
        "calibrate_rows": len(cal.rows),
        "frictions": len(cal.frictions),
        "passed_uncalibrated": int(cal.rows["ok_uncalibrated"].sum()),
        "passed_calibrated": int(cal.rows["ok_calibrated"].sum()),
        "calibrate_s": round(t_cal, 3),
        "plan_s": round(t_plan, 3),
        "ratio": round(t_cal / t_plan, 2),
    }


def main() -> None:
    """Print every row as JSON lines."""
    print(json.dumps(row("shipped caspian-europe", read_dataset("caspian-europe"))), flush=True)
    syn = observed_from_plan(transport_network(2000, 10_000))
    print(json.dumps(row("synthetic 10k links, 50 rows", syn)), flush=True)


if __name__ == "__main__":
    main()
