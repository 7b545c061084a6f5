#!/usr/bin/env bash
# Peak memory (maximum resident set size, from /usr/bin/time -v) of each CLI command on a
# large body, by default 1 GiB. A benchmark script, not a test: it needs GNU time
# (Debian package `time`) and about 6 x the body size of free disk.
# Usage: bash benches/memory.sh [size in MiB] [work dir]
# ONE_SHOT=1 adds rows for the one-shot (JSON) path, whose memory grows with the body.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-1024}
work=${2:-$(mktemp -d)}
mkdir -p "$work"
cargo build --release -q -p bodyseal-cli
bin=$PWD/target/release/bodyseal
cd "$work"
# A JSON-ish body, not random bytes (zero-filled files would hide nothing either way).
python3 - "$mib" <<'PY'
import sys
n = int(sys.argv[1]) << 20
row = b'{"id":12345,"name":"example","tags":["a","b"],"v":3.14}\n'
with open("body.bin", "wb") as f:
    full, rest = divmod(n, len(row) * 4096)
    block = row * 4096
    for _ in range(full):
        f.write(block)
    f.write((row * (rest // len(row) + 1))[:rest])
PY
"$bin" key generate ec-p256 -o ec.jwk && "$bin" key public ec.jwk -o ec.pub.jwk
"$bin" key generate oct-256 -o hs.jwk
"$bin" key generate rsa-2048 -o rsa.jwk && "$bin" key public rsa.jwk -o rsa.pub.jwk
"$bin" key generate ed25519 -o ed.jwk && "$bin" key public ed.jwk -o ed.pub.jwk
"$bin" key generate ec-p256 -o srv.jwk && "$bin" key public srv.jwk -o srv.pub.jwk
peak() { # label, command...
  local label=$1; shift
  /usr/bin/time -v "$@" 2> time.txt >/dev/null
  local kb secs
  kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
  secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt)
  printf '| %s | %d MiB | %s |\n' "$label" $((kb / 1024)) "$secs"
}
echo "body: $mib MiB"
echo "| command | peak RSS | wall time |"
echo "|---|---|---|"
peak "sign ES256" "$bin" sign --key ec.jwk body.bin -o es.jws
peak "verify ES256" "$bin" verify --key ec.pub.jwk es.jws -o out.bin
peak "sign HS256" "$bin" sign --key hs.jwk body.bin -o hs.jws
peak "verify HS256" "$bin" verify --key hs.jwk hs.jws -o out.bin
peak "sign RS256" "$bin" sign --key rsa.jwk --alg RS256 body.bin -o rs.jws
peak "verify RS256" "$bin" verify --key rsa.pub.jwk rs.jws -o out.bin
peak "sign PS256" "$bin" sign --key rsa.jwk body.bin -o ps.jws
peak "verify PS256" "$bin" verify --key rsa.pub.jwk ps.jws -o out.bin
rm -f hs.jws ps.jws rs.jws
peak "sign EdDSA" "$bin" sign --key ed.jwk body.bin -o ed.jws
peak "verify EdDSA" "$bin" verify --key ed.pub.jwk ed.jws -o out.bin
rm -f ed.jws es.jws
for enc in A128CBC-HS256 A256CBC-HS512; do
  peak "encrypt ECDH-ES+A256KW $enc" "$bin" encrypt --key srv.pub.jwk --enc "$enc" body.bin -o cbc.jwe
  peak "decrypt $enc (streamed: tag pass, then decrypt pass)" "$bin" decrypt --key srv.jwk cbc.jwe -o out.bin
  rm -f cbc.jwe
done
peak "encrypt ECDH-ES+A256KW A256GCM" "$bin" encrypt --key srv.pub.jwk body.bin -o gcm.jwe
peak "decrypt A256GCM" "$bin" decrypt --key srv.jwk gcm.jwe -o out.bin
rm -f gcm.jwe
peak "seal (sign-then-encrypt, ES256, A256GCM)" "$bin" seal --sign-key ec.jwk --to srv.pub.jwk body.bin -o sealed.jose
peak "open (sign-then-encrypt, A256GCM)" "$bin" open --verify-key ec.pub.jwk --decrypt-key srv.jwk sealed.jose -o out.bin
peak "seal (sign-then-encrypt, ES256, A256CBC-HS512)" "$bin" seal --sign-key ec.jwk --to srv.pub.jwk --enc A256CBC-HS512 body.bin -o sealed.jose
peak "open (sign-then-encrypt, A256CBC-HS512, streamed)" "$bin" open --verify-key ec.pub.jwk --decrypt-key srv.jwk sealed.jose -o out.bin
cmp -s out.bin body.bin && echo "(round trips compared equal)"
# The one-shot path for comparison (JSON serializations are read whole): its memory
# grows with the body, its time is the baseline for the streamed passes.
if [ "${ONE_SHOT:-0}" = 1 ]; then
  peak "encrypt A256CBC-HS512, flattened JSON (one-shot)" "$bin" encrypt --key srv.pub.jwk --enc A256CBC-HS512 --format flattened body.bin -o cbc.json
  peak "decrypt A256CBC-HS512, flattened JSON (one-shot)" "$bin" decrypt --key srv.jwk cbc.json -o out.bin
  rm -f cbc.json
  peak "seal (sign-then-encrypt, A256CBC-HS512), flattened outer (one-shot)" "$bin" seal --sign-key ec.jwk --to srv.pub.jwk --enc A256CBC-HS512 --format flattened body.bin -o sealed.json
  peak "open (sign-then-encrypt, A256CBC-HS512), flattened outer (one-shot)" "$bin" open --verify-key ec.pub.jwk --decrypt-key srv.jwk sealed.json -o out.bin
  cmp -s out.bin body.bin && echo "(one-shot round trips compared equal)"
fi
rm -f sealed.jose sealed.json out.bin body.bin
