# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Spare-parts stock after end of production: the heavy-machinery case
#
# A mining excavator's main hydraulic pump (HP-4417) left production with **600 pumps on
# hand**. The fleet of 1,500 excavators retires over the next decades while the pumps that
# remain fail more often as they age. Keep every pump (**hold**), **scrap** all but ten years'
# worth, or **release** the excess to the dealer network and a rebuilder and buy pumps back
# when our own shelf is empty (**partner release**)? Re-manufacture is possible for twelve
# years, at a setup cost and a lead time; a pump we cannot deliver costs 20,000 EUR of idle
# excavator.
#
# This notebook walks the case as an analyst would, with the `pimsim` package: run the
# scenario, look at the cost distributions and the stock over time, ask what-if questions, map
# where each policy wins (a sweep), then fit a real demand history and run a whole portfolio.
# Path counts are kept small so that it runs in seconds; the command line's defaults
# (20,000 paths here) give tighter intervals.
#
# Source: `python/examples/heavy_machinery.py` (a jupytext percent script); the notebook
# beside it is generated from it (`python examples/build_notebook.py`) and executed in CI.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import pimsim
from matplotlib.colors import ListedColormap


def repository_root(start: Path = Path.cwd()) -> Path:
    """The clone of the repository this notebook runs in (it holds scenarios/)."""
    for directory in [start, *start.parents]:
        if (directory / "scenarios" / "heavy_machinery.toml").is_file():
            return directory
    raise FileNotFoundError("run this notebook inside a clone of the pimsim repository")


ROOT = repository_root()
SCENARIOS = ROOT / "scenarios"
print("pimsim", pimsim.__version__)

# %% [markdown]
# ## 1. The scenario
#
# A scenario is a TOML file. `Scenario.from_file` reads and validates it exactly as
# `pimsim check` does: a mistake raises `pimsim.ScenarioError` naming the file, line, column
# and key.

# %%
scenario = pimsim.Scenario.from_file(SCENARIOS / "heavy_machinery.toml")
print(scenario)
tables = scenario.to_dict()
tables["part"], tables["demand"]

# %% [markdown]
# ## 2. Run it
#
# Every policy is evaluated on the *same* demand paths (common random numbers), so the
# differences between policies are measured path by path. `pimsim.run` is `pimsim run`:
# the same numbers for the same seed and paths, and `print(result)` is its table.

# %%
result = pimsim.run(scenario, paths=4000, progress=True)
print(result)

# %%
result.policies[
    ["policy", "kind", "total_cost_mean", "total_cost_p95", "fill_rate", "no_stockout_probability"]
]

# %% [markdown]
# Against the baseline (the first policy, *hold*), paired on the same paths: the mean
# difference with its 95 % interval and the share of paths on which each policy is cheaper.

# %%
result.comparison[["policy", "mean_difference", "ci95_low", "ci95_high", "probability_cheaper"]]

# %% [markdown]
# ## 3. Cost distributions
#
# A mean hides the risk: the histograms of total discounted cost per policy (the bins are
# shared by all policies).

# %%
hist = result.cost_histograms
fig, ax = plt.subplots(figsize=(9, 4))
for policy, h in hist.groupby("policy", sort=False):
    edges = list(h["bin_low"]) + [h["bin_high"].iloc[-1]]
    ax.stairs(h["count"] / result.paths, [e / 1e6 for e in edges], label=policy)
ax.set_xlabel("total discounted cost per part (million EUR)")
ax.set_ylabel("share of paths")
ax.set_title("Distribution of total cost")
ax.legend()
plt.show()

# %% [markdown]
# ## 4. The stock fan
#
# Stock on hand over time: the median and the 5–95 % band across paths, one panel per policy.
# Scrapping and releasing cut the stock at t = 0; the partner-release policies then buy units
# back or re-manufacture when the shelf runs empty.

# %%
ts = result.timeseries
policies = scenario.policies
fig, axes = plt.subplots(1, len(policies), figsize=(16, 3.4), sharey=True)
for ax, policy in zip(axes, policies):
    p = ts[ts["policy"] == policy]
    ax.fill_between(p["time_years"], p["on_hand_p05"], p["on_hand_p95"], alpha=0.3, label="P5–P95")
    ax.plot(p["time_years"], p["on_hand_p50"], label="median")
    ax.set_title(policy, fontsize=9)
    ax.set_xlabel("years after EOP")
axes[0].set_ylabel("units on hand")
axes[0].legend()
plt.show()

# %% [markdown]
# ## 5. What if?
#
# `with_overrides` changes fields by the dotted names that sweeps and parts files use, and
# validates the scenario again. What if the dealer network is less reliable than we think,
# and the fleet retires more slowly?

# %%
pessimistic = scenario.with_overrides(
    {"partner.dealer-network.reliability": 0.6, "demand.retirement_scale_years": 18.0}
)
what_if = pimsim.run(pessimistic, paths=4000)
compare = result.policies[["policy", "total_cost_mean", "fill_rate"]].merge(
    what_if.policies[["policy", "total_cost_mean", "fill_rate"]],
    on="policy",
    suffixes=("", "_what_if"),
)
compare

# %% [markdown]
# ## 6. A sweep as a decision map
#
# `scenarios/sweep_release_vs_scrap.toml` (a harvester bearing) sweeps the demand half-life
# against the dealers' reliability. `pimsim.sweep` evaluates every point on the same paths;
# `.cheapest` holds the decision map's cells: the cheapest policy per point and its lead
# over the runner-up.

# %%
sweep = pimsim.sweep(SCENARIOS / "sweep_release_vs_scrap.toml", paths=500)
cells = sweep.cheapest
cells

# %%
half_lives = sorted(cells["demand.half_life_years"].unique())
reliabilities = sorted(cells["partner.dealers.reliability"].unique())
names = sorted(cells["cheapest"].unique())
grid = cells.pivot(index="demand.half_life_years", columns="partner.dealers.reliability", values="cheapest")
lead = cells.pivot(index="demand.half_life_years", columns="partner.dealers.reliability", values="lead")
colours = ListedColormap(plt.cm.Pastel2.colors[: len(names)])
fig, ax = plt.subplots(figsize=(6, 3.5))
codes = grid.apply(lambda column: column.map(names.index)).to_numpy(dtype=float)
ax.imshow(codes, cmap=colours, vmin=-0.5, vmax=len(names) - 0.5, origin="lower", aspect="auto")
for i, h in enumerate(half_lives):
    for j, r in enumerate(reliabilities):
        ax.text(j, i, f"{grid.loc[h, r]}\n+{lead.loc[h, r]:,.0f}", ha="center", va="center", fontsize=8)
ax.set_xticks(range(len(reliabilities)), [f"{r:g}" for r in reliabilities])
ax.set_yticks(range(len(half_lives)), [f"{h:g}" for h in half_lives])
ax.set_xlabel("dealer reliability")
ax.set_ylabel("demand half-life (years)")
ax.set_title("Cheapest policy, and its lead over the runner-up")
plt.show()

# %% [markdown]
# Releasing wins unless demand fades slowly and the dealers are unreliable, where holding
# wins.
#
# ## 7. From an ERP history to a portfolio
#
# `scenarios/history/history.csv` is a synthetic demand history of 300 parts. The decision is
# taken today, at the end of the history, so the demand is fitted with `origin="end"` (as
# `pimsim fit --origin end` in docs/portfolios.md): each part's fitted decay continued from
# today.

# %%
fitted = pimsim.fit(SCENARIOS / "history" / "history.csv", origin="end")
fitted.parts[["part", "demand.model", "demand.rate", "demand.half_life_years", "fit.sb_class"]].head()

# %%
fitted.parts["fit.sb_class"].value_counts()

# %% [markdown]
# Every part then runs with the template scenario and the ERP's part master (unit costs,
# today's stock, prices), joined on `part`: `pimsim portfolio parts.csv part_master.csv
# --template portfolio_template.toml`. Passing the fit result itself uses its `parts.csv`
# exactly.

# %%
portfolio = pimsim.portfolio(
    [fitted, SCENARIOS / "history" / "part_master.csv"],
    SCENARIOS / "portfolio_template.toml",
    paths=300,
    progress=True,
)
print(portfolio)

# %% [markdown]
# ## 8. The recommendation
#
# Per part, the policy of least mean total cost; the value at stake is its saving against
# holding, on the same paths.

# %%
parts = portfolio.parts
summary = portfolio.summary
best_mix = summary["best_mix"]
print(parts["recommended_policy"].value_counts().to_string())
saving = best_mix["saving_vs_baseline"]
print(
    f"\nThe best mix saves {saving['mean']:,.0f} ± {1.96 * saving['std_err']:,.0f} (95 % CI) "
    f"against holding every part."
)

# %%
top = parts.sort_values("saving_rank").head(10)
top[["part", "abc", "xyz", "recommended_policy", "recommended_total_cost_mean", "saving_vs_baseline"]]

# %%
ranked = parts.sort_values("saving_rank")
share = ranked["saving_vs_baseline"].cumsum() / ranked["saving_vs_baseline"].sum()
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(range(1, len(share) + 1), share)
ax.axhline(0.8, ls=":", c="grey")
ax.set_xlabel("parts, most value at stake first")
ax.set_ylabel("share of the total saving")
ax.set_title("Where the saving is")
plt.show()
print(f"{(share < 0.8).sum() + 1} parts carry 80 % of the saving.")

# %% [markdown]
# ## 9. The files
#
# Each result writes the files of its command — the same bytes as the command line — all at
# once into a directory of its own (a non-empty directory pimsim did not write is refused).

# %%
import tempfile

out = Path(tempfile.mkdtemp()) / "heavy_machinery"
result.write(out)
sorted(p.name for p in out.iterdir())
