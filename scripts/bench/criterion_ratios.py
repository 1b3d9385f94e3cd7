#!/usr/bin/env python3
"""Medians and ratios from the last `cargo bench --bench runtime` run.

Reads $CARGO_TARGET_DIR/criterion/<group>/<variant>/new/{benchmark,estimates}.json (default
target dir: ./target) and prints, per group, the median time of each variant and the ratios
derived/hand (target <= 1.05), derived/bytes and postcard/derived. Wall-clock figures are noisy
on a shared 2-core machine: compare ratios from one run, and prefer callgrind.sh's counts.

    scripts/bench/criterion_ratios.py [CRITERION_DIR]
"""

import json
import os
import sys
from pathlib import Path

VARIANTS = ["derived", "hand", "bytes", "postcard"]


def main() -> int:
    root = Path(__file__).resolve().parents[2]
    default = Path(os.environ.get("CARGO_TARGET_DIR", root / "target")) / "criterion"
    crit = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    medians: dict[str, dict[str, float]] = {}
    for bench in sorted(crit.glob("*/*/new/benchmark.json")):
        meta = json.loads(bench.read_text())
        est = json.loads((bench.parent / "estimates.json").read_text())
        group, function = meta["group_id"], meta["function_id"]
        medians.setdefault(group, {})[function] = est["median"]["point_estimate"]
    if not medians:
        print(f"no criterion results under {crit}: run `cargo bench --bench runtime` first", file=sys.stderr)
        return 1
    header = f"{'group':<22}" + "".join(f"{v + ' ns':>12}" for v in VARIANTS)
    header += f"{'derived/hand':>14}{'derived/bytes':>15}{'postcard/derived':>18}"
    print(header)
    worst = 0.0
    for group in sorted(medians, key=lambda g: (g.split("/")[0], ["save", "restore", "save_restore"].index(g.split("/")[1]))):
        m = medians[group]
        if not all(v in m for v in VARIANTS):
            continue
        ratio = m["derived"] / m["hand"]
        worst = max(worst, ratio)
        row = f"{group:<22}" + "".join(f"{m[v]:>12.1f}" for v in VARIANTS)
        row += f"{ratio:>14.3f}{m['derived'] / m['bytes']:>15.2f}{m['postcard'] / m['derived']:>17.1f}x"
        print(row)
    verdict = "met" if worst <= 1.05 else "MISSED"
    print(f"medians of criterion samples; worst derived/hand = {worst:.3f} (target <= 1.05: {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
