#!/usr/bin/env bash
# PowerShell module checks without PowerShell (CI entry point):
#   1. install the pinned tree-sitter packages from package-lock.json,
#   2. prove every rule fires on its bad fixture and the good ones stay clean,
#   3. parse and check every module/*.ps1, *.psm1 and *.psd1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
if ! command -v node >/dev/null 2>&1; then
  echo "pscheck: node (Node.js 18+) is required" >&2
  exit 2
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
node --liftoff-only pscheck.mjs --self-test
node --liftoff-only pscheck.mjs --root "$here/../.."
