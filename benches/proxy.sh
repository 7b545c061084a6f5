#!/usr/bin/env bash
# Requests per second and p50/p99 latency through the proxy pair (curl-like client ->
# `proxy client` -> HTTPS -> `proxy server` -> an echo upstream) for 1 KiB and 1 MiB
# bodies, next to the same requests sent to the upstream directly. A benchmark script,
# not a test: every process runs on 127.0.0.1 and is stopped by pid at the end.
# Usage: bash benches/proxy.sh [requests for 1 KiB] [requests for 1 MiB] [concurrency]
# REPLAY=redis runs the proxy server with a Redis replay store (redis-server on a free
# loopback port, no persistence) instead of the in-memory one.
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-2000}
large=${2:-100}
conc=${3:-8}
cargo build --release -q -p bodyseal-cli
cargo build --release -q -p bodyseal-wire --example load
bin=$PWD/target/release/bodyseal
load=$PWD/target/release/examples/load
tls=$PWD/test-vectors/tls
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
start() { # out-file, command... ; waits for the listening line
  local out=$1; shift
  "$@" >"$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^listening on ' "$out" && break; sleep 0.1; done
  sed -n 's/^listening on //p' "$out" | head -1
}
for n in client server; do
  "$bin" key generate ec-p256 --kid "$n" -o "$work/$n.jwk"
  "$bin" key public "$work/$n.jwk" -o "$work/$n.pub.jwk"
done
up=$(start "$work/up.log" "$load" serve 127.0.0.1:0)
replay=memory
if [ "${REPLAY:-memory}" = redis ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  replay=redis://127.0.0.1:$port/0
fi
srv=$(start "$work/srv.log" "$bin" proxy server --listen 127.0.0.1:0 --upstream "$up" --replay "$replay" \
  --tls-cert "$tls/server.pem" --tls-key "$tls/server.key" --decrypt-key "$work/server.jwk" \
  --sign-key "$work/server.jwk" --verify-key "$work/client.pub.jwk" --to "$work/client.pub.jwk" \
  --max-body 4194304)
cli=$(start "$work/cli.log" "$bin" proxy client --listen 127.0.0.1:0 --upstream "$srv" \
  --ca "$tls/ca.pem" --sign-key "$work/client.jwk" --to "$work/server.pub.jwk" \
  --verify-key "$work/server.pub.jwk" --decrypt-key "$work/client.jwk" --max-body 4194304)
echo "replay store: $replay"
echo "| body | path | requests | req/s | p50 ms | p99 ms |"
echo "|---|---|---|---|---|---|"
for spec in "1024 $small 1 KiB" "1048576 $large 1 MiB"; do
  set -- $spec
  for path in direct proxied; do
    url=$up/echo; [ "$path" = proxied ] && url=$cli/echo
    read -r rps p50 p99 < <("$load" run "$url" "$1" "$2" "$conc")
    echo "| $3 $4 | $path | $2 | $rps | $p50 | $p99 |"
  done
done
