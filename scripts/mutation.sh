#!/usr/bin/env bash
# Mutation testing (docs/testing.md): changes one operator at a time in a
# package's code and runs that package's tests; a mutant no test notices
# ("LIVED") is a promise nothing guards. Not in CI (minutes per package):
# run it on the package you changed before you commit.
#
#   scripts/mutation.sh                       # every critical package
#   scripts/mutation.sh pkg/validate pkg/output
#   scripts/mutation.sh pkg/appproxy/plan.go  # one file: the others are excluded
#
# Installs the pinned gremlins into a temporary GOBIN when it is missing or
# another version is on PATH (it is a tool, not a module dependency); set
# GREMLINS to use a binary of your own. Exits 1 when a package misses the
# targets (efficacy >= 95%, mutator coverage >= 90%; override with
# MUTATION_EFFICACY / MUTATION_COVERAGE, 0 to only report).
set -euo pipefail
cd "$(dirname "$0")/.."

version="v0.6.0"
mod="github.com/go-gremlins/gremlins"

# go install leaves "dev" as gremlins' own version string, so ask the binary's
# build info which module version it was built from.
is_pinned() { go version -m "$1" 2>/dev/null | grep -q "mod[[:space:]]*$mod[[:space:]]*$version"; }

gr="${GREMLINS:-}"
if [ -z "$gr" ]; then
  if command -v gremlins >/dev/null 2>&1 && is_pinned "$(command -v gremlins)"; then
    gr=$(command -v gremlins)
  else
    gobin="${GREMLINS_GOBIN:-${TMPDIR:-/tmp}/hybridmgmt-gremlins-$version}"
    if [ ! -x "$gobin/gremlins" ] || ! is_pinned "$gobin/gremlins"; then
      echo "installing $mod/cmd/gremlins@$version into $gobin"
      GOBIN="$gobin" go install "$mod/cmd/gremlins@$version"
    fi
    gr="$gobin/gremlins"
  fi
fi

efficacy="${MUTATION_EFFICACY:-95}"
coverage="${MUTATION_COVERAGE:-90}"
# A loaded 2-core machine makes test runs slow; a generous coefficient keeps
# slow runs from being reported as "TIMED OUT" instead of killed or lived.
coef="${MUTATION_TIMEOUT_COEFFICIENT:-10}"
# gremlins derives each mutant's timeout from how long its coverage run
# took; a test result cached by an earlier go test makes that run take a
# second and turns ordinary mutants into "TIMED OUT". Never use the cache.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-count=1"

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(pkg/exitcode pkg/secretinput pkg/output pkg/validate pkg/auth pkg/appproxy pkg/connectivity
    pkg/iisconfig pkg/cmdlets/safety.go pkg/cmdlets/test_hybridagent.go)
fi

failed=()
for t in "${targets[@]}"; do
  t="${t#./}"
  t="${t%/}"
  args=(--timeout-coefficient "$coef")
  if [ -f "$t" ]; then
    # One file: mutate only it, still running its whole package's tests.
    dir=$(dirname "$t")
    for other in "$dir"/*.go; do
      [ "$other" = "$t" ] && continue
      case "$other" in *_test.go) continue ;; esac
      args+=(--exclude-files "^$(basename "$other" | sed 's/\./\\./g')\$")
    done
  elif [ -d "$t" ]; then
    dir="$t"
  else
    echo "mutation.sh: $t is neither a package directory nor a file" >&2
    exit 2
  fi
  printf '\n== %s\n' "$t"
  # gremlins v0.6.0 exits 0 even below its --threshold-* flags
  # (go-gremlins/gremlins#216), so the figures are read from its report.
  out=$(mktemp)
  if ! "$gr" unleash "${args[@]}" "./$dir" | tee "$out"; then
    failed+=("$t")
  elif ! awk -v e="$efficacy" -v c="$coverage" '
      /^Test efficacy:/    { sub(/%/, "", $3); eff = $3 + 0; seenE = 1 }
      /^Mutator coverage:/ { sub(/%/, "", $3); cov = $3 + 0; seenC = 1 }
      END { exit !(seenE && seenC && eff >= e && cov >= c) }' "$out"; then
    failed+=("$t")
  fi
  rm -f "$out"
done

if [ ${#failed[@]} -gt 0 ]; then
  printf '\nbelow target (efficacy %s%%, mutator coverage %s%%): %s\n' "$efficacy" "$coverage" "${failed[*]}" >&2
  exit 1
fi
