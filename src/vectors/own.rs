//! The project's vector format (test-vectors/README.md): one case per file, `kind` and
//! `expect`, every case run through every API path that accepts it.

use super::{hex, s, token_text, x25519, Run};
use crate::alg::{HashAlg, JweAlg, JweEnc, JwsAlg};
use crate::crypto::Provider;
use crate::detached::DetachedVerifier;
use crate::error::{Error, Part, Rejected};
use crate::exchange::{Exchange, RequestBinding, ResponseBinding};
use crate::jwk::{Jwk, JwkSet};
use crate::key::{DecryptionKey, DecryptionKeys, SigningKey, VerifyingKey, VerifyingKeys};
use crate::policy::{JwePolicy, JwsPolicy, Limits};
use crate::seal::{Opener, Order};
use crate::{b64, jwe, jws, jwt};
use serde_json::Value;

type R<T> = Result<T, String>;

/// The outcome category, one-to-one with the error enum.
fn category(r: &Result<(), Error>) -> &'static str {
    match r {
        Ok(()) => "ok",
        Err(Error::Malformed(_)) => "malformed",
        Err(Error::Unsupported(_)) => "unsupported",
        Err(Error::Rejected(_)) => "rejected",
        Err(Error::InvalidSignature) => "invalid_signature",
        Err(Error::DecryptionFailed) => "decryption_failed",
        Err(Error::Key(_)) => "key_error",
        Err(_) => "other",
    }
}

/// The finer reason of a body-protection refusal.
fn reason(e: &Error) -> String {
    match e {
        Error::Rejected(Rejected::Nesting(_)) => "nesting".into(),
        Error::Rejected(Rejected::Binding(m)) => format!("binding:{m}"),
        Error::Rejected(Rejected::Missing(m)) => format!("missing:{m}"),
        Error::Rejected(Rejected::Expired) => "expired".into(),
        Error::Rejected(Rejected::NotYetValid) => "not_yet_valid".into(),
        Error::Rejected(Rejected::Replay) => "replay".into(),
        other => other.to_string(),
    }
}

fn names<T: core::str::FromStr>(v: Option<&Value>) -> R<Vec<T>> {
    v.and_then(Value::as_array)
        .ok_or("an algorithm list is missing")?
        .iter()
        .map(|a| {
            a.as_str()
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| format!("unknown algorithm {a}"))
        })
        .collect()
}

fn jws_policy(v: &Value) -> R<JwsPolicy> {
    let algs: Vec<JwsAlg> = names(v.get("algs"))?;
    let mut p = JwsPolicy::new(&algs);
    if v.get("require_all_signatures") == Some(&Value::Bool(true)) {
        p = p.require_all_signatures();
    }
    if let Some(t) = v.get("typ").and_then(Value::as_str) {
        p = p.require_typ(t);
    }
    if let Some(n) = v.get("max_token_bytes").and_then(Value::as_u64) {
        p = p.with_limits(Limits {
            max_token_bytes: usize::try_from(n).unwrap_or(usize::MAX),
            ..Limits::default()
        });
    }
    for c in v
        .get("crit")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        p = p.understand_crit(c.as_str().unwrap_or_default());
    }
    Ok(p)
}

fn jwe_policy(v: &Value) -> R<JwePolicy> {
    let algs: Vec<JweAlg> = names(v.get("algs"))?;
    let encs: Vec<JweEnc> = names(v.get("encs"))?;
    let mut p = JwePolicy::new(&algs, &encs);
    if v.get("allow_rsa1_5") == Some(&Value::Bool(true)) {
        p = p.allow_rsa1_5();
    }
    if v.get("allow_zip") == Some(&Value::Bool(true)) {
        p = p.allow_zip();
    }
    Ok(p)
}

fn verifying_keys(v: Option<&Value>) -> Result<VerifyingKeys, Error> {
    let mut set = VerifyingKeys::new();
    for j in v.and_then(Value::as_array).into_iter().flatten() {
        set.push(VerifyingKey::from_jwk(&Jwk::from_value(j)?)?)?;
    }
    Ok(set)
}

fn decryption_keys(v: Option<&Value>) -> Result<DecryptionKeys, Error> {
    let mut set = DecryptionKeys::new();
    for j in v.and_then(Value::as_array).into_iter().flatten() {
        set.push(match j.get("password").and_then(Value::as_str) {
            Some(pw) => DecryptionKey::from_password(pw.as_bytes()),
            None => DecryptionKey::from_jwk(&Jwk::from_value(j)?)?,
        });
    }
    Ok(set)
}

fn expected_payload(case: &Value) -> R<Vec<u8>> {
    if let Some(p) = case.get("payload").and_then(Value::as_str) {
        return Ok(p.as_bytes().to_vec());
    }
    b64::decode(s(case, "payload_b64")?.as_bytes(), Part::Payload).map_err(|e| e.to_string())
}

/// Compares a category with `expect`; a wrong payload is its own failure.
fn judge(run: &mut Run<'_>, case: &Value, id: &str, outcome: R<Result<(), Error>>) {
    let expect = case.get("expect").and_then(Value::as_str).unwrap_or("?");
    match outcome {
        Err(why) => run.record(id, false, &why),
        Ok(r) => {
            let got = category(&r);
            let reason_ok = match (&r, case.get("reason").and_then(Value::as_str)) {
                (Err(e), Some(want)) => reason(e) == want,
                _ => true,
            };
            let detail = format!(
                "expected {expect}, got {got} ({})",
                r.as_ref().err().map(reason).unwrap_or_default()
            );
            run.record(id, got == expect && reason_ok, &detail);
        }
    }
}

type JwsParser = for<'a> fn(&'a str, &Limits) -> crate::Result<jws::UnverifiedJws<'a>>;

fn run_jws(case: &Value, token: &str, parser: JwsParser) -> R<Result<(), Error>> {
    let policy = jws_policy(case.get("policy").unwrap_or(&Value::Null))?;
    let keys = match verifying_keys(case.get("keys")) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    let verified = parser(token, &policy.limits).and_then(|u| {
        match case.get("detached_payload").and_then(Value::as_str) {
            Some(d) => u
                .verify_detached(&keys, &policy, d.as_bytes())
                .map(|v| v.payload().to_vec()),
            None => u.verify(&keys, &policy).map(|v| v.payload().to_vec()),
        }
    });
    match verified {
        Ok(payload) if payload != expected_payload(case)? => Err("payload differs".into()),
        Ok(_) => Ok(Ok(())),
        Err(e) => Ok(Err(e)),
    }
}

type JweParser = fn(&str, &Limits) -> crate::Result<jwe::UnverifiedJwe>;

fn run_jwe(case: &Value, token: &str, parser: JweParser) -> R<Result<(), Error>> {
    let policy = jwe_policy(case.get("policy").unwrap_or(&Value::Null))?;
    let keys = match decryption_keys(case.get("keys")) {
        Ok(k) => k,
        Err(e) => return Ok(Err(e)),
    };
    match parser(token, &policy.limits).and_then(|u| u.decrypt(&keys, &policy)) {
        Ok(d) => {
            let want = b64::decode(s(case, "plaintext_b64")?.as_bytes(), Part::Payload)
                .map_err(|e| e.to_string())?;
            if d.plaintext() == want {
                Ok(Ok(()))
            } else {
                Err("plaintext differs".into())
            }
        }
        Err(e) => Ok(Err(e)),
    }
}

fn exchange(v: Option<&Value>) -> R<Exchange> {
    let Some(v) = v else {
        return Ok(Exchange::Standalone);
    };
    if let Some(r) = v.get("request") {
        let at = r.get("at").and_then(Value::as_u64).ok_or("`at` missing")?;
        let mut b = RequestBinding::new(s(r, "method")?, s(r, "uri")?)
            .map_err(|e| e.to_string())?
            .at(at);
        for (name, value) in r
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            b = b.with_header(name, value.as_str().unwrap_or_default());
        }
        Ok(Exchange::Request(b))
    } else if let Some(r) = v.get("response") {
        let at = r.get("at").and_then(Value::as_u64).ok_or("`at` missing")?;
        let status = r
            .get("status")
            .and_then(Value::as_u64)
            .and_then(|n| u16::try_from(n).ok())
            .ok_or("`status` missing")?;
        Ok(Exchange::Response(
            ResponseBinding::new(s(r, "request_jti")?, s(r, "request_digest")?, status).at(at),
        ))
    } else {
        Ok(Exchange::Standalone)
    }
}

fn run_seal(case: &Value, run: &mut Run<'_>) -> R<()> {
    let order: Order = s(case, "order")?.parse().map_err(|_| "unknown order")?;
    let jp = jws_policy(case.get("jws_policy").unwrap_or(&Value::Null))?;
    let ep = jwe_policy(case.get("jwe_policy").unwrap_or(&Value::Null))?;
    let ex = exchange(case.get("exchange"))?;
    let token = token_text(case.get("input").unwrap_or(&Value::Null));
    let opener = verifying_keys(case.get("signer_keys"))
        .and_then(|t| Ok((t, decryption_keys(case.get("decryption_keys"))?)))
        .map(|(t, d)| {
            let o = Opener::new(order, t, jp, d, ep);
            if case.get("allow_unbound") == Some(&Value::Bool(true)) {
                o.allow_unbound()
            } else {
                o
            }
        });
    let opener = match opener {
        Ok(o) => o,
        Err(e) => {
            judge(run, case, "keys", Ok(Err(e)));
            return Ok(());
        }
    };
    let first = match opener.open(&token, &ex) {
        Ok(opened) => {
            let body_ok =
                case.get("body").and_then(Value::as_str).map(str::as_bytes) == Some(opened.body());
            let type_ok = case
                .get("media_type")
                .and_then(Value::as_str)
                .is_none_or(|m| opened.media_type().as_deref() == Some(m));
            if body_ok && type_ok {
                Ok(Ok(()))
            } else {
                Err("body or media type differs".to_owned())
            }
        }
        Err(e) => Ok(Err(e)),
    };
    judge(run, case, "open", first);
    if case.get("replay").and_then(Value::as_str) == Some("rejected") {
        let again = opener.open(&token, &ex);
        let ok = matches!(&again, Err(Error::Rejected(Rejected::Replay)));
        run.record("open again", ok, "a replay was not refused");
    }
    Ok(())
}

fn run_detached(case: &Value) -> R<Result<(), Error>> {
    let policy = jws_policy(case.get("jws_policy").unwrap_or(&Value::Null))?;
    let ex = exchange(case.get("exchange"))?;
    Ok(verifying_keys(case.get("signer_keys")).and_then(|k| {
        DetachedVerifier::new(k, policy)
            .verify(
                s(case, "signature").unwrap_or_default(),
                s(case, "body").unwrap_or_default().as_bytes(),
                &ex,
            )
            .map(|_| ())
    }))
}

fn jwt_validation(v: &Value) -> R<jwt::Validation> {
    let mut val = jwt::Validation::new()
        .at(v
            .get("now")
            .and_then(Value::as_i64)
            .ok_or("`now` missing")?)
        .leeway(v.get("leeway").and_then(Value::as_u64).unwrap_or(0));
    for i in v.get("iss").and_then(Value::as_array).into_iter().flatten() {
        val = val.issuer(i.as_str().unwrap_or_default());
    }
    for a in v.get("aud").and_then(Value::as_array).into_iter().flatten() {
        val = val.audience(a.as_str().unwrap_or_default());
    }
    if let Some(x) = v.get("sub").and_then(Value::as_str) {
        val = val.subject(x);
    }
    if let Some(t) = v.get("typ").and_then(Value::as_str) {
        val = val.typ(t);
    }
    Ok(val)
}

fn run_case(case: &Value, run: &mut Run<'_>) -> R<()> {
    let input = case.get("input").map(token_text).unwrap_or_default();
    match s(case, "kind")? {
        "jws" => {
            let json = case.get("input").is_some_and(Value::is_object);
            let specific: JwsParser = if json {
                jws::parse_json
            } else {
                jws::parse_compact
            };
            judge(
                run,
                case,
                "specific parser",
                run_jws(case, &input, specific),
            );
            judge(run, case, "jws::parse", run_jws(case, &input, jws::parse));
            if case.get("sign_reproducible") == Some(&Value::Bool(true)) {
                let first_key = case.get("keys").and_then(|k| k.get(0)).ok_or("no key")?;
                let alg: JwsAlg = case
                    .get("policy")
                    .and_then(|p| p.get("algs"))
                    .and_then(|a| a.get(0))
                    .and_then(Value::as_str)
                    .and_then(|a| a.parse().ok())
                    .ok_or("no algorithm")?;
                let (signing_input, sig) = input.rsplit_once('.').ok_or("not compact")?;
                let ours = Jwk::from_value(first_key)
                    .and_then(|j| SigningKey::from_jwk(&j))
                    .and_then(|k| k.sign_raw(alg, signing_input.as_bytes()))
                    .map(|s| b64::encode(&s));
                run.record(
                    "re-sign",
                    ours.as_deref() == Ok(sig),
                    "re-signing gives another signature",
                );
            }
        }
        "jwt" => {
            let policy = jws_policy(case.get("policy").unwrap_or(&Value::Null))?;
            let val = jwt_validation(case.get("validation").unwrap_or(&Value::Null))?;
            let r = verifying_keys(case.get("keys"))
                .and_then(|k| jwt::verify::<Value>(&input, &k, &policy, &val).map(|_| ()));
            judge(run, case, "jwt::verify", Ok(r));
        }
        "jwk" => {
            let j = case.get("jwk").unwrap_or(&Value::Null);
            let r = match s(case, "use_as")? {
                "sign" => Jwk::from_value(j)
                    .and_then(|k| SigningKey::from_jwk(&k))
                    .map(|_| ()),
                "verify" => Jwk::from_value(j)
                    .and_then(|k| VerifyingKey::from_jwk(&k))
                    .map(|_| ()),
                "set" => JwkSet::from_value(j)
                    .and_then(|s| VerifyingKeys::from_jwk_set(&s))
                    .map(|_| ()),
                other => return Err(format!("unknown use_as {other}")),
            };
            judge(run, case, "jwk", Ok(r));
        }
        "jwk_thumbprint" => {
            let jwk = Jwk::from_value(case.get("jwk").unwrap_or(&Value::Null))
                .map_err(|e| e.to_string())?;
            let hash = match s(case, "hash")? {
                "SHA-256" => HashAlg::Sha256,
                "SHA-384" => HashAlg::Sha384,
                _ => HashAlg::Sha512,
            };
            let want = s(case, "thumbprint")?;
            let ok = jwk.thumbprint_b64(hash) == want && jwk.thumbprint_uri(hash).ends_with(want);
            run.record("thumbprint", ok, "thumbprint differs");
        }
        "jwe" => {
            let json = case.get("input").is_some_and(Value::is_object);
            let specific: JweParser = if json {
                jwe::parse_json
            } else {
                jwe::parse_compact
            };
            judge(
                run,
                case,
                "specific parser",
                run_jwe(case, &input, specific),
            );
            judge(run, case, "jwe::parse", run_jwe(case, &input, jwe::parse));
        }
        "aead" => {
            let h = |n: &str| s(case, n).and_then(hex);
            let enc: JweEnc = s(case, "enc")?.parse().map_err(|_| "unknown enc")?;
            let p = Provider::default();
            let mut data = h("ciphertext")?;
            let r = p.jwe.decrypt(
                enc,
                &h("key")?,
                &h("iv")?,
                &h("aad")?,
                &mut data,
                &h("tag")?,
            );
            if r.is_ok() && data != h("plaintext")? {
                run.record("open", false, "plaintext differs");
            } else {
                judge(run, case, "open", Ok(r));
            }
            if case.get("expect").and_then(Value::as_str) == Some("ok") {
                let mut data = h("plaintext")?;
                let tag = p
                    .jwe
                    .encrypt(enc, &h("key")?, &h("iv")?, &h("aad")?, &mut data);
                let ok = data == h("ciphertext")? && tag.as_deref() == Ok(&h("tag")?[..]);
                run.record("seal", ok, "ciphertext or tag differs");
            }
        }
        "x25519" => {
            let h = |n: &str| s(case, n).and_then(hex);
            let z = x25519(&h("private")?, &h("public")?);
            run.record(
                "agree",
                z.as_deref() == Ok(&h("shared")?[..]),
                "shared secret differs",
            );
        }
        "seal" => run_seal(case, run)?,
        "detached" => judge(run, case, "verify", run_detached(case)),
        other => return Err(format!("unknown kind {other}")),
    }
    Ok(())
}

pub(super) fn run(case: &Value, run: &mut Run<'_>) {
    if let Err(why) = run_case(case, run) {
        run.broken("case", &why);
    }
}
