"""The package's results are the command line's: the files ``result.write()`` writes are the
files ``pimsim COMMAND … --out`` writes, byte for byte, and the frames hold exactly the CSV
files' cells."""

from __future__ import annotations

import csv
import io
import json
import math

import pandas as pd
import pytest
from conftest import files_of

import pimsim


def assert_same_files(cli_dir, py_dir):
    cli_files, py_files = files_of(cli_dir), files_of(py_dir)
    assert sorted(cli_files) == sorted(py_files)
    different = [name for name in cli_files if cli_files[name] != py_files[name]]
    assert different == []


def assert_frame_is_csv(frame: pd.DataFrame, data: bytes, text_columns=()):
    """Every cell of ``frame`` is the CSV's cell: the same text in text columns (and where
    the frame holds text), the same float (exactly) elsewhere, missing where the cell is
    empty; the name columns are text."""
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    header, body = rows[0], rows[1:]
    assert list(frame.columns) == header
    assert len(frame) == len(body)
    for column in text_columns:
        assert all(isinstance(v, str) for v in frame[column].tolist()), column
    for j, column in enumerate(header):
        values = frame[column].tolist()
        for i, row in enumerate(body):
            cell, value = row[j], values[i]
            if column in text_columns or isinstance(value, str):
                assert value == cell, (column, i)
            elif cell == "":
                assert value is None or (isinstance(value, float) and math.isnan(value)), (column, i)
            elif cell in ("true", "false"):
                assert value == (cell == "true"), (column, i)
            else:
                assert float(value) == float(cell), (column, i, value, cell)


def test_run_writes_the_files_of_pimsim_run_byte_for_byte(cli, tmp_path, scenarios):
    scenario = scenarios / "heavy_machinery.toml"
    cli("run", scenario, "--paths", 3000, "--seed", 11, "--threads", 1, "--out", "cli", "--quiet")
    result = pimsim.run(pimsim.Scenario.from_file(scenario), paths=3000, seed=11, threads=2)
    written = result.write(tmp_path / "py")
    assert written == (tmp_path / "py").resolve()
    assert_same_files(tmp_path / "cli", tmp_path / "py")
    # The report and its charts are among them.
    assert {"report.html", "stock.svg", "cost_distribution.png"} <= set(files_of(tmp_path / "py"))


def test_run_without_report_is_no_report(cli, tmp_path, scenarios):
    scenario = scenarios / "benchmark.toml"
    cli("run", scenario, "--paths", 1500, "--out", "cli", "--quiet", "--no-report")
    pimsim.run(scenario, paths=1500).write(tmp_path / "py", report=False)
    assert_same_files(tmp_path / "cli", tmp_path / "py")
    assert sorted(files_of(tmp_path / "py")) == [
        ".pimsim-output",
        "policies.csv",
        "summary.json",
        "timeseries.csv",
    ]


def test_frames_and_summary_are_the_files_of_the_command_line(cli, tmp_path, scenarios):
    scenario = scenarios / "multi_partner.toml"
    cli("run", scenario, "--paths", 2000, "--out", "cli", "--quiet", "--no-report")
    result = pimsim.run(scenario, paths=2000)
    out = tmp_path / "cli"
    assert result.files["policies.csv"] == (out / "policies.csv").read_bytes()
    assert_frame_is_csv(result.policies, (out / "policies.csv").read_bytes(), ("policy", "kind"))
    assert_frame_is_csv(result.timeseries, (out / "timeseries.csv").read_bytes(), ("policy",))
    assert result.summary == json.loads((out / "summary.json").read_bytes())
    # The same as pandas reads the file itself.
    pd.testing.assert_frame_equal(
        result.policies, pd.read_csv(out / "policies.csv", dtype={"policy": str, "kind": str})
    )


def test_results_do_not_depend_on_the_thread_count(scenarios):
    scenario = pimsim.Scenario.from_file(scenarios / "electronics_obsolescence.toml")
    one = pimsim.run(scenario, paths=1200, threads=1)
    two = pimsim.run(scenario, paths=1200, threads=2)
    assert one.files == two.files


def test_sweep_writes_the_files_of_pimsim_sweep(cli, tmp_path, scenarios):
    file = scenarios / "sweep_release_vs_scrap.toml"
    cli("sweep", file, "--paths", 300, "--out", "cli", "--quiet")
    pimsim.sweep(pimsim.Scenario.from_file(file), paths=300).write(tmp_path / "from-scenario")
    pimsim.sweep(file, paths=300).write(tmp_path / "from-path")
    assert_same_files(tmp_path / "cli", tmp_path / "from-scenario")
    assert_same_files(tmp_path / "cli", tmp_path / "from-path")
    result = pimsim.sweep([file], paths=300)
    sweep_csv = (tmp_path / "cli" / "sweep.csv").read_bytes()
    assert_frame_is_csv(result.points, sweep_csv, ("scenario", "policy", "kind"))


def test_optimize_writes_the_files_of_pimsim_optimize(cli, tmp_path, scenarios):
    file = scenarios / "benchmark.toml"
    cli("optimize", file, "--paths", 400, "--fill-rate-target", 0.95, "--out", "cli", "--quiet")
    result = pimsim.optimize(file, fill_rate_target=0.95, paths=400)
    result.write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py")
    assert result.summary == json.loads((tmp_path / "cli" / "optimize.json").read_bytes())


def test_fit_writes_the_files_of_pimsim_fit(cli, tmp_path, scenarios):
    history = scenarios / "history" / "history.csv"
    cli("fit", history, "--origin", "end", "--out", "cli", "--quiet")
    result = pimsim.fit(history, origin="end")
    result.write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py")
    assert_frame_is_csv(result.parts, (tmp_path / "cli" / "parts.csv").read_bytes(), ("part",))


def test_fit_with_a_template_writes_whole_scenarios(cli, tmp_path, scenarios):
    history = scenarios / "history" / "history.csv"
    template = scenarios / "portfolio_template.toml"
    cli("fit", history, "--template", template, "--out", "cli", "--quiet")
    result = pimsim.fit(history, template=template)
    result.write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py")
    p3 = result.scenarios["P0003"]
    assert isinstance(p3, pimsim.Scenario)
    assert p3.name == "P0003" and p3.policies == pimsim.Scenario.from_file(template).policies


def test_portfolio_writes_the_files_of_pimsim_portfolio(cli, tmp_path, scenarios):
    history = scenarios / "history" / "history.csv"
    master = scenarios / "history" / "part_master.csv"
    template = scenarios / "portfolio_template.toml"
    cli("fit", history, "--origin", "end", "--out", "fits", "--quiet")
    cli(
        "portfolio", "fits/parts.csv", master, "--template", template, "--paths", 150,
        "--out", "cli", "--scenarios", "cli-scenarios", "--quiet",
    )
    fitted = pimsim.fit(history, origin="end")
    result = pimsim.portfolio([fitted, master], template, paths=150)
    result.write(tmp_path / "py", scenarios=tmp_path / "py-scenarios")
    assert_same_files(tmp_path / "cli", tmp_path / "py")
    assert_same_files(tmp_path / "cli-scenarios", tmp_path / "py-scenarios")
    # From the files the command line read, too.
    again = pimsim.portfolio([tmp_path / "fits" / "parts.csv", master], template, paths=150)
    assert again.files == result.files


@pytest.mark.parametrize("frames", ["pandas", "polars"])
def test_a_part_of_a_portfolio_is_a_run_of_its_scenario(tmp_path, scenarios, frames):
    pytest.importorskip(frames)
    columns = {
        "part": ["P-100", "P-101"],
        "part.unit_cost": [412.5, 38.0],
        "part.on_hand": [60, 400],
        "demand.model": ["exponential", "constant"],
        "demand.rate": [12.5, 3.1],
        "demand.half_life_years": [4.2, None],
    }
    if frames == "polars":
        import polars as pl

        parts = pl.DataFrame(columns)
    else:
        parts = pd.DataFrame(columns)
    result = pimsim.portfolio(parts, scenarios / "portfolio_template.toml", paths=400, frames=frames)
    texts = result.part_scenarios()
    assert sorted(texts) == ["P-100.toml", "P-101.toml"]
    single = pimsim.run(pimsim.Scenario.from_toml(texts["P-101.toml"], "P-101.toml"))
    # Its rows of portfolio.csv hold exactly the cells of the run's policies.csv.
    portfolio_rows = list(csv.reader(io.StringIO(result.files["portfolio.csv"].decode())))
    run_rows = list(csv.reader(io.StringIO(single.files["policies.csv"].decode())))
    start = portfolio_rows[0].index("policy")
    assert portfolio_rows[0][start : start + len(run_rows[0])] == run_rows[0]
    mine = [r[start : start + len(run_rows[0])] for r in portfolio_rows[1:] if r[0] == "P-101"]
    assert mine == run_rows[1:]
    # And the frame is that file.
    assert list(result.results.columns) == portfolio_rows[0] and len(result.results) == 6
