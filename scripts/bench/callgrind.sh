#!/usr/bin/env bash
# Instruction counts per iteration under callgrind for the runtime variants of benches/common:
# derived (#[derive(CrCopy)]) vs hand-written, with the byte-copy floor and serde + postcard for
# scale. Each count is (instructions of N iterations - instructions of N empty iterations) / N;
# the set-up (identical for every variant) cancels out. Deterministic: no timing involved.
#
#   scripts/bench/callgrind.sh [N]        (default N = 20000; honours CARGO_TARGET_DIR)
#
# Targets (issue 4): derived/hand <= 1.02 in instructions.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

echo "building the callgrind bench binary (bench profile: release, optimized)..." >&2
. scripts/bench/bench_bin.sh
"$BIN" >/dev/null # every variant runs, and derived == hand (asserted at set-up)

count() { # subject variant op -> instructions collected
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$1" "$2" "$3" "$N" 2>&1 |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p'
}

echo "valgrind: $(valgrind --version); rustc: $(rustc --version); N = $N iterations"
printf '%-10s %-13s %10s %10s %10s %10s %14s %14s\n' subject op derived hand bytes postcard derived/hand postcard/derived
worst=0
for subject in ${SUBJECTS:-s390_cpu vcpu_4k kvm_sregs packed_dev irqchip lapic msr_list}; do
    for op in save restore save_restore; do
        empty=$(count "$subject" empty "$op")
        declare -A per=()
        for variant in derived hand bytes postcard; do
            total=$(count "$subject" "$variant" "$op")
            per[$variant]=$(python3 -c "print(f'{($total - $empty) / $N:.1f}')")
        done
        ratio=$(python3 -c "print(f'{${per[derived]} / ${per[hand]}:.3f}')")
        pd=$(python3 -c "print(f'{${per[postcard]} / ${per[derived]}:.1f}')")
        printf '%-10s %-13s %10s %10s %10s %10s %14s %14s\n' "$subject" "$op" "${per[derived]}" "${per[hand]}" \
            "${per[bytes]}" "${per[postcard]}" "$ratio" "${pd}x"
        worst=$(python3 -c "print(max($worst, $ratio))")
        unset per
    done
done
echo "instructions per iteration (empty loop subtracted); worst derived/hand = $worst (target <= 1.02:" \
    "$(python3 -c "print('met' if $worst <= 1.02 else 'MISSED')"))"
