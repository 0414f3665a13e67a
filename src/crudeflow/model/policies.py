"""Policy kinds as declarations: one frozen dataclass per kind, with its fields and checks.

A kind is a dataclass registered with :func:`policy_kind`; each field carries a
:class:`FieldSpec` (description, unit, allowed values, what it refers to). The YAML
parser, the validator, the scenario parser, the writer and ``docs/policies.md`` all loop
over :data:`POLICY_KINDS`. What a kind *does* to the LP is one effect function registered
under the kind's name in ``crudeflow.optimize.policies`` (a mask of closed flow variables,
a per-tonne charge, or constraint rows); a test fails when the two registries differ.

Adding a kind: one class here (fields + docstring stating the rule) and one effect there.
``net.policies`` stays one DataFrame indexed by id, with a column per field of any kind
(:func:`policy_columns`); :func:`policies_of` turns its rows back into typed policies.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar, Literal, TypeVar

import pandas as pd

from crudeflow.schema.modes import MODES

Dtype = Literal["str", "float", "list", "bool", "date"]
Ref = Literal["country", "importer", "mode", "source", "link", "node", "contract"]
"""What a field's values name: ``country`` an ISO 3166-1 alpha-2 code or a group of
policies.yaml; ``importer`` the same or a refinery node; ``mode`` a transport mode;
``source`` an id of sources.csv; ``link``, ``node``, ``contract`` an id of links.csv,
nodes.csv, contracts.csv."""
Role = Literal["origin", "importer", "transit"]
"""Which countries of the dataset a country field should name (else it does nothing: a
warning): origins of grades, countries of nodes, or countries of nodes and links."""


@dataclass(frozen=True)
class FieldSpec:
    """What a policy field means: description, unit, allowed values, references, bounds."""

    description: str
    unit: str | None = None
    choices: tuple[str, ...] | None = None
    ref: Ref | None = None
    role: Role | None = None
    low: float | None = None
    high: float | None = None
    required_text: str | None = None
    """The docs' "required" entry when the dataclass default does not tell it (id, source)."""


def spec(description: str, **kw: Any) -> dict[str, FieldSpec]:
    """Field metadata: ``field(metadata=spec("duty", unit="USD/t", low=0.0))``."""
    return {"spec": FieldSpec(description, **kw)}


@dataclass(frozen=True)
class PolicyField:
    """One resolved field of a policy kind: name, type, default and its spec."""

    name: str
    dtype: Dtype
    required: bool
    default: Any
    spec: FieldSpec

    @property
    def empty(self) -> Any:
        """The value an absent field takes in ``net.policies`` (and in the dataclass)."""
        if not self.required:
            return self.default
        return {"str": "", "float": math.nan, "list": (), "bool": False, "date": None}[self.dtype]

    def expected(self) -> str:
        """What a value must be, in words, for error messages and docs."""
        s = self.spec
        if self.dtype == "float":
            text = "a finite number"
            if s.low is not None:
                text += f" >= {s.low:g}"
            if s.high is not None:
                text += f" and <= {s.high:g}" if s.low is not None else f" <= {s.high:g}"
            return text + (f" ({s.unit})" if s.unit else "")
        if self.dtype == "bool":
            return "true or false"
        if self.dtype == "date":
            return "an ISO date YYYY-MM-DD"
        if s.choices is not None:
            head = "one or more of " if self.dtype == "list" else "one of "
            return head + ", ".join(s.choices)
        return "a list of ids" if self.dtype == "list" else "text"

    def parse(self, value: Any) -> tuple[Any, str | None]:
        """A YAML value converted to this field's type: (typed value, None) or (None, expected)."""
        if value is None:
            return self.empty, None
        if self.dtype == "float":
            if isinstance(value, bool):
                return None, self.expected()
            try:
                f = float(value)
            except (TypeError, ValueError):
                return None, "a number" + (f" ({self.spec.unit})" if self.spec.unit else "")
            lo, hi = self.spec.low, self.spec.high
            if not math.isfinite(f) or (lo is not None and f < lo) or (hi is not None and f > hi):
                return None, self.expected()
            return f, None
        if self.dtype == "bool":
            return (value, None) if isinstance(value, bool) else (None, self.expected())
        if self.dtype == "date":
            if isinstance(value, datetime):
                return None, self.expected() + " (a date, not a time)"
            if isinstance(value, date):
                return value, None
            try:
                return date.fromisoformat(str(value).strip()), None
            except ValueError:
                return None, self.expected()
        if self.dtype == "list":
            items = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(v, dict | list) for v in items):
                return None, self.expected()
            out = tuple(str(v).strip() for v in items)
            bad = [v for v in out if self.spec.choices is not None and v not in self.spec.choices]
            return (None, self.expected()) if bad else (out, None)
        if isinstance(value, dict | list):
            return None, self.expected()
        text = str(value).strip()
        if self.spec.choices is not None and text not in self.spec.choices:
            return None, self.expected()
        return text, None


@dataclass(frozen=True, kw_only=True)
class Policy:
    """Fields every policy has; a kind subclasses this with its own fields and rule."""

    kind: ClassVar[str]
    effect: ClassVar[Literal["close", "charge", "rows"]]
    """How the kind acts on the LP: closes flow variables, charges USD/t on them, or adds rows."""

    id: str = field(
        metadata=spec(
            "policy id (slug), unique in the file", required_text="no (default KIND-N, N = position)"
        )
    )
    enabled: bool = field(default=True, metadata=spec("false keeps the policy on file but switched off"))
    source: str = field(
        default="", metadata=spec("id of a row of sources.csv", ref="source", required_text="yes (in files)")
    )
    note: str = field(default="", metadata=spec("what the policy is, its history and what is not modelled"))
    valid_from: date | None = field(
        default=None, metadata=spec("first day in force, inclusive (empty: from the start)")
    )
    valid_to: date | None = field(default=None, metadata=spec("last day in force, inclusive (empty: no end)"))

    def check(self) -> list[tuple[str, str, str]]:
        """Checks across fields: (field, expected, found) per problem; none when valid."""
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            return [("valid_to", f"a date on or after valid_from ({self.valid_from})", str(self.valid_to))]
        return []

    def role_of(self, name: str) -> Role | None:
        """Which countries of the dataset field ``name`` should name (see :data:`Role`)."""
        return fields_of(type(self))[name].spec.role


P = TypeVar("P", bound=Policy)

POLICY_KINDS: dict[str, type[Policy]] = {}
"""Every policy kind by name, in declaration order (the order of the docs and of effects)."""


def policy_kind(cls: type[P]) -> type[P]:
    """Register a policy kind (class decorator): its ``kind`` names it in files."""
    if cls.kind in POLICY_KINDS:
        msg = f"policy kind '{cls.kind}' is declared twice"
        raise ValueError(msg)
    POLICY_KINDS[cls.kind] = cls
    return cls


# --- the kinds -----------------------------------------------------------------------------
# Territory of a leg from node a to node b: the countries of a and b plus its ``countries``.


@policy_kind
@dataclass(frozen=True, kw_only=True)
class ExportDuty(Policy):
    """Export duty: crude of the origin pays a charge per tonne once, as levied.

    Without ``importers`` (the general duty): charged on the leg leaving the origin's customs
    territory - the origin plus the ``union`` countries - for a node outside it, so crude
    crossing a union country to a third country pays on leaving that country; and the
    origin's supply prices, export netbacks in the dataset, are lowered by the duty (the
    domestic netback), so exports cost the same and crude kept inside is priced ex-duty.
    With ``importers``: charged on the importers' refinery intake of the origin's crude (not
    on crude crossing them), beyond a duty-free quota of ``duty_free_mt_per_year`` (over a
    horizon of periods, the quota times its years). The rate is ``usd_per_t`` or, where
    duty_rates.csv has rows for the policy, their rate on each day (a period pays its
    day-weighted mean; an annual plan the mean over its base year). Swaps pay no duty.
    """

    kind: ClassVar[str] = "export_duty"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "charge"
    origin: str = field(metadata=spec("country whose grades pay the duty", ref="country", role="origin"))
    usd_per_t: float = field(
        metadata=spec("duty per tonne on days duty_rates.csv does not cover", unit="USD/t", low=0.0)
    )
    importers: tuple[str, ...] = field(
        default=(),
        metadata=spec(
            "only on the refinery intake of these countries or groups", ref="country", role="importer"
        ),
    )
    union: tuple[str, ...] = field(
        default=(),
        metadata=spec(
            "general duty only: countries inside the origin's customs territory (no duty on entering them)",
            ref="country",
            role="importer",
        ),
    )
    duty_free_mt_per_year: float = field(
        default=0.0,
        metadata=spec("with importers: intake a year that pays no duty (the quota)", unit="Mt/yr", low=0.0),
    )

    def check(self) -> list[tuple[str, str, str]]:
        """A quota or a union only where it means something."""
        out = super().check()
        if self.duty_free_mt_per_year > 0 and not self.importers:
            out.append(("duty_free_mt_per_year", "0 without importers (a quota is per importer)",
                        f"{self.duty_free_mt_per_year:g}"))  # fmt: skip
        if self.union and self.importers:
            out.append(("union", "empty with importers (union belongs to the general duty)",
                        ", ".join(self.union)))  # fmt: skip
        return out


@policy_kind
@dataclass(frozen=True, kw_only=True)
class TransitFee(Policy):
    """Transit fee: foreign crude pays a charge per tonne for crossing the country.

    Crude of another origin (of ``origins`` when given) pays ``usd_per_t`` on every leg whose
    territory includes the country and that ends outside it: once per exit from the
    country. Swaps pay no fee.
    """

    kind: ClassVar[str] = "transit_fee"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "charge"
    country: str = field(metadata=spec("transit country charging the fee", ref="country", role="transit"))
    usd_per_t: float = field(metadata=spec("fee per tonne", unit="USD/t", low=0.0))
    origins: tuple[str, ...] = field(
        default=(), metadata=spec("only on crude of these origins", ref="country", role="origin")
    )


@policy_kind
@dataclass(frozen=True, kw_only=True)
class TransitBan(Policy):
    """Transit ban: crude of the origins may not pass through the country.

    Legs whose territory includes the country and that end outside it are closed to crude
    of ``origins`` (other than the country's own). Deliveries *into* the country stay open
    (an embargo closes those).
    """

    kind: ClassVar[str] = "transit_ban"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "close"
    country: str = field(
        metadata=spec("country that lets none of the origins through", ref="country", role="transit")
    )
    origins: tuple[str, ...] = field(metadata=spec("origin countries banned", ref="country", role="origin"))


@policy_kind
@dataclass(frozen=True, kw_only=True)
class Embargo(Policy):
    """Embargo: crude of the origins may not enter the importers.

    Legs ending in an importer (by ``modes`` when given) are closed to crude of ``origins``:
    the importers neither take nor move it. It holds through swaps and blends: a swap into
    an importer is closed when it takes or delivers a grade of the origins, and crude swapped
    out of a grade of the origins stays embargoed downstream (an origin tag).
    """

    kind: ClassVar[str] = "embargo"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "close"
    importers: tuple[str, ...] = field(
        metadata=spec("countries or groups that take none of the origins", ref="country", role="importer")
    )
    origins: tuple[str, ...] = field(
        metadata=spec("origin countries embargoed", ref="country", role="origin")
    )
    modes: tuple[str, ...] = field(
        default=(),
        metadata=spec("only by these modes (tanker = seaborne); empty: all", choices=MODES, ref="mode"),
    )


@policy_kind
@dataclass(frozen=True, kw_only=True)
class ShareCap(Policy):
    """Share cap: a country's crude may be at most a share of an importer's crude runs.

    At most ``max_share_pct`` of the importer's runs may be crude of the origin ``country``
    (``by: origin``; crude swapped or blended out of a grade of the origin still counts), or
    crude of other origins that crossed the transit ``country`` anywhere on its way
    (``by: transit``; over the whole route, not only the leg entering the importer). A cap
    of 0 by transit says "no crude that crossed the country". Exact over the route by an
    origin or transit tag (a layer of the state graph built for the capped country only).
    """

    kind: ClassVar[str] = "share_cap"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    importer: str = field(
        metadata=spec("importing country, group or refinery node", ref="importer", role="importer")
    )
    by: str = field(metadata=spec("what the cap counts", choices=("origin", "transit")))
    country: str = field(metadata=spec("origin or transit country capped", ref="country"))
    max_share_pct: float = field(
        metadata=spec("maximum share of the importer's runs", unit="%", low=0.0, high=100.0)
    )

    def role_of(self, name: str) -> Role | None:
        """``country`` is an origin or a transit country, as ``by`` says."""
        if name == "country":
            return "origin" if self.by == "origin" else "transit"
        return super().role_of(name)


# --- reading the declarations --------------------------------------------------------------

_DTYPES: dict[Any, Dtype] = {
    str: "str", float: "float", bool: "bool", tuple[str, ...]: "list", date | None: "date",
}  # fmt: skip


_FIELDS: dict[str, dict[str, PolicyField]] = {}


def fields_of(cls: type[Policy]) -> dict[str, PolicyField]:
    """Every field of a kind (common ones first), resolved from its annotations (cached)."""
    key = f"{cls.__module__}.{cls.__qualname__}"
    if key in _FIELDS:
        return _FIELDS[key]
    hints = typing.get_type_hints(cls)
    out: dict[str, PolicyField] = {}
    for f in dataclasses.fields(cls):
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        default = None if required else f.default
        out[f.name] = PolicyField(f.name, _DTYPES[hints[f.name]], required, default, f.metadata["spec"])
    _FIELDS[key] = out
    return out


COMMON: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Policy))
"""Fields every kind has: id, enabled, source, note, valid_from, valid_to (and ``kind``)."""


def own_fields(cls: type[Policy]) -> dict[str, PolicyField]:
    """The fields a kind adds to the common ones."""
    return {k: v for k, v in fields_of(cls).items() if k not in COMMON}


def policy_columns() -> tuple[str, ...]:
    """Columns of ``net.policies`` (index: id): kind, every kind's own fields, the common ones."""
    cols: list[str] = ["kind"]
    for cls in POLICY_KINDS.values():
        cols += [k for k in own_fields(cls) if k not in cols]
    return (*cols, *(c for c in COMMON if c != "id"))


def _all_fields() -> dict[str, PolicyField]:
    out: dict[str, PolicyField] = {}
    for cls in POLICY_KINDS.values():
        out.update({k: v for k, v in fields_of(cls).items() if k not in out})
    return out


def _cell(f: PolicyField, value: Any) -> Any:
    """A typed value as stored in the frame (dates as Timestamps, NaT for none)."""
    if f.dtype == "date":
        return pd.NaT if value is None else pd.Timestamp(value)
    return value


def policy_frame(policies: Sequence[Policy], lines: Sequence[int] | None = None) -> pd.DataFrame:
    """Typed policies as the ``net.policies`` frame (index id); fields a kind lacks are empty."""
    fields = _all_fields()
    cols = policy_columns()
    rows = []
    for p in policies:
        row = {c: fields[c].empty if c in fields else None for c in cols}
        row.update({k: getattr(p, k) for k in fields_of(type(p))})
        row["kind"] = p.kind
        rows.append({c: _cell(fields[c], v) if c in fields else v for c, v in row.items()})
    frame = pd.DataFrame(rows, columns=list(cols), index=pd.Index([p.id for p in policies], name="id"))
    for c in cols:
        f = fields.get(c)
        if f is None:
            continue
        if f.dtype == "float":
            frame[c] = frame[c].astype(float)
        elif f.dtype == "bool":
            frame[c] = frame[c].astype(bool)
        elif f.dtype == "date":
            frame[c] = pd.to_datetime(frame[c]).astype("datetime64[ns]")
        elif f.dtype == "list":
            frame[c] = pd.Series([tuple(v) for v in frame[c]], index=frame.index, dtype=object)
    if lines is not None:
        frame["line"] = list(lines)
    return frame


def _value(f: PolicyField, v: Any) -> Any:
    if f.dtype == "date":
        return None if v is None or pd.isna(v) else pd.Timestamp(v).date()
    if f.dtype == "list":
        return tuple(v) if isinstance(v, tuple | list) else ()
    if f.dtype == "float":
        return float(v)
    if f.dtype == "bool":
        return bool(v)
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def from_row(pid: Any, row: Mapping[str, Any]) -> Policy:
    """The typed policy of one row of ``net.policies``."""
    cls = POLICY_KINDS[str(row["kind"])]
    values = {k: _value(f, row[k]) for k, f in fields_of(cls).items() if k != "id"}
    return cls(id=str(pid), **values)


def policies_of(frame: pd.DataFrame, cls: type[P], *, enabled_only: bool = True) -> list[P]:
    """Typed policies of one kind from ``net.policies``, in file order."""
    sub = frame[frame["kind"] == cls.kind]
    if enabled_only:
        sub = sub[sub["enabled"].astype(bool)]
    out: list[P] = []
    for pid, row in sub.iterrows():
        p = from_row(pid, row)
        assert isinstance(p, cls)
        out.append(p)
    return out


def all_policies(frame: pd.DataFrame) -> Iterator[Policy]:
    """Every policy of ``net.policies`` as a typed policy, in file order."""
    for pid, row in frame.iterrows():
        yield from_row(pid, row)


def to_record(p: Policy) -> dict[str, Any]:
    """A policy as a policies.yaml item: id, kind, its own fields, then the common ones.

    Optional fields at their default are left out (``source`` is always written).
    """
    item: dict[str, Any] = {"id": p.id, "kind": p.kind}
    fields = fields_of(type(p))
    order = [*own_fields(type(p)), "enabled", "valid_from", "valid_to", "source", "note"]
    for k in order:
        f, v = fields[k], getattr(p, k)
        if k != "source" and not f.required and v == f.default:
            continue
        item[k] = list(v) if isinstance(v, tuple) else v.isoformat() if isinstance(v, date) else v
    return item


def country_values(p: Policy) -> Iterator[tuple[str, Ref, tuple[str, ...]]]:
    """(field, ref, values) for every field of ``p`` naming countries, groups or importers."""
    for k, f in fields_of(type(p)).items():
        if f.spec.ref in ("country", "importer"):
            v = getattr(p, k)
            values = v if isinstance(v, tuple) else (v,) if v else ()
            yield k, f.spec.ref, values


# --- docs ------------------------------------------------------------------------------------

_EFFECT_TEXT = {
    "close": "closes flow variables (a mask)",
    "charge": "charges USD/t on flow variables",
    "rows": "adds constraint rows",
}


def _doc_row(f: PolicyField) -> str:
    req = f.spec.required_text or ("yes" if f.required else f"no (default {_show(f.default)})")
    unit = f.spec.unit or ""
    allowed = f.expected()
    if f.spec.ref is not None:
        allowed += {
            "country": ": ISO 3166-1 alpha-2 codes or groups",
            "importer": ": an ISO code, a group or a refinery node",
            "mode": "",
            "source": ": an id of sources.csv",
            "link": ": an id of links.csv",
            "node": ": an id of nodes.csv",
            "contract": ": an id of contracts.csv",
        }[f.spec.ref]
    return f"| `{f.name}` | {f.dtype} | {unit} | {req} | {allowed} | {f.spec.description} |"


def _show(v: Any) -> str:
    if v is None:
        return "empty"
    if isinstance(v, bool):
        return "true" if v else "false"
    if v == () or v == "":
        return "empty"
    return str(v)


def policies_markdown() -> str:
    """``docs/policies.md``: every policy kind with its fields, generated from the declarations."""
    head = "| field | type | unit | required | allowed values | description |\n|---|---|---|---|---|---|"
    lines = [
        "# Policy kinds",
        "",
        "<!-- generated from crudeflow.model.policies by scripts/gen_docs.py: do not edit -->",
        "",
        "Each item of `policies:` in a dataset's `policies.yaml` (or of `add_policies` in a",
        "scenario) is one policy of a kind below. A leg's *territory* is the countries of its",
        "two end nodes plus its `countries` list.",
        "",
        "## Fields every policy has",
        "",
        head,
        "| `kind` | str |  | yes | " + ", ".join(POLICY_KINDS) + " | the policy kind |",
    ]
    lines += [_doc_row(f) for k, f in fields_of(Policy).items()]
    for kind, cls in POLICY_KINDS.items():
        doc = " ".join((cls.__doc__ or "").split()).replace("``", "`")
        effect = f"Effect on the plan: {_EFFECT_TEXT[cls.effect]}."
        lines += ["", f"## `{kind}`", "", doc, "", effect, "", head]
        lines += [_doc_row(f) for f in own_fields(cls).values()]
    return "\n".join(lines) + "\n"


# --- commitments, reservations, swaps for a buyer, transit permissions (issue 14) ----------
# Kinds appended here (after the docs code) so they list last in docs/policies.md; each
# effect is in crudeflow.optimize.constraints (rows) or crudeflow.optimize.commitments.


def id_values(p: Policy) -> Iterator[tuple[str, Ref, tuple[str, ...]]]:
    """(field, ref, values) for every field of ``p`` naming a link, node or contract id."""
    for k, f in fields_of(type(p)).items():
        if f.spec.ref in ("link", "node", "contract"):
            v = getattr(p, k)
            yield k, f.spec.ref, v if isinstance(v, tuple) else (v,) if v else ()


@policy_kind
@dataclass(frozen=True, kw_only=True)
class TransitRefusal(Policy):
    """Transit refusal: the country does not carry crude of the origins to the importers.

    Per importer, the runs of its refineries of crude of ``origins`` are at most that crude
    entering the importer over legs not crossing ``country`` (plus that crude produced in
    it). Such crude may still cross the country and the importer on its way elsewhere (as
    Kazakh KEBCO crosses Russia and Belarus to Germany); it may not be refined there.
    """

    kind: ClassVar[str] = "transit_refusal"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    country: str = field(metadata=spec("transit country refusing the crude", ref="country", role="transit"))
    origins: tuple[str, ...] = field(
        metadata=spec("origins of the crude refused", ref="country", role="origin")
    )
    importers: tuple[str, ...] = field(
        metadata=spec("importing countries or groups refused", ref="country", role="importer")
    )


@policy_kind
@dataclass(frozen=True, kw_only=True)
class ReservedCapacity(Policy):
    """Reserved capacity: part of a link's capacity is kept for one holder.

    The holder is an ``origin`` (its grades), a ``shipper`` (the grades supplied at that
    node) or a ``contract`` (its seller's grades); give exactly one. Crude of others may use
    at most capacity − ``mt_per_year``. With ``release_unused``, the part the holder cannot
    use is released: the reservation is cut to the holder's most (the maximum supply of
    its grades at the nodes from which the link can be reached, Mt/yr).
    """

    kind: ClassVar[str] = "reserved_capacity"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    link: str = field(metadata=spec("link whose capacity is reserved", ref="link"))
    mt_per_year: float = field(metadata=spec("capacity reserved", unit="Mt/yr", low=0.0))
    origin: str = field(
        default="", metadata=spec("reserved for crude of this origin", ref="country", role="origin")
    )
    shipper: str = field(
        default="", metadata=spec("reserved for the grades supplied at this node", ref="node")
    )
    contract: str = field(default="", metadata=spec("reserved for this contract's seller", ref="contract"))
    release_unused: bool = field(
        default=False, metadata=spec("what the holder cannot use goes to others (false: stays idle)")
    )

    def check(self) -> list[tuple[str, str, str]]:
        """Exactly one holder: origin, shipper or contract."""
        out = super().check()
        given = [k for k in ("origin", "shipper", "contract") if getattr(self, k)]
        if len(given) != 1:
            out.append(("origin", "exactly one of origin, shipper, contract", ", ".join(given) or "none"))
        return out


@policy_kind
@dataclass(frozen=True, kw_only=True)
class ShipOrPay(Policy):
    """Ship-or-pay: a volume of a link is paid for in advance, used or not.

    ``paid_mt_per_year`` × ``fee_usd_per_t`` is a fixed cost; flows on the link up to the
    paid volume pay no tariff (already paid), flows beyond it pay the link's tariff. The
    plan's ``commitments`` table shows the paid and the used volume.
    """

    kind: ClassVar[str] = "ship_or_pay"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    link: str = field(metadata=spec("link the volume is booked on", ref="link"))
    paid_mt_per_year: float = field(metadata=spec("volume paid for", unit="Mt/yr", low=0.0))
    fee_usd_per_t: float = field(
        metadata=spec("fee paid per tonne of the paid volume", unit="USD/t", low=0.0)
    )


@policy_kind
@dataclass(frozen=True, kw_only=True)
class ThroughputCommitment(Policy):
    """Throughput commitment: at least a volume is sold at a world-market outlet.

    Sales at the ``market`` node (of grades of ``origins`` when given) are at least
    ``min_mt_per_year``; each tonne short costs ``shortfall_usd_per_t`` (a penalty, not an
    economic cost).
    """

    kind: ClassVar[str] = "throughput_commitment"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    market: str = field(metadata=spec("world-market outlet (a node of markets.csv)", ref="node"))
    min_mt_per_year: float = field(metadata=spec("volume committed", unit="Mt/yr", low=0.0))
    shortfall_usd_per_t: float = field(metadata=spec("cost per tonne short", unit="USD/t", low=0.0))
    origins: tuple[str, ...] = field(
        default=(), metadata=spec("only sales of crude of these origins count", ref="country", role="origin")
    )


@policy_kind
@dataclass(frozen=True, kw_only=True)
class SwapBuyers(Policy):
    """Swap for buyers: a swap link delivers its output grade only to the named buyers.

    Per period, the swap's volume is at most the runs of its output grade at the buyers'
    refineries (countries, groups or refinery nodes), so it is used only to supply them
    (crude of one grade is fungible: which cargo reaches them is not tracked).
    """

    kind: ClassVar[str] = "swap_buyers"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    link: str = field(metadata=spec("the swap link", ref="link"))
    buyers: tuple[str, ...] = field(
        metadata=spec("countries, groups or refinery nodes the swap is for", ref="importer", role="importer")
    )


# --- the oil price cap and the services ban (declared last: appended by the price-cap work) --


@policy_kind
@dataclass(frozen=True, kw_only=True)
class PriceCap(Policy):
    """Price cap with a services ban: above the cap the origin's crude needs other tankers.

    In a period whose ``benchmark`` price (prices.csv: the day-weighted monthly rows where
    there are some, else the year's row; an annual plan the base year's row) is above
    ``cap_usd_per_bbl``, crude of the origin may not move on G7-serviced tankers: every
    tonne of it on a tanker leg (crude swapped or blended out of a grade of the origin
    counts, by an origin tag) goes on the pool of other tankers (a "shadow fleet"), at
    most ``shadow_mt_per_year`` (prorated per period) and paying ``premium_usd_per_t`` of
    freight on top of the leg's. At or below the cap it moves on G7 tankers at the leg's
    freight. Pipelines and rail are outside the rule. Figures that change over time are
    separate policies with ``valid_from`` / ``valid_to``.
    """

    kind: ClassVar[str] = "price_cap"
    effect: ClassVar[Literal["close", "charge", "rows"]] = "rows"
    origin: str = field(metadata=spec("country whose crude the cap covers", ref="country", role="origin"))
    cap_usd_per_bbl: float = field(
        metadata=spec("the cap: highest price at which G7 tankers may carry it", unit="USD/bbl", low=0.0)
    )
    shadow_mt_per_year: float = field(
        metadata=spec("capacity of the pool of other tankers for the origin's crude", unit="Mt/yr", low=0.0)
    )
    premium_usd_per_t: float = field(
        default=0.0,
        metadata=spec("freight premium of the other tankers over the leg's freight", unit="USD/t", low=0.0),
    )
    benchmark: str = field(
        default="Urals", metadata=spec("benchmark of prices.csv whose price is compared with the cap")
    )
