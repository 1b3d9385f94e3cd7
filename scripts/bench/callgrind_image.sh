#!/usr/bin/env bash
# Instructions per read of the s390 task image under callgrind (benches/image_read.rs): a whole
# read (head, cr_hdr_cpu, cr_hdr_mm_context, end record; every check) of an image in this
# machine's byte order, and of the same image in the other byte order. Each count is
# (instructions of N reads - instructions of N empty iterations) / N. Deterministic.
#
#   scripts/bench/callgrind_image.sh [N]        (default N = 20000; honours CARGO_TARGET_DIR)
#
# Target (issue 21): a foreign-order read costs at most 2x a native one.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

echo "building the image_read bench binary (bench profile: release, optimized)..." >&2
BENCH=image_read . scripts/bench/bench_bin.sh
"$BIN" >/dev/null # every variant runs

count() { # variant -> instructions collected
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$1" "$N" 2>&1 |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p'
}

VARIANTS="${VARIANTS:-native foreign}"
echo "valgrind: $(valgrind --version); rustc: $(rustc --version); N = $N reads"
empty=$(count empty)
declare -A per=()
for variant in $VARIANTS; do
    total=$(count "$variant")
    per[$variant]=$(python3 -c "print(f'{($total - $empty) / $N:.1f}')")
    printf '%-8s %10s instructions per read\n' "$variant" "${per[$variant]}"
done
if [ -n "${per[foreign]:-}" ]; then
    echo "foreign/native = $(python3 -c "print(f'{${per[foreign]} / ${per[native]}:.3f}')") (target <= 2)"
fi
