"""The Python API behind every CLI command: plain functions returning DataFrames or dataclasses."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from crudeflow.io.dataset import read_dataset, resolve_dataset
from crudeflow.model.network import Network


@dataclass(frozen=True)
class DataOverview:
    """What ``crudeflow data show`` prints: counts and totals, capacity by mode, the links."""

    summary: dict[str, Any]
    capacity_by_mode: pd.DataFrame
    links: pd.DataFrame


def load(dataset: str | Path | Network | None = None) -> Network:
    """A Network from a Network, a folder, a shipped dataset name, or the default dataset."""
    if isinstance(dataset, Network):
        return dataset
    return read_dataset(dataset)


def data_overview(dataset: str | Path | Network | None = None) -> DataOverview:
    """Counts, supply and demand totals (Mt/yr), capacity by mode and the links table."""
    net = load(dataset)
    links = net.links
    by_mode = (
        links.assign(active=links["status"].isin(("operating", "intermittent")))
        .groupby("mode")
        .agg(
            links=("name", "size"),
            capacity_mt_per_year=("capacity_mt_per_year", "sum"),
            active_links=("active", "sum"),
        )
    )
    cols = ["name", "from", "to", "mode", "capacity_mt_per_year", "tariff_usd_per_t",
            "distance_km", "countries", "status"]
    return DataOverview(net.summary(), by_mode, links[cols])


def export_dataset(dataset: str | Path, directory: str | Path) -> Path:
    """Copy a dataset folder (all files, README included) to ``directory`` and check it loads."""
    src = resolve_dataset(dataset)
    dst = Path(directory)
    shutil.copytree(src, dst, dirs_exist_ok=True)
    read_dataset(dst)
    return dst
