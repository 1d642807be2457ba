"""Each function returns the documented columns; scenarios from a file, a text and a dict are
the same scenario; dotted overrides are the values written into the file; polars frames are
the pandas frames; progress and documentation are there."""

from __future__ import annotations

import inspect
import math
from pathlib import Path

import pandas as pd
import pytest

import pimsim

COST_LINES = [
    "last_time_buy", "holding", "disposal", "release", "buyback", "remanufacture", "shortage",
    "backorder", "end_of_horizon",
]
UNITS = [
    "demanded", "filled_from_stock", "short", "lost", "backordered", "backorders_filled",
    "scrapped", "released", "bought_back", "remanufactured", "lost_in_storage",
    "on_hand_at_horizon", "open_backorders_at_horizon", "on_order_at_horizon",
    "remanufacture_runs", "average_on_hand",
]
# docs/output.md, "policies.csv".
POLICY_COLUMNS = (
    ["policy", "kind", "paths", "seed", "fill_rate", "no_stockout_probability"]
    + [f"total_cost_{s}" for s in ["mean", "std_err", "ci95_low", "ci95_high", "p05", "p50", "p95", "cvar95"]]
    + [f"cost_{c}" for c in COST_LINES]
    + ["cost_total"]
    + [f"units_{u}" for u in UNITS]
    + ["first_stockout_share", "first_stockout_p50_years"]
    + [f"difference_vs_baseline_{s}" for s in ["mean", "std_err", "ci95_low", "ci95_high"]]
    + ["probability_cheaper_than_baseline", "inventory_turnover", "gmroi",
       "carrying_share_of_total", "revenue"]
)
# docs/output.md, "timeseries.csv".
TIMESERIES_COLUMNS = [
    "policy", "time_years", "on_hand_mean", "on_hand_p05", "on_hand_p50", "on_hand_p95",
    "cumulative_cost_mean", "remanufacture_runs_mean", "remanufactured_mean", "bought_back_mean",
]


@pytest.fixture(scope="module")
def heavy(scenarios):
    return pimsim.Scenario.from_file(scenarios / "heavy_machinery.toml")


@pytest.fixture(scope="module")
def heavy_run(heavy):
    return pimsim.run(heavy, paths=1500, seed=5)


def test_run_has_the_documented_frames(heavy, heavy_run):
    r = heavy_run
    assert list(r.policies.columns) == POLICY_COLUMNS
    assert r.policies["policy"].tolist() == heavy.policies
    assert (r.policies["paths"] == 1500).all() and (r.policies["seed"] == 5).all()
    assert (r.paths, r.seed) == (1500, 5)
    assert list(r.timeseries.columns) == TIMESERIES_COLUMNS
    assert set(r.timeseries["policy"]) == set(heavy.policies)
    # The stable names of summary.json.
    first = r.summary["policies"][0]
    assert {"fill_rate", "no_stockout_probability", "total_cost", "cost_breakdown", "units"} <= set(first)
    assert r.verdict["cheapest"] in heavy.policies
    assert r.baseline == "hold"
    assert "Cheapest:" in str(r) and "heavy_machinery" in repr(r)


def test_the_comparison_is_summary_json_s(heavy_run):
    c = heavy_run.comparison
    assert list(c.columns) == list(pimsim.RunResult.COMPARISON_COLUMNS)
    assert c["policy"].tolist() == heavy_run.policies["policy"].tolist()[1:]
    assert (c["baseline"] == "hold").all()
    by_name = {p["name"]: p["comparison"] for p in heavy_run.summary["policies"][1:]}
    for row in c.to_dict("records"):
        s = by_name[row["policy"]]
        assert row["mean_difference"] == s["mean_difference"]
        assert [row["ci95_low"], row["ci95_high"]] == s["ci95"]
        assert row["per_path_difference_p50"] == s["per_path_difference"]["p50"]
    # The same figure as the flat row of policies.csv.
    assert c["mean_difference"].tolist() == heavy_run.policies["difference_vs_baseline_mean"].tolist()[1:]


def test_cost_histograms_count_every_path(heavy_run):
    h = heavy_run.cost_histograms
    assert list(h.columns) == ["policy", "bin_low", "bin_high", "count"]
    for p in heavy_run.summary["policies"]:
        counted = h[h["policy"] == p["name"]]["count"].sum()
        above = p["cost_distribution"]["histogram"]["above"]
        assert counted + above == p["cost_distribution"]["paths"]


def test_a_text_and_a_dict_are_the_same_scenario_as_the_file(scenarios):
    path = scenarios / "benchmark.toml"
    from_file = pimsim.Scenario.from_file(path)
    from_text = pimsim.Scenario.from_toml(path.read_text(), name="benchmark.toml")
    from_dict = pimsim.Scenario.from_dict(from_file.to_dict(), name="benchmark.toml")
    runs = [pimsim.run(s, paths=500) for s in (from_file, from_text, from_dict)]
    assert runs[0].files == runs[1].files == runs[2].files
    assert from_file.name == "benchmark" and from_dict.text != from_file.text


def test_overrides_are_the_values_written_in(scenarios):
    """A point of a sweep is the base with the point's values: with_overrides of the same
    values gives the point's rows of sweep.csv, cell for cell."""
    base = pimsim.Scenario.from_file(scenarios / "sweep_release_vs_scrap.toml")
    sweep = pimsim.sweep(base, paths=400)
    point = sweep.points[
        (sweep.points["demand.half_life_years"] == 8)
        & (sweep.points["partner.dealers.reliability"] == 0.6)
    ]
    changed = base.with_overrides({"demand.half_life_years": 8, "partner.dealers.reliability": 0.6})
    assert not changed.has_sweep
    assert changed.to_dict()["demand"]["half_life_years"] == 8
    run = pimsim.run(changed, paths=400)
    metrics = list(run.policies.columns)
    # (Values, not dtypes: a column of whole numbers in one file is inferred as int.)
    pd.testing.assert_frame_equal(point[metrics].reset_index(drop=True), run.policies, check_dtype=False)


def test_overrides_by_policy_name_and_index(scenarios):
    s = pimsim.Scenario.from_file(scenarios / "benchmark.toml")
    by_name = s.with_overrides({"policy.scrap-60.retain": 40})
    by_index = s.with_overrides({"policy[1].retain": 40})
    assert by_name.to_dict()["policy"][1]["retain"] == 40
    assert pimsim.run(by_name, paths=300).files == pimsim.run(by_index, paths=300).files
    assert pimsim.run(by_name, paths=300).files != pimsim.run(s, paths=300).files
    # The original is unchanged (scenarios are immutable).
    assert s.to_dict()["policy"][1]["retain"] == 60


def test_sweep_has_the_documented_frames(scenarios):
    r = pimsim.sweep(scenarios / "sweep_release_vs_scrap.toml", paths=200)
    keys = ["demand.half_life_years", "partner.dealers.reliability"]
    assert list(r.points.columns) == ["scenario", "point", *keys, *POLICY_COLUMNS]
    assert len(r.points) == 12 * 3
    assert list(r.one_at_a_time.columns)[:4] == ["scenario", "parameter", "level", "value"]
    assert list(r.one_at_a_time.columns)[4:] == POLICY_COLUMNS
    cheapest = r.cheapest
    assert list(cheapest.columns) == ["scenario", "point", *keys, "cheapest", "mean_cost", "runner_up", "lead"]
    # The cheapest is the least mean cost of the point's rows, and the lead is positive.
    for row in cheapest.to_dict("records"):
        rows = r.points[r.points["point"] == row["point"]]
        assert row["mean_cost"] == rows["total_cost_mean"].min()
        assert row["cheapest"] == rows.loc[rows["total_cost_mean"].idxmin(), "policy"]
        assert row["lead"] >= 0
    assert "12 point(s)" in r.table


def test_optimize_has_the_documented_frames(scenarios, tmp_path):
    r = pimsim.optimize(scenarios / "benchmark.toml", policy="scrap-60", paths=300)
    assert list(r.best.columns) == [
        "policy", "kind", "quantity_kind", "quantity", "total_cost", "fill_rate", "std_err",
        "ci95_low", "ci95_high", "no_stockout_probability", "fill_rate_target", "target_met",
    ]
    assert r.best["policy"].tolist() == ["scrap-60"]
    f = r.frontier
    assert list(f.columns) == [
        "policy", "quantity", "total_cost", "fill_rate", "std_err", "ci95_low", "ci95_high",
        "no_stockout_probability", "best",
    ]
    best = f[f["best"]]
    assert len(best) == 1 and best["quantity"].item() == r.best["quantity"].item()
    assert best["total_cost"].item() == f["total_cost"].min()
    # The interval brackets the mean, and every row is the CLI's optimize_frontier.csv row.
    assert (f["ci95_low"] < f["total_cost"]).all() and (f["total_cost"] < f["ci95_high"]).all()
    assert f["no_stockout_probability"].between(0, 1).all()
    out = r.write(tmp_path / "opt")
    csv = pd.read_csv(out / "optimize_frontier.csv")
    assert csv["total_cost_ci95_low"].tolist() == f["ci95_low"].tolist()
    assert csv["no_stockout_probability"].tolist() == f["no_stockout_probability"].tolist()
    assert r.summary["best"]["quantity"] == r.best["quantity"].item()


def test_fit_of_a_frame_is_the_fit_of_the_file(scenarios):
    path = scenarios / "history" / "history.csv"
    from_file = pimsim.fit(path, origin="end")
    frame = pd.read_csv(path, dtype=str)
    from_frame = pimsim.fit(frame, origin="end")
    assert from_frame.files == from_file.files
    assert from_frame.texts == from_file.texts
    parts = from_file.parts
    assert parts.columns[0] == "part" and "demand.model" in parts.columns
    assert len(parts) == 300 and parts["part"].tolist()[:2] == ["P0001", "P0002"]
    assert list(from_file.cumulative.columns) == ["part", "month", "observed_orders", "fitted_orders"]
    assert from_file.texts["P0003"].startswith('# Demand of part "P0003" fitted by pimsim fit from history.csv')
    with pytest.raises(ValueError):
        from_file.scenarios


def test_a_portfolio_of_frames_is_the_portfolio_of_the_files(scenarios):
    master_path = scenarios / "history" / "part_master.csv"
    template = pimsim.Scenario.from_file(scenarios / "portfolio_template.toml")
    fitted = pimsim.fit(scenarios / "history" / "history.csv", origin="end")
    master = pd.read_csv(master_path)
    files = pimsim.portfolio([fitted, master_path], template, paths=100)
    frames = pimsim.portfolio([("parts.csv", fitted.parts), ("part_master.csv", master)], template, paths=100)
    # Same parts, seeds, recommendations and figures; portfolio.csv echoes the cells as the
    # frames render them (304.7 for the file's 304.70), so only it may differ.
    assert frames.files["portfolio_parts.csv"] == files.files["portfolio_parts.csv"]
    assert frames.files["portfolio.json"] == files.files["portfolio.json"]
    metrics = POLICY_COLUMNS + ["recommended", "abc", "xyz"]
    pd.testing.assert_frame_equal(frames.results[metrics], files.results[metrics])
    assert list(files.results.columns) == ["part", *fitted.parts.columns[1:9], *master.columns[1:], *metrics]
    rec = files.recommended
    assert len(rec) == 300 and rec["recommended"].all()
    assert (rec["policy"].tolist() == files.parts["recommended_policy"].tolist())
    assert files.summary["parts"] == 300


def test_polars_frames_are_the_pandas_frames(scenarios):
    pl = pytest.importorskip("polars")
    s = pimsim.Scenario.from_file(scenarios / "multi_partner.toml")
    a = pimsim.run(s, paths=400)
    b = pimsim.run(s, paths=400, frames="polars")
    for name in ["policies", "timeseries", "comparison", "cost_histograms"]:
        p, q = getattr(a, name), getattr(b, name)
        assert isinstance(q, pl.DataFrame)
        assert list(q.columns) == list(p.columns), name
        for column in p.columns:
            left, right = p[column].tolist(), q[column].to_list()
            same = [
                x == y or (x is None or (isinstance(x, float) and math.isnan(x))) and y is None
                for x, y in zip(left, right)
            ]
            assert all(same), (name, column)
    sweep = pimsim.sweep(scenarios / "sweep_release_vs_scrap.toml", paths=100, frames="polars")
    assert isinstance(sweep.points, pl.DataFrame) and isinstance(sweep.cheapest, pl.DataFrame)


def test_an_unknown_frame_kind_is_refused(scenarios):
    with pytest.raises(ValueError):
        pimsim.run(scenarios / "benchmark.toml", paths=10, frames="arrow")


def test_progress_reaches_the_total(scenarios, capsys):
    seen = []
    pimsim.run(scenarios / "benchmark.toml", paths=3000, progress=lambda *a: seen.append(a))
    assert seen[0] == (0, 3000, "paths", None)
    assert seen[-1] == (3000, 3000, "paths", None)
    assert [d for d, *_ in seen] == sorted(d for d, *_ in seen)
    # The optimiser's passes are stretches of their own, with a label.
    passes = []
    pimsim.optimize(scenarios / "benchmark.toml", policy="hold", paths=200, progress=lambda *a: passes.append(a))
    labels = {label for *_, label in passes}
    assert any(label and label.startswith("hold: pass 1") for label in labels)


def test_progress_true_without_tqdm_is_a_line_on_stderr(scenarios, capsys, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    pimsim.run(scenarios / "benchmark.toml", paths=2000, progress=True)
    err = capsys.readouterr().err
    assert "2,000/2,000 paths (100 %)" in err and err.endswith("\n")


def test_progress_true_with_tqdm_drives_a_bar(scenarios, monkeypatch):
    import sys
    import types

    bars = []

    class FakeBar:
        def __init__(self, total, unit, desc, unit_scale):
            self.total, self.n, self.closed = total, 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    module = types.ModuleType("tqdm.auto")
    module.tqdm = FakeBar
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", module)
    pimsim.run(scenarios / "benchmark.toml", paths=1000, progress=True)
    assert len(bars) == 1 and bars[0].total == 1000 and bars[0].n == 1000 and bars[0].closed


def test_help_shows_the_command_line_s_words():
    for f in [pimsim.run, pimsim.sweep, pimsim.optimize, pimsim.fit, pimsim.portfolio]:
        assert f.__doc__ and f"pimsim {f.__name__}" in f.__doc__
        assert "frames" in inspect.signature(f).parameters
    assert "with_overrides" in pimsim.Scenario.__dict__
    assert pimsim.Scenario.with_overrides.__doc__
    assert pimsim.__version__ == pimsim.run(
        pimsim.Scenario.from_file(Path(__file__).parents[2] / "scenarios" / "benchmark.toml"), paths=10
    ).summary["pimsim_version"]


def test_the_package_ships_its_type_stubs():
    package = Path(pimsim.__file__).parent
    assert (package / "py.typed").is_file()
    stub = (package / "_native.pyi").read_text()
    for name in ["def run(", "def sweep(", "def optimize(", "def fit(", "def portfolio(", "class Scenario"]:
        assert name in stub


def test_precision_stops_where_a_fixed_run_of_those_paths_gives_the_same_results(scenarios):
    s = pimsim.Scenario.from_file(scenarios / "heavy_machinery.toml")
    r = pimsim.run(s, precision=0.005)
    p = r.summary["precision"]
    assert p["reached"] and p["paths"] == r.summary["paths"] and p["paths"] % 256 == 0
    fixed = pimsim.run(s, paths=p["paths"])
    assert "precision" not in fixed.summary
    assert r.policies.equals(fixed.policies)
    capped = pimsim.run(s, precision=1e-6, max_paths=3000)
    assert capped.summary["paths"] == 3000 and not capped.summary["precision"]["reached"]
    with pytest.raises(pimsim.ScenarioError, match=r"\(0, 1\)"):
        pimsim.run(s, precision=1.5)
    with pytest.raises(pimsim.ScenarioError, match="not both"):
        pimsim.run(s, paths=1000, precision=0.01)


def test_optimize_to_a_precision_is_the_fixed_search_of_its_last_stage(scenarios):
    s = pimsim.Scenario.from_file(scenarios / "benchmark.toml")
    r = pimsim.optimize(s, precision=0.001)
    p = r.summary["precision"]
    assert p["reached"] and p["stages"] >= 2 and p["paths"] == r.summary["paths"]
    assert p["achieved"] <= 0.001
    fixed = pimsim.optimize(s, paths=p["paths"])
    assert "precision" not in fixed.summary
    assert r.frontier.equals(fixed.frontier) and r.best.equals(fixed.best)
    capped = pimsim.optimize(s, policy="scrap-60", precision=1e-6, max_paths=3000)
    assert capped.summary["paths"] == 3000 and not capped.summary["precision"]["reached"]
    with pytest.raises(pimsim.ScenarioError, match="not both"):
        pimsim.optimize(s, paths=1000, precision=0.01)
