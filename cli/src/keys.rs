//! Key files: a JWK, a JWK Set, or PEM (PKCS#8, SPKI, SEC1, PKCS#1, X.509 certificate).

use crate::error::{CliResult, Failure};
use crate::io;
use bodyseal::alg::{JweAlg, JweEnc, JwsAlg};
use bodyseal::jwk::{Jwk, JwkSet, KeyUse};
use bodyseal::key::{
    DecryptionKey, DecryptionKeys, EncryptionKey, SigningKey, VerifyingKey, VerifyingKeys,
};
use bodyseal::policy::{JwePolicy, JwsPolicy};
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

/// What a key file held.
pub(crate) enum KeyFile {
    One(Box<Jwk>),
    Set(JwkSet),
}

impl KeyFile {
    pub(crate) fn into_keys(self) -> Vec<Jwk> {
        match self {
            KeyFile::One(k) => vec![*k],
            KeyFile::Set(s) => s.keys,
        }
    }
}

/// Reads a key file (stdin for `None` or `-`).
pub(crate) fn read(path: Option<&Path>) -> CliResult<KeyFile> {
    let name = path.map_or_else(|| "stdin".to_owned(), |p| p.display().to_string());
    // The file holds private keys: its text and the JSON parsed from it are wiped.
    let text = Zeroizing::new(io::read_text(path)?);
    let trimmed = text.trim_start();
    let parsed = if trimmed.starts_with('{') {
        let mut value: serde_json::Value = serde_json::from_str(trimmed)
            .map_err(|_| Failure::usage(format!("{name}: not valid JSON")))?;
        let parsed = if value.get("keys").is_some() {
            JwkSet::from_value(&value).map(KeyFile::Set)
        } else {
            Jwk::from_value(&value).map(|k| KeyFile::One(Box::new(k)))
        };
        bodyseal::jwk::wipe(&mut value);
        parsed
    } else if trimmed.starts_with("-----BEGIN") {
        Jwk::from_pem(trimmed).map(|k| KeyFile::One(Box::new(k)))
    } else {
        return Err(
            Failure::usage(format!("{name}: not a JWK, JWK Set or PEM key"))
                .hint("key files hold a JWK ({\"kty\":...}), a JWK Set ({\"keys\":[...]}) or PEM"),
        );
    };
    parsed.map_err(|e| Failure::usage(format!("{name}: {e}")))
}

/// Exactly one key from a file.
pub(crate) fn read_one(path: &Path) -> CliResult<Jwk> {
    let mut keys = read(Some(path))?.into_keys();
    match keys.len() {
        1 => Ok(keys.remove(0)),
        n => Err(Failure::usage(format!(
            "{}: expected one key, found {n}",
            path.display()
        ))),
    }
}

/// The public JWK, or the key itself for a shared (`oct`) key.
pub(crate) fn public_or_secret(jwk: &Jwk) -> CliResult<Jwk> {
    match jwk.to_public() {
        Ok(p) => Ok(p),
        Err(_) => {
            let mut v = jwk.to_value();
            let copy = Jwk::from_value(&v).map_err(Failure::from);
            bodyseal::jwk::wipe(&mut v);
            copy
        }
    }
}

/// Refuses a key marked for the other purpose, with a message that says what to do.
fn check_use(jwk: &Jwk, path: &Path, want: KeyUse) -> CliResult<()> {
    match (&jwk.key_use, want) {
        (Some(KeyUse::Enc), KeyUse::Sig) => Err(Failure::usage(format!(
            "{}: key is an encryption key (use=enc)",
            path.display()
        ))
        .hint("pass a signing key")),
        (Some(KeyUse::Sig), KeyUse::Enc) => Err(Failure::usage(format!(
            "{}: key is a signing key (use=sig)",
            path.display()
        ))
        .hint("pass an encryption key")),
        _ => Ok(()),
    }
}

pub(crate) fn signing_key(path: &Path) -> CliResult<SigningKey> {
    let jwk = read_one(path)?;
    check_use(&jwk, path, KeyUse::Sig)?;
    if !jwk.is_private() {
        return Err(
            Failure::usage(format!("{}: key is a public key", path.display()))
                .hint("pass the private key to sign; the public key verifies"),
        );
    }
    SigningKey::from_jwk(&jwk).map_err(|e| Failure::key(e, "private signing key"))
}

pub(crate) fn verifying_keys(paths: &[PathBuf]) -> CliResult<VerifyingKeys> {
    let mut set = VerifyingKeys::new();
    for path in paths {
        for jwk in read(Some(path))?.into_keys() {
            check_use(&jwk, path, KeyUse::Sig)?;
            push_verifying(&mut set, &jwk)?;
        }
    }
    Ok(set)
}

fn push_verifying(set: &mut VerifyingKeys, jwk: &Jwk) -> CliResult<()> {
    let public = public_or_secret(jwk)?;
    let key = VerifyingKey::from_jwk(&public).map_err(|e| Failure::key(e, "verification key"))?;
    set.push(key).map_err(Failure::from)
}

/// Recipient keys; `kid` replaces the key's `kid` (one recipient only).
pub(crate) fn encryption_keys(
    paths: &[PathBuf],
    kid: Option<&str>,
) -> CliResult<Vec<EncryptionKey>> {
    let mut all = Vec::new();
    for path in paths {
        for jwk in read(Some(path))?.into_keys() {
            check_use(&jwk, path, KeyUse::Enc)?;
            all.push(jwk);
        }
    }
    if let Some(kid) = kid {
        if all.len() != 1 {
            return Err(Failure::usage("--kid names the key of a single recipient"));
        }
        all = all.into_iter().map(|k| k.with_kid(kid)).collect();
    }
    all.iter()
        .map(|jwk| {
            let public = public_or_secret(jwk)?;
            EncryptionKey::from_jwk(&public)
                .map_err(|e| Failure::key(e, "recipient (encryption) key"))
        })
        .collect()
}

pub(crate) fn decryption_keys(paths: &[PathBuf]) -> CliResult<DecryptionKeys> {
    let mut set = DecryptionKeys::new();
    for path in paths {
        for jwk in read(Some(path))?.into_keys() {
            check_use(&jwk, path, KeyUse::Enc)?;
            set.push(
                DecryptionKey::from_jwk(&jwk)
                    .map_err(|e| Failure::key(e, "private decryption key"))?,
            );
        }
    }
    Ok(set)
}

/// Parses a comma list of names.
pub(crate) fn parse_list<T: std::str::FromStr>(names: &[String], what: &str) -> CliResult<Vec<T>> {
    names
        .iter()
        .map(|n| {
            n.trim()
                .parse()
                .map_err(|_| Failure::usage(format!("unknown {what} `{n}`")))
        })
        .collect()
}

/// The JWS allowlist: as given, else every algorithm a trusted key can verify.
pub(crate) fn jws_allowlist(given: &[String], keys: &VerifyingKeys) -> CliResult<Vec<JwsAlg>> {
    if !given.is_empty() {
        return parse_list(given, "algorithm");
    }
    Ok(JwsPolicy::fitting(keys).jws_algs)
}

/// The JWE allowlists: as given, else every key-management algorithm a key fits (never
/// RSA1_5 or PBES2) and every content encryption.
pub(crate) fn jwe_allowlists(
    algs: &[String],
    encs: &[String],
    keys: &DecryptionKeys,
) -> CliResult<(Vec<JweAlg>, Vec<JweEnc>)> {
    let encs: Vec<JweEnc> = if encs.is_empty() {
        JweEnc::ALL.to_vec()
    } else {
        parse_list(encs, "content encryption")?
    };
    let algs: Vec<JweAlg> = if algs.is_empty() {
        let fitting = JwePolicy::fitting(keys).algs;
        fitting
            .into_iter()
            .filter(|a| {
                keys.keys()
                    .iter()
                    .any(|k| encs.iter().any(|e| k.check_alg(*a, *e).is_ok()))
            })
            .collect()
    } else {
        parse_list(algs, "key-management algorithm")?
    };
    Ok((algs, encs))
}

/// The signing keys of a remote JWK Set, fetched once (a one-shot command needs no cache).
pub(crate) fn remote_keys(url: &str, ca: Option<&Path>) -> CliResult<VerifyingKeys> {
    use bodyseal::key::KeySource;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::usage(format!("runtime: {e}")))?;
    let mut options = bodyseal_wire::jwks::JwksOptions::default();
    options.ca = ca.map(Path::to_path_buf);
    let jwks = rt
        .block_on(bodyseal_wire::jwks::RemoteJwks::new(url, options))
        .map_err(|e| Failure::usage(e.to_string()))?;
    if !jwks.is_usable() {
        return Err(Failure::usage(format!("{url}: the JWK Set could not be fetched"))
            .hint("the URL must be https://, answer 200 with a JWK Set under 1 MiB within 5 s, without redirects"));
    }
    Ok(VerifyingKeys::clone(&jwks.current()))
}

/// Trusted signer keys: the files given, or a remote JWK Set.
pub(crate) fn signer_keys(
    files: &[PathBuf],
    url: Option<&str>,
    ca: Option<&Path>,
) -> CliResult<VerifyingKeys> {
    match url {
        Some(url) => remote_keys(url, ca),
        None => verifying_keys(files),
    }
}
