"""The results of ``run``, ``sweep``, ``optimize``, ``fit`` and ``portfolio``.

Each result holds the library's result and the data files rendered from it, byte for byte as
the command line writes them; its frames are parsed from those bytes (so they have exactly the
files' columns), its ``summary`` is the JSON file as a dict, and ``write(out_dir)`` writes the
command's whole set of files, all at once, as the command line does.
"""

from __future__ import annotations

import json
import os
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ._errors import Problem
from ._frames import from_records, read_csv
from ._progress import ProgressArg
from ._progress import call as _call
from ._scenario import PathLike, Scenario

__all__ = ["RunResult", "SweepResult", "OptimizeResult", "FitResult", "PortfolioResult"]

POLICY_TEXT = ("policy", "kind")


class _Result:
    """What every result has: its data files, frames of one kind, the terminal table."""

    def __init__(self, native: Any, frames: str) -> None:
        self._native = native
        self.frames = frames
        """``"pandas"`` or ``"polars"``: the kind of the frames."""

    @cached_property
    def files(self) -> Dict[str, bytes]:
        """The data files by name, exactly as the command line writes them."""
        return dict(self._native.files())

    def _csv(self, name: str, text_columns: Tuple[str, ...]) -> Any:
        return read_csv(self.files[name], self.frames, text_columns)

    def _json(self, name: str) -> Any:
        return json.loads(self.files[name])

    @property
    def table(self) -> str:
        """The table the command line prints."""
        return self._native.table()

    def __str__(self) -> str:
        return self.table


class RunResult(_Result):
    """What :func:`pimsim.run` found: every policy on the same demand paths.

    - :attr:`policies`: the frame of ``policies.csv`` (one row per policy);
    - :attr:`timeseries`: the frame of ``timeseries.csv`` (per policy and report step);
    - :attr:`comparison`: each policy against the baseline (the first), paired on the paths;
    - :attr:`summary`: ``summary.json`` as a dict; :attr:`verdict` its verdict;
    - :meth:`write`: the files of ``pimsim run`` into a directory.

    ``print(result)`` shows the command line's table.
    """

    def __init__(self, native: Any, frames: str, scenario: Scenario) -> None:
        super().__init__(native, frames)
        self.scenario = scenario
        """The scenario that was run."""
        paths, seed, threads = native.settings()
        self.paths: int = paths
        """Demand paths simulated."""
        self.seed: int = seed
        """Seed of every random stream."""
        self.threads: int = threads
        """Worker threads asked for (0 = one per core); results do not depend on it."""

    @cached_property
    def summary(self) -> Dict[str, Any]:
        """``summary.json`` as a dict: per policy ``fill_rate``, ``no_stockout_probability``,
        ``total_cost``, ``cost_breakdown``, ``units``, partners, finance, ``comparison``, the
        cost distribution; the ``verdict``; ``demand`` against its exact expectation; the
        validated ``scenario`` (docs/output.md)."""
        return self._json("summary.json")

    @cached_property
    def policies(self) -> Any:
        """``policies.csv``: ``policy``, ``kind``, ``paths``, ``seed``, ``fill_rate``,
        ``no_stockout_probability``, ``total_cost_*``, ``cost_*``, ``units_*``, …,
        ``revenue`` (docs/output.md)."""
        return self._csv("policies.csv", POLICY_TEXT)

    @cached_property
    def timeseries(self) -> Any:
        """``timeseries.csv``: ``policy``, ``time_years``, ``on_hand_mean``, ``on_hand_p05``,
        ``on_hand_p50``, ``on_hand_p95``, ``cumulative_cost_mean``,
        ``remanufacture_runs_mean``, ``remanufactured_mean``, ``bought_back_mean``."""
        return self._csv("timeseries.csv", ("policy",))

    @property
    def verdict(self) -> Dict[str, Any]:
        """The verdict: ``cheapest``, ``mean_total_cost``, ``runner_up``,
        ``saving_vs_runner_up``, ``saving_std_err``, ``probability_cheaper_than_runner_up``."""
        return self.summary["verdict"]

    @property
    def baseline(self) -> str:
        """The baseline policy: the first of the scenario."""
        return self.summary["policies"][0]["name"]

    COMPARISON_COLUMNS = (
        "policy", "kind", "baseline", "mean_difference", "std_err", "ci95_low", "ci95_high",
        "probability_cheaper", "probability_tie", "per_path_difference_p05",
        "per_path_difference_p25", "per_path_difference_p50", "per_path_difference_p75",
        "per_path_difference_p95",
    )

    @cached_property
    def comparison(self) -> Any:
        """Each policy but the baseline against the baseline on the same paths, as in
        ``summary.json``'s ``comparison``: ``policy``, ``kind``, ``baseline``,
        ``mean_difference`` (this policy's cost − the baseline's; negative = cheaper),
        ``std_err``, ``ci95_low``, ``ci95_high``, ``probability_cheaper``,
        ``probability_tie`` and the quantiles ``per_path_difference_p05`` … ``_p95``."""
        rows = []
        for p in self.summary["policies"]:
            c = p.get("comparison")
            if c is None:
                continue
            row = {"policy": p["name"], "kind": p["kind"]}
            for k, v in c.items():
                if k == "ci95":
                    row["ci95_low"], row["ci95_high"] = v
                elif k == "per_path_difference":
                    for q, x in v.items():
                        row[f"per_path_difference_{q}"] = x
                else:
                    row[k] = v
            rows.append(row)
        return from_records(rows, self.COMPARISON_COLUMNS, self.frames)

    @cached_property
    def cost_histograms(self) -> Any:
        """The histograms of total cost behind the report's cost chart, tidy: ``policy``,
        ``bin_low``, ``bin_high``, ``count`` (paths whose cost is in [low, high)); the bins
        are the same for every policy. Paths beyond the last edge are counted in
        ``summary["policies"][i]["cost_distribution"]["histogram"]["above"]``."""
        rows = []
        for p in self.summary["policies"]:
            h = p["cost_distribution"]["histogram"]
            edges = h["bin_edges"]
            for lo, hi, n in zip(edges, edges[1:], h["counts"]):
                rows.append({"policy": p["name"], "bin_low": lo, "bin_high": hi, "count": n})
        return from_records(rows, ("policy", "bin_low", "bin_high", "count"), self.frames)

    @property
    def resolved(self) -> List[Dict[str, Any]]:
        """The ``retain = "optimal"`` levels resolved before the run: ``policy``, ``units``,
        ``mean_cost``, ``paths``, ``candidates``, ``passes``."""
        return list(self._native.resolved())

    def write(self, out_dir: PathLike, report: bool = True, progress: ProgressArg = False) -> Path:
        """Writes the files of ``pimsim run`` into ``out_dir``: ``summary.json``,
        ``policies.csv``, ``timeseries.csv`` and, with ``report``, ``report.html`` and the
        six charts as SVG and PNG — byte for byte what ``pimsim run … --out out_dir`` writes
        (``report=False`` is ``--no-report``).

        All files appear together or not at all; ``out_dir`` is replaced as a whole, and
        must not exist, be empty, or have been written by pimsim (anything else raises
        :class:`~pimsim.ScenarioError`). Returns the directory.
        """
        return Path(_call(self._native.write, progress, os.fspath(out_dir), report))

    def __repr__(self) -> str:
        v = self.summary.get("verdict") or {}
        return (
            f"<RunResult {self.scenario.name}: {len(self.summary['policies'])} policies, "
            f"{self.paths} paths, seed {self.seed}; cheapest {v.get('cheapest')!r}>"
        )


class SweepResult(_Result):
    """What :func:`pimsim.sweep` found: every point of each ``[sweep]`` table.

    - :attr:`points`: the frame of ``sweep.csv`` (one row per scenario × point × policy);
    - :attr:`one_at_a_time`: ``sweep_oat.csv`` (the runs behind the tornado chart);
    - :attr:`cheapest`: per point, the swept values and the cheapest policy (the decision
      map's cells);
    - :attr:`summary`: ``sweep.json`` as a dict; :meth:`write` the files of ``pimsim sweep``.
    """

    @cached_property
    def summary(self) -> Dict[str, Any]:
        """``sweep.json`` as a dict (docs/sweeps.md)."""
        return self._json("sweep.json")

    @cached_property
    def points(self) -> Any:
        """``sweep.csv``: ``scenario``, ``point``, one column per swept key (the dotted key as
        written), ``policy``, then exactly the columns of ``policies.csv``."""
        return self._csv("sweep.csv", ("scenario",) + POLICY_TEXT)

    @cached_property
    def one_at_a_time(self) -> Any:
        """``sweep_oat.csv``: ``scenario``, ``parameter``, ``level`` (``base``, ``low``,
        ``high``), ``value``, then the ``policies.csv`` columns."""
        return self._csv("sweep_oat.csv", ("scenario", "parameter", "level") + POLICY_TEXT)

    @cached_property
    def cheapest(self) -> Any:
        """Per scenario and point: ``scenario``, ``point``, the swept keys' values,
        ``cheapest`` (the policy of least mean total cost), ``mean_cost`` (its mean total
        cost), ``runner_up`` and ``lead`` (how much more the runner-up costs on average)."""
        rows = []
        keys: List[str] = []
        for s in self.summary["scenarios"]:
            for k in (p["key"] for p in s["parameters"]):
                if k not in keys:
                    keys.append(k)
        for s in self.summary["scenarios"]:
            for pt in s["points"]:
                costs = sorted(
                    ((p["total_cost"]["mean"], i, p["policy"]) for i, p in enumerate(pt["policies"])),
                )
                row: Dict[str, Any] = {"scenario": s["name"], "point": pt["point"]}
                row.update({k: pt["values"].get(k) for k in keys})
                best = next(p for p in pt["policies"] if p["policy"] == pt["cheapest"])
                row["cheapest"] = pt["cheapest"]
                row["mean_cost"] = best["total_cost"]["mean"]
                others = [c for c in costs if c[2] != pt["cheapest"]]
                row["runner_up"] = others[0][2] if others else None
                row["lead"] = others[0][0] - row["mean_cost"] if others else None
                rows.append(row)
        columns = ["scenario", "point", *keys, "cheapest", "mean_cost", "runner_up", "lead"]
        return from_records(rows, columns, self.frames)

    @property
    def warnings(self) -> List[Problem]:
        """The scenarios' warnings."""
        return [Problem._from_dict(p) for p in self._native.warnings()]

    def write(self, out_dir: PathLike, report: bool = True, progress: ProgressArg = False) -> Path:
        """Writes the files of ``pimsim sweep``: ``sweep.csv``, ``sweep_oat.csv``,
        ``sweep.json`` and, with ``report``, ``report.html``, the decision map and the
        tornado chart — all at once, byte for byte as ``pimsim sweep … --out out_dir``."""
        return Path(_call(self._native.write, progress, os.fspath(out_dir), report))

    def __repr__(self) -> str:
        n = sum(len(s["points"]) for s in self.summary["scenarios"])
        return f"<SweepResult: {len(self.summary['scenarios'])} scenario(s), {n} point(s)>"


def _point(point: Dict[str, Any]) -> Dict[str, Any]:
    """One evaluated quantity of ``optimize.json`` with its ``ci95`` pair as two columns."""
    row = {k: v for k, v in point.items() if k != "ci95"}
    row["ci95_low"], row["ci95_high"] = point["ci95"]
    return row


class OptimizeResult(_Result):
    """What :func:`pimsim.optimize` found: per policy the quantity of least mean total cost
    and the whole cost/fill-rate frontier.

    - :attr:`best`: one row per policy optimised;
    - :attr:`frontier`: every quantity evaluated, per policy;
    - :attr:`summary`: ``optimize.json`` as a dict; :meth:`write` the files of
      ``pimsim optimize``.
    """

    @cached_property
    def files(self) -> Dict[str, bytes]:
        """``optimize.json``, exactly as the command line writes it."""
        return {"optimize.json": bytes(self._native.json())}

    @cached_property
    def summary(self) -> Dict[str, Any]:
        """``optimize.json`` as a dict: the first policy's ``policy``, ``best``, ``frontier``
        at the top, and every policy's in ``policies`` (docs/optimizer.md)."""
        return self._json("optimize.json")

    @cached_property
    def best(self) -> Any:
        """Per policy: ``policy``, ``kind``, ``quantity_kind`` (``retained_level`` or
        ``last_time_buy``), ``quantity``, ``total_cost``, ``fill_rate``, ``std_err``,
        ``ci95_low``, ``ci95_high`` (the 95 % interval of the mean cost),
        ``no_stockout_probability``, ``fill_rate_target``, ``target_met``."""
        rows = []
        for p in self.summary["policies"]:
            row = {k: p.get(k) for k in ("policy", "kind", "quantity_kind")}
            row.update(_point(p["best"]))
            row["fill_rate_target"] = p.get("fill_rate_target")
            row["target_met"] = p.get("target_met")
            rows.append(row)
        columns = ["policy", "kind", "quantity_kind", "quantity", "total_cost", "fill_rate",
                   "std_err", "ci95_low", "ci95_high", "no_stockout_probability",
                   "fill_rate_target", "target_met"]
        return from_records(rows, columns, self.frames)

    @cached_property
    def frontier(self) -> Any:
        """Every quantity evaluated: ``policy``, ``quantity``, ``total_cost`` (mean),
        ``fill_rate``, ``std_err`` (of the mean cost), ``ci95_low``, ``ci95_high``,
        ``no_stockout_probability``, ``best`` (whether it is the chosen one); per policy in
        order of quantity (the rows of ``optimize_frontier.csv``)."""
        rows = []
        for p in self.summary["policies"]:
            best = p["best"]["quantity"]
            for f in p["frontier"]:
                rows.append({"policy": p["policy"], **_point(f), "best": f["quantity"] == best})
        columns = ["policy", "quantity", "total_cost", "fill_rate", "std_err", "ci95_low",
                   "ci95_high", "no_stockout_probability", "best"]
        return from_records(rows, columns, self.frames)

    @property
    def skipped(self) -> List[str]:
        """Policies not optimised because they repeat their disposition
        (``review_every_years``)."""
        return list(self._native.skipped())

    def write(self, out_dir: PathLike, progress: ProgressArg = False) -> Path:
        """Writes the files of ``pimsim optimize``: ``optimize.json``,
        ``optimize_frontier.csv`` and the chart (``optimize.svg``, ``optimize.png``), all at
        once."""
        return Path(_call(self._native.write, progress, os.fspath(out_dir)))

    def __repr__(self) -> str:
        best = ", ".join(f"{p['policy']}: {p['best']['quantity']}" for p in self.summary["policies"])
        return f"<OptimizeResult {best}>"


class FitResult(_Result):
    """What :func:`pimsim.fit` found: per part a fitted demand model.

    - :attr:`parts`: the frame of ``parts.csv`` (one row per part: the fitted demand as
      dotted scenario keys, then ``fit.*`` diagnostics), ready for :func:`pimsim.portfolio`
      (pass the result itself to use the file's exact text);
    - :attr:`cumulative`: ``fit_cumulative.csv`` (observed and fitted cumulative orders);
    - :attr:`texts`: per part the TOML text of ``<part>.toml``; :attr:`scenarios` the same as
      :class:`~pimsim.Scenario` objects when a template was given;
    - :meth:`write`: the files of ``pimsim fit`` into a directory.
    """

    def __init__(self, native: Any, frames: str, source: str, template: Optional[Scenario]) -> None:
        super().__init__(native, frames)
        self.source = source
        """The history's name (the file name the generated files cite)."""
        self.template = template
        """The template scenario, if one was given."""

    @cached_property
    def parts(self) -> Any:
        """``parts.csv``: ``part``, ``demand.model``, ``demand.rate``, …, ``fit.*``
        (docs/fitting.md)."""
        return self._csv("parts.csv", ("part",))

    @cached_property
    def cumulative(self) -> Any:
        """``fit_cumulative.csv``: ``part``, ``month``, ``observed_orders``,
        ``fitted_orders``."""
        return self._csv("fit_cumulative.csv", ("part",))

    @cached_property
    def texts(self) -> Dict[str, str]:
        """Per part id, the text of its file: the template with the fitted demand (with a
        template), else the fitted demand blocks alone, with the fit's comments."""
        return dict(self._native.texts())

    @cached_property
    def scenarios(self) -> Dict[str, Scenario]:
        """Per part id, its whole scenario (needs ``template=`` in :func:`pimsim.fit`)."""
        if self.template is None:
            raise ValueError(
                "without a template each part's text is only a demand block; call "
                "pimsim.fit(history, template=...) for whole scenarios, or use .texts"
            )
        return {
            part: Scenario.from_toml(text, f"{part}.toml") for part, text in self.texts.items()
        }

    def write(self, out_dir: PathLike, progress: ProgressArg = False) -> Path:
        """Writes the files of ``pimsim fit --out out_dir``: ``parts.csv``,
        ``fit_cumulative.csv``, its chart and ``<part>.toml`` per part, all at once."""
        return Path(_call(self._native.write, progress, os.fspath(out_dir)))

    def __repr__(self) -> str:
        return f"<FitResult {self.source}: {len(self.texts)} part(s)>"


class PortfolioResult(_Result):
    """What :func:`pimsim.portfolio` found: every part of the parts lists with the template.

    - :attr:`results`: the frame of ``portfolio.csv`` (one row per part × policy);
    - :attr:`parts`: ``portfolio_parts.csv`` (one row per part: ABC/XYZ class, the
      recommended policy, its saving against the baseline, …);
    - :attr:`recommended`: the rows of :attr:`results` of each part's recommended policy;
    - :attr:`summary`: ``portfolio.json`` (totals per policy, the best mix, classes);
    - :meth:`write`: the files of ``pimsim portfolio``; :meth:`part_scenarios` each part's
      scenario.
    """

    @cached_property
    def summary(self) -> Dict[str, Any]:
        """``portfolio.json`` as a dict (docs/portfolios.md)."""
        return self._json("portfolio.json")

    @cached_property
    def results(self) -> Any:
        """``portfolio.csv``: ``part``, the override columns (cells as written), the columns
        of ``policies.csv``, ``recommended``, ``abc``, ``xyz``."""
        return self._csv("portfolio.csv", ("part",) + POLICY_TEXT + ("abc", "xyz"))

    @cached_property
    def parts(self) -> Any:
        """``portfolio_parts.csv``: ``part``, ``abc``, ``xyz``, ``annual_usage_value``, …,
        ``recommended_policy``, ``recommended_total_cost_mean``, ``saving_vs_baseline``,
        ``saving_rank``, ``service_poor``, ``better_service_policy``, …, then the carried
        ``fit.`` columns."""
        return self._csv(
            "portfolio_parts.csv",
            ("part", "abc", "xyz", "recommended_policy", "baseline_policy",
             "better_service_policy"),
        )

    @property
    def recommended(self) -> Any:
        """The rows of :attr:`results` of each part's recommended policy."""
        r = self.results
        if self.frames == "polars":
            import polars as pl

            return r.filter(pl.col("recommended"))
        return r[r["recommended"].astype(bool)].reset_index(drop=True)

    @property
    def warnings(self) -> List[Problem]:
        """The warnings of the template, the parts lists and every part's scenario."""
        return [Problem._from_dict(p) for p in self._native.warnings()]

    def part_scenarios(self) -> Dict[str, str]:
        """Each part's scenario file (file name → TOML text), as ``pimsim portfolio
        --scenarios DIR`` writes them: the template with the part's row, and
        ``[simulation]`` set to the paths and the part's seed, so that running one
        reproduces that part's rows."""
        return dict(self._native.scenarios())

    def write(
        self,
        out_dir: PathLike,
        report: bool = True,
        scenarios: Optional[PathLike] = None,
        progress: ProgressArg = False,
    ) -> Path:
        """Writes the files of ``pimsim portfolio``: ``portfolio.csv``,
        ``portfolio_parts.csv``, ``portfolio.json`` and, with ``report``, ``report.html`` and
        the Pareto chart, all at once; with ``scenarios``, also each part's scenario into
        that directory (``--scenarios DIR``). Returns ``out_dir``."""
        out, _ = _call(
            self._native.write,
            progress,
            os.fspath(out_dir),
            report,
            None if scenarios is None else os.fspath(scenarios),
        )
        return Path(out)

    def __repr__(self) -> str:
        return f"<PortfolioResult: {self.summary.get('parts')} parts>"
