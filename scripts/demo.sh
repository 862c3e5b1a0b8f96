#!/usr/bin/env bash
# Builds hybridmgmt and the lab tenant, starts the lab on 127.0.0.1, and runs
# every cmdlet against it the way an Exchange admin (and a CI job) would.
# README's first Quick start command. Needs only Go; no tenant, no internet.
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p bin
go build -o bin/ ./cmd/hybridmgmt ./cmd/hybridlab
hm="$PWD/bin/hybridmgmt"

lab=$(mktemp -d)
bin/hybridlab serve --dir "$lab" --ready-file "$lab/ready" >"$lab/serve.log" 2>&1 &
labpid=$!
cleanup() { kill "$labpid" 2>/dev/null || true; wait "$labpid" 2>/dev/null || true; rm -rf "$lab"; }
trap cleanup EXIT
for _ in $(seq 1 100); do [ -s "$lab/ready" ] && break; sleep 0.1; done
[ -s "$lab/ready" ] || { cat "$lab/serve.log"; echo "demo: the lab did not start" >&2; exit 1; }

# The lab prints the variables that point hybridmgmt at it (CA, hosts, tenant, cache dir).
# shellcheck disable=SC1091
. "$lab/env"
app=6ca7c832-49a2-4a5d-aeae-a616f6d4b8e7

say() { printf '\n### %s\n' "$*"; }
run() { printf '$ hybridmgmt %s\n' "$*"; "$hm" "$@"; }
# expect CODE CMD...: run a command that is supposed to fail with CODE.
expect() {
  local want=$1; shift
  printf '$ hybridmgmt %s\n' "$*"
  set +e; "$hm" "$@"; local got=$?; set -e
  echo "(exit code $got)"
  [ "$got" = "$want" ] || { echo "demo: expected exit $want" >&2; exit 1; }
}

say "Lab tenant at $HYBRIDLAB_URL (contoso.com). Sign in as an admin; the browser step is played by 'hybridlab browse'"
BROWSER="$PWD/bin/hybridlab browse" run connect --user-principal-name admin@contoso.com

say "Later calls are silent, from the token cache"
run get-hybridagent
run get-hybridagent -o json --connector-group "Default group for Exchange Online"
run get-hybridapplication

say "Health gate for monitoring: exit 5 when a group has fewer active agents than --min-active"
run get-hybridagent --connector-group "Default group for Exchange Online" --min-active 2
expect 5 get-hybridagent --min-active 1

say "Retarget the hybrid route to a load balancer: first a dry run, then for real"
run update-hybridapplication --app-id "$app" --target-uri https://mail-lb.contoso.com --dry-run
run update-hybridapplication --app-id "$app" --target-uri mail-lb.contoso.com -o json

say "Publish a second route, then remove it again"
run new-hybridapplication --target-uri exch02.contoso.local --dry-run
run new-hybridapplication --target-uri exch02.contoso.local
new_id=$("$hm" get-hybridapplication -o json | sed -n 's/.*"appId": "\([0-9a-f-]*\)".*/\1/p' | grep -v "$app" | head -n 1)
run remove-hybridapplication --app-id "$new_id" --delete-application --yes
expect 4 get-hybridapplication --app-id "$new_id"

say "Writes touch only hybrid applications: a pasted id of a business app is refused (exit 4), nothing written"
expect 4 remove-hybridapplication --app-id 9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c41 --delete-application --yes
say "Without a terminal, remove needs --yes (exit 2, no request)"
expect 2 remove-hybridapplication --app-id "$app" </dev/null

say "Hostile input stops before any request (exit 2)"
expect 2 update-hybridapplication --app-id "$app" --target-uri "http://user:pw@mail.contoso.com"

say "The old -Credential path: password on stdin (ROPC); an MFA-enforced user is refused with a hint"
run get-hybridapplication --username admin@contoso.com --password-stdin -o json <"$lab/admin-password.txt" >/dev/null && echo "(signed in with --password-stdin)"
expect 3 get-hybridagent --username mfa@contoso.com --password-stdin <"$lab/mfa-password.txt"

say "CI, app-only with a client secret from the environment: applications yes, agents no (delegated-only)"
AZURE_CLIENT_ID=$HYBRIDLAB_CI_CLIENT_ID AZURE_CLIENT_SECRET=$(cat "$lab/client-secret.txt") run get-hybridapplication -o json
AZURE_CLIENT_ID=$HYBRIDLAB_CI_CLIENT_ID AZURE_CLIENT_SECRET=$(cat "$lab/client-secret.txt") expect 3 get-hybridagent

if "$hm" test-hybridconnectivity --help >/dev/null 2>&1; then
  say "Connectivity: the lab's own endpoint, probed with DNS, TCP, TLS and HTTPS"
  port=${HYBRIDLAB_URL##*:}
  printf '[{"name":"Lab tenant (Graph and sign-in)","host":"127.0.0.1","port":%s,"check":"https","category":"Lab"}]\n' "$port" >"$lab/endpoints.json"
  run test-hybridconnectivity --endpoints-file "$lab/endpoints.json"
fi

say "Sign out"
run disconnect
expect 3 get-hybridagent
echo
echo "demo: done. Try it yourself: README.md, section \"Try it yourself\" (bin/hybridmgmt, bin/hybridlab serve --dir .lab)"
