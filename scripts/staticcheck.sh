#!/usr/bin/env bash
# Runs staticcheck (pinned; from the Go module proxy) over every package,
# for Linux and for Windows (the Windows-only files are checked too).
# Installs the pinned version into a temporary GOBIN when it is missing or
# another version is on PATH; set STATICCHECK to use a binary of your own.
set -euo pipefail
cd "$(dirname "$0")/.."

# The newest release the module proxy serves (2026.2.2, October 2026); it
# understands Go 1.26. Bump both lines together
# (go list -m -versions honnef.co/go/tools).
version="v0.8.2"
want="staticcheck 2026.2.2 (0.8.2)"

sc="${STATICCHECK:-}"
if [ -z "$sc" ]; then
  if command -v staticcheck >/dev/null 2>&1 && [ "$(staticcheck -version 2>/dev/null)" = "$want" ]; then
    sc=$(command -v staticcheck)
  else
    gobin="${STATICCHECK_GOBIN:-${TMPDIR:-/tmp}/hybridmgmt-staticcheck-$version}"
    if [ ! -x "$gobin/staticcheck" ] || [ "$("$gobin/staticcheck" -version 2>/dev/null)" != "$want" ]; then
      echo "installing honnef.co/go/tools/cmd/staticcheck@$version into $gobin"
      GOBIN="$gobin" go install "honnef.co/go/tools/cmd/staticcheck@$version"
    fi
    sc="$gobin/staticcheck"
  fi
fi

"$sc" -version
echo "staticcheck (linux)"
GOOS=linux "$sc" ./...
echo "staticcheck (windows)"
GOOS=windows "$sc" ./...
