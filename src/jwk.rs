//! JSON Web Key (RFC 7517) wire format: [`Jwk`] and [`JwkSet`].
//!
//! A [`Jwk`] is *data*: parsing checks its shape (members present, lengths right for the
//! curve, RSA modulus of at least 2048 bits, `use` and `key_ops` consistent) but does not
//! load it into the crypto backend. Turn it into a prepared handle with
//! [`SigningKey::from_jwk`](crate::key::SigningKey::from_jwk) or
//! [`VerifyingKey::from_jwk`](crate::key::VerifyingKey::from_jwk); that is where the key is
//! parsed once, checked for consistency (a private scalar must match its public point) and
//! made ready for reuse.

mod akp;
mod container;
mod ec;
mod oct;
mod okp;
mod roca;
mod rsa;
mod secret;
mod thumbprint;

pub use crate::alg::{EcCurve, KeyAlg, KeyKind, MlDsa, OkpCurve};
pub use secret::Secret;
pub use thumbprint::THUMBPRINT_URI_PREFIX;

use crate::b64;
use crate::crypto::{GeneratedKey, PrivateKeyMaterial, Provider, PublicKeyMaterial};
use crate::error::{Error, KeyError, Malformed, Part, Result, Unsupported};
use serde_json::{Map, Value};

/// The `use` member (RFC 7517 section 4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyUse {
    /// `sig`: signatures and MACs.
    Sig,
    /// `enc`: encryption.
    Enc,
    /// Any other value; such a key is refused for every operation.
    Other(String),
}

impl KeyUse {
    fn parse(s: &str) -> Self {
        match s {
            "sig" => KeyUse::Sig,
            "enc" => KeyUse::Enc,
            other => KeyUse::Other(other.to_owned()),
        }
    }

    /// The member's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KeyUse::Sig => "sig",
            KeyUse::Enc => "enc",
            KeyUse::Other(s) => s,
        }
    }
}

/// A `key_ops` value (RFC 7517 section 4.3).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyOp {
    /// `sign`
    Sign,
    /// `verify`
    Verify,
    /// `encrypt`
    Encrypt,
    /// `decrypt`
    Decrypt,
    /// `wrapKey`
    WrapKey,
    /// `unwrapKey`
    UnwrapKey,
    /// `deriveKey`
    DeriveKey,
    /// `deriveBits`
    DeriveBits,
    /// Any other value.
    Other(String),
}

impl KeyOp {
    fn parse(s: &str) -> Self {
        match s {
            "sign" => KeyOp::Sign,
            "verify" => KeyOp::Verify,
            "encrypt" => KeyOp::Encrypt,
            "decrypt" => KeyOp::Decrypt,
            "wrapKey" => KeyOp::WrapKey,
            "unwrapKey" => KeyOp::UnwrapKey,
            "deriveKey" => KeyOp::DeriveKey,
            "deriveBits" => KeyOp::DeriveBits,
            other => KeyOp::Other(other.to_owned()),
        }
    }

    /// The member's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KeyOp::Sign => "sign",
            KeyOp::Verify => "verify",
            KeyOp::Encrypt => "encrypt",
            KeyOp::Decrypt => "decrypt",
            KeyOp::WrapKey => "wrapKey",
            KeyOp::UnwrapKey => "unwrapKey",
            KeyOp::DeriveKey => "deriveKey",
            KeyOp::DeriveBits => "deriveBits",
            KeyOp::Other(s) => s,
        }
    }

    /// The `use` value this operation belongs to.
    pub(crate) fn use_class(&self) -> Option<KeyUse> {
        match self {
            KeyOp::Sign | KeyOp::Verify => Some(KeyUse::Sig),
            KeyOp::Encrypt
            | KeyOp::Decrypt
            | KeyOp::WrapKey
            | KeyOp::UnwrapKey
            | KeyOp::DeriveKey
            | KeyOp::DeriveBits => Some(KeyUse::Enc),
            KeyOp::Other(_) => None,
        }
    }
}

/// RSA private members (RFC 7518 section 6.3.2). Multi-prime keys (`oth`) are not
/// supported.
#[non_exhaustive]
pub struct RsaPrivate {
    /// Private exponent.
    pub d: Secret,
    /// First prime factor.
    pub p: Secret,
    /// Second prime factor.
    pub q: Secret,
    /// First factor CRT exponent.
    pub dp: Secret,
    /// Second factor CRT exponent.
    pub dq: Secret,
    /// First CRT coefficient.
    pub qi: Secret,
}

impl core::fmt::Debug for RsaPrivate {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("RsaPrivate(..)")
    }
}

/// The key-type-specific members of a JWK.
#[derive(Debug)]
#[non_exhaustive]
pub enum KeyParams {
    /// `kty: "EC"` (RFC 7518 section 6.2).
    Ec {
        /// `crv`
        curve: EcCurve,
        /// `x`, exactly the curve's field length.
        x: Vec<u8>,
        /// `y`, exactly the curve's field length.
        y: Vec<u8>,
        /// `d`, exactly the curve's field length.
        d: Option<Secret>,
    },
    /// `kty: "OKP"` (RFC 8037 section 2).
    Okp {
        /// `crv`
        curve: OkpCurve,
        /// `x`, 32 bytes.
        x: Vec<u8>,
        /// `d`, 32 bytes.
        d: Option<Secret>,
    },
    /// `kty: "RSA"` (RFC 7518 section 6.3).
    Rsa {
        /// `n`, at least 2048 bits.
        n: Vec<u8>,
        /// `e`
        e: Vec<u8>,
        /// The private members, all present or all absent.
        private: Option<Box<RsaPrivate>>,
    },
    /// `kty: "oct"` (RFC 7518 section 6.4).
    Oct {
        /// `k`, at least one byte.
        k: Secret,
    },
    /// `kty: "AKP"` with an ML-DSA `alg` (RFC 9964).
    Akp {
        /// The parameter set the key's `alg` names.
        set: MlDsa,
        /// `pub`, the FIPS 204 public key.
        public: Vec<u8>,
        /// `priv`, the 32-byte seed.
        seed: Option<Secret>,
    },
}

/// A JSON Web Key (RFC 7517), parsed and shape-checked but not yet loaded.
#[derive(Debug)]
#[non_exhaustive]
pub struct Jwk {
    /// Key-type-specific members.
    pub params: KeyParams,
    /// `kid` (RFC 7517 section 4.5).
    pub kid: Option<String>,
    /// `alg` (RFC 7517 section 4.4): pins the key to one algorithm.
    pub alg: Option<KeyAlg>,
    /// `use` (RFC 7517 section 4.2).
    pub key_use: Option<KeyUse>,
    /// `key_ops` (RFC 7517 section 4.3).
    pub key_ops: Option<Vec<KeyOp>>,
    /// Other members (`x5c`, `x5t`, private extensions), kept for serialization only.
    pub other: Map<String, Value>,
}

fn member<'a>(map: &'a Map<String, Value>, name: &'static str) -> Result<Option<&'a str>> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

fn required<'a>(map: &'a Map<String, Value>, name: &'static str) -> Result<&'a str> {
    member(map, name)?.ok_or_else(|| Malformed::MissingMember(name).into())
}

fn bytes(map: &Map<String, Value>, name: &'static str) -> Result<Option<Vec<u8>>> {
    member(map, name)?
        .map(|s| {
            b64::decode(s.as_bytes(), Part::Jwk).map_err(|_| Malformed::InvalidMember(name).into())
        })
        .transpose()
}

fn required_bytes(map: &Map<String, Value>, name: &'static str) -> Result<Vec<u8>> {
    bytes(map, name)?.ok_or_else(|| Malformed::MissingMember(name).into())
}

fn secret(map: &Map<String, Value>, name: &'static str) -> Result<Option<Secret>> {
    Ok(bytes(map, name)?.map(Secret::from_vec))
}

fn required_secret(map: &Map<String, Value>, name: &'static str) -> Result<Secret> {
    secret(map, name)?.ok_or_else(|| Malformed::MissingMember(name).into())
}

fn exact_len(v: &[u8], len: usize, name: &'static str) -> Result<()> {
    if v.len() == len {
        Ok(())
    } else {
        Err(Malformed::InvalidMember(name).into())
    }
}

/// Bit length of a big-endian unsigned integer.
pub(crate) fn bit_len(v: &[u8]) -> usize {
    let mut it = v.iter().skip_while(|b| **b == 0);
    match it.next() {
        None => 0,
        Some(first) => (8 - first.leading_zeros() as usize) + 8 * it.count(),
    }
}

const KNOWN: &[&str] = &[
    "kty", "crv", "x", "y", "d", "n", "e", "p", "q", "dp", "dq", "qi", "oth", "k", "kid", "alg",
    "use", "key_ops", "pub", "priv",
];

/// Reads the key-type members of a JWK.
type ReadMembers = fn(&Map<String, Value>) -> Result<KeyParams>;

/// The key types a JWK may have: `kty` and the module that reads its members. Adding a
/// key type is one module (its members, read and written) and one line here.
const KEY_TYPES: &[(&str, ReadMembers)] = &[
    ("EC", ec::parse),
    ("OKP", okp::parse),
    ("RSA", rsa::parse),
    ("oct", oct::parse),
    ("AKP", akp::parse),
];

/// Parses the text of a key file: a JWK, a JWK Set (`{"keys":[...]}`) or PEM (PKCS#8,
/// SPKI, SEC1, PKCS#1, X.509 certificate). The JSON parsed from it is wiped.
///
/// # Errors
/// [`Malformed`] for text that is none of these; as [`Jwk::from_value`],
/// [`JwkSet::from_value`] and [`Jwk::from_pem`].
pub fn parse_keys(text: &str) -> Result<Vec<Jwk>> {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') {
        let mut value: Value =
            serde_json::from_str(trimmed).map_err(|_| Malformed::Json { part: Part::Jwk })?;
        let keys = if value.get("keys").is_some() {
            JwkSet::from_value(&value).map(|s| s.keys)
        } else {
            Jwk::from_value(&value).map(|k| vec![k])
        };
        wipe(&mut value);
        keys
    } else if trimmed.starts_with("-----BEGIN") {
        Jwk::from_pem(trimmed).map(|k| vec![k])
    } else {
        Err(Malformed::KeyContainer("not a JWK, JWK Set or PEM key").into())
    }
}

/// Reads a key file (see [`parse_keys`]); its text is wiped once parsed.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; as [`parse_keys`].
pub fn read_keys(path: &std::path::Path) -> Result<Vec<Jwk>> {
    let text =
        zeroize::Zeroizing::new(std::fs::read_to_string(path).map_err(|e| Error::Io(e.kind()))?);
    parse_keys(&text)
}

/// Overwrites every string in `value` (a JWK's `d`, `k`, `p`, ... as JSON) with zeros
/// before it is dropped. Private keys pass through `serde_json` values on their way in and
/// out; this is how they are wiped.
pub fn wipe(value: &mut Value) {
    use zeroize::Zeroize;
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(m) => m.values_mut().for_each(wipe),
        _ => {}
    }
}

impl Jwk {
    /// Parses a JWK from JSON text.
    ///
    /// # Errors
    /// [`Error::Malformed`] for bad JSON or members, [`Error::Unsupported`] for unknown
    /// `kty`/`crv`, [`KeyError::RsaTooSmall`] for an RSA modulus under 2048 bits.
    pub fn from_json(json: &str) -> Result<Self> {
        let mut value: Value =
            serde_json::from_str(json).map_err(|_| Malformed::Json { part: Part::Jwk })?;
        let jwk = Self::from_value(&value);
        wipe(&mut value);
        jwk
    }

    /// Parses a JWK from a JSON value.
    ///
    /// # Errors
    /// As [`Jwk::from_json`].
    pub fn from_value(value: &Value) -> Result<Self> {
        let map = value
            .as_object()
            .ok_or(Malformed::Json { part: Part::Jwk })?;
        let kty = required(map, "kty")?;
        let parse = KEY_TYPES
            .iter()
            .find(|(name, _)| *name == kty)
            .map(|(_, parse)| parse)
            .ok_or(Unsupported::KeyType)?;
        let params = parse(map)?;
        let key_use = member(map, "use")?.map(KeyUse::parse);
        let key_ops = match map.get("key_ops") {
            None => None,
            Some(Value::Array(items)) => {
                let mut ops = Vec::with_capacity(items.len());
                for item in items {
                    let op =
                        KeyOp::parse(item.as_str().ok_or(Malformed::InvalidMember("key_ops"))?);
                    // RFC 7517 section 4.3: duplicate values MUST NOT be present.
                    if ops.contains(&op) {
                        return Err(Malformed::InvalidMember("key_ops").into());
                    }
                    ops.push(op);
                }
                Some(ops)
            }
            Some(_) => return Err(Malformed::InvalidMember("key_ops").into()),
        };
        // RFC 7517 section 4.3: when both are present they must agree.
        if let (Some(u), Some(ops)) = (&key_use, &key_ops) {
            if ops.iter().any(|op| op.use_class().is_some_and(|c| &c != u)) {
                return Err(Malformed::InvalidMember("key_ops").into());
            }
        }
        let other = map
            .iter()
            .filter(|(k, _)| !KNOWN.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Jwk {
            params,
            kid: member(map, "kid")?.map(str::to_owned),
            alg: member(map, "alg")?.map(KeyAlg::parse),
            key_use,
            key_ops,
            other,
        })
    }

    /// A JWK with only these parameters and no metadata.
    #[must_use]
    pub fn new(params: KeyParams) -> Self {
        Jwk {
            params,
            kid: None,
            alg: None,
            key_use: None,
            key_ops: None,
            other: Map::new(),
        }
    }

    /// Generates a new private key of `kind` with the default provider.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for unsupported sizes.
    pub fn generate(kind: KeyKind) -> Result<Self> {
        Self::generate_with(kind, &Provider::default())
    }

    /// Generates a new private key of `kind` with `provider`.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for unsupported sizes.
    pub fn generate_with(kind: KeyKind, provider: &Provider) -> Result<Self> {
        let params = match provider.keys.generate(kind)? {
            GeneratedKey::Ec { curve, d, point } => {
                let (x, y) = split_point(curve, &point)?;
                KeyParams::Ec {
                    curve,
                    x,
                    y,
                    d: Some(Secret::from_zeroizing(d)),
                }
            }
            GeneratedKey::Okp { curve, d, x } => KeyParams::Okp {
                curve,
                x,
                d: Some(Secret::from_zeroizing(d)),
            },
            GeneratedKey::RsaPkcs8(der) => return Jwk::from_pkcs8_der(&der),
            GeneratedKey::Oct(k) => KeyParams::Oct {
                k: Secret::from_zeroizing(k),
            },
            GeneratedKey::MlDsa { set, seed, public } => {
                return Ok(Jwk::new(KeyParams::Akp {
                    set,
                    public,
                    seed: Some(Secret::from_zeroizing(seed)),
                })
                .with_alg(akp::key_alg(set)))
            }
            #[allow(unreachable_patterns)]
            _ => return Err(Error::Unreachable("unknown generated key")),
        };
        Ok(Jwk::new(params))
    }

    /// Sets `kid`.
    #[must_use]
    pub fn with_kid(mut self, kid: impl Into<String>) -> Self {
        self.kid = Some(kid.into());
        self
    }

    /// Sets `alg`.
    #[must_use]
    pub fn with_alg(mut self, alg: KeyAlg) -> Self {
        self.alg = Some(alg);
        self
    }

    /// Sets `use`.
    #[must_use]
    pub fn with_use(mut self, key_use: KeyUse) -> Self {
        self.key_use = Some(key_use);
        self
    }

    /// True when the key holds private (or secret) material.
    #[must_use]
    pub fn is_private(&self) -> bool {
        match &self.params {
            KeyParams::Ec { d, .. } | KeyParams::Okp { d, .. } => d.is_some(),
            KeyParams::Rsa { private, .. } => private.is_some(),
            KeyParams::Oct { .. } => true,
            KeyParams::Akp { seed, .. } => seed.is_some(),
        }
    }

    /// The `kty` name.
    #[must_use]
    pub fn kty(&self) -> &'static str {
        match self.params {
            KeyParams::Ec { .. } => "EC",
            KeyParams::Okp { .. } => "OKP",
            KeyParams::Rsa { .. } => "RSA",
            KeyParams::Oct { .. } => "oct",
            KeyParams::Akp { .. } => "AKP",
        }
    }

    /// The public part (metadata kept, private members dropped).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for `oct` keys, which have no public part.
    pub fn to_public(&self) -> Result<Jwk> {
        let params = match &self.params {
            KeyParams::Ec { curve, x, y, .. } => KeyParams::Ec {
                curve: *curve,
                x: x.clone(),
                y: y.clone(),
                d: None,
            },
            KeyParams::Okp { curve, x, .. } => KeyParams::Okp {
                curve: *curve,
                x: x.clone(),
                d: None,
            },
            KeyParams::Rsa { n, e, .. } => KeyParams::Rsa {
                n: n.clone(),
                e: e.clone(),
                private: None,
            },
            KeyParams::Akp { set, public, .. } => KeyParams::Akp {
                set: *set,
                public: public.clone(),
                seed: None,
            },
            KeyParams::Oct { .. } => {
                return Err(Error::ApiMisuse("symmetric keys have no public part"))
            }
        };
        let key_ops = self.key_ops.as_ref().map(|ops| {
            ops.iter()
                .map(|op| match op {
                    KeyOp::Sign => KeyOp::Verify,
                    KeyOp::Decrypt => KeyOp::Encrypt,
                    KeyOp::UnwrapKey => KeyOp::WrapKey,
                    other => other.clone(),
                })
                .fold(Vec::new(), |mut acc, op| {
                    if !acc.contains(&op) {
                        acc.push(op);
                    }
                    acc
                })
        });
        Ok(Jwk {
            params,
            kid: self.kid.clone(),
            alg: self.alg.clone(),
            key_use: self.key_use.clone(),
            key_ops,
            other: self.other.clone(),
        })
    }

    /// The public key material for the crypto boundary (for `oct`, the secret).
    #[must_use]
    pub(crate) fn public_material(&self) -> PublicMaterial<'_> {
        match &self.params {
            KeyParams::Ec { curve, x, y, .. } => {
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(4);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                PublicMaterial::Ec(*curve, point)
            }
            KeyParams::Okp { curve, x, .. } => {
                PublicMaterial::Borrowed(PublicKeyMaterial::Okp { curve: *curve, x })
            }
            KeyParams::Rsa { n, e, .. } => {
                PublicMaterial::Borrowed(PublicKeyMaterial::Rsa { n, e })
            }
            KeyParams::Oct { k } => PublicMaterial::Borrowed(PublicKeyMaterial::Oct {
                k: k.expose_secret(),
            }),
            KeyParams::Akp { set, public, .. } => {
                PublicMaterial::Borrowed(PublicKeyMaterial::MlDsa { set: *set, public })
            }
        }
    }

    /// Runs `f` with the private key material, or fails with [`KeyError::NotPrivate`].
    pub(crate) fn with_private_material<T>(
        &self,
        f: impl FnOnce(&PrivateKeyMaterial<'_>) -> Result<T>,
    ) -> Result<T> {
        match &self.params {
            KeyParams::Ec {
                curve,
                x,
                y,
                d: Some(d),
            } => {
                let mut point = Vec::with_capacity(1 + x.len() + y.len());
                point.push(4);
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                f(&PrivateKeyMaterial::Ec {
                    curve: *curve,
                    d: d.expose_secret(),
                    point: &point,
                })
            }
            KeyParams::Okp {
                curve,
                x,
                d: Some(d),
            } => f(&PrivateKeyMaterial::Okp {
                curve: *curve,
                d: d.expose_secret(),
                x,
            }),
            KeyParams::Rsa {
                n,
                e,
                private: Some(p),
            } => f(&PrivateKeyMaterial::Rsa {
                n,
                e,
                d: p.d.expose_secret(),
                p: p.p.expose_secret(),
                q: p.q.expose_secret(),
                dp: p.dp.expose_secret(),
                dq: p.dq.expose_secret(),
                qi: p.qi.expose_secret(),
            }),
            KeyParams::Oct { k } => f(&PrivateKeyMaterial::Oct {
                k: k.expose_secret(),
            }),
            KeyParams::Akp {
                set,
                public,
                seed: Some(seed),
            } => f(&PrivateKeyMaterial::MlDsa {
                set: *set,
                seed: seed.expose_secret(),
                public,
            }),
            _ => Err(KeyError::NotPrivate.into()),
        }
    }

    /// Serializes to a JSON value, private members included when present: give it to
    /// [`wipe`] when done with it.
    #[must_use]
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("kty".into(), self.kty().into());
        match &self.params {
            KeyParams::Ec { curve, x, y, d } => ec::write(*curve, x, y, d.as_ref(), &mut m),
            KeyParams::Okp { curve, x, d } => okp::write(*curve, x, d.as_ref(), &mut m),
            KeyParams::Rsa { n, e, private } => rsa::write(n, e, private.as_deref(), &mut m),
            KeyParams::Oct { k } => oct::write(k, &mut m),
            KeyParams::Akp { set, public, seed } => akp::write(*set, public, seed.as_ref(), &mut m),
        }
        if let Some(kid) = &self.kid {
            m.insert("kid".into(), kid.clone().into());
        }
        if let Some(u) = &self.key_use {
            m.insert("use".into(), u.as_str().into());
        }
        if let Some(ops) = &self.key_ops {
            m.insert(
                "key_ops".into(),
                ops.iter().map(|o| Value::from(o.as_str())).collect(),
            );
        }
        if let Some(alg) = &self.alg {
            m.entry("alg").or_insert_with(|| alg.as_str().into());
        }
        for (k, v) in &self.other {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }

    /// Serializes to JSON text (private members included: wipe it when done, for
    /// example by wrapping it in `zeroize::Zeroizing`).
    #[must_use]
    pub fn to_json(&self) -> String {
        let mut v = self.to_value();
        let text = v.to_string();
        wipe(&mut v);
        text
    }

    /// Serializes to indented JSON text (private members included, as [`Jwk::to_json`]).
    #[must_use]
    pub fn to_json_pretty(&self) -> String {
        let mut v = self.to_value();
        let text = serde_json::to_string_pretty(&v).unwrap_or_default();
        wipe(&mut v);
        text
    }
}

/// Public material, owning the EC point it had to assemble.
pub(crate) enum PublicMaterial<'a> {
    Ec(EcCurve, Vec<u8>),
    Borrowed(PublicKeyMaterial<'a>),
}

impl PublicMaterial<'_> {
    pub(crate) fn get(&self) -> PublicKeyMaterial<'_> {
        match self {
            PublicMaterial::Ec(curve, point) => PublicKeyMaterial::Ec {
                curve: *curve,
                point,
            },
            PublicMaterial::Borrowed(m) => *m,
        }
    }
}

pub(crate) fn split_point(curve: EcCurve, point: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let n = curve.field_len();
    match point.split_first() {
        Some((4, rest)) if rest.len() == 2 * n => {
            let (x, y) = rest.split_at(n);
            Ok((x.to_vec(), y.to_vec()))
        }
        _ => Err(KeyError::Invalid("EC point must be uncompressed").into()),
    }
}

impl core::str::FromStr for Jwk {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Jwk::from_json(s)
    }
}

/// A JWK Set (RFC 7517 section 5).
#[derive(Debug)]
#[non_exhaustive]
pub struct JwkSet {
    /// The keys bodyseal understood.
    pub keys: Vec<Jwk>,
    /// How many keys were skipped because their `kty` or `crv` is not implemented
    /// (RFC 7517 section 5: such keys SHOULD be ignored).
    pub skipped: usize,
}

impl JwkSet {
    /// Parses a JWK Set from JSON text. Keys with an unknown `kty` or `crv` are skipped and
    /// counted; any other problem rejects the whole set, and so does a `kid` used twice.
    ///
    /// # Errors
    /// [`Error::Malformed`], [`KeyError`].
    pub fn from_json(json: &str) -> Result<Self> {
        let mut value: Value =
            serde_json::from_str(json).map_err(|_| Malformed::Json { part: Part::JwkSet })?;
        let set = Self::from_value(&value);
        wipe(&mut value);
        set
    }

    /// Parses a JWK Set from a JSON value.
    ///
    /// # Errors
    /// As [`JwkSet::from_json`].
    pub fn from_value(value: &Value) -> Result<Self> {
        let items = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(Malformed::MissingMember("keys"))?;
        let mut keys: Vec<Jwk> = Vec::with_capacity(items.len());
        let mut skipped = 0;
        for item in items {
            match Jwk::from_value(item) {
                Ok(k) => {
                    // RFC 7517 section 4.5: keys in a set should have distinct `kid`s; the
                    // one exception it names is equivalent keys of different `kty`.
                    if k.kid.is_some() && keys.iter().any(|o| o.kid == k.kid && o.kty() == k.kty())
                    {
                        return Err(KeyError::DuplicateKid.into());
                    }
                    keys.push(k);
                }
                Err(Error::Unsupported(Unsupported::KeyType | Unsupported::Curve)) => skipped += 1,
                Err(e) => return Err(e),
            }
        }
        // A document that mixes shared secrets with public keys is a red flag (a secret
        // published by mistake, or a set built for algorithm confusion); refuse it.
        let secret = keys.iter().filter(|k| k.kty() == "oct").count();
        if secret != 0 && secret != keys.len() {
            return Err(KeyError::Invalid("a JWK Set mixes symmetric and asymmetric keys").into());
        }
        Ok(JwkSet { keys, skipped })
    }

    /// Serializes to a JSON value.
    #[must_use]
    pub fn to_value(&self) -> Value {
        serde_json::json!({ "keys": self.keys.iter().map(Jwk::to_value).collect::<Vec<_>>() })
    }

    /// The keys a token's `kid` selects by the one `kid` rule (a key with another `kid` is
    /// never returned), that are of a type `alg` fits and whose `alg`, if any, is `alg`.
    /// Nothing about `use` or `key_ops` is decided here; preparing the key does that.
    pub fn select<'a>(
        &'a self,
        kid: Option<&'a str>,
        alg: crate::alg::JwsAlg,
    ) -> impl Iterator<Item = &'a Jwk> + 'a {
        use crate::key::KeyShape;
        crate::key::kid::select(&self.keys, kid, |k: &Jwk| k.kid.as_deref()).filter(move |k| {
            KeyShape::of(k).fits(alg).is_ok()
                && k.alg.as_ref().is_none_or(|a| *a == KeyAlg::Jws(alg))
        })
    }

    /// The keys whose `kid` equals `kid`.
    pub fn find_kid<'a>(&'a self, kid: &'a str) -> impl Iterator<Item = &'a Jwk> + 'a {
        self.keys
            .iter()
            .filter(move |k| k.kid.as_deref() == Some(kid))
    }
}

#[cfg(test)]
mod tests;
