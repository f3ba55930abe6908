"""The interactive page in a real browser: move a lever, run, and the plot and outcome table change."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sim.runs.page import PageModel, model_params, outcome_table, page_overrides, start_values, stocks_so_far

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("RETURNSIM_TEST_ARTIFACTS", ROOT / "test-artifacts"))
"""Where the page test leaves its screenshot (kept out of git)."""


def _chromium() -> str | None:
    """Debian's chromium (``.ci/run`` installs it), or the browser ``RETURNSIM_CHROMIUM`` names."""
    named = os.environ.get("RETURNSIM_CHROMIUM")
    return named or shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_page_offers_every_option_of_each_lever_and_starts_at_the_defaults():
    inputs = model_params()
    assert inputs["colocation"]["values"] == [
        "charters_only",
        "detention_only",
        "full",
        "handover_only",
        "none",
        "partial",
    ]
    start = start_values(inputs)
    assert start["colocation"] == "none" and start["country"] == "sweden" and start["detention_places"] == 1.0


def test_page_choices_are_the_command_lines_overrides_and_capacities_scale_the_configured_ones():
    start = start_values(model_params())
    choices = {k: start[k] for k in ("country", "colocation", "info_sharing", "avr", "flights", "attaches")}
    overrides = page_overrides(choices, {"detention_places": 0.5, "police_officers": 1.0}, 3)
    assert overrides[:7] == [f"{k}={v}" for k, v in choices.items()] + ["seed=3"]
    (detention,) = [o for o in overrides if "detention_places" in o]
    assert detention.startswith("nations.SE.detention_places=")
    model = PageModel(**{**start, "detention_places": 0.5})
    assert model.params.nations["SE"].detention_places == int(detention.split("=")[1])
    assert outcome_table(model)["cases"].sum() == 0, "no decision before the first step"


def test_the_page_plots_the_days_run_so_far():
    model = PageModel(**start_values(model_params()))
    assert stocks_so_far(model).empty
    for _ in range(30):
        model.step()
    stocks = stocks_so_far(model)
    assert list(stocks.index) == list(range(1, 31)), "one row a day so far, every country together"
    assert stocks.iloc[-1].sum() > 0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``solara run sim/runs/page.py`` on a free port, in a folder of its own (the page saves configs there)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = tmp_path_factory.mktemp("page")
    solara = Path(sys.executable).with_name("solara")
    proc = subprocess.Popen(
        [str(solara), "run", str(ROOT / "sim" / "runs" / "page.py"), "--port", str(port), "--production", "--no-open"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 180
    while time.time() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=2)
            break
        except OSError:
            time.sleep(1)
    else:
        proc.kill()
        pytest.fail(f"the page's server did not answer within 180 s (exit code {proc.poll()})")
    yield url, folder
    proc.terminate()
    proc.wait(timeout=30)


def test_moving_a_lever_and_running_changes_the_plot_and_the_outcome_table(server):
    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium: install Debian's chromium (.ci/run does) or set RETURNSIM_CHROMIUM")
    from playwright.sync_api import expect, sync_playwright

    url, folder = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, timeout=120_000)
        status = page.locator("strong").filter(has_text="Decisions so far")
        status.wait_for(timeout=120_000)

        def run_a_quarter() -> tuple[str, str]:
            page.get_by_role("button", name="Reset").click()
            expect(status).to_have_text("Decisions so far: 0", timeout=60_000)
            before = page.locator("main img").first.get_attribute("src")
            page.get_by_role("button", name="Step").click()  # 90 days
            expect(status).not_to_have_text("Decisions so far: 0", timeout=120_000)
            plot = page.locator("main img").first.get_attribute("src")
            assert plot != before, "the plot follows the run"
            return page.locator("table").first.inner_text(), plot

        table_none, plot_none = run_a_quarter()
        assert re.search(r"returned voluntarily\s+\d+", table_none)
        page.locator(".v-select").filter(has_text="Co-location").click()
        page.locator(".v-menu__content .v-list-item").filter(has_text=re.compile(r"^\s*full\s*$")).click()
        table_full, plot_full = run_a_quarter()
        assert table_full != table_none and plot_full != plot_none, "co-location changes the run"

        page.get_by_role("button", name="Save config for the command line").click()
        expect(page.get_by_text(re.compile("uv run returnsim country=sweden colocation=full"))).to_be_visible(
            timeout=30_000
        )
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "page.png"), full_page=True)
        browser.close()
    (saved,) = (folder / "results" / "page").glob("*/config.yaml")
    assert "colocation" in saved.read_text()
