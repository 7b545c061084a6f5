//! RFC 9180 test vectors (the vendored JSON, and appendix A.7 for the export-only AEAD),
//! the edge-case vectors of draft-ietf-hpke-hpke, and refusals.

use super::*;
use serde_json::{json, Value};

/// RFC 9180 JSON vectors of the modes and suites implemented here; provenance and filter in
/// the README next to it.
const VECTORS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/test-vectors/conformance/primitives/hpke/rfc9180-test-vectors.capped.json"
);

const KEMS: [Kem; 4] = [
    Kem::P256Sha256,
    Kem::P384Sha384,
    Kem::P521Sha512,
    Kem::X25519Sha256,
];
const KDFS: [Kdf; 3] = [Kdf::Sha256, Kdf::Sha384, Kdf::Sha512];
const AEADS: [Aead; 4] = [
    Aead::Aes128Gcm,
    Aead::Aes256Gcm,
    Aead::ChaCha20Poly1305,
    Aead::ExportOnly,
];
const PSK: Psk<'static> = Psk {
    psk: &[0x5a; 32],
    id: b"psk id",
};

fn hex(s: &str) -> Vec<u8> {
    crate::vectors::hex(s).unwrap()
}

fn bytes(v: &Value, name: &str) -> Vec<u8> {
    hex(v[name]
        .as_str()
        .unwrap_or_else(|| panic!("`{name}` is missing")))
}

fn opt_bytes(v: &Value, name: &str) -> Option<Vec<u8>> {
    v.get(name).map(|_| bytes(v, name))
}

fn all_suites() -> impl Iterator<Item = Suite> {
    KEMS.into_iter().flat_map(|kem| {
        KDFS.into_iter()
            .flat_map(move |kdf| AEADS.into_iter().map(move |aead| Suite { kem, kdf, aead }))
    })
}

/// A recipient key pair (sk, pk) for `kem`.
fn recipient(kem: Kem) -> (Zeroizing<Vec<u8>>, Vec<u8>) {
    derive_key_pair(kem, &[0x42; 66]).unwrap()
}

/// What the vectors checked.
#[derive(Debug, Default, PartialEq)]
struct Checked {
    entries: usize,
    encryptions: usize,
    exports: usize,
}

/// The sequence number of an encryption: its nonce XOR base_nonce (section 5.2).
fn seq_of(nonce: &[u8], base_nonce: &[u8]) -> u64 {
    let x: Vec<u8> = nonce.iter().zip(base_nonce).map(|(a, b)| a ^ b).collect();
    assert_eq!(x.len(), NONCE_LEN);
    assert!(x[..4].iter().all(|b| *b == 0));
    u64::from_be_bytes(x[4..].try_into().unwrap())
}

/// Runs one vector in the RFC 9180 JSON format (`skEm`/`pkEm` may be absent): every
/// intermediate value, every encryption (both ways) and every export (both roles).
fn check_entry(v: &Value, checked: &mut Checked) {
    let id = |n: &str| u16::try_from(v[n].as_u64().unwrap()).unwrap();
    let suite = Suite::from_ids(id("kem_id"), id("kdf_id"), id("aead_id")).unwrap();
    let (psk, psk_id) = (opt_bytes(v, "psk"), opt_bytes(v, "psk_id"));
    let psk = match v["mode"].as_u64() {
        Some(0) => None,
        Some(1) => Some(Psk {
            psk: psk.as_deref().unwrap(),
            id: psk_id.as_deref().unwrap(),
        }),
        other => panic!("mode {other:?}"),
    };
    let [info, ikm_e, ikm_r, sk_rm, pk_rm, enc, shared_secret, key, base_nonce, exporter_secret] =
        [
            "info",
            "ikmE",
            "ikmR",
            "skRm",
            "pkRm",
            "enc",
            "shared_secret",
            "key",
            "base_nonce",
            "exporter_secret",
        ]
        .map(|n| bytes(v, n));
    let what = format!("{suite:?} mode {}", v["mode"]);

    // DeriveKeyPair (section 7.1.3).
    let (sk, pk) = derive_key_pair(suite.kem, &ikm_r).unwrap();
    assert_eq!(
        (&sk[..], &pk[..]),
        (&sk_rm[..], &pk_rm[..]),
        "{what}: skRm, pkRm"
    );
    let (sk, pk) = derive_key_pair(suite.kem, &ikm_e).unwrap();
    assert_eq!(pk, enc, "{what}: pkEm");
    if let (Some(sk_em), Some(pk_em)) = (opt_bytes(v, "skEm"), opt_bytes(v, "pkEm")) {
        assert_eq!(
            (&sk[..], &pk[..]),
            (&sk_em[..], &pk_em[..]),
            "{what}: skEm, pkEm"
        );
    }

    // Encap and Decap (section 4.1).
    let (sk_e, _) = derive(suite.kem, &ikm_e).unwrap();
    let (shared, enc_out) = encap(suite.kem, &pk_rm, &sk_e).unwrap();
    assert_eq!(
        (&shared[..], &enc_out[..]),
        (&shared_secret[..], &enc[..]),
        "{what}: encap"
    );
    let sk_r = PrivateKey::from_private_key(suite.kem.agreement(), &sk_rm).unwrap();
    assert_eq!(
        *decap(suite.kem, &enc, &sk_r, &pk_rm).unwrap(),
        shared_secret,
        "{what}: decap"
    );

    // KeySchedule (section 5.1).
    let s = key_schedule(
        suite,
        &shared_secret,
        &info,
        psk_inputs(psk).unwrap(),
        Exporter::Derived,
    )
    .unwrap();
    assert_eq!(*s.key, key, "{what}: key");
    assert_eq!(*s.base_nonce, base_nonce, "{what}: base_nonce");
    assert_eq!(
        *s.exporter_secret, exporter_secret,
        "{what}: exporter_secret"
    );

    // The whole path: setup, Seal and Open at each listed sequence number, Export.
    let (enc_out, mut sender) = setup_sender_with_ikm_e(suite, &pk_rm, &info, psk, &ikm_e).unwrap();
    assert_eq!(enc_out, enc, "{what}: setup enc");
    let mut recipient = setup_recipient(suite, &sk_rm, &enc, &info, psk).unwrap();
    for e in v["encryptions"].as_array().unwrap() {
        let [pt, aad, nonce, ct] = ["pt", "aad", "nonce", "ct"].map(|n| bytes(e, n));
        let seq = seq_of(&nonce, &base_nonce);
        assert!(seq >= sender.0.seq, "{what}: encryptions out of order");
        while sender.0.seq < seq {
            let mut filler = b"skipped".to_vec();
            sender.seal(b"", &mut filler).unwrap();
            recipient.open(b"", &mut filler).unwrap();
        }
        let mut buf = pt.clone();
        sender.seal(&aad, &mut buf).unwrap();
        assert_eq!(buf, ct, "{what}: ct at sequence number {seq}");
        recipient.open(&aad, &mut buf).unwrap();
        assert_eq!(buf, pt, "{what}: pt at sequence number {seq}");
        checked.encryptions += 1;
    }
    for x in v["exports"].as_array().unwrap() {
        let (context, value) = (bytes(x, "exporter_context"), bytes(x, "exported_value"));
        let len = usize::try_from(x["L"].as_u64().unwrap()).unwrap();
        assert_eq!(
            *sender.export(&context, len).unwrap(),
            value,
            "{what}: export"
        );
        assert_eq!(
            *recipient.export(&context, len).unwrap(),
            value,
            "{what}: export"
        );
        checked.exports += 1;
    }
    checked.entries += 1;
}

#[test]
fn rfc9180_vectors() {
    let doc: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(VECTORS).unwrap()).unwrap();
    let (mut checked, mut expected, mut unsupported) = (Checked::default(), 0, 0);
    for v in &doc {
        let id = |n: &str| v[n].as_u64().unwrap();
        // Counted from the ids, independently of `Suite::from_ids`.
        let implemented = [0, 1].contains(&id("mode"))
            && [0x10, 0x11, 0x12, 0x20].contains(&id("kem_id"))
            && [1, 2, 3].contains(&id("kdf_id"))
            && [1, 2, 3, 0xffff].contains(&id("aead_id"));
        if implemented {
            expected += 1;
            check_entry(v, &mut checked);
        } else {
            // Only X448 and the auth modes may be left out.
            assert!(id("kem_id") == 0x21 || [2, 3].contains(&id("mode")), "{v}");
            unsupported += 1;
        }
    }
    assert_eq!(checked.entries, expected);
    // The vendored file (its README): 36 entries, 16 + 1 encryptions and 3 exports each;
    // the X448 and auth-mode entries were filtered out upstream of it.
    assert_eq!(
        (checked, unsupported),
        (
            Checked {
                entries: 36,
                encryptions: 36 * 17,
                exports: 108
            },
            0
        )
    );
}

/// RFC 9180 appendix A.7.1 and A.7.2: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, Export-Only
/// AEAD (not in the vendored JSON, which has no export-only entries).
#[test]
fn rfc9180_export_only_vectors() {
    let exports = |values: [&str; 3]| {
        json!([
            {"exporter_context": "", "L": 32, "exported_value": values[0]},
            {"exporter_context": "00", "L": 32, "exported_value": values[1]},
            {"exporter_context": "54657374436f6e74657874", "L": 32, "exported_value": values[2]},
        ])
    };
    let common = |v: &mut Value| {
        for (k, x) in [("kem_id", 32), ("kdf_id", 1), ("aead_id", 65535)] {
            v[k] = x.into();
        }
        v["info"] = "4f6465206f6e2061204772656369616e2055726e".into();
        v["key"] = "".into();
        v["base_nonce"] = "".into();
        v["encryptions"] = json!([]);
    };
    let mut base = json!({
        "mode": 0,
        "ikmE": "55bc245ee4efda25d38f2d54d5bb6665291b99f8108a8c4b686c2b14893ea5d9",
        "pkEm": "e5e8f9bfff6c2f29791fc351d2c25ce1299aa5eaca78a757c0b4fb4bcd830918",
        "skEm": "095182b502f1f91f63ba584c7c3ec473d617b8b4c2cec3fad5af7fa6748165ed",
        "ikmR": "683ae0da1d22181e74ed2e503ebf82840deb1d5e872cade20f4b458d99783e31",
        "pkRm": "194141ca6c3c3beb4792cd97ba0ea1faff09d98435012345766ee33aae2d7664",
        "skRm": "33d196c830a12f9ac65d6e565a590d80f04ee9b19c83c87f2c170d972a812848",
        "enc": "e5e8f9bfff6c2f29791fc351d2c25ce1299aa5eaca78a757c0b4fb4bcd830918",
        "shared_secret": "e81716ce8f73141d4f25ee9098efc968c91e5b8ce52ffff59d64039e82918b66",
        "exporter_secret": "79dc8e0509cf4a3364ca027e5a0138235281611ca910e435e8ed58167c72f79b",
        "exports": exports([
            "7a36221bd56d50fb51ee65edfd98d06a23c4dc87085aa5866cb7087244bd2a36",
            "d5535b87099c6c3ce80dc112a2671c6ec8e811a2f284f948cec6dd1708ee33f0",
            "ffaabc85a776136ca0c378e5d084c9140ab552b78f039d2e8775f26efff4c70e",
        ]),
    });
    let mut psk = json!({
        "mode": 1,
        "ikmE": "c51211a8799f6b8a0021fcba673d9c4067a98ebc6794232e5b06cb9febcbbdf5",
        "pkEm": "d3805a97cbcd5f08babd21221d3e6b362a700572d14f9bbeb94ec078d051ae3d",
        "skEm": "1d72396121a6a826549776ef1a9d2f3a2907fc6a38902fa4e401afdb0392e627",
        "ikmR": "5e0516b1b29c0e13386529da16525210c796f7d647c37eac118023a6aa9eb89a",
        "pkRm": "d53af36ea5f58f8868bb4a1333ed4cc47e7a63b0040eb54c77b9c8ec456da824",
        "skRm": "98f304d4ecb312689690b113973c61ffe0aa7c13f2fbe365e48f3ed09e5a6a0c",
        "psk": "0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82",
        "psk_id": "456e6e796e20447572696e206172616e204d6f726961",
        "enc": "d3805a97cbcd5f08babd21221d3e6b362a700572d14f9bbeb94ec078d051ae3d",
        "shared_secret": "024573db58c887decb4c57b6ed39f2c9a09c85600a8a0ecb11cac24c6aaec195",
        "exporter_secret": "04261818aeae99d6aba5101bd35ddf3271d909a756adcef0d41389d9ed9ab153",
        "exports": exports([
            "be6c76955334376aa23e936be013ba8bbae90ae74ed995c1c6157e6f08dd5316",
            "1721ed2aa852f84d44ad020c2e2be4e2e6375098bf48775a533505fd56a3f416",
            "7c9d79876a288507b81a5a52365a7d39cc0fa3f07e34172984f96fec07c44cba",
        ]),
    });
    let mut checked = Checked::default();
    for v in [&mut base, &mut psk] {
        common(v);
        check_entry(v, &mut checked);
    }
    assert_eq!((checked.entries, checked.exports), (2, 6));
}

/// draft-ietf-hpke-hpke (the RFC 9180 successor, editor's copy `d8cae03`), appendix
/// "Edge-Case Test Vectors": DeriveKeyPair rejection sampling on P-256, empty and zero-byte
/// pt, aad and exporter contexts, an empty info, and zero bytes inside psk and psk_id.
#[test]
fn edge_case_vectors() {
    let info = "4f6465206f6e2061204772656369616e2055726e";
    let count0 = "436f756e742d30";
    let beauty = "4265617574792069732074727574682c20747275746820626561757479";
    let x25519 = json!({
        "mode": 0, "kem_id": 32, "kdf_id": 1, "aead_id": 1,
        "ikmE": "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
        "ikmR": "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
        "skRm": "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
        "pkRm": "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
        "enc": "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
        "shared_secret": "fe0e18c9f024ce43799ae393c7e8fe8fce9d218875e8227b0187c04e7d2ea1fc",
    });
    let with = |base: &Value, extra: Value| {
        let mut v = base.clone();
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let vectors = [
        // KEM Key Derivation with Rejection Sampling.
        json!({
            "mode": 0, "kem_id": 16, "kdf_id": 1, "aead_id": 1, "info": info,
            "ikmE": "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
            "ikmR": "68706b652d656467652d703235362d72656a656374696f6e00000001c6be4ce7",
            "skRm": "d9cbff7adaa1c604a2e4fcfb762c9e1c5ed7d2e33b15fcad4c6c3f23a9637325",
            "pkRm": "04d3bec6a691f47bbedd5caa1d51c7228f6afeeec5576495b855bbe6595e49643570be005fc177b3d80f6eeef280b1cf8a565d7ca28116dee2e875550ef3050ca8",
            "enc": "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
            "shared_secret": "1f38c13d9156ad1439d1edf648a12bf9c62cecb95cbb2087e16683636744251a",
            "key": "58337e18488e9e09ab4278759207d006",
            "base_nonce": "d4967824655d4887a04b3d87",
            "exporter_secret": "04f68c9f58b994666057b92606f7b738c47300fcb3a33bac157ee4a934bbae25",
            "encryptions": [{"pt": beauty, "aad": count0, "nonce": "d4967824655d4887a04b3d87",
                "ct": "bcf25d5db84780b5b222eb26a63d8fb489c6a0bf1f6281cbc10c633707dbcda9af7cee7a57abdb59ce4c9d4162"}],
            "exports": [{"exporter_context": "54657374436f6e74657874", "L": 32,
                "exported_value": "abd921fc81dae75036e9146d2e5826e3ea075b410c1c46a0a0533a9e3e685490"}],
        }),
        // Empty and Zero-Byte AEAD Inputs.
        with(
            &x25519,
            json!({
                "info": info,
                "key": "4531685d41d65f03dc48f6b8302c05b0",
                "base_nonce": "56d890e5accaaf011cff4b7d",
                "exporter_secret": "45ff1c2e220db587171952c0592d5f5ebe103f1561a2614e38f2ffd47e99e3f8",
                "encryptions": [
                    {"pt": "", "aad": count0, "nonce": "56d890e5accaaf011cff4b7d",
                        "ct": "3f431133aa05608a56675bec51d03e0f"},
                    {"pt": beauty, "aad": "", "nonce": "56d890e5accaaf011cff4b7c",
                        "ct": "af2d7e9ac9ae7e270f46ba1f975be53c09f8d875bdc8535458c2494e8aa7d2bb71109b5730bb714a8e64e5cc16"},
                    {"pt": "00010002000300", "aad": count0, "nonce": "56d890e5accaaf011cff4b7f",
                        "ct": "0be99ddcad54aabf548b3dbae884aff7aaeb0afc9ab60f"},
                    {"pt": beauty, "aad": "00ff00ff00", "nonce": "56d890e5accaaf011cff4b7e",
                        "ct": "6b0f4cd351730cd25993d8ad0f11bff1ef2c3a957cb4d8694bb06c60a2f65e4f4cf8c1ae35431071bb18eff3e8"},
                ],
                "exports": [
                    {"exporter_context": "", "L": 32,
                        "exported_value": "3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee"},
                    {"exporter_context": "00", "L": 32,
                        "exported_value": "2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5"},
                    {"exporter_context": "0011002200", "L": 32,
                        "exported_value": "73ac25f70dd55c215b4220e6978533ee2d3a559a48c507b11e200af81e64337a"},
                ],
            }),
        ),
        // Empty info.
        with(
            &x25519,
            json!({
                "info": "",
                "key": "a9b96236b306695e8729863403f68d4f",
                "base_nonce": "0816b7f1635cce3ee2a7f611",
                "exporter_secret": "ac9efc2aea9784504d6e817cf056845b1947cb604e6f398704c0524a1cc8e90f",
                "encryptions": [{"pt": beauty, "aad": count0, "nonce": "0816b7f1635cce3ee2a7f611",
                    "ct": "2a19b5c53b9bc4d52723cfa64b0c0532b9fd5473e8c1105285be1a5fd763463c3d34236f5d26ebfe906277e094"}],
                "exports": [{"exporter_context": "54657374436f6e74657874", "L": 32,
                    "exported_value": "8a02de446479bb7d27490ed85a69c6bbaddd0969fbc84f7661ab038c9008f053"}],
            }),
        ),
        // info with Embedded Zero Bytes.
        with(
            &x25519,
            json!({
                "info": "f0000f00ff",
                "key": "7d8ac6f5d6276d9411b66d4bfa232381",
                "base_nonce": "626c42fcd01b1690bf10cb44",
                "exporter_secret": "47c5306e700000a21465f2efd0c81d8df46e607b538fb330b213726d1004899e",
                "encryptions": [{"pt": beauty, "aad": count0, "nonce": "626c42fcd01b1690bf10cb44",
                    "ct": "dccc58fdd5dd0f80a162809a6bd47bf881ce2821b5ab718892dd568e2dcef6c98750fa1dc39a6182802ef3416c"}],
                "exports": [{"exporter_context": "54657374436f6e74657874", "L": 32,
                    "exported_value": "b16979c789e60ff4a21a3975b785ed3114d44525a3f660a4a848891dcf54446a"}],
            }),
        ),
        // psk and psk_id with Embedded Zero Bytes.
        json!({
            "mode": 1, "kem_id": 32, "kdf_id": 1, "aead_id": 1, "info": info,
            "ikmE": "78628c354e46f3e169bd231be7b2ff1c77aa302460a26dbfa15515684c00130b",
            "ikmR": "d4a09d09f575fef425905d2ab396c1449141463f698f8efdb7accfaff8995098",
            "skRm": "c5eb01eb457fe6c6f57577c5413b931550a162c71a03ac8d196babbd4e5ce0fd",
            "pkRm": "9fed7e8c17387560e92cc6462a68049657246a09bfa8ade7aefe589672016366",
            "enc": "0ad0950d9fb9588e59690b74f1237ecdf1d775cd60be2eca57af5a4b0471c91b",
            "shared_secret": "727699f009ffe3c076315019c69648366b69171439bd7dd0807743bde76986cd",
            "key": "ca4f3f1e77364e55e5554d480a8ee58a",
            "base_nonce": "a8cf850e9bdd7d73155a5243",
            "exporter_secret": "d08a0e5476626a7fccf354ec6b1787a238e53f8e38e96af3d2c4f76f6295007b",
            "psk": "0000000000000000111111111111111100000000000000002222222222222222",
            "psk_id": "0050534b00696400",
            "encryptions": [{"pt": beauty, "aad": count0, "nonce": "a8cf850e9bdd7d73155a5243",
                "ct": "cf34c6d0f86cd81c527cff7a2a20541cd017877d6e95f82f9dc13e6937bef65723bf43d4a2362690c20591ce67"}],
            "exports": [{"exporter_context": "54657374436f6e74657874", "L": 32,
                "exported_value": "000521bf952f7f7c56cf7dbf40ec1f6943a3233abe36a72d20aa4f87e0d90a95"}],
        }),
    ];
    let mut checked = Checked::default();
    for v in &vectors {
        check_entry(v, &mut checked);
    }
    assert_eq!(
        checked,
        Checked {
            entries: 5,
            encryptions: 8,
            exports: 7
        }
    );
    // The counter-0 candidate of the first vector is at least the order: refused.
    let rejected = hex("ffffffffc6e92ab863d8293933c849d280fc9a40f07471a06702bdf2eac30fa2");
    assert!(PrivateKey::from_private_key(&agreement::ECDH_P256, &rejected).is_err());
}

/// DeriveKeyPair relies on aws-lc-rs taking a scalar exactly when 0 < sk < order.
#[test]
fn backend_scalar_range_is_the_rejection_condition() {
    let orders = [
        (Kem::P256Sha256, "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
        (Kem::P384Sha384, "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
        (Kem::P521Sha512, "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"),
    ];
    for (kem, order) in orders {
        let order = hex(order);
        assert_eq!(order.len(), kem.sk_len());
        let takes = |sk: &[u8]| PrivateKey::from_private_key(kem.agreement(), sk).is_ok();
        let mut below = order.clone();
        *below.last_mut().unwrap() -= 1;
        let one: Vec<u8> = (1..=kem.sk_len())
            .map(|i| u8::from(i == kem.sk_len()))
            .collect();
        assert!(takes(&below) && takes(&one), "{kem:?}");
        assert!(!takes(&order) && !takes(&vec![0; kem.sk_len()]), "{kem:?}");
        assert!(!takes(&vec![0xff; kem.sk_len()]), "{kem:?}");
    }
}

#[test]
fn every_suite_round_trips() {
    let mut suites = 0;
    for suite in all_suites() {
        let (sk, pk) = recipient(suite.kem);
        assert_eq!(
            (sk.len(), pk.len()),
            (suite.kem.sk_len(), suite.kem.enc_len())
        );
        for psk in [None, Some(PSK)] {
            let (enc, mut sender) = setup_sender(suite, &pk, b"info", psk).unwrap();
            assert_eq!(enc.len(), suite.kem.enc_len());
            let mut recipient = setup_recipient(suite, &sk, &enc, b"info", psk).unwrap();
            let exported = sender.export(b"context", 42).unwrap();
            assert_eq!(exported, recipient.export(b"context", 42).unwrap());
            if suite.aead == Aead::ExportOnly {
                let mut m = b"message".to_vec();
                assert!(matches!(sender.seal(b"", &mut m), Err(Error::ApiMisuse(_))));
                assert_eq!(recipient.open(b"", &mut m), Err(Error::DecryptionFailed));
                assert!(m.is_empty());
                continue;
            }
            for n in [0, 1, 100] {
                let pt = vec![u8::try_from(n).unwrap(); n];
                let mut m = pt.clone();
                sender.seal(b"aad", &mut m).unwrap();
                assert_eq!(m.len(), n + suite.aead.tag_len());
                recipient.open(b"aad", &mut m).unwrap();
                assert_eq!(m, pt);
            }
            // Single-shot (section 6.1).
            let mut m = b"single shot".to_vec();
            let enc = seal(suite, &pk, b"info", b"aad", &mut m, psk).unwrap();
            open(suite, &sk, &enc, b"info", b"aad", &mut m, psk).unwrap();
            assert_eq!(m, b"single shot");
        }
        suites += 1;
    }
    assert_eq!(suites, 4 * 3 * 4);
}

#[test]
fn tampering_fails_to_open() {
    for suite in all_suites().filter(|s| s.aead != Aead::ExportOnly) {
        let (sk, pk) = recipient(suite.kem);
        let (enc, mut sender) = setup_sender(suite, &pk, b"info", Some(PSK)).unwrap();
        let mut ct = b"attack at dawn".to_vec();
        sender.seal(b"aad", &mut ct).unwrap();
        let mut r = setup_recipient(suite, &sk, &enc, b"info", Some(PSK)).unwrap();
        // A flipped byte (ciphertext or tag), a truncated tag, another aad.
        let last = ct.len() - 1;
        for (aad, bad) in [
            (&b"aad"[..], {
                let mut c = ct.clone();
                c[0] ^= 1;
                c
            }),
            (&b"aad"[..], {
                let mut c = ct.clone();
                c[last] ^= 0x80;
                c
            }),
            (&b"aad"[..], ct[..last].to_vec()),
            (&b"aad"[..], ct[..15].to_vec()),
            (&b"aae"[..], ct.clone()),
        ] {
            let mut buf = bad;
            assert_eq!(
                r.open(aad, &mut buf),
                Err(Error::DecryptionFailed),
                "{suite:?}"
            );
            assert!(buf.is_empty());
        }
        // Failures did not advance the sequence number.
        let mut buf = ct.clone();
        r.open(b"aad", &mut buf).unwrap();
        assert_eq!(buf, b"attack at dawn");
        // Another info, or another PSK, gives another key.
        let other = Psk {
            psk: &[0xa5; 32],
            id: PSK.id,
        };
        for (info, psk) in [
            (&b"other"[..], Some(PSK)),
            (&b"info"[..], Some(other)),
            (&b"info"[..], None),
        ] {
            let mut r = setup_recipient(suite, &sk, &enc, info, psk).unwrap();
            let mut buf = ct.clone();
            assert_eq!(r.open(b"aad", &mut buf), Err(Error::DecryptionFailed));
        }
    }
}

#[test]
fn wrong_enc_fails() {
    for kem in KEMS {
        let suite = Suite {
            kem,
            kdf: Kdf::Sha256,
            aead: Aead::Aes128Gcm,
        };
        let (sk, pk) = recipient(kem);
        let (enc, mut sender) = setup_sender(suite, &pk, b"", None).unwrap();
        let mut ct = b"hello".to_vec();
        sender.seal(b"", &mut ct).unwrap();
        // A valid enc of another encapsulation: setup works, Open fails.
        let (other_enc, _) = setup_sender(suite, &pk, b"", None).unwrap();
        let mut r = setup_recipient(suite, &sk, &other_enc, b"", None).unwrap();
        let mut buf = ct.clone();
        assert_eq!(
            r.open(b"", &mut buf),
            Err(Error::DecryptionFailed),
            "{kem:?}"
        );
        // Encodings that are no point of the curve (or a low-order X25519 point).
        let mut bad = vec![
            Vec::new(),
            enc[..enc.len() - 1].to_vec(),
            [&enc[..], &[0]].concat(),
            vec![0; enc.len()],
        ];
        if kem != Kem::X25519Sha256 {
            let half = (enc.len() - 1) / 2;
            let mut off_curve = enc.clone();
            *off_curve.last_mut().unwrap() ^= 1;
            let mut hybrid = enc.clone();
            hybrid[0] = 0x06 | (enc[enc.len() - 1] & 1);
            let mut compressed = enc[..=half].to_vec();
            compressed[0] = 0x02 | (enc[enc.len() - 1] & 1);
            bad.extend([off_curve, hybrid, compressed]);
        } else {
            // u = 1, a point of order 4 (RFC 7748): the X25519 output is all zero.
            let mut one = vec![0; 32];
            one[0] = 1;
            bad.push(one);
        }
        for enc in &bad {
            let r = setup_recipient(suite, &sk, enc, b"", None);
            assert_eq!(r.err(), Some(Error::DecryptionFailed), "{kem:?} {enc:02x?}");
            // The same bytes as a recipient public key are the caller's key error.
            let s = setup_sender(suite, enc, b"", None);
            assert!(
                matches!(s.err(), Some(Error::Key(KeyError::Invalid(_)))),
                "{kem:?}"
            );
        }
    }
}

#[test]
fn psk_inputs_are_checked() {
    let suite = Suite {
        kem: Kem::X25519Sha256,
        kdf: Kdf::Sha256,
        aead: Aead::Aes128Gcm,
    };
    let (sk, pk) = recipient(suite.kem);
    let misuse = |r: Result<()>| assert!(matches!(r, Err(Error::ApiMisuse(_))), "{r:?}");
    for psk in [
        Psk {
            psk: PSK.psk,
            id: b"",
        },
        Psk {
            psk: b"",
            id: PSK.id,
        },
        Psk { psk: b"", id: b"" },
    ] {
        misuse(setup_sender(suite, &pk, b"", Some(psk)).map(|_| ()));
        // Refused before enc is looked at.
        misuse(setup_recipient(suite, &sk, b"", b"", Some(psk)).map(|_| ()));
    }
    let short = Psk {
        psk: &[1; 31],
        id: PSK.id,
    };
    assert_eq!(
        setup_sender(suite, &pk, b"", Some(short)).err(),
        Some(KeyError::TooShort { have: 31, need: 32 }.into())
    );
}

#[test]
fn x448_and_unknown_ids_are_refused() {
    assert_eq!(Kem::from_id(0x0021), None);
    for (kem, kdf, aead) in [
        (0x0021, 1, 1),
        (0x0021, 3, 2),
        (0x0010, 4, 1),
        (0x0010, 1, 4),
        (0x0010, 1, 0),
        (0, 1, 1),
    ] {
        assert_eq!(
            Suite::from_ids(kem, kdf, aead),
            Err(Error::Unsupported(Unsupported::Algorithm))
        );
    }
    for suite in all_suites() {
        let ids = (suite.kem.id(), suite.kdf.id(), suite.aead.id());
        assert_eq!(Suite::from_ids(ids.0, ids.1, ids.2), Ok(suite));
    }
}

#[test]
fn sequence_number_overflow_is_refused() {
    let suite = Suite {
        kem: Kem::P256Sha256,
        kdf: Kdf::Sha256,
        aead: Aead::ChaCha20Poly1305,
    };
    let (sk, pk) = recipient(suite.kem);
    let (enc, mut sender) = setup_sender(suite, &pk, b"", None).unwrap();
    let mut recipient = setup_recipient(suite, &sk, &enc, b"", None).unwrap();
    sender.0.seq = u64::MAX - 1;
    recipient.0.seq = u64::MAX - 1;
    let mut m = b"last".to_vec();
    sender.seal(b"", &mut m).unwrap();
    let mut last = m.clone();
    recipient.open(b"", &mut last).unwrap();
    assert_eq!(last, b"last");
    assert!(matches!(sender.seal(b"", &mut m), Err(Error::ApiMisuse(_))));
    assert_eq!(recipient.open(b"", &mut m), Err(Error::DecryptionFailed));
}

#[test]
fn export_length_is_limited() {
    for kdf in KDFS {
        let suite = Suite {
            kem: Kem::X25519Sha256,
            kdf,
            aead: Aead::ExportOnly,
        };
        let (_, pk) = recipient(suite.kem);
        let (_, sender) = setup_sender(suite, &pk, b"", None).unwrap();
        let max = 255 * kdf.hash_len();
        assert_eq!(sender.export(b"", max).unwrap().len(), max);
        assert!(sender.export(b"", 0).unwrap().is_empty());
        for len in [max + 1, 1 << 16, usize::MAX] {
            assert!(matches!(sender.export(b"", len), Err(Error::ApiMisuse(_))));
        }
    }
}

#[test]
fn bad_keys_are_refused() {
    for kem in KEMS {
        let suite = Suite {
            kem,
            kdf: Kdf::Sha256,
            aead: Aead::Aes128Gcm,
        };
        let (sk, pk) = recipient(kem);
        let (enc, _) = setup_sender(suite, &pk, b"", None).unwrap();
        for bad in [&sk[1..], &[&sk[..], &[0]].concat()[..], &[][..]] {
            let r = setup_recipient(suite, bad, &enc, b"", None);
            assert!(
                matches!(r.err(), Some(Error::Key(KeyError::Invalid(_)))),
                "{kem:?}"
            );
        }
        let short = vec![1; kem.sk_len() - 1];
        assert_eq!(
            derive_key_pair(kem, &short).err(),
            Some(
                KeyError::TooShort {
                    have: kem.sk_len() - 1,
                    need: kem.sk_len()
                }
                .into()
            )
        );
    }
}

#[test]
fn debug_shows_no_secrets() {
    let suite = Suite {
        kem: Kem::X25519Sha256,
        kdf: Kdf::Sha256,
        aead: Aead::Aes128Gcm,
    };
    let (sk, pk) = recipient(suite.kem);
    let (enc, sender) = setup_sender(suite, &pk, b"", Some(PSK)).unwrap();
    let recipient = setup_recipient(suite, &sk, &enc, b"", Some(PSK)).unwrap();
    let secret = format!("{:?}", sender.0.exporter_secret.as_slice());
    for shown in [
        format!("{sender:?}"),
        format!("{recipient:?}"),
        format!("{PSK:?}"),
    ] {
        assert!(
            !shown.contains(&secret) && !shown.contains("90, 90"),
            "{shown}"
        );
        assert!(!shown.contains("exporter_secret") && !shown.contains("base_nonce"));
    }
}
