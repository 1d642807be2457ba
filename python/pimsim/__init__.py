"""pimsim: what to do with spare-parts stock after end of production — hold it, scrap it, or
release it to partners and buy it back when needed — by Monte Carlo on common random numbers.

The Python binding of the pimsim library, in the words of its command line and its scenario
files (docs/python.md):

>>> import pimsim
>>> s = pimsim.Scenario.from_file("scenarios/heavy_machinery.toml")
>>> r = pimsim.run(s, paths=2000, seed=2024)
>>> r.policies[["policy", "total_cost_mean", "fill_rate"]]
>>> r.write("reports/heavy_machinery")          # the files of `pimsim run`, byte for byte

- :class:`Scenario` — a validated scenario: ``from_file``, ``from_toml``, ``from_dict``,
  ``with_overrides({"demand.half_life_years": 8})``.
- :func:`run`, :func:`sweep`, :func:`optimize`, :func:`fit`, :func:`portfolio` — the
  commands; each returns a result with pandas (or polars) frames parsed from exactly the files
  the command writes, and ``.write(out_dir)``.
- :class:`ScenarioError` (a ``ValueError``) — bad input, with every :class:`Problem`'s file,
  line, column, key and value; :class:`ScenarioWarning` — suspicious input.

Results are a pure function of (scenario, seed, paths): the same for any thread count, and
the same as the command line's.
"""

from . import _native
from ._api import fit, optimize, portfolio, run, sweep
from ._errors import Problem, ScenarioError, ScenarioWarning
from ._results import FitResult, OptimizeResult, PortfolioResult, RunResult, SweepResult
from ._scenario import Scenario

__version__: str = _native.VERSION
"""The version of the pimsim library inside (as ``summary.json``'s ``pimsim_version``)."""

MAX_PATHS: int = _native.MAX_PATHS
"""The most paths a run may have."""

__all__ = [
    "Scenario",
    "run",
    "sweep",
    "optimize",
    "fit",
    "portfolio",
    "RunResult",
    "SweepResult",
    "OptimizeResult",
    "FitResult",
    "PortfolioResult",
    "Problem",
    "ScenarioError",
    "ScenarioWarning",
    "MAX_PATHS",
    "__version__",
]
