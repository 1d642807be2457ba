#!/usr/bin/env python3
"""Efficiency of pimsim against the NumPy baseline, measured side by side in one run.

    python3 benches/numpy_baseline/efficiency.py [--paths 200000] [--repeats 3] \
        [--python /tmp/npvenv/bin/python] [--pimsim target/release/pimsim]

Efficiency = 1 / (standard error² × wall-clock seconds) of the mean total cost, per policy:
the precision bought per second. Both programs run on scenarios/benchmark.toml with the same
path count, alternately (NumPy, pimsim, NumPy, pimsim, ...), each as a whole process (start-up
included), one at a time. pimsim's figure uses its primary (control-variate) standard error;
its plain one is shown beside it. The median wall time of the repeats is used.

Then the variance reduction of every bundled scenario (pimsim only, at each scenario's own
path count): plain variance ÷ residual variance after the control variates, per policy.

Standard library only (the NumPy baseline needs NumPy in the interpreter given by --python).
"""

import argparse
import glob
import json
import os
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--paths", type=int, default=200_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--python", default="/tmp/npvenv/bin/python")
    ap.add_argument("--pimsim", default=os.path.join(ROOT, "target/release/pimsim"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    scenario = os.path.join(ROOT, "scenarios/benchmark.toml")
    tmp = tempfile.mkdtemp(prefix="pimsim-efficiency-")
    np_json = os.path.join(tmp, "numpy.json")
    pim_out = os.path.join(tmp, "pimsim")
    np_walls, pim_walls = [], []
    for i in range(args.repeats):
        la = load()
        np_walls.append(timed([args.python, os.path.join(HERE, "pimsim_numpy.py"), scenario,
                               "--paths", str(args.paths), "--json", np_json]))
        lb = load()
        pim_walls.append(timed([args.pimsim, "run", scenario, "--paths", str(args.paths),
                                "--threads", str(args.threads), "--quiet", "--no-report",
                                "--out", pim_out]))
        print(f"run {i + 1}: load {la} numpy {np_walls[-1]:.2f} s; load {lb} pimsim "
              f"{pim_walls[-1]:.2f} s")
    np_wall, pim_wall = statistics.median(np_walls), statistics.median(pim_walls)
    npy = {p["name"]: p for p in json.load(open(np_json))["policies"]}
    pim = json.load(open(os.path.join(pim_out, "summary.json")))
    print(f"\n{args.paths} paths; median wall: numpy {np_wall:.2f} s, pimsim {pim_wall:.2f} s "
          f"({np_wall / pim_wall:.1f}x faster)")
    print(f"{'policy':<12} {'se numpy':>9} {'se plain':>9} {'se CV':>9} {'var red':>8} "
          f"{'eff numpy':>10} {'eff plain':>10} {'eff CV':>10} {'plain/np':>9} {'CV/np':>7}")
    for p in pim["policies"]:
        se_np = npy[p["name"]]["total_cost"]["std_err"]
        se_plain = p["total_cost"]["plain"]["std_err"]
        se_cv = p["total_cost"]["std_err"]
        e_np = 1 / (se_np**2 * np_wall)
        e_plain = 1 / (se_plain**2 * pim_wall)
        e_cv = 1 / (se_cv**2 * pim_wall)
        vr = p["variance_reduction"]
        print(f"{p['name']:<12} {se_np:>9.3f} {se_plain:>9.3f} {se_cv:>9.3f} "
              f"{vr if vr is None else round(vr, 1)!s:>8} {e_np:>10.4g} {e_plain:>10.4g} "
              f"{e_cv:>10.4g} {e_plain / e_np:>8.1f}x {e_cv / e_np:>6.1f}x")

    print("\nvariance reduction per bundled scenario (its own paths and seed)")
    for path in sorted(glob.glob(os.path.join(ROOT, "scenarios/*.toml"))):
        out = os.path.join(tmp, os.path.basename(path)[: -len(".toml")])
        r = subprocess.run([args.pimsim, "run", path, "--threads", str(args.threads), "--quiet",
                            "--no-report", "--out", out], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        if r.returncode != 0 or not os.path.exists(os.path.join(out, "summary.json")):
            print(f"  {os.path.basename(path)}: no single run (skipped)")
            continue
        s = json.load(open(os.path.join(out, "summary.json")))
        cv = s["control_variates"]
        print(f"  {os.path.basename(path)} ({s['paths']} paths, {cv['used']} controls)")
        for p in s["policies"]:
            c = p["comparison"]
            pair = "" if c is None else f", paired difference vs {c['baseline']} " \
                f"{c['variance_reduction'] if c['variance_reduction'] is None else round(c['variance_reduction'], 1)}"
            vr = p["variance_reduction"]
            print(f"    {p['name']:<22} {vr if vr is None else round(vr, 1)}{pair}")


if __name__ == "__main__":
    main()
