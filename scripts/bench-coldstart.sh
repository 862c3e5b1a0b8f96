#!/usr/bin/env bash
# Process cold start of hybridmgmt: every PowerShell cmdlet call is one
# process start, so this is the fixed cost each cmdlet pays. Builds the binary
# as `make dist` does (CGO_ENABLED=0, -trimpath, -s -w), then times
#   hybridmgmt version
#   hybridmgmt get-hybridagent --help
# with hyperfine (Debian: apt-get install hyperfine) and prints the median of
# each. Without hyperfine it falls back to a bash loop timed with
# $EPOCHREALTIME (includes bash's fork+exec, so slightly pessimistic).
# Goal: median <= 20 ms on a 2-core machine (docs/performance.md).
#
#   bash scripts/bench-coldstart.sh            # 200 runs each
#   RUNS=50 bash scripts/bench-coldstart.sh
#   NO_HYPERFINE=1 bash scripts/bench-coldstart.sh   # the bash-loop fallback
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-200}"
WARMUP="${WARMUP:-10}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

CGO_ENABLED=0 go build -trimpath -ldflags '-s -w -X main.version=bench' -o "$tmp/hybridmgmt" ./cmd/hybridmgmt
bin="$tmp/hybridmgmt"
# A clean environment: no proxy or cloud settings leak in from the caller.
export HOME="$tmp" HYBRIDMGMT_CACHE_DIR="$tmp/cache"

echo "machine: nproc $(nproc), CPU \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')\", $(uname -sm), $(go version | awk '{print $3}')"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary: $(stat -c %s "$bin") bytes"

if [ -z "${NO_HYPERFINE:-}" ] && command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup "$WARMUP" --runs "$RUNS" --export-json "$tmp/result.json" \
    "$bin version" "$bin get-hybridagent --help"
  echo
  if command -v jq >/dev/null 2>&1; then
    jq -r '.results[] | "median \(.median*1000*100|round/100) ms  mean \(.mean*1000*100|round/100) ms  min \(.min*1000*100|round/100) ms  max \(.max*1000*100|round/100) ms  user \(.user*1000*100|round/100) ms  sys \(.system*1000*100|round/100) ms  : \(.command | sub(".*/"; ""))"' "$tmp/result.json"
  else
    python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("median %.2f ms  mean %.2f ms  : %s" % (r["median"]*1e3, r["mean"]*1e3, r["command"].rsplit("/",1)[-1]))' "$tmp/result.json"
  fi
else
  echo "hyperfine not available (or NO_HYPERFINE set); timing a bash loop ($RUNS runs each)"
  for args in "version" "get-hybridagent --help"; do
    for _ in $(seq "$WARMUP"); do "$bin" $args >/dev/null; done
    times=()
    for _ in $(seq "$RUNS"); do
      s=$EPOCHREALTIME
      "$bin" $args >/dev/null
      e=$EPOCHREALTIME
      times+=("$(awk -v s="$s" -v e="$e" 'BEGIN{printf "%.3f", (e-s)*1000}')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v a="$args" '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "median %.2f ms  min %.2f ms  max %.2f ms  : hybridmgmt %s\n", m, v[1], v[NR], a}'
  done
fi
