# Sourced by callgrind.sh and wallclock.sh: builds the `callgrind` bench binary (bench profile:
# release, optimized) and sets BIN to its path.
BIN=$(cargo bench --no-run --bench callgrind --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "callgrind" and m.get("executable"):
        print(m["executable"])')
[ -x "$BIN" ] || { echo "could not find the callgrind bench executable" >&2; exit 1; }
