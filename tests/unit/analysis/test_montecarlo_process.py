"""Monte Carlo as users run it: from a plain script, and from the CLI stopped by Ctrl-C.

Real processes with generous limits: these check outcomes (finished, right numbers, exit
code, message, no process left), not timings.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import crudeflow

SRC = str(Path(crudeflow.__file__).resolve().parents[1])
LIMIT_S = 180.0


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("CRUDEFLOW_DEBUG", None)
    return env


def test_unguarded_script_with_worker_processes_finishes(tmp_path: Path) -> None:
    # no `if __name__ == "__main__":` guard: spawned workers used to re-run this script
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent("""
        import crudeflow as cf
        from crudeflow.testing import tiny_network

        net = tiny_network(
            nodes=[{"id": "A", "country": "KZ"}, {"id": "D", "country": "BY", "kind": "refinery"},
                   {"id": "P", "country": "PL", "kind": "refinery"}],
            links=[{"id": "ad", "from": "A", "to": "D", "capacity_mt_per_year": 5, "tariff_usd_per_t": 1,
                    "outage_rate_per_year": 50.0, "outage_mean_days": 365.0},
                   {"id": "ap", "from": "A", "to": "P", "capacity_mt_per_year": 5, "tariff_usd_per_t": 2,
                    "outage_rate_per_year": 0.0, "outage_mean_days": 0.0}],
            supplies=[{"node": "A", "max_mt_per_year": 10, "price_usd_per_t": 100}],
            demands=[{"node": "D", "demand_mt_per_year": 4, "stock_days": 73.0},
                     {"node": "P", "demand_mt_per_year": 2}],
        )
        res = cf.montecarlo(net, n=60, seed=3, workers=2, chunk_size=10)
        print("RESULT", res.executor, res.workers, res.n,
              round(float(res.summary.loc["BY", "expected_unmet_mt_per_year"]), 9),
              round(float(res.summary.loc["PL", "p99_cost_musd"]), 9))
        """)
    )
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
    )
    assert out.returncode == 0, out.stderr
    # hand-checked as in test_montecarlo: BY's only link is out all year, 4 - 0.8 Mt of
    # stocks short; PL runs 2 Mt at 102 USD/t
    assert out.stdout.split().count("RESULT") == 1
    assert "RESULT local 2 60 3.2 204.0" in out.stdout
    assert "Traceback" not in out.stderr


def test_readme_example_as_written(tmp_path: Path) -> None:
    script = tmp_path / "readme.py"
    script.write_text(
        "import crudeflow as cf\nnet = cf.load()\nres = cf.montecarlo(net, n=500, seed=1)\n"
        "print('RESULT', res.n, res.executor, res.interrupted, len(res.summary))\n"
    )
    out = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=LIMIT_S,
    )
    assert out.returncode == 0, out.stderr
    assert "RESULT 500 serial False 10" in out.stdout  # 500 draws: in-process (no workers to start)


def _proc_stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2 :].split()  # fields from 3 (state) on


def _group(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, from /proc."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _proc_stat(int(entry.name))
            if st is not None and int(st[2]) == pgid and st[0] != "Z":
                out.append(int(entry.name))
    return out


def _workers(pid: int) -> list[int]:
    """Worker processes (multiprocessing spawn children) of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        st = _proc_stat(int(entry.name))
        if st is None or int(st[1]) != pid:
            continue
        try:
            cmd = Path(f"/proc/{entry.name}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmd:
            found.append(int(entry.name))
    return found


def _cpu_s(pid: int) -> float:
    st = _proc_stat(pid)
    return 0.0 if st is None else (int(st[11]) + int(st[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for(cond: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + LIMIT_S
    while not cond():
        assert proc.poll() is None, "the run ended before the moment to interrupt it"
        assert time.monotonic() < deadline, "the moment to interrupt never came"
        time.sleep(0.02)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("moment", ["worker start-up", "mid-run", "mid-run, parent only"])
def test_ctrl_c_on_the_cli_leaves_nothing_behind(moment: str) -> None:
    cmd = [sys.executable, "-m", "crudeflow.cli", "montecarlo", "-n", "200000", "--workers", "2",
           "--chunk-size", "10"]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        if moment == "worker start-up":
            _wait_for(lambda: len(_workers(proc.pid)) >= 1, proc)  # a worker is being born
        else:
            # both workers have computed for a while: chunks of 10 draws have finished
            _wait_for(lambda: sum(_cpu_s(w) > 4.0 for w in _workers(proc.pid)) == 2, proc)
        if moment.endswith("parent only"):
            os.kill(proc.pid, signal.SIGINT)
        else:
            os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, err = proc.communicate(timeout=LIMIT_S)
        deadline = time.monotonic() + LIMIT_S
        while _group(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = _group(proc.pid)
    finally:
        if proc.poll() is None or _group(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err
    assert "KeyboardInterrupt" not in out + err
    assert left == []
    if moment == "worker start-up":
        assert "interrupted" in err
    else:  # partial results, flagged
        assert "interrupted: partial results" in out
        assert "Per importer" in out
