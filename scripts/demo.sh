#!/usr/bin/env bash
# `npm run demo`: sets everything up on a fresh clone and serves the demo page.
#
#   npm packages (npm ci when missing or stale) -> npm run build -> Prosody (installed from
#   Debian's packages when missing, as root) -> a private Prosody on loopback -> the demo server.
#
# Two browser windows on the printed URL sync through XMPP. Without Prosody (not installed and not
# root, or --broadcast) the page says so and syncs tabs of one browser over BroadcastChannel.
# Ctrl-C stops the server and Prosody. Options: --broadcast (no XMPP); PORT=8080 (first port tried).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$XSI_ROOT"

use_xmpp=1
for arg in "$@"; do
  case "$arg" in
    --broadcast) use_xmpp=0 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) xsi_say "demo: unknown option $arg (try --help)"; exit 2 ;;
  esac
done

xsi_require_node
xsi_npm_packages
npm run --silent build -- --no-check

run_dir="$(mktemp -d "${TMPDIR:-/tmp}/xsi-demo-XXXXXX")"
prosody_pid=""
server_pid=""
stopping=0

stop_all() {
  [ "$stopping" = 1 ] && return
  stopping=1
  trap - INT TERM
  # Each child stops its own work on SIGTERM (the Prosody harness removes its temp dir).
  [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null || true
  [ -n "$prosody_pid" ] && kill -TERM "$prosody_pid" 2>/dev/null || true
  [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null || true
  [ -n "$prosody_pid" ] && wait "$prosody_pid" 2>/dev/null || true
  rm -rf "$run_dir"
}
trap 'stop_all' EXIT
trap 'xsi_say ""; xsi_say "demo: stopping..."; stop_all; exit 0' INT TERM

# ---- XMPP, when possible.
reason=""
if [ "$use_xmpp" = 0 ]; then
  reason="the demo was started with --broadcast"
elif ! xsi_have_prosody && ! xsi_apt_install prosody; then
  reason="Prosody is not installed on the machine serving this page (sudo apt-get install -y prosody)"
elif ! xsi_have_prosody; then
  reason="Prosody could not be installed"
fi

prosody_json=""
if [ -z "$reason" ]; then
  node scripts/prosody.mjs >"$run_dir/prosody.out" 2>"$run_dir/prosody.err" &
  prosody_pid=$!
  for _ in $(seq 1 200); do
    if [ -s "$run_dir/prosody.out" ]; then prosody_json="$(head -n 1 "$run_dir/prosody.out")"; break; fi
    kill -0 "$prosody_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$prosody_json" ]; then
    reason="the private Prosody did not start: $(tr '\n' ' ' <"$run_dir/prosody.err" | cut -c1-300)"
    kill -TERM "$prosody_pid" 2>/dev/null || true
    wait "$prosody_pid" 2>/dev/null || true
    prosody_pid=""
  fi
fi
if [ -n "$reason" ]; then
  xsi_say "demo: no XMPP: $reason."
  xsi_say "demo: falling back to the BroadcastChannel bridge: tabs of one browser sync, with no server."
fi

# ---- The web server.
server_args=(--port "${PORT:-8080}")
if [ -n "$prosody_json" ]; then server_args+=(--prosody "$prosody_json"); else server_args+=(--reason "$reason"); fi
node demo/server.mjs "${server_args[@]}" >"$run_dir/server.out" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'http://[0-9.:]*/' "$run_dir/server.out" | head -n 1 || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  xsi_say "demo: the web server did not start:"
  cat "$run_dir/server.out" >&2
  exit 1
fi

echo
if [ -n "$prosody_json" ]; then
  echo "  XML Sync Islands demo, syncing through a private Prosody (XMPP over WebSocket):"
  echo
  echo "    $url"
  echo
  echo "  Open it in two browser windows (or two browsers) and edit in either one."
else
  echo "  XML Sync Islands demo, BroadcastChannel bridge (no XMPP: $reason):"
  echo
  echo "    $url"
  echo
  echo "  Open it in two tabs of the same browser and edit in either one."
fi
echo "  A drawing app synced in two frames side by side: ${url}whiteboard-pair.html"
echo "  Ctrl-C stops the demo."
echo

# Until Ctrl-C, or until a child dies.
while kill -0 "$server_pid" 2>/dev/null && { [ -z "$prosody_pid" ] || kill -0 "$prosody_pid" 2>/dev/null; }; do
  sleep 1 &
  wait $! || true
done
if [ "$stopping" = 0 ]; then
  xsi_say "demo: a process stopped unexpectedly:"
  cat "$run_dir/server.out" "$run_dir/prosody.err" 2>/dev/null >&2 || true
  exit 1
fi
