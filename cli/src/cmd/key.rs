//! `bodyseal key generate|public|thumbprint|convert`.

use crate::args::{HashArg, KeyCommand, KeyFormat, KeyType, UseArg};
use crate::error::{CliResult, Failure};
use crate::io::{self, Privacy};
use crate::keys::{self, KeyFile};
use bodyseal::alg::{EcCurve, HashAlg, JweAlg, JweEnc, KeyAlg, MlDsa, OkpCurve};
use bodyseal::crypto::KeyKind;
use bodyseal::jwk::{Jwk, KeyUse};
use bodyseal::key::{DecryptionKey, SigningKey};
use serde_json::Value;
use zeroize::Zeroizing;

fn kind(t: KeyType) -> KeyKind {
    match t {
        KeyType::EcP256 => KeyKind::Ec(EcCurve::P256),
        KeyType::EcP384 => KeyKind::Ec(EcCurve::P384),
        KeyType::EcP521 => KeyKind::Ec(EcCurve::P521),
        KeyType::Ed25519 => KeyKind::Okp(OkpCurve::Ed25519),
        KeyType::X25519 => KeyKind::Okp(OkpCurve::X25519),
        KeyType::Rsa2048 => KeyKind::Rsa(2048),
        KeyType::Rsa3072 => KeyKind::Rsa(3072),
        KeyType::Rsa4096 => KeyKind::Rsa(4096),
        KeyType::MlDsa44 => KeyKind::MlDsa(MlDsa::MlDsa44),
        KeyType::MlDsa65 => KeyKind::MlDsa(MlDsa::MlDsa65),
        KeyType::MlDsa87 => KeyKind::MlDsa(MlDsa::MlDsa87),
        KeyType::Oct128 => KeyKind::Oct(16),
        KeyType::Oct192 => KeyKind::Oct(24),
        KeyType::Oct256 => KeyKind::Oct(32),
        KeyType::Oct384 => KeyKind::Oct(48),
        KeyType::Oct512 => KeyKind::Oct(64),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

pub(crate) fn run(cmd: KeyCommand) -> CliResult<()> {
    match cmd {
        KeyCommand::Generate {
            kind: t,
            kid,
            alg,
            key_use,
            out,
        } => {
            let mut jwk = Jwk::generate(kind(t))?;
            if let Some(kid) = kid {
                jwk = jwk.with_kid(kid);
            }
            if let Some(alg) = alg {
                let a = KeyAlg::parse(&alg);
                if matches!(a, KeyAlg::Other(_)) {
                    return Err(Failure::usage(format!("unknown algorithm `{alg}`")));
                }
                // An `AKP` key's `alg` is its parameter set (RFC 9964 section 3).
                if jwk.alg.as_ref().is_some_and(|own| *own != a) {
                    return Err(Failure::usage(format!(
                        "an ML-DSA key's `alg` is its parameter set, not `{alg}`"
                    )));
                }
                jwk = jwk.with_alg(a);
            }
            if let Some(u) = key_use {
                jwk = jwk.with_use(match u {
                    UseArg::Sig => KeyUse::Sig,
                    UseArg::Enc => KeyUse::Enc,
                });
            }
            // Refuse an alg the key cannot use (an RSA key pinned to ES256, say).
            let fits = match &jwk.alg {
                None | Some(KeyAlg::Other(_)) => Ok(()),
                Some(KeyAlg::Jws(a)) => SigningKey::from_jwk(&jwk).and_then(|k| k.check_alg(*a)),
                Some(KeyAlg::Jwe(a)) => DecryptionKey::from_jwk(&jwk).and_then(|k| {
                    JweEnc::ALL
                        .iter()
                        .map(|e| k.check_alg(*a, *e))
                        .find(Result::is_ok)
                        .unwrap_or_else(|| k.check_alg(*a, JweEnc::A256Gcm))
                }),
                Some(KeyAlg::Enc(e)) => {
                    DecryptionKey::from_jwk(&jwk).and_then(|k| k.check_alg(JweAlg::Dir, *e))
                }
                Some(_) => Ok(()),
            };
            fits.map_err(|e| Failure::usage(format!("--alg does not fit this key type: {e}")))?;
            let text = Zeroizing::new(jwk.to_json_pretty() + "\n");
            io::write_all(out.output.as_deref(), Privacy::Private, text.as_bytes())
        }
        KeyCommand::Public { key, out } => {
            let v = match keys::read(key.as_deref())? {
                KeyFile::One(k) => k
                    .to_public()
                    .map_err(|_| {
                        Failure::usage("a symmetric (oct) key has no public part")
                            .hint("share oct keys only over a secure channel")
                    })?
                    .to_value(),
                KeyFile::Set(s) => {
                    let publics: Vec<Value> = s
                        .keys
                        .iter()
                        .filter_map(|k| k.to_public().ok().map(|p| p.to_value()))
                        .collect();
                    serde_json::json!({ "keys": publics })
                }
            };
            io::write_all(
                out.output.as_deref(),
                Privacy::Public,
                pretty(&v).as_bytes(),
            )
        }
        KeyCommand::Thumbprint { key, hash, uri } => {
            let jwk = match keys::read(key.as_deref())?.into_keys() {
                mut one if one.len() == 1 => one.remove(0),
                many => {
                    return Err(Failure::usage(format!(
                        "expected one key, found {}",
                        many.len()
                    )))
                }
            };
            let h = match hash {
                HashArg::Sha256 => HashAlg::Sha256,
                HashArg::Sha384 => HashAlg::Sha384,
                HashArg::Sha512 => HashAlg::Sha512,
            };
            let line = if uri {
                jwk.thumbprint_uri(h)
            } else {
                jwk.thumbprint_b64(h)
            };
            io::write_all(None, Privacy::Public, format!("{line}\n").as_bytes())
        }
        KeyCommand::Convert { key, to, out } => {
            let jwk = match keys::read(key.as_deref())?.into_keys() {
                mut one if one.len() == 1 => one.remove(0),
                many => {
                    return Err(Failure::usage(format!(
                        "expected one key, found {}",
                        many.len()
                    )))
                }
            };
            let privacy = if jwk.is_private() {
                Privacy::Private
            } else {
                Privacy::Public
            };
            match to {
                KeyFormat::Pem => {
                    let pem = Zeroizing::new(jwk.to_pem()?);
                    io::write_all(out.output.as_deref(), privacy, pem.as_bytes())
                }
                KeyFormat::Jwk => {
                    let text = Zeroizing::new(jwk.to_json_pretty() + "\n");
                    io::write_all(out.output.as_deref(), privacy, text.as_bytes())
                }
            }
        }
    }
}
