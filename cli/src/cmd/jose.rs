//! `bodyseal sign|verify|encrypt|decrypt`: one layer of JWS or JWE.

use crate::args::{DecryptArgs, EncryptArgs, Format, SignArgs, VerifyArgs};
use crate::error::{CliResult, Failure};
use crate::io::{self, open_token, Output, Privacy, Token};
use crate::keys;
use bodyseal::alg::{JweAlg, JweEnc, JwsAlg};
use bodyseal::jwe::{self, Encryptor};
use bodyseal::jws::{self, Signer, SignerInfo};
use bodyseal::policy::{JwePolicy, JwsPolicy, Limits};
use bodyseal::stream;
use serde_json::Value;
use std::io::Write;

/// The CLI reads files the user chose: no token-size limit (bodies may be gigabytes).
pub(crate) fn cli_limits() -> Limits {
    let mut l = Limits::default();
    l.max_token_bytes = usize::MAX;
    l
}

/// Decompressed JWE output is capped at this size under --allow-zip.
const MAX_INFLATED: usize = 256 << 20;

fn alg_of<T: std::str::FromStr>(name: &str, what: &str) -> CliResult<T> {
    name.parse()
        .map_err(|_| Failure::usage(format!("unknown {what} `{name}`")))
}

pub(crate) fn sign(a: SignArgs) -> CliResult<()> {
    let key = keys::signing_key(&a.key)?;
    let mut signer = Signer::new(&key);
    if let Some(alg) = &a.alg {
        signer = signer
            .with_alg(alg_of::<JwsAlg>(alg, "algorithm")?)
            .map_err(|e| Failure::key(e, "key that fits the algorithm"))?;
    }
    if let Some(kid) = a.kid {
        signer = signer.with_kid(kid);
    }
    if let Some(typ) = a.typ {
        signer = signer.with_typ(typ);
    }
    if let Some(cty) = a.cty {
        signer = signer.with_cty(cty);
    }
    for h in &a.headers {
        let (name, json) = h
            .split_once('=')
            .ok_or_else(|| Failure::usage(format!("--header {h}: expected NAME=JSON")))?;
        let value: Value = serde_json::from_str(json).map_err(|_| {
            Failure::usage(format!("--header {name}: the value is not JSON"))
                .hint("quote strings: --header 'iss=\"me\"'")
        })?;
        signer = signer.with_header(name, value)?;
    }
    if a.unencoded {
        signer = signer.unencoded();
    }
    let mut out = Output::create(a.out.output.as_deref(), Privacy::Public)?;
    if a.format == Format::Compact && !a.detached && !a.unencoded {
        stream::sign_compact(
            &signer,
            io::open_input(a.input.input.as_deref())?,
            out.writer(),
        )?;
    } else {
        let body = io::read_all(a.input.input.as_deref())?;
        let token = match (a.format, a.detached) {
            (Format::Compact, false) => signer.compact(&body)?,
            (Format::Compact, true) => signer.compact_detached(&body)?,
            (Format::Flattened, false) => signer.flattened(&body)?,
            (Format::Flattened, true) => signer.flattened_detached(&body)?,
            (Format::General, false) => Signer::general(std::slice::from_ref(&signer), &body)?,
            (Format::General, true) => {
                Signer::general_detached(std::slice::from_ref(&signer), &body)?
            }
        };
        out.writer()
            .write_all(token.as_bytes())
            .map_err(io::write_err)?;
    }
    out.writer().write_all(b"\n").map_err(io::write_err)?;
    out.commit()
}

/// The audit record of a verified signature.
fn record(s: &SignerInfo) -> Value {
    let mut r = s.to_record();
    if let Value::Object(m) = &mut r {
        m.insert("verified_at".into(), crate::time::now_rfc3339().into());
    }
    r
}

pub(crate) fn verify(a: VerifyArgs) -> CliResult<()> {
    let keys = keys::signer_keys(&a.key, a.jwks_url.as_deref(), a.jwks_ca.as_deref())?;
    let algs = keys::jws_allowlist(&a.allow_alg, &keys)?;
    let mut policy = JwsPolicy::new(&algs).with_limits(cli_limits());
    if a.require_all_signatures {
        policy = policy.require_all_signatures();
    }
    let mut out = Output::create(a.out.output.as_deref(), Privacy::Private)?;
    let signers: Vec<SignerInfo> = if let Some(payload_path) = &a.payload {
        let token = io::read_text(a.input.input.as_deref())?;
        let payload = io::read_file(payload_path)?;
        let v =
            jws::parse(token.trim(), &policy.limits)?.verify_detached(&keys, &policy, &payload)?;
        out.writer().write_all(&payload).map_err(io::write_err)?;
        v.signers().to_vec()
    } else {
        match open_token(a.input.input.as_deref())? {
            Token::Json(json) => {
                let v = jws::parse_json(&json, &policy.limits)?.verify(&keys, &policy)?;
                out.writer().write_all(v.payload()).map_err(io::write_err)?;
                v.signers().to_vec()
            }
            Token::Compact(r) => vec![stream::verify_compact(r, &keys, &policy, out.writer())?],
        }
    };
    let signer = signers.first().ok_or_else(|| Failure::usage("no signer"))?;
    if let Some(max_age) = a.max_age {
        crate::time::check_age(signer.protected().get("iat"), max_age)?;
    }
    if let Some(report) = &a.report {
        let mut r = record(signer);
        if let Value::Object(m) = &mut r {
            m.insert(
                "signatures".into(),
                signers.iter().map(|s| Value::from(s.index)).collect(),
            );
        }
        let text = serde_json::to_string_pretty(&r).unwrap_or_default() + "\n";
        io::write_all(Some(report), Privacy::Private, text.as_bytes())?;
    }
    out.commit()
}

pub(crate) fn encrypt(a: EncryptArgs) -> CliResult<()> {
    let recipients = keys::encryption_keys(&a.key, a.kid.as_deref())?;
    let enc: JweEnc = alg_of(&a.enc, "content encryption")?;
    // HPKE integrated encryption (`HPKE-N`) encrypts the content itself: no `enc`.
    let integrated = match &a.alg {
        Some(name) => Some(alg_of::<JweAlg>(name, "key-management algorithm")?)
            .filter(|alg| alg.is_integrated()),
        None => None,
    };
    let mut e = match integrated {
        Some(alg) => Encryptor::hpke(alg).map_err(|err| Failure::key(err, "an HPKE algorithm"))?,
        None => Encryptor::new(enc),
    };
    for key in &recipients {
        let alg: JweAlg = match &a.alg {
            Some(name) => alg_of(name, "key-management algorithm")?,
            None => match key.default_alg() {
                // An oct key of exactly the content key's size is used directly.
                Some(JweAlg::A128Kw | JweAlg::A192Kw | JweAlg::A256Kw)
                    if key.check_alg(JweAlg::Dir, enc).is_ok() && recipients.len() == 1 =>
                {
                    JweAlg::Dir
                }
                Some(alg) => alg,
                None => return Err(Failure::usage("this key cannot encrypt").hint("pass --alg")),
            },
        };
        e = e
            .recipient(key, alg)
            .map_err(|err| Failure::key(err, "recipient key that fits the algorithm"))?;
    }
    if let Some(cty) = a.cty {
        e = e.with_cty(cty);
    }
    if a.zip {
        e = e.with_zip();
    }
    let format = a.format.unwrap_or(if recipients.len() > 1 {
        Format::General
    } else {
        Format::Compact
    });
    let mut out = Output::create(a.out.output.as_deref(), Privacy::Public)?;
    match format {
        Format::Compact => {
            if recipients.len() > 1 {
                return Err(
                    Failure::usage("the compact serialization has one recipient")
                        .hint("use --format general"),
                );
            }
            stream::encrypt_compact(&e, io::open_input(a.input.input.as_deref())?, out.writer())?;
        }
        Format::Flattened | Format::General => {
            let body = io::read_all(a.input.input.as_deref())?;
            let token = if format == Format::Flattened {
                e.flattened(&body)?
            } else {
                e.general(&body)?
            };
            out.writer()
                .write_all(token.as_bytes())
                .map_err(io::write_err)?;
        }
    }
    out.writer().write_all(b"\n").map_err(io::write_err)?;
    out.commit()
}

pub(crate) fn decrypt(a: DecryptArgs) -> CliResult<()> {
    let keys = keys::decryption_keys(&a.key)?;
    let (algs, encs) = keys::jwe_allowlists(&a.allow_alg, &a.allow_enc, &keys)?;
    let mut limits = cli_limits();
    limits.max_decompressed_bytes = MAX_INFLATED;
    let mut policy = JwePolicy::new(&algs, &encs).with_limits(limits);
    if a.allow_zip {
        policy = policy.allow_zip();
    }
    if algs.contains(&JweAlg::Rsa1_5) {
        policy = policy.allow_rsa1_5();
    }
    let mut out = Output::create(a.out.output.as_deref(), Privacy::Private)?;
    match open_token(a.input.input.as_deref())? {
        Token::Json(json) => {
            let d = jwe::parse_json(&json, &policy.limits)?.decrypt(&keys, &policy)?;
            out.writer()
                .write_all(d.plaintext())
                .map_err(io::write_err)?;
        }
        Token::Compact(r) => {
            stream::decrypt_compact(r, &keys, &policy, out.writer())?;
        }
    }
    out.commit()
}
