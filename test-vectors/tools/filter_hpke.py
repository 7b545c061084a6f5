#!/usr/bin/env python3
"""Writes test-vectors/conformance/primitives/hpke/ from a copy of the RFC 9180 HPKE test
vectors: the JSON that src/crypto/aws_lc/hpke.rs reads, plus the upstream LICENSE.md and
CONTRIBUTING.md.

SOURCE_DIR holds `rfc9180-test-vectors.filtered.json` (cfrg/draft-irtf-cfrg-hpke
`test-vectors.json` at commit 5f503c564da00b0687b3de75f1dfbdfc4079ad31, already cut to the
base and PSK modes of the suites below), `LICENSE.md` and `CONTRIBUTING.md`. The full
upstream `test-vectors.json` works as well: the filter below is applied again.

Kept: the entries of the modes and suites bodyseal implements (upstream order, every member
unmodified), except that `encryptions` is cut to its first 16 items and its last one (the
sequence number of an item is its `nonce` XOR `base_nonce`). `exports` is kept whole.
Usage: python3 test-vectors/tools/filter_hpke.py SOURCE_DIR [OUT_DIR]"""
import json, os, shutil, sys

KEEP_MODE = {0, 1}                                  # mode_base, mode_psk
KEEP_KEM = {0x0010, 0x0011, 0x0012, 0x0020}         # DHKEM P-256, P-384, P-521, X25519
KEEP_KDF = {0x0001, 0x0002, 0x0003}                 # HKDF-SHA256, -SHA384, -SHA512
KEEP_AEAD = {0x0001, 0x0002, 0x0003, 0xFFFF}        # AES-128-GCM, AES-256-GCM, ChaCha20Poly1305, export-only
FIRST = 16                                          # encryptions kept from the start (and the last one)
NAME = "rfc9180-test-vectors.filtered.json"
OUT_NAME = "rfc9180-test-vectors.capped.json"

if len(sys.argv) not in (2, 3):
    sys.exit(__doc__)
SRC = sys.argv[1]
OUT = sys.argv[2] if len(sys.argv) == 3 else os.path.normpath(os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "primitives", "hpke"))

src = os.path.join(SRC, NAME)
if not os.path.exists(src):
    src = os.path.join(SRC, "test-vectors.json")
with open(src, encoding="utf-8") as f:
    vectors = json.load(f)

kept = []
for v in vectors:
    if (v["mode"] in KEEP_MODE and v["kem_id"] in KEEP_KEM and v["kdf_id"] in KEEP_KDF
            and v["aead_id"] in KEEP_AEAD):
        enc = v["encryptions"]
        if len(enc) > FIRST + 1:
            v["encryptions"] = enc[:FIRST] + enc[-1:]
        kept.append(v)

os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, OUT_NAME), "w", encoding="utf-8") as f:
    # Written as upstream writes its file: compact, no ASCII escaping.
    f.write(json.dumps(kept, separators=(",", ":"), ensure_ascii=False))
    f.write("\n")
for name in ("LICENSE.md", "CONTRIBUTING.md"):
    shutil.copyfile(os.path.join(SRC, name), os.path.join(OUT, name))

print(f"{len(kept)} of {len(vectors)} entries, "
      f"{sum(len(v['encryptions']) for v in kept)} encryptions, "
      f"{sum(len(v['exports']) for v in kept)} exports -> {os.path.join(OUT, OUT_NAME)}")
