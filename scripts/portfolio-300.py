#!/usr/bin/env python3
"""Writes a deterministic 300-part parts list for the --precision benchmark (docs/performance.md).

Usage: scripts/portfolio-300.py OUT.csv [PARTS]

Each part overrides the demand rate, its stock and its unit cost of
scenarios/portfolio_template.toml, spread over two decades by a fixed linear congruential
sequence (no random module, so the file is the same on every machine and Python version).
"""
import sys


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    state = 20261203
    def next_unit():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        return (state >> 11) / 2**53
    rows = ["part,demand.rate,part.on_hand,part.unit_cost"]
    for k in range(count):
        rate = round(0.5 * 100 ** next_unit(), 3)          # 0.5 to 50 orders a year
        on_hand = int(rate * (2 + 10 * next_unit()))        # 2 to 12 years of orders
        unit_cost = round(20 * 100 ** next_unit(), 2)       # 20 to 2,000 EUR
        rows.append(f"P-{k:04d},{rate},{on_hand},{unit_cost}")
    with open(out, "w") as f:
        f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
