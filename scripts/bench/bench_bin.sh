# Sourced by the bench scripts: builds the bench binary named by BENCH (default `callgrind`; bench
# profile: release, optimized) and sets BIN to its path.
BENCH="${BENCH:-callgrind}"
BIN=$(cargo bench --no-run --bench "$BENCH" --message-format=json 2>/dev/null |
    BENCH="$BENCH" python3 -c 'import json,os,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == os.environ["BENCH"] and m.get("executable"):
        print(m["executable"])')
[ -x "$BIN" ] || { echo "could not find the $BENCH bench executable" >&2; exit 1; }
