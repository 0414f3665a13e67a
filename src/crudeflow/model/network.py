"""The frozen ``Network``: one DataFrame per dataset table, indexed by id, units in names."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import numpy.typing as npt
import pandas as pd

from crudeflow.exceptions import Problem


@dataclass(frozen=True)
class DatasetMeta:
    """What a dataset is: its name, base year and the reference barrels per tonne."""

    name: str
    title: str = ""
    base_year: int = 2023
    currency: str = "USD"
    reference_bbl_per_t: float = 7.33
    benchmark: str = "Brent"
    description: str = ""
    extra: dict[str, object] = field(default_factory=dict)


TABLE_FIELDS = (
    "sources",
    "grades",
    "nodes",
    "links",
    "supplies",
    "demands",
    "markets",
    "slates",
    "contracts",
    "trade",
    "policies",
    "observed",
    "storage",
    "stock_obligations",
    "period_values",
    "periods",
    "frictions",
    "prices",
    "duty_rates",
)


@dataclass(frozen=True, eq=False)
class Network:
    """A crude supply network: every table of a dataset, typed, indexed and immutable by contract.

    Tables keyed by id (``nodes``, ``links``, ``grades``, ``contracts``, ``sources``,
    ``policies``) are indexed by it; ``demands`` and ``markets`` by node; ``supplies``
    and ``slates`` by (node, grade). Never mutate a table in place: use
    :meth:`replace` (scenarios do) so many scenarios can share one base.
    """

    meta: DatasetMeta
    sources: pd.DataFrame
    grades: pd.DataFrame
    nodes: pd.DataFrame
    links: pd.DataFrame
    supplies: pd.DataFrame
    demands: pd.DataFrame
    markets: pd.DataFrame
    slates: pd.DataFrame
    contracts: pd.DataFrame
    trade: pd.DataFrame
    policies: pd.DataFrame
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    observed: pd.DataFrame = field(default_factory=lambda: _empty_observed())
    """Observed flows for the back-test (``observed.csv``, optional), indexed by id."""
    storage: pd.DataFrame = field(default_factory=lambda: _empty_table("storage", "node"))
    """Tanks carrying crude between periods (``storage.csv``, optional), indexed by node."""
    stock_obligations: pd.DataFrame = field(
        default_factory=lambda: _empty_table("stock_obligations", "country")
    )
    """Emergency stock floors by country (``stock_obligations.csv``, optional), indexed by country."""
    period_values: pd.DataFrame = field(default_factory=lambda: _empty_period_values())
    """Per-period values (``period_values.csv`` and scenario ``period_values``): table, id,
    grade, field, period, value, and ``_file`` / ``_row`` where each row came from (for
    error messages); read by ``crudeflow.optimize.periods`` when the network has periods."""
    periods: pd.DataFrame = field(default_factory=lambda: _empty_calendar())
    """The period calendar (``crudeflow.model.periods``); empty: an annual network."""
    prices: pd.DataFrame = field(default_factory=lambda: _empty_table("prices", ""))
    """Benchmark prices by year and month (``prices.csv``, optional): read by ``prices_year``."""
    duty_rates: pd.DataFrame = field(default_factory=lambda: _empty_table("duty_rates", ""))
    """Dated export duty rates per policy (``duty_rates.csv``, optional)."""
    link_events: pd.DataFrame = field(default_factory=lambda: _empty_link_events())
    """Dated capacity changes from scenario events: link, capacity_factor, valid_from,
    valid_to (ISO days, empty = open); a period's capacity is cut by the share of its days
    each event covers (``crudeflow.optimize.periods``)."""
    frictions: pd.DataFrame = field(default_factory=lambda: _empty_table("frictions", "id"))
    """Calibration frictions (``frictions.csv``, optional), indexed by id; a plan uses them
    only when asked (``calibrated``), and scenarios leave them as they are."""
    warnings: tuple[Problem, ...] = field(default=(), compare=False)
    """Problems of severity 'warning' found when the dataset was read."""

    @property
    def n_periods(self) -> int:
        """Number of periods of the LP (1 for an annual network)."""
        return max(1, len(self.periods))

    def replace(self, **changes: object) -> Network:
        """A new Network with some tables replaced (the original is untouched)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name."""
        return {name: getattr(self, name) for name in TABLE_FIELDS}

    def equals(self, other: object) -> bool:
        """True when every table and the metadata are equal (dtypes included)."""
        if not isinstance(other, Network):
            return False
        if self.meta != other.meta or self.groups != other.groups:
            return False
        return all(
            _frames_equal(getattr(self, f.name), getattr(other, f.name))
            for f in fields(self)
            if f.name in TABLE_FIELDS
        )

    def __eq__(self, other: object) -> bool:
        return self.equals(other)

    __hash__ = None  # type: ignore[assignment]

    def expand_countries(self, names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Expand group names (e.g. ``EU``) into ISO codes, keeping order, no duplicates."""
        out: list[str] = []
        for n in names:
            for c in self.groups.get(n, (n,)):
                if c not in out:
                    out.append(c)
        return tuple(out)

    def active_links(self) -> pd.DataFrame:
        """Links that carry flow: status operating or intermittent, capacity above zero."""
        from crudeflow.schema import ACTIVE_STATUSES

        links = self.links
        mask = links["status"].isin(ACTIVE_STATUSES) & (links["capacity_mt_per_year"] > 0)
        return links[mask]

    def node_country(self, ids: pd.Series | npt.NDArray[np.str_] | list[str]) -> npt.NDArray[np.str_]:
        """Country code of each node id."""
        return np.asarray(self.nodes["country"].reindex(pd.Index(ids)).to_numpy())

    def summary(self) -> dict[str, str | int | float]:
        """Counts and totals a user checks first (Mt/yr)."""
        active = self.active_links()
        return {
            "name": self.meta.name,
            "base_year": self.meta.base_year,
            "nodes": len(self.nodes),
            "links": len(self.links),
            "active_links": len(active),
            "grades": len(self.grades),
            "sources": len(self.sources),
            "supply_min_mt_per_year": float(self.supplies["min_mt_per_year"].sum()),
            "supply_max_mt_per_year": float(self.supplies["max_mt_per_year"].sum()),
            "demand_mt_per_year": float(self.demands["demand_mt_per_year"].sum()),
            "market_capacity_mt_per_year": float(self.markets["max_mt_per_year"].sum()),
            "policies": len(self.policies),
            "contracts": len(self.contracts),
        }


def _empty_observed() -> pd.DataFrame:
    from crudeflow.schema import OBSERVED

    return pd.DataFrame(columns=[c for c in OBSERVED.names if c != "id"], index=pd.Index([], name="id"))


def _empty_table(name: str, key: str) -> pd.DataFrame:
    from crudeflow.schema import TABLES

    names = [c for c in TABLES[name].names if c != key]
    if not key:
        return pd.DataFrame(columns=names)
    return pd.DataFrame(columns=names, index=pd.Index([], name=key))


def _empty_period_values() -> pd.DataFrame:
    from crudeflow.schema import PERIOD_VALUES

    frame = pd.DataFrame({c: pd.Series(dtype=float if c == "value" else object) for c in PERIOD_VALUES.names})
    return frame.assign(_file=pd.Series(dtype=object), _row=pd.Series(dtype=np.int64))


def _empty_link_events() -> pd.DataFrame:
    return pd.DataFrame({
        "link": pd.Series(dtype=object), "capacity_factor": pd.Series(dtype=float),
        "valid_from": pd.Series(dtype=object), "valid_to": pd.Series(dtype=object),
    })  # fmt: skip


def _empty_calendar() -> pd.DataFrame:
    from crudeflow.model.periods import empty_calendar

    return empty_calendar()


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    if list(a.columns) != list(b.columns) or not a.index.equals(b.index):
        return False
    try:
        pd.testing.assert_frame_equal(a, b, check_dtype=False, check_index_type=False)
    except AssertionError:
        return False
    return True
