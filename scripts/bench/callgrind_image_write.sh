#!/usr/bin/env bash
# Instructions per write of the s390 task image under callgrind (benches/image_write.rs): a plain
# writer against a describing one (`Writer::describing`: a description of each header type before
# its first record). Each count is (instructions of N writes - instructions of N empty iterations)
# / N. Deterministic. The figures that made descriptions opt-in (README, "Descriptions").
#
#   scripts/bench/callgrind_image_write.sh [N]        (default N = 20000; honours CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"
command -v valgrind >/dev/null || { echo "valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }

echo "building the image_write bench binary (bench profile: release, optimized)..." >&2
BENCH=image_write . scripts/bench/bench_bin.sh
"$BIN" # every variant runs; prints the two images' sizes

count() { # variant -> instructions collected
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$1" "$N" 2>&1 |
        sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p'
}

echo "valgrind: $(valgrind --version); rustc: $(rustc --version); N = $N writes"
empty=$(count empty)
declare -A per=()
for variant in plain described; do
    total=$(count "$variant")
    per[$variant]=$(python3 -c "print(f'{($total - $empty) / $N:.1f}')")
    printf '%-10s %10s instructions per write\n' "$variant" "${per[$variant]}"
done
echo "described/plain = $(python3 -c "print(f'{${per[described]} / ${per[plain]}:.2f}')")"
