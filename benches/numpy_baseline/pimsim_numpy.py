#!/usr/bin/env python3
"""A vectorised NumPy Monte Carlo of pimsim's benchmark scenario, stepped month by month.

This is the baseline of issue 5: "a vectorised NumPy Monte Carlo stepping all paths month by
month". It reads the scenario TOML (only the subset of pimsim's model that
scenarios/benchmark.toml uses; anything else is refused) and simulates every policy on the same
monthly demand (common random numbers), vectorised over paths.

Per month m (t from m/12 to (m+1)/12), for every path:
  * orders N ~ Poisson(expected orders in the month, from the exact integral of the intensity);
  * units D = N + NegativeBinomial(N, 1/mean)  (a sum of N geometric sizes on 1, 2, ...);
  * for each policy: deliveries due at the start of the month arrive, the partner loses units to
    attrition (binomial thinning over the month), own stock serves the month's units, and
    pimsim's (s, S) = (0, 1) rule is applied to the orders after the one that empties the stock
    (see README.md: "How the month is resolved"); holding is charged on the mean of the stock at
    the start and the end of the month, shortages and buy-backs at the month's mean discount
    factor, re-manufacture runs at the discount factor of the moment they are ordered.

Two ways to hold the paths:
  * chunked (default): paths in chunks of --chunk (2**16) paths, the month's demand drawn inside
    the month loop; memory does not grow with the number of paths;
  * --no-chunk: all paths at once, with the demand drawn up front as paths x months matrices
    (orders and units, int64), as a straightforward script would keep them.

Prints, per policy, the mean total discounted cost and the fill rate with standard errors, the
mean of each cost line, a few unit counts, and paths per second; --json FILE writes the same.
"""

import argparse
import json
import math
import sys
import time
import tomllib

import numpy as np


# --------------------------------------------------------------------------------------------
# Scenario


class Scenario:
    """The numbers of a scenario, limited to what this baseline models."""

    def __init__(self, path):
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        sc = doc["scenario"]
        self.name = sc["name"]
        self.horizon = float(sc["horizon_years"])
        self.discount_rate = float(sc.get("discount_rate", 0.0))
        self.seed = int(doc.get("simulation", {}).get("seed", 0))
        part = doc["part"]
        self.unit_cost = float(part["unit_cost"])
        self.on_hand = int(part["on_hand"])
        for key in ("last_time_buy", "sale_price"):
            refuse_if(key in part, f"part.{key}")

        dem = doc["demand"]
        refuse_if(dem.get("model") != "exponential", "demand.model other than exponential")
        self.rate0 = float(dem["rate"])
        if "half_life_years" in dem:
            self.beta = math.log(2.0) / float(dem["half_life_years"])
        else:
            self.beta = float(dem["decay_rate"])
        refuse_if("uncertainty" in dem or "obsolescence" in dem, "demand uncertainty/obsolescence")
        size = dem.get("order_size", {})
        refuse_if(size.get("distribution") != "geometric", "order sizes other than geometric")
        self.size_mean = float(size["mean"])
        refuse_if(self.size_mean <= 1.0, "geometric mean <= 1")

        costs = doc["costs"]
        self.holding_cost = float(costs["holding_rate"]) * self.unit_cost  # per unit-year
        refuse_if("holding" in costs, "costs.holding components")
        self.salvage = float(costs.get("salvage_value", 0.0))
        self.penalty = float(costs.get("shortage_penalty", 0.0))
        refuse_if(costs.get("unmet_demand", "lost") != "lost", "backorders")
        refuse_if("stock" in doc and float(doc["stock"].get("shrinkage_rate", 0)) > 0,
                  "losses in storage")

        rep = doc.get("replenishment", {})
        self.reorder_point = int(rep.get("reorder_point", 0))
        self.order_up_to = int(rep.get("order_up_to", self.reorder_point + 1))
        # The monthly resolution below relies on (s, S) = (0, 1): one unit asked per order.
        refuse_if((self.reorder_point, self.order_up_to) != (0, 1), "(s, S) other than (0, 1)")

        rm = doc.get("remanufacture")
        refuse_if(rm is None or not rm.get("enabled", True), "no re-manufacture")
        self.setup_cost = float(rm.get("setup_cost", 0.0))
        self.reman_unit_cost = float(rm.get("unit_cost", self.unit_cost))
        self.lead_months = float(rm.get("lead_time_years", 0.0)) * 12.0
        self.min_batch = int(rm.get("min_batch", 1))
        refuse_if(float(rm.get("cost_escalation", 0.0)) != 0.0, "cost escalation")
        refuse_if("batch_cover_years" in rm, "batch_cover_years")
        refuse_if(float(rm.get("available_until_years", self.horizon)) < self.horizon,
                  "re-manufacture ending before the horizon")
        refuse_if(self.lead_months <= 0.0, "zero lead time")

        partners = doc.get("partner", [])
        refuse_if(len(partners) > 1, "more than one partner")
        self.partner = None
        if partners:
            p = partners[0]
            refuse_if(float(p.get("response_days", 0.0)) != 0.0, "partner response time")
            refuse_if(float(p.get("order_fee", 0.0)) != 0.0, "partner order fee")
            self.partner = {
                "release_price": float(p.get("release_price", 0.0)),
                "buyback_price": float(p["buyback_price"]),
                "reliability": float(p.get("reliability", 1.0)),
                "attrition_rate": float(p.get("attrition_rate", 0.0)),
            }

        self.policies = []
        for p in doc["policy"]:
            kind = p["kind"]
            refuse_if(kind not in ("hold", "scrap", "partner_release"), f"policy kind {kind}")
            refuse_if(float(p.get("at_years", 0.0)) != 0.0, "dispositions after t = 0")
            refuse_if("review_every_years" in p or "replenishment" in p,
                      "reviews / per-policy replenishment")
            retain = None
            if kind != "hold":
                retain = p["retain"]
                refuse_if(not isinstance(retain, int), "retain rules other than an integer")
            refuse_if(kind == "partner_release" and self.partner is None, "release without partner")
            self.policies.append({"name": p["name"], "kind": kind, "retain": retain})

        months = self.horizon * 12.0
        refuse_if(abs(months - round(months)) > 1e-9, "a horizon that is not whole months")
        self.months = int(round(months))


def refuse_if(cond, what):
    if cond:
        sys.exit(f"pimsim_numpy: not supported by this baseline: {what}")


class Calendar:
    """Per-month constants: expected orders, discounting."""

    def __init__(self, sc):
        m = np.arange(sc.months + 1, dtype=np.float64)
        t = m / 12.0
        ecum = np.exp(-sc.beta * t)
        # Expected orders in month m: integral of rate0 * exp(-beta t) over the month.
        self.expected_orders = sc.rate0 / sc.beta * (ecum[:-1] - ecum[1:])
        r = math.log1p(sc.discount_rate)
        self.r = r
        v = np.exp(-r * t)  # discount factor at month boundaries
        g = (1.0 - v) / r if r > 0 else t.copy()  # discounted time G(t)
        dg = np.diff(g)  # discounted length of each month, years
        self.mean_discount = dg * 12.0  # mean discount factor over the month
        self.half_holding = 0.5 * sc.holding_cost * dg  # trapezoid weight per unit
        self.horizon_discount = float(v[-1])


# --------------------------------------------------------------------------------------------
# Simulation


NEVER = np.iinfo(np.int64).max


class PolicyState:
    """One policy on a block of paths."""

    def __init__(self, sc, pol, n, eager_attrition=False):
        self.pol = pol
        self.kind = pol["kind"]
        start = sc.on_hand if self.kind == "hold" else min(sc.on_hand, pol["retain"])
        excess = sc.on_hand - start
        self.x = np.full(n, start, dtype=np.int64)  # units on hand
        self.on_order = np.zeros(n, dtype=np.int64)  # re-manufactured units on order
        self.due = np.full(n, -1, dtype=np.int64)  # month the order arrives (start of month)
        self.has_partner = self.kind == "partner_release"
        self.h = np.full(n, excess if self.has_partner else 0, dtype=np.int64)  # partner's units
        self.attrition = sc.partner["attrition_rate"] if self.has_partner else 0.0
        self.eager_attrition = eager_attrition
        # Month at whose start the partner's count was last thinned (lazy attrition).
        self.h_month = np.zeros(n, dtype=np.int64)
        # Per-path cost lines (discounted) and short units.
        self.holding = np.zeros(n)
        self.shortage = np.zeros(n)
        self.reman = np.zeros(n)
        self.buyback = np.zeros(n)
        self.short_units = np.zeros(n, dtype=np.int64)
        # Lines that are the same on every path (t = 0 dispositions).
        self.disposal = -sc.salvage * excess if self.kind == "scrap" else 0.0
        self.release = (-sc.partner["release_price"] * excess) if self.has_partner else 0.0
        # Counts summed over paths.
        self.c = {"bought_back": 0, "remanufactured_ordered": 0, "remanufacture_runs": 0,
                  "requests": 0, "honoured": 0}
        self.tmp = np.empty(n)
        self.served = np.empty(n, dtype=np.int64)

    def step(self, sc, cal, rng, m, n_orders, units):
        x, tmp, served = self.x, self.tmp, self.served
        # Re-manufactured units due at the start of this month arrive.
        arriving = self.due == m
        if arriving.any():
            x[arriving] += self.on_order[arriving]
            self.on_order[arriving] = 0
            self.due[arriving] = -1
        # The partner's attrition is applied lazily, when a request needs its count: see
        # _resolve_trigger (binomial thinning over the months since the last request).
        if self.eager_attrition and self.has_partner and self.attrition > 0:
            self.h -= rng.binomial(self.h, -math.expm1(-self.attrition / 12.0))
        # Holding: first half of the trapezoid, on the stock at the start of the month.
        np.multiply(x, cal.half_holding[m], out=tmp)
        self.holding += tmp
        # Own stock serves first.
        np.minimum(units, x, out=served)
        # Orders that empty the stock while nothing is on order trigger (s, S) = (0, 1).
        trig = np.flatnonzero((self.on_order == 0) & (units >= x))
        x -= served
        short = units - served  # before buy-backs
        if trig.size:
            self._resolve_trigger(sc, cal, rng, m, trig, n_orders, units, short)
        self.short_units += short
        np.multiply(short, sc.penalty * cal.mean_discount[m], out=tmp)
        self.shortage += tmp
        # Holding: second half, on the stock at the end of the month.
        np.multiply(x, cal.half_holding[m], out=tmp)
        self.holding += tmp

    def finish(self, sc):
        """Runs re-manufactured in the last month whose arrival was rounded up to the horizon
        arrive at its end (no holding; on hand at the horizon, salvaged)."""
        arriving = self.due == sc.months
        self.x[arriving] += self.on_order[arriving]
        self.on_order[arriving] = 0

    def _resolve_trigger(self, sc, cal, rng, m, idx, n_orders, units, short):
        """Paths `idx` ran out this month with nothing on order: the order that took the last
        unit triggers a request, and so does every later order of the month while requests are
        honoured (each ships one unit at once, which serves the next order)."""
        ni = n_orders[idx]
        di = units[idx]
        xi = di - short[idx]  # stock at the start of the month (all of it was served)
        # Orders of the month that start after the unit that emptied the stock. Given N orders
        # and D units, geometric sizes make every split of the D units into N orders equally
        # likely, so that count is hypergeometric.
        later = rng.hypergeometric(ni - 1, di - ni, di - xi)
        requests = later + 1
        if self.has_partner:
            hi = self.h[idx]
            if not self.eager_attrition and self.attrition > 0:
                # Each unit still at the partner stays through the months since the last
                # thinning independently with probability exp(-a * months / 12): one binomial
                # draw is the same in distribution as one per month.
                stay = np.exp(-self.attrition / 12.0 * (m - self.h_month[idx]))
                hi = rng.binomial(hi, stay)
                self.h_month[idx] = m
            rel = sc.partner["reliability"]
            if rel < 1.0:
                # Honoured requests before the first refusal.
                streak = rng.geometric(1.0 - rel, size=idx.size) - 1
            else:
                streak = np.full(idx.size, np.iinfo(np.int64).max)
            honoured = np.minimum(streak, hi)
            ok = honoured >= requests
            shipped = np.where(ok, requests, honoured)
            used = np.where(ok, later, honoured)  # bought-back units taken by later orders
            self.h[idx] = hi - shipped
            short[idx] -= used
            self.x[idx] = ok  # the last unit shipped waits for the next order
            nship = int(shipped.sum())
            self.buyback[idx] += (sc.partner["buyback_price"] * cal.mean_discount[m]) * shipped
            self.c["bought_back"] += nship
            self.c["honoured"] += nship
            refused = (~ok) & (streak < hi)  # the failing request reached a partner with units
            self.c["requests"] += nship + int(refused.sum())
            fail = np.flatnonzero(~ok)
        else:
            honoured = np.zeros(idx.size, dtype=np.int64)
            fail = np.arange(idx.size)
        if fail.size == 0:
            return
        # Re-manufacture, ordered after order number (first + honoured) of the month; its time
        # within the month is that order statistic of the month's N uniform order times.
        j = ni[fail] - later[fail] + honoured[fail]  # 1-based order number, 1..N
        u = rng.beta(j, ni[fail] - j + 1)
        t_order = (m + u) / 12.0
        qty = max(sc.order_up_to, sc.min_batch)  # position is 0 when a run is ordered
        run_cost = sc.setup_cost + sc.reman_unit_cost * qty
        p = idx[fail]
        self.reman[p] += run_cost * np.exp(-cal.r * t_order)
        self.on_order[p] = qty
        # Arrival at month m + u + lead, rounded to a month start at random (up with
        # probability of the fraction): unbiased in the time the stock is out.
        arrival = m + u + sc.lead_months
        base = np.floor(arrival)
        due = (base + (rng.random(fail.size) < arrival - base)).astype(np.int64)
        # At or after the horizon: never arrives (events at T are beyond it). Before it but
        # rounded up to the horizon: arrives at the end of the last month (see finish).
        due[arrival >= sc.months] = NEVER
        self.due[p] = due
        self.c["remanufacture_runs"] += int(fail.size)
        self.c["remanufactured_ordered"] += int(fail.size) * qty


def draw_units(rng, n_orders, q):
    """Units of N geometric(q) sizes on 1, 2, ...: N + NB(N, q) where N > 0."""
    units = n_orders.copy()
    nz = np.flatnonzero(n_orders)
    if nz.size:
        units[nz] += rng.negative_binomial(n_orders[nz], q)
    return units


def simulate_block(sc, cal, rng, n, demand=None, eager_attrition=False, months_first=False):
    """Simulates `n` paths of every policy. `demand` = (orders, units) matrices (paths x months,
    or months x paths with `months_first`) drawn beforehand, or None to draw each month's demand
    inside the month loop."""
    q = 1.0 / sc.size_mean
    states = [PolicyState(sc, pol, n, eager_attrition) for pol in sc.policies]
    demanded = np.zeros(n, dtype=np.int64)
    for m in range(sc.months):
        if demand is None:
            n_orders = rng.poisson(cal.expected_orders[m], size=n)
            units = draw_units(rng, n_orders, q)
        else:
            # A column of a paths x months matrix (strided), or a row of months x paths.
            n_orders = demand[0][m] if months_first else demand[0][:, m]
            units = demand[1][m] if months_first else demand[1][:, m]
        demanded += units
        for st in states:
            st.step(sc, cal, rng, m, n_orders, units)
    for st in states:
        st.finish(sc)
    return states, demanded


class Moments:
    """Mean and sum of squared deviations, combined across blocks (Chan et al.)."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values):
        nb = values.size
        mb = float(values.mean())
        m2b = float(((values - mb) ** 2).sum())
        n = self.n + nb
        delta = mb - self.mean
        self.mean += delta * nb / n
        self.m2 += m2b + delta * delta * self.n * nb / n
        self.n = n

    def std_err(self):
        return math.sqrt(self.m2 / (self.n - 1) / self.n) if self.n > 1 else float("nan")


class PolicyTotals:
    LINES = ("holding", "disposal", "release", "buyback", "remanufacture", "shortage",
             "end_of_horizon")

    def __init__(self, name):
        self.name = name
        self.total = Moments()
        self.lines = dict.fromkeys(self.LINES, 0.0)
        self.counts = {}
        # Fill rate F = sum(filled) / sum(demanded), standard error by the delta method.
        self.sf = self.sd = self.sff = self.sdd = self.sfd = 0.0
        self.short = 0
        self.on_hand_at_horizon = 0

    def add(self, sc, cal, st, demanded):
        eoh = -sc.salvage * cal.horizon_discount * st.x
        total = st.holding + st.shortage + st.reman + st.buyback + eoh
        total += st.disposal + st.release
        self.total.add(total)
        for key, arr in (("holding", st.holding), ("buyback", st.buyback),
                         ("remanufacture", st.reman), ("shortage", st.shortage),
                         ("end_of_horizon", eoh)):
            self.lines[key] += float(arr.sum())
        self.lines["disposal"] += st.disposal * st.x.size
        self.lines["release"] += st.release * st.x.size
        for k, v in st.c.items():
            self.counts[k] = self.counts.get(k, 0) + v
        self.short += int(st.short_units.sum())
        self.on_hand_at_horizon += int(st.x.sum())
        f = (demanded - st.short_units).astype(np.float64)
        d = demanded.astype(np.float64)
        self.sf += f.sum()
        self.sd += d.sum()
        self.sff += (f * f).sum()
        self.sdd += (d * d).sum()
        self.sfd += (f * d).sum()

    def result(self):
        n = self.total.n
        fill = self.sf / self.sd
        fbar, dbar = self.sf / n, self.sd / n
        var_f = (self.sff - n * fbar * fbar) / (n - 1)
        var_d = (self.sdd - n * dbar * dbar) / (n - 1)
        cov = (self.sfd - n * fbar * dbar) / (n - 1)
        var_ratio = (var_f - 2 * fill * cov + fill * fill * var_d) / (n * dbar * dbar)
        return {
            "name": self.name,
            "total_cost": {"mean": self.total.mean, "std_err": self.total.std_err()},
            "fill_rate": {"value": fill, "std_err": math.sqrt(max(var_ratio, 0.0))},
            "cost_breakdown": {k: v / n for k, v in self.lines.items()},
            "units": {"demanded": self.sd / n, "short": self.short / n,
                      "on_hand_at_horizon": self.on_hand_at_horizon / n,
                      **{k: v / n for k, v in self.counts.items()}},
        }


def draw_all_demand(sc, cal, rng, n, months_first=False):
    """The whole demand as paths x months matrices, as a straightforward script keeps it (or
    months x paths, which makes each month's slice contiguous)."""
    if months_first:
        n_orders = rng.poisson(cal.expected_orders[:, None], size=(sc.months, n))
    else:
        n_orders = rng.poisson(cal.expected_orders, size=(n, sc.months))
    units = n_orders.copy()
    nz = n_orders > 0
    units[nz] += rng.negative_binomial(n_orders[nz], 1.0 / sc.size_mean)
    return n_orders, units


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("scenario", help="scenario TOML (scenarios/benchmark.toml)")
    ap.add_argument("--paths", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=None, help="default: the scenario's seed")
    ap.add_argument("--chunk", type=int, default=1 << 16, help="paths per chunk (2**16)")
    ap.add_argument("--no-chunk", action="store_true",
                    help="all paths at once, demand drawn up front as paths x months matrices")
    ap.add_argument("--months-first", action="store_true",
                    help="with --no-chunk: keep the demand as months x paths instead")
    ap.add_argument("--eager-attrition", action="store_true",
                    help="thin the partner's units every month on every path (a binomial draw "
                         "per path and month) instead of lazily at requests; same distribution")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    if args.months_first and not args.no_chunk:
        ap.error("--months-first goes with --no-chunk")

    sc = Scenario(args.scenario)
    cal = Calendar(sc)
    seed = sc.seed if args.seed is None else args.seed
    rng = np.random.Generator(np.random.PCG64(seed))
    totals = [PolicyTotals(p["name"]) for p in sc.policies]

    t0 = time.perf_counter()
    if args.no_chunk:
        demand = draw_all_demand(sc, cal, rng, args.paths, args.months_first)
        states, demanded = simulate_block(sc, cal, rng, args.paths, demand,
                                          args.eager_attrition, args.months_first)
        for tot, st in zip(totals, states):
            tot.add(sc, cal, st, demanded)
        del demand
    else:
        done = 0
        while done < args.paths:
            n = min(args.chunk, args.paths - done)
            states, demanded = simulate_block(sc, cal, rng, n, None, args.eager_attrition)
            for tot, st in zip(totals, states):
                tot.add(sc, cal, st, demanded)
            done += n
    elapsed = time.perf_counter() - t0

    results = [t.result() for t in totals]
    if args.no_chunk:
        mode = "no-chunk, " + ("months x paths" if args.months_first else "paths x months")
    else:
        mode = f"chunks of {args.chunk}"
    print(f"{sc.name}: {args.paths} paths, seed {seed}, {sc.months} months, {mode}")
    print(f"{'policy':<12} {'mean cost':>10} {'± s.e.':>8} {'fill rate':>10} {'± s.e.':>8}")
    for r in results:
        print(f"{r['name']:<12} {r['total_cost']['mean']:>10.1f} {r['total_cost']['std_err']:>8.2f}"
              f" {100 * r['fill_rate']['value']:>9.3f}% {100 * r['fill_rate']['std_err']:>7.3f}%")
    for r in results:
        lines = ", ".join(f"{k} {v:.1f}" for k, v in r["cost_breakdown"].items() if v != 0.0)
        units = ", ".join(f"{k} {v:.3f}" for k, v in r["units"].items())
        print(f"  {r['name']}: {lines}\n    units per path: {units}")
    rate = args.paths / elapsed
    print(f"simulation: {elapsed:.2f} s, {rate:,.0f} paths/s (three policies together)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"scenario": sc.name, "paths": args.paths, "seed": seed, "mode": mode,
                       "seconds": elapsed, "paths_per_second": rate, "policies": results},
                      f, indent=1)


if __name__ == "__main__":
    main()
