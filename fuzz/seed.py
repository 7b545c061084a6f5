#!/usr/bin/env python3
"""Builds the seed corpora in fuzz/corpus/<target>/ (run from the project root, with the
CLI built: cargo build -p bodyseal-cli).

* tokens and keys extracted from test-vectors/ and the conformance data
  (test-vectors/conformance, or BODYSEAL_CONFORMANCE_DIR; kept small: at most PER_SOURCE
  per target and source);
* tokens made with the fuzz keys (fuzz/keys.json) by the bodyseal CLI for every
  algorithm, so that the verify, decrypt and open targets start from accepted inputs;
* a few random byte strings for the structured round-trip target.

File names are the SHA-1 of the content, so re-running adds nothing twice."""
import hashlib, json, os, random, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")
VECTORS = os.path.join(ROOT, "test-vectors")
CONFORMANCE = os.environ.get("BODYSEAL_CONFORMANCE_DIR", os.path.join(VECTORS, "conformance"))
BIN = os.path.join(ROOT, "target", "debug", "bodyseal")
PER_SOURCE = 40

def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

def walk(v):
    """Yields (kind, text) for every token-like or key-like value in a JSON document."""
    if isinstance(v, dict):
        if "kty" in v:
            yield "jwk", json.dumps(v)
        if "keys" in v and isinstance(v["keys"], list):
            yield "jwk", json.dumps(v)
        if "ciphertext" in v:
            yield "jwe", json.dumps(v)
        elif "payload" in v and ("signature" in v or "signatures" in v):
            yield "jws", json.dumps(v)
        for x in v.values():
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
    elif isinstance(v, str):
        dots = v.count(".")
        if dots == 2 and len(v) > 20 and " " not in v:
            yield "jws", v
        elif dots == 4 and len(v) > 20 and " " not in v:
            yield "jwe", v
        elif v.startswith("-----BEGIN"):
            yield "jwk", v

def from_files(root, skip=None):
    seen = {"jws": 0, "jwe": 0, "jwk": 0}
    files = []
    for d, dirs, names in os.walk(root):
        # The vendored conformance data is a source of its own.
        dirs[:] = [x for x in dirs if os.path.join(d, x) != skip]
        files += [os.path.join(d, n) for n in sorted(names) if n.endswith(".json")]
    random.Random(7).shuffle(files)
    for path in files:
        try:
            doc = json.load(open(path))
        except Exception:
            continue
        for kind, text in walk(doc):
            if seen[kind] >= PER_SOURCE:
                continue
            seen[kind] += 1
            if kind == "jws":
                for t in ("jws_parse", "jws_verify", "differential", "open_nested"):
                    add(t, text)
            elif kind == "jwe":
                for t in ("jwe_parse", "jwe_decrypt", "differential", "open_nested"):
                    add(t, text)
            else:
                add("jwk_parse", text)

def cli(*args, stdin=None):
    return subprocess.run([BIN, *args], input=stdin, capture_output=True, check=True).stdout

def with_fuzz_keys():
    keys = json.load(open(os.path.join(ROOT, "fuzz", "keys.json")))
    tmp = tempfile.mkdtemp()
    paths = {}
    for name, jwk in keys.items():
        p = os.path.join(tmp, name + ".jwk")
        json.dump(jwk, open(p, "w"))
        paths[name] = p
        add("jwk_parse", json.dumps(jwk))
        if jwk["kty"] != "oct":
            add("jwk_parse", cli("key", "convert", p, "--to", "pem"))
    body = b'{"patient":"12345","dose_mg":5}'
    sign = [("HS256", "oct-256"), ("HS512", "oct-512"), ("RS256", "rsa-2048"), ("PS256", "rsa-2048"),
            ("ES256", "ec-p256"), ("ES384", "ec-p384"), ("ES512", "ec-p521"), ("EdDSA", "ed25519")]
    for alg, k in sign:
        for fmt in ("compact", "flattened"):
            t = cli("sign", "--key", paths[k], "--alg", alg, "--format", fmt, stdin=body).strip()
            add("jws_verify", t); add("jws_parse", t)
            if fmt == "compact" and alg in ("HS256", "ES256"):
                add("differential", t)
    enc = [("dir", "A256GCM", "oct-256"), ("A128KW", "A128CBC-HS256", "oct-128"), ("A256GCMKW", "A256GCM", "oct-256"),
           ("RSA-OAEP-256", "A256GCM", "rsa-2048"), ("ECDH-ES", "A128GCM", "ec-p256"),
           ("ECDH-ES+A256KW", "A256CBC-HS512", "ec-p521"), ("ECDH-ES+A128KW", "A192GCM", "x25519")]
    for alg, e, k in enc:
        t = cli("encrypt", "--key", paths[k], "--alg", alg, "--enc", e, stdin=body).strip()
        add("jwe_decrypt", t); add("jwe_parse", t)
        if (alg, e) in (("dir", "A256GCM"), ("A128KW", "A128CBC-HS256")):
            add("differential", t)
    t = cli("encrypt", "--key", paths["ec-p256"], "--zip", stdin=body * 20).strip()
    add("jwe_decrypt", t)
    for order in ("sign-then-encrypt", "encrypt-then-sign"):
        for fmt in ("compact", "general"):
            t = cli("seal", "--sign-key", paths["ec-p256"], "--to", paths["x25519"], "--order", order,
                    "--format", fmt, stdin=body).strip()
            add("open_nested", t)
    rnd = random.Random(11)
    for n in (0, 8, 40, 200, 1000):
        add("roundtrip", bytes(rnd.randrange(256) for _ in range(n)))

def main():
    for root in (VECTORS, CONFORMANCE):
        if not os.path.isdir(root):
            sys.exit(f"missing {root}")
    from_files(VECTORS, skip=os.path.join(VECTORS, "conformance"))
    from_files(CONFORMANCE)
    with_fuzz_keys()
    for t in sorted(os.listdir(CORPUS)):
        print(t, len(os.listdir(os.path.join(CORPUS, t))))

main()
