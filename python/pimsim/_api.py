"""The commands of ``pimsim`` as functions: ``run``, ``sweep``, ``optimize``, ``fit``,
``portfolio``.

Each does what the command of the same name does — the same validation, the same simulation,
the same files (bit for bit for the same scenario, seed and paths) — and returns a result
whose frames and dicts are parsed from those files. Long calls release the GIL, stop on
Ctrl-C (``KeyboardInterrupt``; nothing is written) and show progress with ``progress=True``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple, Union

from . import _native
from ._errors import _warn
from ._frames import check_kind, is_frame, to_csv_text
from ._progress import ProgressArg
from ._progress import call as _call
from ._results import FitResult, OptimizeResult, PortfolioResult, RunResult, SweepResult
from ._scenario import PathLike, Scenario

__all__ = ["run", "sweep", "optimize", "fit", "portfolio"]

ScenarioArg = Union[Scenario, PathLike]
"""A :class:`Scenario`, or the path of a scenario file."""


def _whole(name: str, value: Any, optional: bool = True) -> Optional[int]:
    """An int argument (not a bool); TypeError otherwise."""
    if value is None and optional:
        return None
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{name} = {value!r}: expected a whole number")
    n = value.__index__()
    if n < 0:
        from ._errors import ScenarioError, Problem

        text = f"{name} = {n}: expected a whole number ≥ 0"
        raise ScenarioError(text, [Problem("error", "", 0, 0, name, str(n), "expected a whole number ≥ 0", text)])
    return n


def _scenario(scenario: ScenarioArg) -> Scenario:
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return Scenario.from_file(scenario)
    raise TypeError(f"expected a Scenario or the path of a scenario file, not {type(scenario).__name__}")


def _settings(paths: Optional[int], seed: Optional[int], threads: int) -> Tuple[Optional[int], Optional[int], int]:
    return _whole("paths", paths), _whole("seed", seed), _whole("threads", threads, optional=False) or 0


def run(
    scenario: ScenarioArg,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    *,
    precision: Optional[float] = None,
    max_paths: Optional[int] = None,
    frames: str = "pandas",
    progress: ProgressArg = False,
) -> RunResult:
    """Simulates every policy of ``scenario`` on the same demand paths and compares them:
    ``pimsim run SCENARIO [--paths N | --precision P [--max-paths N]] [--seed S] [--threads N]``.

    Args:
        scenario: a :class:`Scenario`, or the path of a scenario file.
        paths: number of demand paths, in [1, 10¹²] [default: the scenario's
            ``simulation.paths``, else 10,000].
        seed: seed of every random stream [default: ``simulation.seed``, else 1].
        threads: worker threads, 0 = one per core (at most 1024); results are bit-identical
            for any value.
        precision: instead of ``paths``: stop when every policy's 95 % interval (and the
            verdict's saving) is within ± ``precision`` of its size, in (0, 1); the result is
            that of ``paths`` = the paths it stopped at (``summary["precision"]``).
        max_paths: with ``precision``, the most paths to simulate [default: 1,000,000].
        frames: ``"pandas"`` (default) or ``"polars"``: the kind of the result's frames.
        progress: True for a progress bar (tqdm if installed, else a line on standard
            error), or a function ``(done, total, unit, label)``.

    Returns:
        a :class:`RunResult`: ``.policies`` (``policies.csv``), ``.timeseries``,
        ``.comparison``, ``.summary`` (``summary.json``), ``.verdict``, ``.write(out_dir)``.

    Raises:
        ScenarioError: bad input (every problem, with file, line, column and key).
        KeyboardInterrupt: Ctrl-C; the run stops promptly.

    A scenario with a ``[sweep]`` table is a sweep: run it with :func:`sweep` (the command
    line's ``run`` does the same), or its base scenario with ``scenario.without_sweep()``.
    """
    frames = check_kind(frames)
    s = _scenario(scenario)
    if s.has_sweep:
        raise ValueError(
            f"{s.path} has a [sweep] table: pimsim.sweep(scenario) runs its points (as "
            "`pimsim run` of the file does); scenario.without_sweep() is its base scenario"
        )
    paths, seed, threads = _settings(paths, seed, threads)
    if precision is not None:
        precision = float(precision)
    max_paths = _whole("max_paths", max_paths)
    native = _call(
        _native.run, progress, s._native, paths, seed, threads, precision=precision, max_paths=max_paths
    )
    return RunResult(native, frames, s)


def sweep(
    scenarios: Union[ScenarioArg, Sequence[ScenarioArg]],
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    *,
    frames: str = "pandas",
    progress: ProgressArg = False,
) -> SweepResult:
    """Evaluates every point of each scenario's ``[sweep]`` table on the same demand paths:
    ``pimsim sweep SCENARIO_OR_DIR... [--paths N] [--seed S] [--threads N]``.

    Args:
        scenarios: a :class:`Scenario` with a ``[sweep]`` table, the path of a scenario file
            or of a directory (every ``*.toml`` in it, by name), or a list of these; one
            combined table. A scenario without ``[sweep]`` is one point.
        paths, seed, threads, frames, progress: as for :func:`run`; ``paths`` and ``seed``
            apply to every file (default: each file's own ``[simulation]``).

    Returns:
        a :class:`SweepResult`: ``.points`` (``sweep.csv``: one row per scenario × point ×
        policy), ``.cheapest`` (the decision map), ``.one_at_a_time``, ``.summary``
        (``sweep.json``), ``.write(out_dir)``.
    """
    frames = check_kind(frames)
    items = list(scenarios) if isinstance(scenarios, (list, tuple)) else [scenarios]
    inputs: List[Any] = []
    for item in items:
        if isinstance(item, Scenario):
            inputs.append(item._native)
        elif isinstance(item, (str, os.PathLike)):
            inputs.append(os.fspath(item))
        else:
            raise TypeError(f"expected a Scenario or a path, not {type(item).__name__}")
    paths, seed, threads = _settings(paths, seed, threads)
    native = _call(_native.sweep, progress, inputs, paths, seed, threads)
    _warn(native.warnings())
    return SweepResult(native, frames)


def optimize(
    scenario: ScenarioArg,
    policy: Optional[str] = None,
    fill_rate_target: Optional[float] = None,
    full_scan: bool = False,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    *,
    precision: Optional[float] = None,
    max_paths: Optional[int] = None,
    frames: str = "pandas",
    progress: ProgressArg = False,
) -> OptimizeResult:
    """The retained level (scrap, partner_release) or last-time-buy quantity (hold) of least
    mean total cost, on common random numbers, with the whole cost/fill-rate frontier:
    ``pimsim optimize SCENARIO [--policy NAME] [--fill-rate-target F] [--full-scan]
    [--paths N | --precision P [--max-paths N]]``.

    Args:
        scenario: a :class:`Scenario`, or the path of a scenario file.
        policy: the policy to optimise [default: every policy without
            ``review_every_years``].
        fill_rate_target: least acceptable mean fill rate, in [0, 1]: the cheapest quantity
            reaching it is chosen.
        full_scan: evaluate every quantity of the range instead of the zooming grid.
        precision: instead of ``paths``: search again on more paths until every policy's
            optimal mean cost (and the paired difference between the two best optima) has a
            95 % interval within ± ``precision`` of its size, in (0, 1); the result is that of
            ``paths`` = the last stage's paths (``summary["precision"]``).
        max_paths: with ``precision``, the most paths per candidate [default: 1,000,000].
        paths, seed, threads, frames, progress: as for :func:`run`.

    Returns:
        an :class:`OptimizeResult`: ``.best`` (one row per policy), ``.frontier``,
        ``.summary`` (``optimize.json``), ``.write(out_dir)``.
    """
    frames = check_kind(frames)
    s = _scenario(scenario)
    paths, seed, threads = _settings(paths, seed, threads)
    target = None if fill_rate_target is None else float(fill_rate_target)
    if precision is not None:
        precision = float(precision)
    max_paths = _whole("max_paths", max_paths)
    native = _call(
        _native.optimize,
        progress,
        s._native,
        policy,
        target,
        bool(full_scan),
        paths,
        seed,
        threads,
        precision=precision,
        max_paths=max_paths,
    )
    return OptimizeResult(native, frames)


def _history_text(history: Any, name: Optional[str]) -> Tuple[str, Optional[str]]:
    if is_frame(history):
        return name or "history.csv", to_csv_text(history)
    if isinstance(history, (str, os.PathLike)):
        path = os.fspath(history)
        return path, None
    raise TypeError(f"history: expected a data frame or a path, not {type(history).__name__}")


def fit(
    history: Any,
    origin: str = "eop",
    template: Optional[ScenarioArg] = None,
    *,
    name: Optional[str] = None,
    frames: str = "pandas",
) -> FitResult:
    """Fits demand models to a demand history: ``pimsim fit HISTORY.csv [--origin eop|end]
    [--template SCENARIO]``.

    Args:
        history: the path of a history CSV, or a data frame (pandas or polars) with its
            columns: ``part``, ``period`` (month index, ``YYYY-MM`` or ``YYYY-MM-DD``; dates
            and timestamps are written as ``YYYY-MM-DD``), ``quantity`` (one row per order
            line; 0 marks a month without orders) and optionally ``eop``.
        origin: where t = 0 of the fitted demand lies: ``"eop"``, the part's end of
            production (or the history's first month), or ``"end"``, the end of the
            history — the demand from today on, for deciding about today's stock.
        template: a :class:`Scenario` (or its path): each part's file is then this scenario
            with its demand replaced by the fitted one (``.scenarios``).
        name: for a data frame, the file name messages and the generated files cite
            [default: ``history.csv``]; a problem's line is the frame's row + 2 (the header
            is line 1).
        frames: ``"pandas"`` or ``"polars"``.

    Returns:
        a :class:`FitResult`: ``.parts`` (``parts.csv``, ready for :func:`portfolio`),
        ``.cumulative``, ``.texts`` and ``.scenarios`` per part, ``.write(out_dir)``.
    """
    frames = check_kind(frames)
    t = None if template is None else _scenario(template)
    path, text = _history_text(history, name)
    native = _native.fit(path, text, origin, None if t is None else t._native)
    return FitResult(native, frames, Path(path).name, t)


PartsArg = Union[PathLike, Any, FitResult, Tuple[str, Any]]
"""A parts list: the path of a CSV file, a data frame, a :class:`FitResult` (its
``parts.csv``), or ``(name, data frame)``."""


def _parts_item(item: Any, index: int) -> Any:
    if isinstance(item, FitResult):
        return ("parts.csv", item.files["parts.csv"].decode("utf-8"))
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        name, frame = item
        if isinstance(frame, FitResult):
            return (name, frame.files["parts.csv"].decode("utf-8"))
        if not is_frame(frame):
            raise TypeError(f"parts: ({name!r}, …) needs a data frame, not {type(frame).__name__}")
        return (name, to_csv_text(frame))
    if is_frame(item):
        return (f"parts-{index + 1}.csv", to_csv_text(item))
    if isinstance(item, (str, os.PathLike)):
        return os.fspath(item)
    raise TypeError(f"parts: expected a path, a data frame or a FitResult, not {type(item).__name__}")


def portfolio(
    parts: Union[PartsArg, Sequence[PartsArg]],
    template: ScenarioArg,
    fill_rate_target: Optional[float] = None,
    paths: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    *,
    frames: str = "pandas",
    progress: ProgressArg = False,
) -> PortfolioResult:
    """Simulates every part of a parts list with a template scenario: per part and policy
    results, the recommended policy per part, totals, ABC and XYZ classes:
    ``pimsim portfolio PARTS.csv... --template SCENARIO [--fill-rate-target F]``.

    Args:
        parts: a parts list, or several joined on ``part`` (the first gives the parts and
            their order): each the path of a CSV file, a data frame (pandas or polars: a
            ``part`` column and dotted scenario keys, ``part.unit_cost``, ``demand.rate``,
            …; a missing cell keeps the template's value), a :class:`FitResult` (its
            ``parts.csv``, exactly), or ``(name, data frame)`` to name a frame in messages
            [default names: ``parts-1.csv``, …].
        template: the template scenario every part starts from (a :class:`Scenario` or its
            path).
        fill_rate_target: recommend the cheapest policy whose fill rate is at least this.
        paths: paths per part [default: the template's ``simulation.paths``].
        seed: the portfolio seed; each part's own seed derives from it and the part's id.
        threads, frames, progress: as for :func:`run` (progress counts parts).

    Returns:
        a :class:`PortfolioResult`: ``.results`` (``portfolio.csv``), ``.parts``
        (``portfolio_parts.csv``), ``.recommended``, ``.summary`` (``portfolio.json``),
        ``.write(out_dir)``.
    """
    frames = check_kind(frames)
    items = list(parts) if isinstance(parts, list) else [parts]
    native_parts = [_parts_item(item, i) for i, item in enumerate(items)]
    if isinstance(template, Scenario):
        native_template: Any = template._native
    elif isinstance(template, (str, os.PathLike)):
        native_template = os.fspath(template)
    else:
        raise TypeError(f"template: expected a Scenario or a path, not {type(template).__name__}")
    paths, seed, threads = _settings(paths, seed, threads)
    target = None if fill_rate_target is None else float(fill_rate_target)
    native = _call(
        _native.portfolio, progress, native_parts, native_template, target, paths, seed, threads
    )
    _warn(native.warnings(), limit=10)
    return PortfolioResult(native, frames)
