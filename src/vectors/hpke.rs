//! HPKE for JWE (draft-ietf-jose-hpke-encrypt-20): the draft's `jose-vectors.json`, one
//! private JWK and one compact and one flattened JWE per algorithm. Every token of a
//! supported algorithm must decrypt with its JWK (the policy naming only that algorithm),
//! and the compact and flattened plaintexts must be the same. The `HPKE-5` and `HPKE-6`
//! entries need X448, which bodyseal does not implement: each must be refused as
//! unsupported, and is counted apart ([`Report::unsupported`](super::Report::unsupported)),
//! never as passed.

use super::Run;
use crate::alg::{JweAlg, JweEnc};
use crate::error::{Error, Unsupported};
use crate::jwe;
use crate::jwk::Jwk;
use crate::key::{DecryptionKey, DecryptionKeys};
use crate::policy::JwePolicy;
use serde_json::Value;

/// True for the draft's vector document: a list of `{alg: "HPKE-…", jwk, compact, …}`.
pub(super) fn is_vector_list(doc: &Value) -> bool {
    doc.as_array().is_some_and(|items| {
        !items.is_empty()
            && items.iter().all(|i| {
                i.get("alg")
                    .and_then(Value::as_str)
                    .is_some_and(|a| a.starts_with("HPKE-"))
                    && i.get("jwk").is_some()
                    && i.get("compact").is_some()
            })
    })
}

fn decrypt(token: &str, key: &DecryptionKeys, alg: JweAlg) -> Result<Vec<u8>, Error> {
    let policy = JwePolicy::new(&[alg], JweEnc::ALL);
    jwe::parse(token, &policy.limits)?
        .decrypt(key, &policy)
        .map(|d| d.into_plaintext().to_vec())
}

/// Runs every entry of the list.
pub(super) fn run(doc: &Value, run: &mut Run<'_>) {
    for item in doc.as_array().into_iter().flatten() {
        let name = item.get("alg").and_then(Value::as_str).unwrap_or_default();
        let alg = match name.parse::<JweAlg>() {
            Ok(alg) => alg,
            Err(Error::Unsupported(Unsupported::Algorithm)) => {
                // X448: the key must be refused too; counted as not run, never as passed.
                if Jwk::from_value(&item["jwk"]).is_ok() {
                    run.record(&format!("{name} key"), false, "an X448 key was accepted");
                } else {
                    run.report.unsupported += 1;
                }
                continue;
            }
            Err(e) => {
                run.broken(name, &e.to_string());
                continue;
            }
        };
        let key = match Jwk::from_value(&item["jwk"]).and_then(|j| DecryptionKey::from_jwk(&j)) {
            Ok(k) => DecryptionKeys::single(k),
            Err(e) => {
                run.record(&format!("{name} key"), false, &e.to_string());
                continue;
            }
        };
        let compact = item["compact"].as_str().map(|t| decrypt(t, &key, alg));
        let flattened = item
            .get("flattened")
            .map(|f| decrypt(&f.to_string(), &key, alg));
        match (compact, flattened) {
            (Some(Ok(c)), Some(Ok(f))) => {
                run.record(&format!("{name} compact"), true, "");
                run.record(
                    &format!("{name} flattened"),
                    c == f,
                    "the plaintexts differ",
                );
            }
            (c, f) => run.record(
                name,
                false,
                &format!(
                    "compact: {:?}, flattened: {:?}",
                    c.map(|r| r.err()),
                    f.map(|r| r.err())
                ),
            ),
        }
    }
}
