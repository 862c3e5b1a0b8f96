#!/usr/bin/env bash
# Runs every check and test the project has; README's second Quick start
# command and what CI runs. Must stay under 5 minutes on a 2-core machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

step "go vet (linux and windows)"
go vet ./...
GOOS=windows go vet ./...

step "windows build"
GOOS=windows GOARCH=amd64 go build ./...

if [ -x scripts/pscheck.sh ]; then
  step "PowerShell module checks"
  scripts/pscheck.sh
fi

step "go test -race"
# Retries are bounded per command; keep the budget small so fault tests end fast.
HYBRIDMGMT_RETRY_BUDGET="${HYBRIDMGMT_RETRY_BUDGET:-5s}" go test -race -count=1 -timeout 240s ./...
