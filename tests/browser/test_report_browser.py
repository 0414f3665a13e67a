"""The report in a real browser: headless Debian Chromium driven by Playwright, network blocked.

On a developer machine it skips, saying how to get the browser
(``bash .ci/install-browser.sh``), when /usr/bin/chromium or the playwright package is
missing; under ``CI`` (any value but empty, 0 or false) it fails instead, so a broken
install never passes as a skipped test. Never runs ``playwright install``.
Set ``CRUDEFLOW_SCREENSHOT_DIR`` to keep the screenshots: one per section
(``section-<id>.png``) and the README's picture.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set to anything but empty, 0 or false."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str, fix: str) -> None:
    """Fail under CI (a real service must be there), else skip saying how to get it."""
    if in_ci():
        pytest.fail(f"{what}; CI is set, so this test fails rather than skips ({fix})")
    pytest.skip(f"{what}: {fix}")


def _playwright() -> Any:
    if not CHROMIUM.exists():
        missing(f"{CHROMIUM} is not installed", "install it with `bash .ci/install-browser.sh`")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing(
            "the playwright Python package is not installed",
            "install the dev dependencies (`make run` or `pip install -e '.[dev]'`)",
        )
    return sync_playwright


def _report(tmp_path: Path) -> Path:
    """The comparison report of the README: Belarus without Russian crude versus the base."""
    from crudeflow.exceptions import CrudeflowError
    from crudeflow.report.run import scenario_report

    out = tmp_path / "report.html"
    try:
        return scenario_report(out, None, "belarus-without-russian-crude", compare="base")
    except CrudeflowError:
        # the shipped scenario or dataset is unavailable: a network with Russian crude for
        # Belarus switched off by hand tells the same story
        return _fallback_report(out)


def _fallback_report(out: Path) -> Path:
    from dataclasses import replace

    from crudeflow.api import load, plan
    from crudeflow.report import Side, write_report

    base = load("caspian-europe")
    ru_to_by = base.links["from"].map(base.nodes["country"]).eq("RU") & base.links["to"].map(
        base.nodes["country"]
    ).eq("BY")
    cut = base.replace(links=base.links.assign(status=base.links["status"].where(~ru_to_by, "closed")))
    pb, pc = plan(base), replace(plan(cut), scenario="no Russian pipeline crude to Belarus")
    return write_report(out, Side(pc, cut, pc.scenario), cut, compare=Side(pb, base, "base"))


def test_report_renders_offline_without_errors(tmp_path: Path) -> None:
    sync_playwright = _playwright()
    page_file = _report(tmp_path)
    shots = Path(os.environ.get("CRUDEFLOW_SCREENSHOT_DIR", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    requests: list[str] = []
    seen: list[str] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})

            def block(route: Any) -> None:
                requests.append(route.request.url)
                route.abort()

            # a predicate, not a glob: globs like "http*://**" miss requests from a file:// page
            page.route(lambda url: url.lower().startswith("http"), block)
            page.on("request", lambda r: seen.append(r.url) if r.url.lower().startswith("http") else None)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri(), wait_until="load")
            page.wait_for_selector("#map-1 .js-plotly-plot svg, #map-0.js-plotly-plot svg", timeout=60_000)
            page.wait_for_selector(
                "#sankey-0 .sankey-node, #sankey-0 g.sankey", state="attached", timeout=60_000
            )
            page.wait_for_timeout(500)

            plots = page.locator(".js-plotly-plot")
            assert plots.count() >= 7  # 2 maps, 2 Sankeys, 2 cost charts, the delta chart
            # the map drew its outlines, links and markers; the Sankey its nodes and links
            assert page.locator("#map-1 .scatterlayer .trace").count() > 50
            assert page.locator("#map-1 path").count() > 100
            assert page.locator("#sankey-1 .sankey-node").count() > 10
            assert page.locator("#sankey-1 .sankey-link").count() > 10
            assert page.locator("table.data").count() >= 6
            # hovering a binding link's midpoint shows its capacity, flow, tariff and shadow price
            page.evaluate(
                """() => {
                  const gd = document.getElementById('map-1');
                  const i = gd.data.findIndex(t => t.name === 'links');
                  const k = gd.data[i].hovertext.findIndex(t => t.includes('at capacity'));
                  Plotly.Fx.hover(gd, [{curveNumber: i, pointNumber: k}]);
                }"""
            )
            page.wait_for_timeout(200)
            hover = page.locator("#map-1 .hoverlayer").text_content() or ""
            for part in ("Mt/yr", "tariff", "USD/t", "shadow price"):
                assert part in hover, hover
            box = page.locator("#map-1").bounding_box()
            assert box is not None
            assert box["width"] > 500
            assert box["height"] > 400

            # tanker legs drawn along sea routes, not as 17-point arcs
            sea = page.evaluate(
                """() => document.getElementById('map-1').data
                     .filter(t => t.mode === 'lines' && t.line && t.line.color === '#e07b00' && t.x)
                     .map(t => t.x.length)"""
            )
            assert len(sea) > 5
            assert sum(n != 17 for n in sea) > 0.8 * len(sea), sea
            # legends and tables are not cut; the toolbar never covers a title or heading
            for div in ("map-0", "map-1", "map-change", "sankey-1", "cost-1", "cost-delta"):
                fig = page.locator(f"#{div}").bounding_box()
                leg = page.locator(f"#{div} .legend").first
                if leg.count():
                    lb = leg.bounding_box()
                    assert fig is not None
                    assert lb is not None
                    assert lb["x"] >= fig["x"] - 1, div
                    assert lb["x"] + lb["width"] <= fig["x"] + fig["width"] + 1, div
                    assert lb["y"] + lb["height"] <= fig["y"] + fig["height"] + 1, div
                page.locator(f"#{div}").hover()
                page.wait_for_timeout(150)
                bar = page.locator(f"#{div} .modebar-container").bounding_box()
                assert bar is not None
                for text in page.locator(f"#{div} .gtitle, #{div} .annotation-text").all():
                    tb = text.bounding_box()
                    if tb is None or tb["width"] == 0:
                        continue
                    apart = (
                        bar["x"] + bar["width"] <= tb["x"] or tb["x"] + tb["width"] <= bar["x"]
                        or bar["y"] + bar["height"] <= tb["y"] or tb["y"] + tb["height"] <= bar["y"]
                    )  # fmt: skip
                    assert apart, (div, text.text_content())
            clipped = page.evaluate(
                """() => [...document.querySelectorAll('.scroll')]
                     .filter(e => e.scrollWidth > e.clientWidth + 1).length"""
            )
            assert clipped == 0, f"{clipped} tables wider than their box"
            page.mouse.move(0, 0)
            page.evaluate("window.scrollTo(0, 0)")  # bounding boxes below are taken from the top
            page.wait_for_timeout(200)

            page.screenshot(path=str(tmp_path / "report-full.png"), full_page=True)
            # the README picture: headline figures and the map of what moves
            assert page.locator("#map-change .js-plotly-plot, #map-change.js-plotly-plot").count() == 1
            top = page.locator("section#moves").bounding_box()
            assert top is not None
            page.screenshot(
                path=str(shots / "report-belarus-without-russian-crude.png"),
                clip={"x": 0, "y": 0, "width": 1600, "height": top["y"] + top["height"] + 12},
                full_page=True,
            )
            # one picture per section, to look at (element shots scroll the page: after the clip)
            for sid in page.eval_on_selector_all("main > section", "els => els.map(e => e.id)"):
                page.locator(f"section#{sid}").screenshot(path=str(shots / f"section-{sid}.png"))
        finally:
            browser.close()
    assert requests == [], f"the report tried to fetch {requests}"
    assert seen == [], f"the report sent requests {seen}"
    assert errors == [], f"console errors: {errors}"
    assert (shots / "report-belarus-without-russian-crude.png").stat().st_size > 100_000


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", "fail"), ("1", "fail"), ("", "skip"), ("false", "skip")]
)
def test_missing_browser_fails_under_ci_and_skips_with_a_fix_elsewhere(
    monkeypatch: pytest.MonkeyPatch, ci: str, outcome: str
) -> None:
    monkeypatch.setenv("CI", ci)
    expected = pytest.fail.Exception if outcome == "fail" else pytest.skip.Exception
    with pytest.raises(expected) as info:
        missing("/usr/bin/chromium is not installed", "install it with `bash .ci/install-browser.sh`")
    assert "bash .ci/install-browser.sh" in str(info.value)
