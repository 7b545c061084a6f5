#!/usr/bin/env python3
"""Regenerates test-vectors/rfc/*.json from the RFC plain texts (../shared/rfc by default).

Every value (keys, tokens, payload octets, thumbprints) is read out of the RFC text; the
script only removes the line breaks the RFCs add "for display purposes only" and the page
headers and footers. Usage: python3 test-vectors/tools/extract_rfc.py [RFC_DIR]"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
RFC_DIR = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../shared/rfc")
OUT = os.path.join(HERE, "../rfc")


def text(n):
    raw = open(os.path.join(RFC_DIR, f"rfc{n}.txt"), encoding="utf-8").read().replace("\f", "")
    lines = [l for l in raw.split("\n")
             if not re.match(r"^RFC \d{4} ", l) and not re.search(r"\[Page \d+\]$", l)]
    return lines


def section(lines, start, end):
    """Lines from the heading that starts with `start` to the one that starts with `end`."""
    i = next(k for k, l in enumerate(lines) if l.startswith(start))
    j = next(k for k, l in enumerate(lines[i + 1:], i + 1) if l.startswith(end))
    return lines[i:j]


def block_after(sec, phrase, min_indent=5):
    """The display block (lines indented at least `min_indent`, blank lines allowed inside)
    that follows the first line containing `phrase`, with all whitespace removed."""
    k = next(i for i, l in enumerate(sec) if phrase in l)
    out, started = [], False
    for l in sec[k + 1:]:
        indent = len(l) - len(l.lstrip(" "))
        if l.strip() == "":
            continue
        if indent >= min_indent:
            out.append(l.strip())
            started = True
        elif started or out:
            break
        elif indent < min_indent and not started:
            if re.match(r"^\s*[\[{A-Za-z0-9_-]", l) and min_indent <= 3:
                out.append(l.strip())
                started = True
            else:
                continue
    return "".join("".join(out).split())


def octets_after(sec, phrase):
    """The JSON array of octets that follows `phrase`."""
    k = next(i for i, l in enumerate(sec) if phrase in l)
    body = " ".join(sec[k + 1:])
    m = re.search(r"\[([0-9,\s]+)\]", body)
    return bytes(int(x) for x in m.group(1).replace(",", " ").split())


def b64(data):
    import base64
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def write(name, obj):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    r = text(7515)
    a1 = section(r, "A.1.1.", "A.1.2.")
    payload = octets_after(a1, "is the JWS Payload:")
    cases = [
        ("A.1", "A.1.1.", "A.1.2.", "HS256", '{"kty":"oct"'),
        ("A.2", "A.2.1.", "A.2.2.", "RS256", '{"kty":"RSA"'),
        ("A.3", "A.3.1.", "A.3.2.", "ES256", '{"kty":"EC"'),
        ("A.4", "A.4.1.", "A.4.2.", "ES512", '{"kty":"EC"'),
    ]
    keys = {}
    for label, start, end, alg, key_prefix in cases:
        sec = section(r, start, end)
        joined = ["".join(l.split()) for l in sec]
        # The key: the indented JSON object that starts with {"kty".
        k = next(i for i, l in enumerate(joined) if l.startswith(key_prefix))
        buf = ""
        for l in joined[k:]:
            buf += l
            if buf.count("{") == buf.count("}"):
                break
        key = json.loads(buf)
        keys[alg] = key
        token = block_after(sec, "representation using the JWS Compact Serialization")
        m = re.search(r'The JWS Payload used in this example is the ASCII string\s+"([^"]*)"', " ".join(l.strip() for l in sec))
        case_payload = m.group(1).encode() if m else payload
        write(f"rfc7515_{label.lower().replace('.', '_')}_{alg.lower()}.json", {
            "description": f"RFC 7515 appendix {label}: compact JWS with {alg}",
            "source": f"RFC 7515 appendix {label} (key, token) and "
                      + (f"{start[:-1]} (payload string)" if m else "A.1.1 (payload octets)"),
            "kind": "jws",
            "keys": [key],
            "policy": {"algs": [alg]},
            "input": token,
            "expect": "ok",
            "payload_b64": b64(case_payload),
        })
    a5 = section(r, "A.5.", "A.6.")
    write("rfc7515_a_5_unsecured.json", {
        "description": "RFC 7515 appendix A.5: an Unsecured JWS (alg none) is never accepted",
        "source": "RFC 7515 appendix A.5",
        "kind": "jws",
        "keys": [keys["HS256"]],
        "policy": {"algs": ["HS256"]},
        "input": block_after(a5, "representation using the JWS Compact Serialization"),
        "expect": "unsupported",
    })
    a6 = section(r, "A.6.4.", "A.7.")
    general = json.loads(block_after(a6, "The complete JWS JSON Serialization"))
    write("rfc7515_a_6_general_json.json", {
        "description": "RFC 7515 appendix A.6: general JSON with an RS256 and an ES256 signature; both must verify",
        "source": "RFC 7515 appendix A.6.4, keys of A.2 and A.3",
        "kind": "jws",
        "keys": [dict(keys["RS256"], kid="2010-12-29"), dict(keys["ES256"], kid="e9bc097a-ce51-4036-9562-d2ade882db0d")],
        "policy": {"algs": ["RS256", "ES256"], "require_all_signatures": True},
        "input": general,
        "expect": "ok",
        "payload_b64": b64(payload),
    })
    a7 = section(r, "A.7.", "Appendix B.")
    flat = json.loads(block_after(a7, "The complete JWS JSON Serialization"))
    write("rfc7515_a_7_flattened_json.json", {
        "description": "RFC 7515 appendix A.7: flattened JSON, ES256",
        "source": "RFC 7515 appendix A.7, key of A.3",
        "kind": "jws",
        "keys": [dict(keys["ES256"], kid="e9bc097a-ce51-4036-9562-d2ade882db0d")],
        "policy": {"algs": ["ES256"]},
        "input": flat,
        "expect": "ok",
        "payload_b64": b64(payload),
    })

    e = text(8037)
    a1 = section(e, "A.1.", "A.2.")
    priv = json.loads("".join("".join(l.split()) for l in a1 if l.strip().startswith(("{", '"')) or l.strip().endswith("}")))
    a3 = section(e, "A.3.", "A.4.")
    thumb = re.search(r'representation\s+of\s+"([A-Za-z0-9_-]+)"', " ".join(a3)).group(1)
    write("rfc8037_a_3_thumbprint.json", {
        "description": "RFC 8037 appendix A.3: JWK thumbprint of the Ed25519 public key",
        "source": "RFC 8037 appendices A.1 (key) and A.3 (thumbprint)",
        "kind": "jwk_thumbprint",
        "jwk": {k: priv[k] for k in ("kty", "crv", "x")},
        "hash": "SHA-256",
        "expect": "ok",
        "thumbprint": thumb,
    })
    a4 = section(e, "A.4.", "A.5.")
    k = next(i for i, l in enumerate(a4) if "So the compact serialization of the JWS is" in l)
    token = re.search(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", "".join("".join(a4[k:]).split())).group(0)
    text_payload = block_after(a4, "The payload is (text):", min_indent=3)
    write("rfc8037_a_4_ed25519.json", {
        "description": "RFC 8037 appendices A.4 and A.5: Ed25519 signing and validation (EdDSA)",
        "source": "RFC 8037 appendices A.1 (key) and A.4 (token, payload text)",
        "kind": "jws",
        "keys": [priv],
        "policy": {"algs": ["EdDSA"]},
        "input": token,
        "expect": "ok",
        # The payload text has spaces, which block_after removes; take the line itself.
        "payload": next(l.strip() for l in a4[[i for i, l in enumerate(a4) if "The payload is (text):" in l][0] + 1:] if l.strip()),
        "sign_reproducible": True,
    })
    del text_payload

    t = text(7638)
    s31 = section(t, "3.1.", "3.2.")
    jwk = json.loads(block_after(s31, "for the JWK"))
    thumb = block_after(s31, "SHA-256 Thumbprint value")
    write("rfc7638_3_1_thumbprint.json", {
        "description": "RFC 7638 section 3.1: SHA-256 thumbprint of an RSA key",
        "source": "RFC 7638 section 3.1",
        "kind": "jwk_thumbprint",
        "jwk": jwk,
        "hash": "SHA-256",
        "expect": "ok",
        "thumbprint": thumb,
    })

    u = text(7797)
    hs_key = keys["HS256"]
    s41 = section(u, "4.1.", "4.2.")
    s42 = section(u, "4.2.", "5.")
    dollar = "$.02"
    assert '"$.02"' in " ".join(s42), "payload of RFC 7797 section 4"
    write("rfc7797_4_1_b64_true.json", {
        "description": "RFC 7797 section 4.1: the control example, b64 absent",
        "source": "RFC 7797 section 4.1 (key of RFC 7515 A.1)",
        "kind": "jws",
        "keys": [hs_key],
        "policy": {"algs": ["HS256"]},
        "input": block_after(s41, "Compact Serialization and a non-detached payload"),
        "expect": "ok",
        "payload": dollar,
    })
    write("rfc7797_4_2_b64_false_detached.json", {
        "description": "RFC 7797 section 4.2: b64 false, compact with detached payload",
        "source": "RFC 7797 section 4.2 (key of RFC 7515 A.1)",
        "kind": "jws",
        "keys": [hs_key],
        "policy": {"algs": ["HS256"]},
        "input": block_after(s42, "Compact Serialization and a detached payload"),
        "detached_payload": dollar,
        "expect": "ok",
        "payload": dollar,
    })
    write("rfc7797_4_2_b64_false_flattened.json", {
        "description": "RFC 7797 section 4.2: b64 false, flattened JSON with the payload unencoded",
        "source": "RFC 7797 section 4.2 (key of RFC 7515 A.1)",
        "kind": "jws",
        "keys": [hs_key],
        "policy": {"algs": ["HS256"]},
        "input": json.loads(block_after(s42, "non-detached payload is:")),
        "expect": "ok",
        "payload": dollar,
    })
    # The RFC 7515 keys are the fixed keys of the generated negative vectors.
    kdir = os.path.join(HERE, "../keys")
    os.makedirs(kdir, exist_ok=True)
    for alg, key in keys.items():
        with open(os.path.join(kdir, f"rfc7515_{alg.lower()}.json"), "w") as f:
            json.dump(key, f, indent=2)
            f.write("\n")
    with open(os.path.join(kdir, "rfc8037_ed25519.json"), "w") as f:
        json.dump(priv, f, indent=2)
        f.write("\n")


def hex_fields(sec):
    """`NAME = hex hex ...` blocks with continuation lines, as RFC 7518 appendix B
    prints them."""
    out, name = {}, None
    for l in sec:
        m = re.match(r"^\s+([A-Z_]+)\s+=\s+([0-9a-f ]+)$", l)
        if m:
            name = m.group(1)
            out[name] = m.group(2).replace(" ", "")
        elif name and re.match(r"^\s{10,}[0-9a-f ]+$", l):
            out[name] += l.strip().replace(" ", "")
        elif l.strip():
            name = None
    return out


def jwk_after(sec, phrase):
    k = next(i for i, l in enumerate(sec) if phrase in l)
    buf = ""
    for l in sec[k + 1:]:
        t = "".join(l.split())
        if not buf and not t.startswith("{"):
            continue
        buf += t
        if buf and buf.count("{") == buf.count("}"):
            break
    return json.loads(buf)


def jwe_vectors():
    r = text(7516)
    a1 = section(r, "A.1.  ", "A.1.1.")
    pt1 = octets_after(a1, "The")
    key1 = jwk_after(section(r, "A.1.3.", "A.1.4."), "RSA key represented in JSON Web Key")
    tok1 = block_after(section(r, "A.1.7.", "A.1.8."), "The final result in this example")
    write("rfc7516_a_1_rsa_oaep_a256gcm.json", {
        "description": "RFC 7516 appendix A.1: RSA-OAEP with A256GCM, compact",
        "source": "RFC 7516 appendix A.1 (plaintext octets), A.1.3 (key), A.1.7 (token)",
        "kind": "jwe", "keys": [key1], "policy": {"algs": ["RSA-OAEP"], "encs": ["A256GCM"]},
        "input": tok1, "expect": "ok", "plaintext_b64": b64(pt1)})
    a2 = section(r, "A.2.  ", "A.2.1.")
    pt2 = octets_after(a2, "The")
    key2 = jwk_after(section(r, "A.2.3.", "A.2.4."), "RSA key represented in JSON Web Key")
    tok2 = block_after(section(r, "A.2.7.", "A.2.8."), "The final result in this example")
    write("rfc7516_a_2_rsa1_5_a128cbc_hs256.json", {
        "description": "RFC 7516 appendix A.2: RSA1_5 with A128CBC-HS256 (decryption only, behind the opt-in)",
        "source": "RFC 7516 appendix A.2 (plaintext octets), A.2.3 (key), A.2.7 (token)",
        "kind": "jwe", "keys": [key2], "policy": {"algs": ["RSA1_5"], "encs": ["A128CBC-HS256"], "allow_rsa1_5": True},
        "input": tok2, "expect": "ok", "plaintext_b64": b64(pt2)})
    write("rfc7516_a_2_rsa1_5_without_opt_in.json", {
        "description": "RFC 7516 appendix A.2 without the RSA1_5 opt-in: refused even though the policy lists RSA1_5",
        "source": "RFC 7516 appendix A.2",
        "kind": "jwe", "keys": [key2], "policy": {"algs": ["RSA1_5"], "encs": ["A128CBC-HS256"]},
        "input": tok2, "expect": "rejected"})
    key3 = jwk_after(section(r, "A.3.3.", "A.3.4."), "symmetric key represented in JSON Web Key")
    tok3 = block_after(section(r, "A.3.7.", "A.3.8."), "The final result in this example")
    write("rfc7516_a_3_a128kw_a128cbc_hs256.json", {
        "description": "RFC 7516 appendix A.3: A128KW with A128CBC-HS256, compact",
        "source": "RFC 7516 appendix A.3 (key, token), A.2 (plaintext octets, the same)",
        "kind": "jwe", "keys": [key3], "policy": {"algs": ["A128KW"], "encs": ["A128CBC-HS256"]},
        "input": tok3, "expect": "ok", "plaintext_b64": b64(pt2)})
    general = json.loads(block_after(section(r, "A.4.7.", "A.5."), "The complete JWE JSON Serialization"))
    for name, keys in [("rsa1_5_key", [dict(key2, kid="2011-04-29")]), ("a128kw_key", [dict(key3, kid="7")])]:
        write(f"rfc7516_a_4_general_json_{name}.json", {
            "description": f"RFC 7516 appendix A.4: general JSON with two recipients, opened with the {name.replace('_', ' ')}",
            "source": "RFC 7516 appendix A.4.7, keys of A.2 and A.3",
            "kind": "jwe", "keys": keys,
            "policy": {"algs": ["RSA1_5", "A128KW"], "encs": ["A128CBC-HS256"], "allow_rsa1_5": True},
            "input": general, "expect": "ok", "plaintext_b64": b64(pt2)})
    flat = json.loads(block_after(section(r, "A.5.", "Appendix B."), "The complete JWE JSON Serialization"))
    write("rfc7516_a_5_flattened_json.json", {
        "description": "RFC 7516 appendix A.5: flattened JSON, A128KW",
        "source": "RFC 7516 appendix A.5, key of A.3",
        "kind": "jwe", "keys": [dict(key3, kid="7")], "policy": {"algs": ["A128KW"], "encs": ["A128CBC-HS256"]},
        "input": flat, "expect": "ok", "plaintext_b64": b64(pt2)})

    a = text(7518)
    for label, start, end, enc in [("B.1", "B.1.", "B.2.", "A128CBC-HS256"), ("B.2", "B.2.", "B.3.", "A192CBC-HS384"),
                                   ("B.3", "B.3.", "Appendix C.", "A256CBC-HS512")]:
        f = hex_fields(section(a, start, end))
        write(f"rfc7518_{label.lower().replace('.', '_')}_{enc.lower()}.json", {
            "description": f"RFC 7518 appendix {label}: {enc} test case",
            "source": f"RFC 7518 appendix {label}",
            "kind": "aead", "enc": enc, "key": f["K"], "iv": f["IV"], "aad": f["A"], "plaintext": f["P"],
            "ciphertext": f["E"], "tag": f["T"], "expect": "ok"})
        bad = list(f["T"]); bad[-1] = "0" if bad[-1] != "0" else "1"
        write(f"rfc7518_{label.lower().replace('.', '_')}_{enc.lower()}_bad_tag.json", {
            "description": f"RFC 7518 appendix {label} with the last tag nibble changed: the MAC fails before decryption",
            "source": f"RFC 7518 appendix {label}, altered",
            "kind": "aead", "enc": enc, "key": f["K"], "iv": f["IV"], "aad": f["A"], "plaintext": f["P"],
            "ciphertext": f["E"], "tag": "".join(bad), "expect": "decryption_failed"})

    e = text(8037)
    a6 = section(e, "A.6.", "A.7.")
    def hexdump_after(phrase):
        k = next(i for i, l in enumerate(a6) if phrase in l)
        out = ""
        for l in a6[k + 1:]:
            t = l.strip()
            if re.fullmatch(r"([0-9a-f]{2} ?)+", t):
                out += t.replace(" ", "")
            elif out:
                break
        return out
    write("rfc8037_a_6_x25519_ecdh.json", {
        "description": "RFC 8037 appendix A.6: X25519 shared secret Z for ECDH-ES",
        "source": "RFC 8037 appendix A.6",
        "kind": "x25519", "private": hexdump_after("The ephemeral secret happens to be"),
        "public": hexdump_after("The public key from the target key is"),
        "shared": hexdump_after("the sender computes the DH Z value"), "expect": "ok"})


if __name__ == "__main__":
    main()
    jwe_vectors()
