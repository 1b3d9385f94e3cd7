#!/usr/bin/env bash
# Wall-clock ratio derived/hand that a busy machine does not skew: for each header and operation,
# ROUNDS rounds that each time one block of N iterations of derived, hand-written and byte-copy
# code, alternating their order; prints median ns per iteration and the median (and quartiles)
# of the per-round derived/hand ratios. Complements criterion (benches/runtime.rs), whose
# benchmarks run one after the other and so see different background load.
#
#   scripts/bench/wallclock.sh [ROUNDS] [N]      (defaults 101 and 20000; honours CARGO_TARGET_DIR)
#
# Target (issue 4): derived/hand <= 1.05 wall-clock.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS="${1:-101}"
N="${2:-20000}"
. scripts/bench/bench_bin.sh
echo "nproc $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(rustc --version)"
echo "$ROUNDS rounds x $N iterations per block; ns per iteration (medians)"
printf '%-10s %-13s %10s %10s %10s %14s %16s\n' subject op derived hand bytes derived/hand "ratio p25-p75"
for subject in s390_cpu vcpu_4k kvm_sregs packed_dev; do
    for op in save restore save_restore; do
        "$BIN" paired "$subject" "$op" "$ROUNDS" "$N"
    done
done
