#!/usr/bin/env bash
# Parses the PowerShell module with the tree-sitter grammar and applies the
# Windows PowerShell 5.1 and secret-handling rules (PowerShell itself cannot
# be installed on these machines).
set -euo pipefail
exec "$(dirname "$0")/../tools/pscheck/run.sh"
