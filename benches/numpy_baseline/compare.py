#!/usr/bin/env python3
"""Compares pimsim_numpy.py's --json output with a pimsim summary.json of the same scenario.

    python3 compare.py PIMSIM_OUT/summary.json NUMPY.json

Standard library only. Differences are shown relative to pimsim and in units of the combined
standard error of the two means (|z| below about 3 is what two independent Monte Carlo
estimates of the same quantity give).
"""

import json
import math
import sys


def main():
    pim = json.load(open(sys.argv[1]))
    npy = json.load(open(sys.argv[2]))
    print(f"pimsim: {pim['paths']} paths, seed {pim['seed']};  numpy: {npy['paths']} paths, "
          f"seed {npy['seed']}, {npy['mode']}")
    by_name = {p["name"]: p for p in npy["policies"]}
    for p in pim["policies"]:
        q = by_name[p["name"]]
        print(f"\n{p['name']}")
        print(f"  {'':<22} {'pimsim':>12} {'numpy':>12} {'diff':>9} {'rel':>8} {'z':>6}")
        a, sa = p["total_cost"]["mean"], p["total_cost"]["std_err"]
        b, sb = q["total_cost"]["mean"], q["total_cost"]["std_err"]
        row("total_cost (mean)", a, b, math.hypot(sa, sb))
        row("fill_rate", p["fill_rate"], q["fill_rate"]["value"], None, pct=True)
        for k, v in q["cost_breakdown"].items():
            row(f"  {k}", p["cost_breakdown"][k], v, None)
        units = p["units"]
        partner = p["partners"][0] if p["partners"] else {}
        pairs = [
            ("units short", units["short"], q["units"]["short"]),
            ("units bought back", units["bought_back"], q["units"]["bought_back"]),
            ("partner requests", partner.get("requests", 0.0), q["units"]["requests"]),
            ("re-manufacture runs", units["remanufacture_runs"], q["units"]["remanufacture_runs"]),
            ("units re-manufactured*", units["remanufactured"] + units["on_order_at_horizon"],
             q["units"]["remanufactured_ordered"]),
            ("on hand at horizon", units["on_hand_at_horizon"], q["units"]["on_hand_at_horizon"]),
            ("units demanded", units["demanded"], q["units"]["demanded"]),
        ]
        for name, x, y in pairs:
            row(name, x, y, None)
    print("\n* ordered: delivered plus on order at the horizon")


def row(name, a, b, se, pct=False):
    diff = b - a
    rel = f"{100 * diff / a:+.2f}%" if a else ""
    z = f"{diff / se:+.1f}" if se else ""
    if pct:
        print(f"  {name:<22} {100 * a:>11.3f}% {100 * b:>11.3f}% {100 * diff:>+8.3f}p {'':>8} {z:>6}")
    else:
        print(f"  {name:<22} {a:>12.2f} {b:>12.2f} {diff:>+9.2f} {rel:>8} {z:>6}")


if __name__ == "__main__":
    main()
