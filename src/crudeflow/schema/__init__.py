"""The dataset schema as data: one declaration per file and column.

The loader, the validator and the docs all read these declarations; a column is
declared once with its dtype, unit, default, check, foreign key and description.
Transport modes are a table of their own (``crudeflow.schema.modes``); policy kinds are
declared in ``crudeflow.model.policies``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from crudeflow.schema.modes import MODES as MODES

Dtype = Literal["str", "float", "int", "bool", "list"]
"""``list`` is a ``;``-separated list of strings in a CSV cell."""


@dataclass(frozen=True)
class Column:
    """One column of a dataset file: type, unit, whether required, default and checks."""

    name: str
    dtype: Dtype
    description: str
    unit: str | None = None
    required: bool = True
    default: object = None
    nonneg: bool = False
    choices: tuple[str, ...] | None = None
    ref: str | None = None
    """Foreign key: ``"nodes"``, ``"grades"``, ``"sources"``, ``"country"`` or ``"node_or_country"``."""
    low: float | None = None
    high: float | None = None
    warn_above: float | None = None
    """Largest plausible value: a larger one is read but warned about (a unit slip, say)."""


def plausible(col: Column) -> str:
    """What a warning for a value above ``col.warn_above`` expects (a unit slip, say)."""
    unit = f" {col.unit}" if col.unit else ""
    low = f"{col.low:,g}" if col.low is not None else "0"
    return (
        f"a value from {low} to {col.warn_above:,g}{unit}, the plausible range of {col.name} "
        "(read as given: check the figure and its unit)"
    )


@dataclass(frozen=True)
class Table:
    """One CSV file of a dataset: its columns and its key."""

    file: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    optional: bool = False
    alternatives: dict[str, str] = field(default_factory=dict)
    """Column that may replace a required one, e.g. capacity_kb_per_day for capacity_mt_per_year."""
    bounds: tuple[tuple[str, str], ...] = ()
    """(lower, upper) column pairs that must hold lower <= upper on every row."""

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in declaration order."""
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        """The declaration of one column."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


NODE_KINDS = ("field", "terminal", "port", "junction", "refinery", "market", "storage")
STATUSES = ("operating", "intermittent", "idle", "planned", "closed")
ACTIVE_STATUSES = ("operating", "intermittent")
CHOKEPOINTS = ("gibraltar", "dover", "danish_straits", "bab_el_mandeb", "hormuz", "malacca")
"""Straits of international transit passage (UNCLOS Part III) a tanker leg may pass: the
coastal states cannot suspend passage, so they are not transit countries of the leg."""
"""Links with these statuses carry flow; others need a scenario to switch them on."""

CONFIDENCE_GRADES = ("official", "operator", "press", "estimate")
"""How far a row's sourced figure can be trusted, strongest first: a government, regulator or
statistics office (official); the asset's operator or owner (operator); the press or a
secondary compilation citing one (press); a crudeflow estimate or assumption (estimate)."""

SOURCE = Column("source", "str", "id of a row of sources.csv", ref="sources")
EVIDENCE = Column(
    "evidence",
    "str",
    "a short quote or table reference in the source that gives the row's sourced figure",
    required=False,
    default="",
)
CONFIDENCE = Column(
    "confidence",
    "str",
    "grade of the figure the source supports: official | operator | press | estimate",
    required=False,
    default="",
    choices=CONFIDENCE_GRADES,
)
NOTE = Column("note", "str", "'estimate: how', 'assumption: why', or a remark", required=False, default="")
VALID_FROM = Column(
    "valid_from", "str", "first day the row holds, YYYY-MM-DD (empty: always; periods only)",
    required=False, default="",
)  # fmt: skip
VALID_TO = Column(
    "valid_to", "str", "last day the row holds, YYYY-MM-DD (empty: always; periods only)",
    required=False, default="",
)  # fmt: skip
DATED_TABLES = ("links", "supplies", "demands", "markets", "contracts")
"""Tables whose rows may carry valid_from / valid_to: a row counts, in a period, for the
share of the period's days it is valid (capacities, volumes and contract bounds prorate)."""

GRADES = Table(
    "grades.csv",
    "Crude grades (the commodities): quality and origin country.",
    (
        Column("grade", "str", "grade id (slug)"),
        Column("name", "str", "display name", required=False, default=""),
        Column("origin_country", "str", "country the crude is produced in", ref="country"),
        Column("api_gravity", "float", "API gravity", unit="°API", low=0.0, high=80.0),
        Column("sulfur_pct", "float", "sulfur content", unit="% by mass", low=0.0, high=10.0),
        Column("bbl_per_t", "float", "barrels per tonne", unit="bbl/t", low=5.0, high=9.0),
        Column(
            "differential_usd_per_t",
            "float",
            "price differential to the benchmark (Brent) at world-market outlets",
            unit="USD/t",
            required=False,
            default=0.0,
        ),
        Column(
            "benchmark",
            "str",
            "benchmark of prices.csv whose spread to the dataset benchmark the grade's differential"
            " follows from year to year (empty: the dataset benchmark, a constant USD/bbl spread)",
            required=False,
            default="",
        ),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("grade",),
)

NODES = Table(
    "nodes.csv",
    "Places crude is produced, moved through, stored, refined or sold.",
    (
        Column("id", "str", "node id (slug)"),
        Column("name", "str", "display name"),
        Column("kind", "str", "what the node is", choices=NODE_KINDS),
        Column("country", "str", "ISO 3166-1 alpha-2 country", ref="country"),
        Column("lat", "float", "latitude", unit="degrees", low=-90.0, high=90.0),
        Column("lon", "float", "longitude", unit="degrees", low=-180.0, high=180.0),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("id",),
)

LINKS = Table(
    "links.csv",
    "Directed legs: pipelines, tanker legs, rail legs, barges and swaps.",
    (
        Column("id", "str", "link id (slug)"),
        Column("name", "str", "display name"),
        Column("from", "str", "start node", ref="nodes"),
        Column("to", "str", "end node", ref="nodes"),
        Column("mode", "str", "transport mode", choices=MODES),
        Column(
            "capacity_mt_per_year",
            "float",
            "capacity shared by all grades",
            unit="Mt/yr",
            nonneg=True,
            warn_above=1000.0,
        ),
        Column(
            "tariff_usd_per_t", "float", "tariff or freight", unit="USD/t", nonneg=True, warn_above=2000.0
        ),
        Column("distance_km", "float", "length along the route", unit="km", nonneg=True),
        Column(
            "countries",
            "list",
            "countries the leg crosses, ';'-separated (endpoints included); for a tanker leg only "
            "states whose internal waters it passes (Bosphorus TR, Suez EG), never coastal states",
            required=False,
            default=(),
            ref="country",
        ),
        Column(
            "chokepoints",
            "list",
            "international straits a tanker leg passes (transit passage, UNCLOS Part III: no "
            "coastal state may close them), ';'-separated; not transit countries",
            required=False,
            default=(),
            choices=CHOKEPOINTS,
        ),
        Column(
            "bidirectional",
            "bool",
            "flow allowed both ways on one shared capacity",
            required=False,
            default=False,
        ),
        Column(
            "pipe",
            "str",
            "physical pipe id: links naming the same pipe share one capacity (their smallest) "
            "across both directions; empty: the link is its own pipe",
            required=False,
            default="",
        ),
        Column(
            "status",
            "str",
            "operating status",
            required=False,
            default="operating",
            choices=STATUSES,
        ),
        Column(
            "grades",
            "list",
            "grades allowed on the link (empty: all)",
            required=False,
            default=(),
            ref="grades",
        ),
        Column(
            "swap_grade_in",
            "str",
            "swap only: grade taken at 'from'",
            required=False,
            default="",
            ref="grades",
        ),
        Column(
            "swap_grade_out",
            "str",
            "swap only: grade delivered at 'to'",
            required=False,
            default="",
            ref="grades",
        ),
        Column(
            "outage_rate_per_year",
            "float",
            "expected outages per year (Monte Carlo)",
            unit="1/yr",
            required=False,
            default=float("nan"),
            nonneg=True,
        ),
        Column(
            "outage_mean_days",
            "float",
            "mean outage duration (Monte Carlo)",
            unit="days",
            required=False,
            default=float("nan"),
            nonneg=True,
        ),
        Column(
            "transit_days",
            "float",
            "days from loading to arrival (periods only: a leg whose transit is half a period or "
            "more delivers in a later period; empty: same period)",
            unit="days",
            required=False,
            default=0.0,
            nonneg=True,
            warn_above=120.0,
        ),
        VALID_FROM,
        VALID_TO,
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("id",),
    alternatives={"capacity_mt_per_year": "capacity_kb_per_day"},
)

SUPPLIES = Table(
    "supplies.csv",
    "Where each grade enters the network, how much and at what price.",
    (
        Column("node", "str", "supply node", ref="nodes"),
        Column("grade", "str", "grade supplied", ref="grades"),
        Column(
            "min_mt_per_year",
            "float",
            "volume that must be placed",
            unit="Mt/yr",
            nonneg=True,
            required=False,
            default=0.0,
        ),
        Column("max_mt_per_year", "float", "volume available", unit="Mt/yr", nonneg=True),
        Column(
            "price_usd_per_t",
            "float",
            "price at the supply node",
            unit="USD/t",
            nonneg=True,
            warn_above=5000.0,
        ),
        VALID_FROM,
        VALID_TO,
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("node", "grade"),
    bounds=(("min_mt_per_year", "max_mt_per_year"),),
)

DEMANDS = Table(
    "demands.csv",
    "Refinery crude demand and quality windows.",
    (
        Column("node", "str", "refinery node", ref="nodes"),
        Column(
            "demand_mt_per_year", "float", "crude runs to supply", unit="Mt/yr", nonneg=True, warn_above=500.0
        ),
        Column(
            "max_sulfur_pct",
            "float",
            "blend sulfur ceiling",
            unit="% by mass",
            required=False,
            default=float("nan"),
            nonneg=True,
        ),
        Column(
            "min_api",
            "float",
            "blend API floor",
            unit="°API",
            required=False,
            default=float("nan"),
            nonneg=True,
        ),
        Column(
            "max_api",
            "float",
            "blend API ceiling",
            unit="°API",
            required=False,
            default=float("nan"),
            nonneg=True,
        ),
        Column(
            "shortage_penalty_usd_per_t",
            "float",
            "cost of a tonne not supplied",
            unit="USD/t",
            nonneg=True,
        ),
        Column(
            "stock_days",
            "float",
            "strategic stocks, days of cover (Monte Carlo)",
            unit="days",
            required=False,
            default=0.0,
            nonneg=True,
        ),
        VALID_FROM,
        VALID_TO,
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("node",),
    bounds=(("min_api", "max_api"),),
)

MARKETS = Table(
    "markets.csv",
    "World-market outlets buying any grade at benchmark + the grade's differential.",
    (
        Column("node", "str", "market node", ref="nodes"),
        Column(
            "price_usd_per_t",
            "float",
            "benchmark price paid at the outlet",
            unit="USD/t",
            nonneg=True,
            warn_above=5000.0,
        ),
        Column("max_mt_per_year", "float", "volume the outlet takes", unit="Mt/yr", nonneg=True),
        VALID_FROM,
        VALID_TO,
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("node",),
    optional=True,
)

SLATES = Table(
    "slates.csv",
    "Per-refinery, per-grade maximum share of crude runs.",
    (
        Column("node", "str", "refinery node", ref="nodes"),
        Column("grade", "str", "grade", ref="grades"),
        Column("max_share_pct", "float", "maximum share of runs", unit="%", low=0.0, high=100.0),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("node", "grade"),
    optional=True,
)

CONTRACTS = Table(
    "contracts.csv",
    "Intergovernmental or commercial supply contracts.",
    (
        Column("id", "str", "contract id (slug)"),
        Column("seller", "str", "supply node or origin country", ref="node_or_country"),
        Column("buyer", "str", "refinery node or importing country", ref="node_or_country"),
        Column(
            "min_mt_per_year",
            "float",
            "minimum volume",
            unit="Mt/yr",
            nonneg=True,
            required=False,
            default=0.0,
        ),
        Column(
            "max_mt_per_year",
            "float",
            "maximum volume",
            unit="Mt/yr",
            nonneg=True,
            required=False,
            default=float("inf"),
        ),
        Column(
            "take_or_pay_usd_per_t",
            "float",
            "penalty per tonne below the minimum (empty: hard)",
            unit="USD/t",
            required=False,
            default=float("nan"),
            nonneg=True,
        ),
        VALID_FROM,
        VALID_TO,
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("id",),
    optional=True,
    bounds=(("min_mt_per_year", "max_mt_per_year"),),
)

TRADE = Table(
    "trade.csv",
    "Bilateral trade figures as reported.",
    (
        Column("reporter", "str", "reporting country", ref="country"),
        Column("partner", "str", "partner country", ref="country"),
        Column("year", "int", "year the figure refers to", low=1900.0, high=2100.0),
        Column("flow", "str", "what the figure measures", choices=("exports", "imports", "turnover")),
        Column("value_musd", "float", "value", unit="million USD", nonneg=True),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("reporter", "partner", "year", "flow"),
    optional=True,
)

OBSERVED_UNITS = ("Mt/yr", "Mt", "million bbl/yr", "%")
"""Units of observed values: an annual volume, a volume within ``period``, barrels a year
(the model converts each grade by its own bbl/t), or a share in percent."""

OBSERVED_MEASURES = ("link_flow", "origin_to_importer", "exporter_share", "exports", "production")
"""How the model measures an observed row, from the row's own columns:

* ``link_flow``: total flow on ``links`` (only ``grades`` / ``origins`` if given);
* ``origin_to_importer``: crude of ``origins`` (or ``grades``) run by ``importer``'s refineries
  (a country, or one refinery node);
* ``exporter_share``: 100 x the flow of ``exporter``'s crude on ``links`` / ``exporter``'s exports;
* ``exports``: flow of ``exporter``'s crude on links that leave its territory (from a node in
  ``exporter`` to a node outside it);
* ``production``: supply placed by the supply nodes of ``origins`` (or ``grades``).
"""

OBSERVED_ROLES = ("calibrate", "holdout")

OBSERVED = Table(
    "observed.csv",
    "Observed flows for the back-test: what happened, how the model measures it, and how close it must be.",
    (
        Column("id", "str", "observation id (slug)"),
        Column("quantity", "str", "what was observed, in words"),
        Column("year", "int", "year of the observation", low=1900.0, high=2100.0),
        Column(
            "period",
            "str",
            "months covered, 'YYYY-MM..YYYY-MM' (empty: the whole year)",
            required=False,
            default="",
        ),
        Column("value", "float", "observed value, in the row's unit", nonneg=True),
        Column("unit", "str", "unit of value and tolerance", choices=OBSERVED_UNITS),
        Column("measure", "str", "how the model measures it", choices=OBSERVED_MEASURES),
        Column(
            "links",
            "list",
            "links whose flow is measured, ';'-separated (ids of links.csv)",
            required=False,
            default=(),
        ),
        Column(
            "origins",
            "list",
            "origin countries of the crude measured",
            required=False,
            default=(),
            ref="country",
        ),
        Column("grades", "list", "grades measured", required=False, default=(), ref="grades"),
        Column(
            "importer",
            "str",
            "importing country or refinery node",
            required=False,
            default="",
            ref="node_or_country",
        ),
        Column("exporter", "str", "exporting country", required=False, default="", ref="country"),
        Column(
            "tolerance",
            "float",
            "pass band either side of value, in the row's unit (percentage points for %), "
            "set from the source's precision before any calibration",
            nonneg=True,
        ),
        Column("role", "str", "calibrate (used to fit) or holdout (only checked)", choices=OBSERVED_ROLES),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("id",),
    optional=True,
)

FRICTION_KINDS = ("pull", "push")
"""``pull``: a discount on an observed corridor's volume up to the threshold (the plan sent
too little); ``push``: a surcharge on its volume above the threshold (the plan sent too much)."""

FRICTIONS = Table(
    "frictions.csv",
    "Calibration frictions (written by `crudeflow calibrate --write`): per-tonne costs on observed "
    "corridors that make the `calibrate` rows of observed.csv optimal; used by --calibrated only.",
    (
        Column("id", "str", "friction id (slug)"),
        Column("observation", "str", "id of the calibrate row of observed.csv this friction serves"),
        Column("corridor", "str", "what the friction prices, in words (the observation's quantity)"),
        Column(
            "links",
            "list",
            "links of the corridor, for reading (the observation's columns decide)",
            required=False,
            default=(),
        ),
        Column(
            "kind",
            "str",
            "pull (discount up to the threshold) or push (surcharge above it)",
            choices=FRICTION_KINDS,
        ),
        Column(
            "friction_usd_per_t",
            "float",
            "size of the discount or surcharge",
            unit="USD/t",
            nonneg=True,
            warn_above=100.0,
        ),
        Column(
            "threshold_mt_per_year",
            "float",
            "corridor volume where the friction starts (push) or stops (pull), Mt/yr equivalent",
            unit="Mt/yr",
        ),
        Column(
            "share_pct",
            "float",
            "for a share row: the share bound the corridor volume is read against",
            unit="%",
            required=False,
            default=float("nan"),
        ),
        Column(
            "dual_usd_per_t",
            "float",
            "evidence: shadow price of the observation's band in the calibration LP (signed)",
            unit="USD/t",
        ),
        Column("uncalibrated", "float", "evidence: the uncalibrated plan's figure, in the row's unit"),
        Column("target", "float", "evidence: the figure the calibration LP reached, in the row's unit"),
        Column("unit", "str", "unit of uncalibrated and target (the observation's)"),
        Column("computed", "str", "date the friction was computed (YYYY-MM-DD) and crudeflow version"),
        SOURCE,
        NOTE,
    ),
    key=("id",),
    optional=True,
)

STORAGE = Table(
    "storage.csv",
    "Tank farms and strategic stocks that carry crude from one period to the next (periods only).",
    (
        Column(
            "node", "str", "node holding the stock (a storage node, terminal, port or refinery)", ref="nodes"
        ),
        Column("capacity_mt", "float", "working capacity of the tanks", unit="Mt", nonneg=True),
        Column(
            "initial_mt",
            "float",
            "level at the start of the horizon",
            unit="Mt",
            nonneg=True,
            required=False,
            default=0.0,
        ),
        Column(
            "initial_grade",
            "str",
            "grade of the initial stock (required when initial_mt > 0)",
            required=False,
            default="",
            ref="grades",
        ),
        Column(
            "min_final_mt",
            "float",
            "level the horizon must end with (empty: initial_mt)",
            unit="Mt",
            nonneg=True,
            required=False,
            default=float("nan"),
        ),
        Column(
            "min_level_mt",
            "float",
            "working stock a normal plan keeps at the end of every period (a crisis may draw it: "
            "per-period values of 0, or holdout's stock draw)",
            unit="Mt",
            nonneg=True,
            required=False,
            default=0.0,
        ),
        Column(
            "max_injection_mt_per_year",
            "float",
            "fastest fill, prorated by days (empty: no limit)",
            unit="Mt/yr",
            nonneg=True,
            required=False,
            default=float("inf"),
        ),
        Column(
            "max_withdrawal_mt_per_year",
            "float",
            "fastest draw, prorated by days (empty: no limit)",
            unit="Mt/yr",
            nonneg=True,
            required=False,
            default=float("inf"),
        ),
        Column(
            "holding_cost_usd_per_t_per_month",
            "float",
            "cost of keeping a tonne in the tanks a month",
            unit="USD/t/month",
            nonneg=True,
            required=False,
            default=0.0,
        ),
        Column("grades", "list", "grades it may hold (empty: all)", required=False, default=(), ref="grades"),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("node",),
    optional=True,
)

STOCK_OBLIGATIONS = Table(
    "stock_obligations.csv",
    "Emergency stock obligations: a floor on a country's stocks at the end of every period (periods only).",
    (
        Column("country", "str", "country holding the obligation", ref="country"),
        Column("days_of_net_imports", "float", "days of net imports to hold", unit="days", nonneg=True),
        Column(
            "net_imports_mt_per_year", "float", "the net imports the days refer to", unit="Mt/yr", nonneg=True
        ),
        Column("released", "bool", "released in a crisis: no floor", required=False, default=False),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("country",),
    optional=True,
)

PRICES = Table(
    "prices.csv",
    "Benchmark crude prices by year (and month): what a scenario's `prices_year` reads.",
    (
        Column("benchmark", "str", "benchmark name (Brent, Urals, CPC Blend, ...; grades.csv benchmark)"),
        Column("year", "int", "calendar year of the price", low=1900.0, high=2100.0),
        Column(
            "month", "int", "month 1-12 of a monthly average (empty or 0: the annual average)",
            required=False, default=0, low=0.0, high=12.0,
        ),
        Column(
            "price_usd_per_bbl", "float", "average price (FOB unless the note says otherwise)",
            unit="USD/bbl", nonneg=True, warn_above=250.0,
        ),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("benchmark", "year", "month"),
    optional=True,
)  # fmt: skip

DUTY_RATES = Table(
    "duty_rates.csv",
    "Dated rates of export duties: per export_duty policy of policies.yaml, a rate per day range.",
    (
        Column("policy", "str", "id of an export_duty policy in policies.yaml"),
        Column("valid_from", "str", "first day the rate applies, YYYY-MM-DD"),
        Column("valid_to", "str", "last day the rate applies, YYYY-MM-DD (inclusive)"),
        Column("usd_per_t", "float", "duty per tonne", unit="USD/t", nonneg=True, warn_above=1000.0),
        SOURCE,
        EVIDENCE,
        CONFIDENCE,
        NOTE,
    ),
    key=("policy", "valid_from"),
    optional=True,
)

PERIOD_FIELDS: dict[str, tuple[str, ...]] = {
    "links": ("capacity_mt_per_year", "tariff_usd_per_t"),
    "supplies": ("min_mt_per_year", "max_mt_per_year", "price_usd_per_t"),
    "demands": ("demand_mt_per_year", "shortage_penalty_usd_per_t"),
    "markets": ("max_mt_per_year", "price_usd_per_t"),
    "storage": ("min_level_mt",),
}
"""Per table, the numeric columns ``period_values.csv`` may give per period (in the
column's own unit: a rate in Mt/yr is still prorated by the period's days)."""

PERIOD_VALUES = Table(
    "period_values.csv",
    "Per-period values of a column of links, supplies, demands, markets or storage (periods only): in "
    "that period the value replaces the annual figure; other periods keep it.",
    (
        Column("table", "str", "table of the row: links | supplies | demands | markets | storage",
               choices=tuple(PERIOD_FIELDS)),
        Column("id", "str", "link id, or node of the supply, demand, market or storage row"),
        Column("grade", "str", "grade of the supply (supplies only)", required=False, default="",
               ref="grades"),
        Column("field", "str", "the column replaced, e.g. capacity_mt_per_year or price_usd_per_t"),
        Column("period", "str", "label of a period of the horizon (for months, its first day YYYY-MM-DD)"),
        Column("value", "float", "the value in that period, in the field's unit", nonneg=True),
        Column("source", "str", "id of a row of sources.csv", required=False, default="", ref="sources"),
        NOTE,
    ),
    optional=True,
)  # fmt: skip

SOURCES = Table(
    "sources.csv",
    "Every source the dataset cites.",
    (
        Column("id", "str", "source id (slug)"),
        Column("title", "str", "title of the document or page"),
        Column("publisher", "str", "who published it"),
        Column("url", "str", "where to find it (or a repository path)"),
        Column("year", "int", "year of the figure or publication", low=1900.0, high=2100.0),
        Column("accessed", "str", "date accessed (YYYY-MM-DD)", required=False, default=""),
        NOTE,
    ),
    key=("id",),
)

TABLES: dict[str, Table] = {
    "sources": SOURCES,
    "grades": GRADES,
    "nodes": NODES,
    "links": LINKS,
    "supplies": SUPPLIES,
    "demands": DEMANDS,
    "markets": MARKETS,
    "slates": SLATES,
    "contracts": CONTRACTS,
    "trade": TRADE,
    "observed": OBSERVED,
    "storage": STORAGE,
    "stock_obligations": STOCK_OBLIGATIONS,
    "frictions": FRICTIONS,
    "prices": PRICES,
    "duty_rates": DUTY_RATES,
    "period_values": PERIOD_VALUES,
}
"""Every CSV table, in load order (referenced tables first)."""
