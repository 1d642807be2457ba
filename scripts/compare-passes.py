#!/usr/bin/env python3
"""Times criterion's policy passes ('benchmark.toml/one policy's pass: …') in two checkouts,
alternating, and prints each pass's fastest sample over all rounds: on a shared machine the
medians scatter by tens of per cent, the fastest samples much less.

Usage: scripts/compare-passes.py BASE_TREE MAIN_TREE [ROUNDS]
Each tree must have its bench binary built (`cargo bench --bench engine --no-run`).
"""
import glob
import json
import os
import statistics
import subprocess
import sys

base, main = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 6


def binary(tree):
    found = [f for f in glob.glob(f"{tree}/target/release/deps/engine-*") if os.access(f, os.X_OK) and not f.endswith(".d")]
    return max(found, key=os.path.getmtime)


per = {}
for r in range(rounds):
    for tree in ([base, main] if r % 2 == 0 else [main, base]):
        subprocess.run([binary(tree), "--bench", "one policy", "--warm-up-time", "1",
                        "--measurement-time", "3", "--noplot"], cwd=tree, capture_output=True, check=True)
        for f in glob.glob(f"{tree}/target/criterion/benchmark.toml/one policy*/new/sample.json"):
            name = f.split("/")[-3].split("pass_ ")[-1]
            s = json.load(open(f))
            fastest = min(t / n / 1000 for t, n in zip(s["times"], s["iters"]))
            per.setdefault((name, tree), []).append(fastest)
for name in sorted({n for n, _ in per}):
    b, m = per[(name, base)], per[(name, main)]
    print(f"{name:12} fastest µs per block: base {min(b):8.1f}  main {min(m):8.1f} ({min(m) / min(b) - 1:+.1%});"
          f"  median of the rounds' fastest: {statistics.median(b):8.1f} → {statistics.median(m):8.1f}")
