"""Policy kinds as a registry: declarations (model) and effects (optimize) match one to one;
the parser, validator, writer and scenario parser read the declarations, dates included."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import ClassVar, Literal

import numpy as np
import pandas as pd
import pytest

from crudeflow.exceptions import ScenarioError
from crudeflow.io.scenario import parse_scenario
from crudeflow.model import policies as mp
from crudeflow.model.policies import (
    POLICY_KINDS,
    Embargo,
    Policy,
    ShareCap,
    TransitBan,
    fields_of,
    from_row,
    policy_frame,
)
from crudeflow.optimize import policies as op
from crudeflow.optimize.build import FAMILIES, build_lp
from crudeflow.testing import tiny_network


def test_every_declared_kind_has_an_effect_and_every_effect_a_declaration() -> None:
    effects = op.effects()
    assert sorted(set(POLICY_KINDS) - set(effects)) == []  # a declaration without an effect
    assert sorted(set(effects) - set(POLICY_KINDS)) == []  # an effect without a declaration
    for kind, cls in POLICY_KINDS.items():
        assert effects[kind].form == cls.effect, kind  # the docs say what the effect does


def test_row_effects_are_constraint_families_named_by_kind() -> None:
    names = [n for n, _ in FAMILIES]
    rows_kinds = [k for k, e in op.effects().items() if e.form == "rows"]
    rows_kinds = [k for k in POLICY_KINDS if k in rows_kinds]
    assert rows_kinds[0] == "share_cap"
    assert rows_kinds[-1] == "price_cap"
    # one family per rows kind, in declaration order, between the slates and the export
    # duties' intake rows (duty-free + duty-paid, the quota), then the contracts
    assert names[names.index("slate") + 1 : names.index("export_duty")] == rows_kinds
    assert names.index("export_duty_quota") == names.index("contract") - 1


def _line_net() -> object:
    return tiny_network(
        nodes=[{"id": "a", "country": "KZ"}, {"id": "r", "country": "BY", "kind": "refinery"}],
        links=[{"id": "ar", "from": "a", "to": "r", "capacity_mt_per_year": 5, "tariff_usd_per_t": 1}],
        supplies=[{"node": "a", "max_mt_per_year": 5, "price_usd_per_t": 100}],
        demands=[{"node": "r", "demand_mt_per_year": 3}],
    )


def test_an_enabled_kind_without_an_effect_is_an_error_not_a_silent_no_op(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Quota(Policy):
        """A kind declared without an effect."""

        kind: ClassVar[str] = "quota_test"
        effect: ClassVar[Literal["close", "charge", "rows"]] = "close"

    monkeypatch.setitem(POLICY_KINDS, "quota_test", Quota)
    net = _line_net()
    net = net.replace(policies=policy_frame([Quota(id="q", source="test")]))  # type: ignore[attr-defined]
    with pytest.raises(LookupError, match="quota_test"):
        build_lp(net)  # type: ignore[arg-type]


def test_frame_columns_and_typed_round_trip() -> None:
    cap = ShareCap(id="c", importer="BY", by="origin", country="RU", max_share_pct=40.0,
                   valid_from=date(2010, 1, 1), source="s")  # fmt: skip
    ban = TransitBan(id="b", country="RU", origins=("KZ",), valid_to=date(2011, 12, 31), source="s")
    frame = policy_frame([cap, ban])
    assert list(frame.columns) == list(mp.policy_columns())
    assert {"valid_from", "valid_to"} <= set(frame.columns)
    assert frame["valid_from"].dtype == "datetime64[ns]"
    assert frame.loc["c", "valid_from"] == pd.Timestamp("2010-01-01")
    assert pd.isna(frame.loc["b", "valid_from"])
    assert np.isnan(frame.loc["b", "max_share_pct"])
    assert frame.loc["c", "origins"] == ()
    assert from_row("c", frame.loc["c"]) == cap
    assert from_row("b", frame.loc["b"]) == ban


def test_scenario_add_policies_reads_the_same_declarations() -> None:
    text = ("name: s\nchanges:\n  - add_policies:\n"
            "      - {id: p, kind: embargo, importers: [BY], origins: [RU], source: test,\n"
            "         valid_from: 2022-12-05, valid_to: 2022-01-01}\n")  # fmt: skip
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text)
    assert [(p.row, p.column) for p in err.value.problems] == [(5, "valid_to")]
    ok = parse_scenario(text.replace("2022-01-01", "2023-01-01"))
    frame = ok.changes[0].value
    assert frame.loc["p", "valid_to"] == pd.Timestamp("2023-01-01")


def test_every_kind_field_is_a_column_and_documented() -> None:
    doc = mp.policies_markdown()
    cols = set(mp.policy_columns())
    for kind, cls in POLICY_KINDS.items():
        assert f"## `{kind}`" in doc
        for name in fields_of(cls):
            assert name == "id" or name in cols
            assert f"| `{name}` |" in doc
    assert isinstance(Embargo.__doc__, str)
