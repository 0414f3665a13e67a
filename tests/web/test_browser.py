"""The web app in Debian's Chromium through Playwright, every request outside the app blocked.

Open the app, pick belarus-without-russian-crude, raise a capacity in the form, run, see
the map and the unmet table, compare with the base, start a Monte Carlo job and cancel it.
Set ``CRUDEFLOW_SCREENSHOT_DIR`` (e.g. ``docs``) to keep the screenshots. Skips without
/usr/bin/chromium or playwright, fails instead under ``CI=true``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

import crudeflow as cf
from crudeflow.io.scenario import parse_scenario

from .conftest import SCENARIO, ServerProcess, need, web_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_plan_compare_and_cancel_in_a_browser(tmp_path: Path) -> None:
    web_app()
    need(CHROMIUM.exists(), f"{CHROMIUM} is not installed (.ci/install-browser.sh installs it)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "the playwright package is not installed (the dev extra)")
        raise
    shots = Path(os.environ.get("CRUDEFLOW_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    server = ServerProcess(f"sqlite:///{tmp_path / 'runs.sqlite'}", workers=2)
    blocked: list[str] = []
    errors: list[str] = []
    try:
        server.wait_ready()
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page(viewport={"width": 1500, "height": 1000})

                def block(route: Any) -> None:
                    blocked.append(route.request.url)
                    route.abort()

                page.route(
                    lambda url: not url.startswith(server.url + "/") and not url.startswith("data:"), block
                )
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                run(page, server.url, shots)
            finally:
                browser.close()
    finally:
        log = server.stop()
    assert blocked == [], f"the app tried to fetch {blocked}"
    # the live validation's 422 answers (for the bad line typed on purpose) are logged by Chromium
    errors = [e for e in errors if "status of 422" not in e]
    assert errors == [], f"console errors: {errors}"
    assert "Traceback" not in log, log


def run(page: Any, url: str, shots: Path) -> None:
    # 1. pick the scenario, raise Odessa-Brody from 9 to 14 Mt/yr in the form
    page.goto(url + "/")
    page.wait_for_selector("#validity.ok", timeout=60_000)
    page.select_option("#scenario", SCENARIO)
    page.wait_for_function("document.querySelector('#yaml').value.includes('druzhba_transit_by_south')")
    # live validation: a link that does not exist is named with its line, as the CLI does
    shipped = page.input_value("#yaml")
    page.fill("#yaml", shipped + "  - disable_links: [atlantis]\n")
    page.wait_for_selector("#validity.bad", timeout=30_000)
    line = shipped.count("\n") + 1
    problem = page.text_content("#problems li") or ""
    assert f"line {line}, column 'disable_links'" in problem, problem
    assert "'atlantis'" in problem
    # lift Ukraine's wartime transit ban (in the YAML), then raise Odessa-Brody in the form
    lifted = shipped + "  - disable_policies: [ua-wartime-no-crude-transit]\n"
    page.fill("#yaml", lifted)
    page.wait_for_selector("#validity.ok", timeout=30_000)
    page.select_option("#capacity-link", "odessa_brody")
    assert page.input_value("#capacity-value") == "9"
    page.fill("#capacity-value", "14")
    page.click("#add-capacity")
    page.wait_for_function("document.querySelector('#validity').textContent.includes('5 change')")
    yaml_text = page.input_value("#yaml")
    assert "- capacity: {odessa_brody: 14}" in yaml_text
    page.fill("#label", "Odessa-Brody at 14 Mt/yr, Ukraine's transit ban lifted")
    page.screenshot(path=str(shots / "web-editor.png"))

    # 2. run: the map and the unmet table
    page.click("#run-plan")
    page.wait_for_url("**/runs/*", timeout=120_000)
    page.wait_for_selector("#fig-map .scatterlayer .trace", timeout=120_000)
    page.wait_for_selector("#table-unmet table", timeout=60_000)
    assert "same objective" in (page.text_content("#figure-status") or "")
    unmet = page.locator("#table-unmet tbody tr")
    nodes = [unmet.nth(i).locator("td").first.text_content() for i in range(unmet.count())]
    assert "mozyr" in nodes or "naftan" in nodes
    # the card shows what the API plans for the same YAML, and the change helped Belarus
    edited = cf.plan("caspian-europe", parse_scenario(yaml_text, "edited.yaml"))
    before = cf.plan("caspian-europe", parse_scenario(lifted, "lifted.yaml"))
    want = float(edited.summary()["unmet_mt_per_year"])
    assert want < float(before.summary()["unmet_mt_per_year"]) - 0.1
    cards = page.locator(".card").all_text_contents()
    assert any(c.startswith("Economic cost") for c in cards), cards
    shown = next(c for c in cards if c.startswith("Unmet demand"))
    number = re.search(r"[\d,]+(\.\d+)?", shown)
    assert number is not None, shown
    assert float(number.group(0).replace(",", "")) == pytest.approx(want, abs=0.006), (shown, want)
    page.evaluate(
        """() => {
          const gd = document.getElementById('fig-map');
          const i = gd.data.findIndex(t => t.name === 'links');
          const k = gd.data[i].hovertext.findIndex(t => t.includes('at capacity'));
          Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: k}]);
        }"""
    )
    page.wait_for_timeout(300)
    hover = page.locator("#fig-map .hoverlayer").text_content() or ""
    for part in ("Mt/yr", "tariff", "shadow price"):
        assert part in hover, hover
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(shots / "web-plan.png"))
    page.locator("#table-unmet th", has_text="mt per year").click()  # sortable
    assert page.get_attribute("#table-unmet th:nth-child(2)", "aria-sort") in ("ascending", "descending")
    assert page.get_attribute("#table-unmet a:has-text('CSV')", "href").endswith("/tables/unmet.csv")
    page.locator("#table-unmet").screenshot(path=str(shots / "web-unmet.png"))

    # 3. compare with the base plan
    page.click("#compare-base")
    page.wait_for_url("**/compare?*", timeout=120_000)
    page.wait_for_selector("#totals table", timeout=120_000)
    rows = page.locator("#table-cmp-unmet tbody tr")
    assert rows.count() >= 1
    totals = page.locator("#totals tbody tr").first.text_content() or ""
    assert "economic_cost_usd" in totals
    # deltas are coloured by meaning, not by sign: less crude delivered is worse (red), a flow
    # moving between links is neither (no colour)
    delivered = page.locator("#totals tbody tr", has_text="delivered_mt_per_year").first
    assert "worse" in (delivered.locator("td").last.get_attribute("class") or "")
    unmet_row = page.locator("#totals tbody tr", has_text="unmet_mt_per_year").first
    assert "worse" in (unmet_row.locator("td").last.get_attribute("class") or "")
    assert page.locator("#table-cmp-flows td.worse, #table-cmp-flows td.better").count() == 0
    page.screenshot(path=str(shots / "web-compare.png"))

    # 4. a Monte Carlo job in the background, then cancel it
    page.goto(url + "/")
    page.wait_for_selector("#validity.ok", timeout=60_000)
    page.select_option("#scenario", SCENARIO)
    page.wait_for_function("document.querySelector('#yaml').value.includes('druzhba_transit_by_south')")
    page.fill("#mc-n", "100000")
    page.click("#run-montecarlo")
    job = page.locator(".job").first
    page.wait_for_function(
        "() => { const b = document.querySelector('.job progress'); return b && b.value > 0.01; }",
        timeout=120_000,
    )
    assert job.get_attribute("data-status") == "running"
    page.screenshot(path=str(shots / "web-job.png"))
    job.locator("button.cancel").click()
    page.wait_for_selector('.job[data-status="cancelled"]', timeout=30_000)
    assert "cancelled" in (job.text_content() or "")
