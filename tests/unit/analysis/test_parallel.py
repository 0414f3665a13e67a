from __future__ import annotations

import operator

import pytest

from crudeflow.exceptions import CrudeflowError
from crudeflow.parallel import LocalExecutor, SerialExecutor, get_executor


def test_executors_by_name() -> None:
    assert isinstance(get_executor(), LocalExecutor)
    assert isinstance(get_executor("local", workers=1), SerialExecutor)
    assert isinstance(get_executor("serial"), SerialExecutor)
    with pytest.raises(CrudeflowError, match="scheduler"):
        get_executor("dask")
    with pytest.raises(CrudeflowError, match="unknown executor"):
        get_executor("threads")


def test_serial_and_local_map_agree() -> None:
    items = list(range(7))
    serial = dict(SerialExecutor().map(operator.mul, 3, items))
    local = dict(LocalExecutor(2).map(operator.mul, 3, items))
    assert serial == local == {i: 3 * i for i in items}


def test_unreachable_scheduler_is_a_clear_error() -> None:
    with pytest.raises(CrudeflowError, match="cannot reach the Dask scheduler"):
        get_executor(scheduler="tcp://127.0.0.1:1", timeout_s=1.0)
