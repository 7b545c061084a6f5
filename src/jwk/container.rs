//! PEM and DER key containers: PKCS#8 (RFC 5958), SubjectPublicKeyInfo (RFC 5280), SEC1
//! EC private keys (RFC 5915), PKCS#1 RSA keys (RFC 8017) and the public key of an X.509
//! certificate. Decoding and encoding use RustCrypto's `der` family; this file only maps
//! those structures to and from [`Jwk`] members.

use super::{split_point, EcCurve, Jwk, KeyAlg, KeyParams, MlDsa, OkpCurve, RsaPrivate, Secret};
use crate::crypto::{KeyKind, Provider};
use crate::error::{Error, KeyError, Malformed, Result, Unsupported};
use der::asn1::{BitStringRef, ObjectIdentifier as Oid, OctetStringRef, UintRef};
use der::{Decode, Encode};
use pkcs8::PrivateKeyInfo;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

const RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const EC: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
const ED25519: Oid = Oid::new_unwrap("1.3.101.112");
const X25519: Oid = Oid::new_unwrap("1.3.101.110");

/// RFC 9881 section 2: id-ml-dsa-44, -65, -87 (no parameters).
fn ml_dsa_oid(set: MlDsa) -> Oid {
    match set {
        MlDsa::MlDsa44 => Oid::new_unwrap("2.16.840.1.101.3.4.3.17"),
        MlDsa::MlDsa65 => Oid::new_unwrap("2.16.840.1.101.3.4.3.18"),
        MlDsa::MlDsa87 => Oid::new_unwrap("2.16.840.1.101.3.4.3.19"),
    }
}

fn ml_dsa_of(oid: Oid) -> Option<MlDsa> {
    MlDsa::ALL.into_iter().find(|s| ml_dsa_oid(*s) == oid)
}

/// An `AKP` JWK of an ML-DSA key, from its seed: the public key is expanded from it, and
/// the key carries its `alg` as RFC 9964 requires.
fn ml_dsa_from_seed(set: MlDsa, seed: Secret) -> Result<Jwk> {
    let public = Provider::default()
        .keys
        .public_from_private(KeyKind::MlDsa(set), seed.expose_secret())?;
    Ok(Jwk::new(KeyParams::Akp {
        set,
        public,
        seed: Some(seed),
    })
    .with_alg(KeyAlg::Jws(set.jws_alg())))
}

fn bad(what: &'static str) -> Error {
    Malformed::KeyContainer(what).into()
}

fn curve_from_oid(oid: Oid) -> Result<EcCurve> {
    [
        EcCurve::P256,
        EcCurve::P384,
        EcCurve::P521,
        EcCurve::Secp256k1,
    ]
    .into_iter()
    .find(|c| c.oid() == oid)
    .ok_or_else(|| Unsupported::Curve.into())
}

/// Left-pads a big-endian scalar to `len` bytes (DER drops leading zeros).
fn pad_to(v: &[u8], len: usize) -> Result<Zeroizing<Vec<u8>>> {
    if v.len() > len {
        return Err(bad("EC private key"));
    }
    let mut out = Zeroizing::new(vec![0u8; len - v.len()]);
    out.extend_from_slice(v);
    Ok(out)
}

impl Jwk {
    /// Reads a PEM document: `PRIVATE KEY` (PKCS#8), `PUBLIC KEY` (SPKI), `EC PRIVATE KEY`
    /// (SEC1), `RSA PRIVATE KEY` / `RSA PUBLIC KEY` (PKCS#1) or `CERTIFICATE` (X.509; the
    /// certificate is not validated, only its public key is taken).
    ///
    /// # Errors
    /// [`Malformed::KeyContainer`], [`Error::Unsupported`], [`KeyError`].
    pub fn from_pem(pem: &str) -> Result<Self> {
        let (label, der) = der::pem::decode_vec(pem.trim().as_bytes()).map_err(|_| bad("PEM"))?;
        let der = Zeroizing::new(der);
        match label {
            "PRIVATE KEY" => Self::from_pkcs8_der(&der),
            "PUBLIC KEY" => Self::from_spki_der(&der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&der),
            "RSA PUBLIC KEY" => Self::from_pkcs1_public_der(&der),
            "CERTIFICATE" => Self::from_x509_der(&der),
            _ => Err(Unsupported::Feature("this PEM label").into()),
        }
    }

    /// Reads a PKCS#8 `PrivateKeyInfo` (unencrypted), DER.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let info = PrivateKeyInfo::from_der(der).map_err(|_| bad("PKCS#8"))?;
        match info.algorithm.oid {
            RSA => Self::from_pkcs1_der(info.private_key),
            EC => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| bad("PKCS#8 EC parameters"))
                    .and_then(curve_from_oid)?;
                Self::sec1_with_curve(info.private_key, Some(curve))
            }
            ED25519 | X25519 => {
                let curve = if info.algorithm.oid == ED25519 {
                    OkpCurve::Ed25519
                } else {
                    OkpCurve::X25519
                };
                // RFC 8410 section 7: CurvePrivateKey ::= OCTET STRING.
                let d = OctetStringRef::from_der(info.private_key)
                    .map_err(|_| bad("RFC 8410 private key"))?;
                let d = Secret::from_slice(d.as_bytes());
                if d.len() != 32 {
                    return Err(bad("RFC 8410 private key"));
                }
                let x = Provider::default()
                    .keys
                    .public_from_private(KeyKind::Okp(curve), d.expose_secret())?;
                if let Some(given) = info.public_key {
                    if given != x.as_slice() {
                        return Err(
                            KeyError::Invalid("private key does not match public key").into()
                        );
                    }
                }
                Ok(Jwk::new(KeyParams::Okp {
                    curve,
                    x,
                    d: Some(d),
                }))
            }
            oid => {
                let set = ml_dsa_of(oid).ok_or(Unsupported::KeyType)?;
                // RFC 9881 section 6: the private key is the CHOICE seed [0] (32 bytes),
                // expandedKey or both. JOSE carries the seed only (RFC 9964 section 4):
                // the two other forms are refused.
                match info.private_key {
                    [0x80, 32, seed @ ..] if seed.len() == MlDsa::SEED_LEN => {
                        let jwk = ml_dsa_from_seed(set, Secret::from_slice(seed))?;
                        if let (Some(given), KeyParams::Akp { public, .. }) =
                            (info.public_key, &jwk.params)
                        {
                            if given != public.as_slice() {
                                return Err(KeyError::Invalid(
                                    "private key does not match public key",
                                )
                                .into());
                            }
                        }
                        Ok(jwk)
                    }
                    _ => Err(Unsupported::Feature(
                        "an ML-DSA private key other than its seed (expanded keys are refused)",
                    )
                    .into()),
                }
            }
        }
    }

    /// Reads a SEC1 `ECPrivateKey` (RFC 5915), DER; the curve must be named inside.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_sec1_der(der: &[u8]) -> Result<Self> {
        Self::sec1_with_curve(der, None)
    }

    fn sec1_with_curve(der: &[u8], outer: Option<EcCurve>) -> Result<Self> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|_| bad("SEC1"))?;
        let inner = key
            .parameters
            .and_then(|p| p.named_curve())
            .map(curve_from_oid)
            .transpose()?;
        let curve = match (outer, inner) {
            (Some(a), Some(b)) if a != b => return Err(bad("SEC1 curve")),
            (Some(c), _) | (None, Some(c)) => c,
            (None, None) => return Err(bad("SEC1 without a named curve")),
        };
        let d = pad_to(key.private_key, curve.field_len())?;
        let point = match key.public_key {
            Some(p) => p.to_vec(),
            None => Provider::default()
                .keys
                .public_from_private(KeyKind::Ec(curve), &d)?,
        };
        let (x, y) = split_point(curve, &point)?;
        Ok(Jwk::new(KeyParams::Ec {
            curve,
            x,
            y,
            d: Some(Secret::from_zeroizing(d)),
        }))
    }

    /// Reads a PKCS#1 `RSAPrivateKey`, DER.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_pkcs1_der(der: &[u8]) -> Result<Self> {
        let k = pkcs1::RsaPrivateKey::from_der(der).map_err(|_| bad("PKCS#1"))?;
        if k.other_prime_infos.is_some() {
            return Err(Unsupported::Feature("multi-prime RSA").into());
        }
        let s = |u: UintRef<'_>| Secret::from_slice(u.as_bytes());
        let jwk = Jwk::new(KeyParams::Rsa {
            n: k.modulus.as_bytes().to_vec(),
            e: k.public_exponent.as_bytes().to_vec(),
            private: Some(Box::new(RsaPrivate {
                d: s(k.private_exponent),
                p: s(k.prime1),
                q: s(k.prime2),
                dp: s(k.exponent1),
                dq: s(k.exponent2),
                qi: s(k.coefficient),
            })),
        });
        check_rsa_size(jwk)
    }

    /// Reads a PKCS#1 `RSAPublicKey`, DER.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_pkcs1_public_der(der: &[u8]) -> Result<Self> {
        let k = pkcs1::RsaPublicKey::from_der(der).map_err(|_| bad("PKCS#1"))?;
        check_rsa_size(Jwk::new(KeyParams::Rsa {
            n: k.modulus.as_bytes().to_vec(),
            e: k.public_exponent.as_bytes().to_vec(),
            private: None,
        }))
    }

    /// Reads a `SubjectPublicKeyInfo`, DER.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_spki_der(der: &[u8]) -> Result<Self> {
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|_| bad("SPKI"))?;
        Self::from_spki(&spki)
    }

    fn from_spki(spki: &SubjectPublicKeyInfoRef<'_>) -> Result<Self> {
        let key = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("SPKI bit string"))?;
        match spki.algorithm.oid {
            RSA => Self::from_pkcs1_public_der(key),
            EC => {
                let curve = spki
                    .algorithm
                    .parameters_oid()
                    .map_err(|_| bad("SPKI EC parameters"))
                    .and_then(curve_from_oid)?;
                let (x, y) = split_point(curve, key)?;
                Ok(Jwk::new(KeyParams::Ec {
                    curve,
                    x,
                    y,
                    d: None,
                }))
            }
            ED25519 | X25519 => {
                let curve = if spki.algorithm.oid == ED25519 {
                    OkpCurve::Ed25519
                } else {
                    OkpCurve::X25519
                };
                if key.len() != 32 {
                    return Err(bad("RFC 8410 public key"));
                }
                Ok(Jwk::new(KeyParams::Okp {
                    curve,
                    x: key.to_vec(),
                    d: None,
                }))
            }
            oid => {
                let set = ml_dsa_of(oid).ok_or(Unsupported::KeyType)?;
                if key.len() != set.public_len() {
                    return Err(bad("ML-DSA public key"));
                }
                Ok(Jwk::new(KeyParams::Akp {
                    set,
                    public: key.to_vec(),
                    seed: None,
                })
                .with_alg(KeyAlg::Jws(set.jws_alg())))
            }
        }
    }

    /// Reads the public key of an X.509 certificate, DER. The certificate itself (issuer,
    /// validity, signature) is **not** validated: trust in the key is the caller's decision.
    ///
    /// # Errors
    /// As [`Jwk::from_pem`].
    pub fn from_x509_der(der: &[u8]) -> Result<Self> {
        let cert = x509_cert::Certificate::from_der(der).map_err(|_| bad("X.509"))?;
        let spki_der = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|_| bad("X.509"))?;
        Self::from_spki_der(&spki_der)
    }

    /// Writes the private key as PKCS#8 `PrivateKeyInfo`, DER (zeroized on drop).
    ///
    /// # Errors
    /// [`KeyError::NotPrivate`]; [`Error::ApiMisuse`] for `oct` keys.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let enc = |_| Error::Unreachable("DER encoding");
        match &self.params {
            KeyParams::Rsa {
                private: Some(_), ..
            } => {
                let inner = self.to_pkcs1_der()?;
                let alg = AlgorithmIdentifierRef {
                    oid: RSA,
                    parameters: Some(der::asn1::AnyRef::NULL),
                };
                Ok(Zeroizing::new(
                    PrivateKeyInfo::new(alg, &inner).to_der().map_err(enc)?,
                ))
            }
            KeyParams::Ec {
                curve,
                x,
                y,
                d: Some(d),
            } => {
                let mut point = vec![4u8];
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                let sec1 = sec1::EcPrivateKey {
                    private_key: d.expose_secret(),
                    parameters: None,
                    public_key: Some(&point),
                };
                let inner = Zeroizing::new(sec1.to_der().map_err(enc)?);
                let oid = curve.oid();
                let alg = AlgorithmIdentifierRef {
                    oid: EC,
                    parameters: Some((&oid).into()),
                };
                Ok(Zeroizing::new(
                    PrivateKeyInfo::new(alg, &inner).to_der().map_err(enc)?,
                ))
            }
            KeyParams::Okp {
                curve, d: Some(d), ..
            } => {
                let inner = Zeroizing::new(
                    OctetStringRef::new(d.expose_secret())
                        .and_then(|o| o.to_der())
                        .map_err(enc)?,
                );
                let oid = if *curve == OkpCurve::Ed25519 {
                    ED25519
                } else {
                    X25519
                };
                let alg = AlgorithmIdentifierRef {
                    oid,
                    parameters: None,
                };
                Ok(Zeroizing::new(
                    PrivateKeyInfo::new(alg, &inner).to_der().map_err(enc)?,
                ))
            }
            KeyParams::Akp {
                set,
                seed: Some(seed),
                ..
            } => {
                // RFC 9881 section 6: the seed form, `[0] IMPLICIT OCTET STRING (SIZE (32))`.
                let mut inner = Zeroizing::new(vec![0x80, 32]);
                inner.extend_from_slice(seed.expose_secret());
                let alg = AlgorithmIdentifierRef {
                    oid: ml_dsa_oid(*set),
                    parameters: None,
                };
                Ok(Zeroizing::new(
                    PrivateKeyInfo::new(alg, &inner).to_der().map_err(enc)?,
                ))
            }
            KeyParams::Oct { .. } => Err(Error::ApiMisuse("symmetric keys have no PKCS#8 form")),
            _ => Err(KeyError::NotPrivate.into()),
        }
    }

    /// Writes the private key as PKCS#1 `RSAPrivateKey`, DER (RSA only).
    ///
    /// # Errors
    /// [`KeyError::NotPrivate`]; [`Error::ApiMisuse`] for other key types.
    pub fn to_pkcs1_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let KeyParams::Rsa { n, e, private } = &self.params else {
            return Err(Error::ApiMisuse("PKCS#1 is for RSA keys"));
        };
        let p = private.as_ref().ok_or(KeyError::NotPrivate)?;
        let key = pkcs1::RsaPrivateKey {
            modulus: u(n)?,
            public_exponent: u(e)?,
            private_exponent: u(p.d.expose_secret())?,
            prime1: u(p.p.expose_secret())?,
            prime2: u(p.q.expose_secret())?,
            exponent1: u(p.dp.expose_secret())?,
            exponent2: u(p.dq.expose_secret())?,
            coefficient: u(p.qi.expose_secret())?,
            other_prime_infos: None,
        };
        Ok(Zeroizing::new(
            key.to_der()
                .map_err(|_| Error::Unreachable("DER encoding"))?,
        ))
    }

    /// Writes the public key as `SubjectPublicKeyInfo`, DER.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for `oct` keys.
    pub fn to_spki_der(&self) -> Result<Vec<u8>> {
        let enc = |_| Error::Unreachable("DER encoding");
        let (alg_oid, param, key): (Oid, Option<Oid>, Vec<u8>) = match &self.params {
            KeyParams::Rsa { n, e, .. } => {
                let k = pkcs1::RsaPublicKey {
                    modulus: u(n)?,
                    public_exponent: u(e)?,
                };
                (RSA, None, k.to_der().map_err(enc)?)
            }
            KeyParams::Ec { curve, x, y, .. } => {
                let mut point = vec![4u8];
                point.extend_from_slice(x);
                point.extend_from_slice(y);
                (EC, Some(curve.oid()), point)
            }
            KeyParams::Okp { curve, x, .. } => (
                if *curve == OkpCurve::Ed25519 {
                    ED25519
                } else {
                    X25519
                },
                None,
                x.clone(),
            ),
            KeyParams::Akp { set, public, .. } => (ml_dsa_oid(*set), None, public.clone()),
            KeyParams::Oct { .. } => {
                return Err(Error::ApiMisuse("symmetric keys have no public part"))
            }
        };
        let parameters = match (&param, alg_oid) {
            (Some(oid), _) => Some(oid.into()),
            (None, RSA) => Some(der::asn1::AnyRef::NULL),
            (None, _) => None,
        };
        let spki = SubjectPublicKeyInfoRef {
            algorithm: AlgorithmIdentifierRef {
                oid: alg_oid,
                parameters,
            },
            subject_public_key: BitStringRef::from_bytes(&key).map_err(enc)?,
        };
        spki.to_der().map_err(enc)
    }

    /// Writes PEM: `PRIVATE KEY` (PKCS#8) for private keys, `PUBLIC KEY` (SPKI) otherwise.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for `oct` keys.
    pub fn to_pem(&self) -> Result<Zeroizing<String>> {
        let (label, der) = if self.is_private() {
            ("PRIVATE KEY", self.to_pkcs8_der()?)
        } else {
            ("PUBLIC KEY", Zeroizing::new(self.to_spki_der()?))
        };
        der::pem::encode_string(label, der::pem::LineEnding::LF, &der)
            .map(Zeroizing::new)
            .map_err(|_| Error::Unreachable("PEM encoding"))
    }
}

fn check_rsa_size(jwk: Jwk) -> Result<Jwk> {
    if let KeyParams::Rsa { n, .. } = &jwk.params {
        let bits = super::bit_len(n);
        if bits < 2048 {
            return Err(KeyError::RsaTooSmall(bits).into());
        }
        if super::roca::is_vulnerable(n) {
            return Err(
                KeyError::Invalid("RSA modulus has the ROCA fingerprint (CVE-2017-15361)").into(),
            );
        }
    }
    Ok(jwk)
}

fn u(v: &[u8]) -> Result<UintRef<'_>> {
    UintRef::new(v).map_err(|_| KeyError::Invalid("RSA component").into())
}
