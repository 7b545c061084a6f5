//! JWA identifiers (RFC 7518, RFC 8037, RFC 8812, RFC 9864).
//!
//! Variants are Rust-cased; the registered name is data ([`JwsAlg::as_str`]). Parsing with
//! [`FromStr`] is exact and case-sensitive. There is no `none`.

use crate::error::{Error, Unsupported};
use core::fmt;
use core::str::FromStr;

macro_rules! registry {
    // A variant may end in `if "feature"`: it exists only with that cargo feature (and
    // its name is otherwise unknown, `Unsupported::Algorithm`).
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal $(if $feat:literal)?,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* #[doc = concat!("`", $text, "`")] $(#[cfg(feature = $feat)])? $variant,)*
        }

        impl $name {
            /// Every variant, in registry order.
            pub const ALL: &'static [$name] = &[$($(#[cfg(feature = $feat)])? $name::$variant,)*];

            /// The registered name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($(#[cfg(feature = $feat)])? $name::$variant => $text,)*
                }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                match s {
                    $($(#[cfg(feature = $feat)])? $text => Ok($name::$variant),)*
                    _ => Err(Unsupported::Algorithm.into()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

registry! {
    /// JWS signature and MAC algorithms (RFC 7518 section 3, RFC 8037, RFC 8812, RFC 9864).
    JwsAlg {
        Hs256 => "HS256",
        Hs384 => "HS384",
        Hs512 => "HS512",
        Rs256 => "RS256",
        Rs384 => "RS384",
        Rs512 => "RS512",
        Ps256 => "PS256",
        Ps384 => "PS384",
        Ps512 => "PS512",
        Es256 => "ES256",
        Es384 => "ES384",
        Es512 => "ES512",
        Es256K => "ES256K",
        /// The polymorphic EdDSA of RFC 8037 (bodyseal implements Ed25519 only).
        EdDsa => "EdDSA",
        /// The fully-specified Ed25519 of RFC 9864.
        Ed25519 => "Ed25519",
        /// ML-DSA-44 (FIPS 204, RFC 9964), with an `AKP` key.
        MlDsa44 => "ML-DSA-44",
        /// ML-DSA-65 (FIPS 204, RFC 9964), with an `AKP` key.
        MlDsa65 => "ML-DSA-65",
        /// ML-DSA-87 (FIPS 204, RFC 9964), with an `AKP` key.
        MlDsa87 => "ML-DSA-87",
    }
}

registry! {
    /// JWE key-management algorithms (RFC 7518 section 4, RFC 8037).
    JweAlg {
        Dir => "dir",
        A128Kw => "A128KW",
        A192Kw => "A192KW",
        A256Kw => "A256KW",
        A128GcmKw => "A128GCMKW",
        A192GcmKw => "A192GCMKW",
        A256GcmKw => "A256GCMKW",
        Rsa1_5 => "RSA1_5",
        RsaOaep => "RSA-OAEP",
        RsaOaep256 => "RSA-OAEP-256",
        EcdhEs => "ECDH-ES",
        EcdhEsA128Kw => "ECDH-ES+A128KW",
        EcdhEsA192Kw => "ECDH-ES+A192KW",
        EcdhEsA256Kw => "ECDH-ES+A256KW",
        Pbes2Hs256A128Kw => "PBES2-HS256+A128KW",
        Pbes2Hs384A192Kw => "PBES2-HS384+A192KW",
        Pbes2Hs512A256Kw => "PBES2-HS512+A256KW",
        /// HPKE integrated encryption, DHKEM(P-256) / HKDF-SHA256 / AES-128-GCM
        /// (draft-ietf-jose-hpke-encrypt). The HPKE algorithms exist with the `hpke`
        /// feature only.
        Hpke0 => "HPKE-0" if "hpke",
        /// HPKE integrated encryption, DHKEM(P-384) / HKDF-SHA384 / AES-256-GCM.
        Hpke1 => "HPKE-1" if "hpke",
        /// HPKE integrated encryption, DHKEM(P-521) / HKDF-SHA512 / AES-256-GCM.
        Hpke2 => "HPKE-2" if "hpke",
        /// HPKE integrated encryption, DHKEM(X25519) / HKDF-SHA256 / AES-128-GCM.
        Hpke3 => "HPKE-3" if "hpke",
        /// HPKE integrated encryption, DHKEM(X25519) / HKDF-SHA256 / ChaCha20-Poly1305.
        Hpke4 => "HPKE-4" if "hpke",
        /// HPKE integrated encryption, DHKEM(P-256) / HKDF-SHA256 / AES-256-GCM.
        Hpke7 => "HPKE-7" if "hpke",
        /// HPKE key encryption of the CEK with the suite of `HPKE-0`.
        Hpke0Ke => "HPKE-0-KE" if "hpke",
        /// HPKE key encryption of the CEK with the suite of `HPKE-1`.
        Hpke1Ke => "HPKE-1-KE" if "hpke",
        /// HPKE key encryption of the CEK with the suite of `HPKE-2`.
        Hpke2Ke => "HPKE-2-KE" if "hpke",
        /// HPKE key encryption of the CEK with the suite of `HPKE-3`.
        Hpke3Ke => "HPKE-3-KE" if "hpke",
        /// HPKE key encryption of the CEK with the suite of `HPKE-4`.
        Hpke4Ke => "HPKE-4-KE" if "hpke",
        /// HPKE key encryption of the CEK with the suite of `HPKE-7`.
        Hpke7Ke => "HPKE-7-KE" if "hpke",
    }
}

registry! {
    /// JWE content-encryption algorithms (RFC 7518 section 5).
    JweEnc {
        A128CbcHs256 => "A128CBC-HS256",
        A192CbcHs384 => "A192CBC-HS384",
        A256CbcHs512 => "A256CBC-HS512",
        A128Gcm => "A128GCM",
        A192Gcm => "A192GCM",
        A256Gcm => "A256GCM",
    }
}

/// Elliptic curves for `kty: "EC"` keys (RFC 7518 section 6.2.1.1, RFC 8812).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// `P-256`
    P256,
    /// `P-384`
    P384,
    /// `P-521`
    P521,
    /// `secp256k1` (RFC 8812; for ES256K only)
    Secp256k1,
}

impl EcCurve {
    /// The curve's object identifier in SPKI and PKCS#8 (RFC 5480 section 2.1.1.1).
    pub(crate) const fn oid(self) -> der::asn1::ObjectIdentifier {
        use der::asn1::ObjectIdentifier as Oid;
        match self {
            EcCurve::P256 => Oid::new_unwrap("1.2.840.10045.3.1.7"),
            EcCurve::P384 => Oid::new_unwrap("1.3.132.0.34"),
            EcCurve::P521 => Oid::new_unwrap("1.3.132.0.35"),
            EcCurve::Secp256k1 => Oid::new_unwrap("1.3.132.0.10"),
        }
    }

    /// The registered `crv` name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            EcCurve::P256 => "P-256",
            EcCurve::P384 => "P-384",
            EcCurve::P521 => "P-521",
            EcCurve::Secp256k1 => "secp256k1",
        }
    }

    /// Parses a `crv` name (exact match).
    ///
    /// # Errors
    /// [`Unsupported::Curve`].
    pub fn parse(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "P-256" => EcCurve::P256,
            "P-384" => EcCurve::P384,
            "P-521" => EcCurve::P521,
            "secp256k1" => EcCurve::Secp256k1,
            _ => return Err(Unsupported::Curve.into()),
        })
    }

    /// Length in bytes of a coordinate and of the private scalar.
    #[must_use]
    pub const fn field_len(self) -> usize {
        match self {
            EcCurve::P256 | EcCurve::Secp256k1 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    /// The JWS algorithm that uses this curve.
    #[must_use]
    pub const fn jws_alg(self) -> JwsAlg {
        match self {
            EcCurve::P256 => JwsAlg::Es256,
            EcCurve::P384 => JwsAlg::Es384,
            EcCurve::P521 => JwsAlg::Es512,
            EcCurve::Secp256k1 => JwsAlg::Es256K,
        }
    }
}

/// Curves for `kty: "OKP"` keys (RFC 8037).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OkpCurve {
    /// `Ed25519`, for signatures.
    Ed25519,
    /// `X25519`, for key agreement.
    X25519,
}

impl OkpCurve {
    /// The registered `crv` name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            OkpCurve::Ed25519 => "Ed25519",
            OkpCurve::X25519 => "X25519",
        }
    }

    /// Parses a `crv` name (exact match; Ed448 and X448 are not implemented).
    ///
    /// # Errors
    /// [`Unsupported::Curve`].
    pub fn parse(s: &str) -> Result<Self, Error> {
        Ok(match s {
            "Ed25519" => OkpCurve::Ed25519,
            "X25519" => OkpCurve::X25519,
            _ => return Err(Unsupported::Curve.into()),
        })
    }
}

/// The ML-DSA parameter sets (FIPS 204), each the algorithm of its `AKP` keys (RFC 9964).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MlDsa {
    /// ML-DSA-44.
    MlDsa44,
    /// ML-DSA-65.
    MlDsa65,
    /// ML-DSA-87.
    MlDsa87,
}

impl MlDsa {
    /// Every parameter set.
    pub const ALL: [MlDsa; 3] = [MlDsa::MlDsa44, MlDsa::MlDsa65, MlDsa::MlDsa87];

    /// The JWS algorithm, which is also the `alg` every `AKP` key of this set carries.
    #[must_use]
    pub const fn jws_alg(self) -> JwsAlg {
        match self {
            MlDsa::MlDsa44 => JwsAlg::MlDsa44,
            MlDsa::MlDsa65 => JwsAlg::MlDsa65,
            MlDsa::MlDsa87 => JwsAlg::MlDsa87,
        }
    }

    /// Length of the public key in bytes (FIPS 204 table 2).
    #[must_use]
    pub const fn public_len(self) -> usize {
        match self {
            MlDsa::MlDsa44 => 1312,
            MlDsa::MlDsa65 => 1952,
            MlDsa::MlDsa87 => 2592,
        }
    }

    /// Length of a signature in bytes (FIPS 204 table 2): about 6 KB of base64url for
    /// ML-DSA-87, near the 8 KB many servers allow for a header line.
    #[must_use]
    pub const fn signature_len(self) -> usize {
        match self {
            MlDsa::MlDsa44 => 2420,
            MlDsa::MlDsa65 => 3309,
            MlDsa::MlDsa87 => 4627,
        }
    }

    /// Length of the private key as JOSE carries it: the 32-byte seed (RFC 9964 section 4).
    pub const SEED_LEN: usize = 32;
}

/// What key generation asks for: the key type and its size, curve or parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyKind {
    /// An EC key pair.
    Ec(EcCurve),
    /// An OKP key pair.
    Okp(OkpCurve),
    /// An RSA key pair with a modulus of this many bits (2048, 3072 or 4096).
    Rsa(usize),
    /// A symmetric key of this many bytes.
    Oct(usize),
    /// An ML-DSA key pair.
    MlDsa(MlDsa),
}

/// The hash functions JOSE uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HashAlg {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlg {
    /// Output length in bytes.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            HashAlg::Sha256 => 32,
            HashAlg::Sha384 => 48,
            HashAlg::Sha512 => 64,
        }
    }

    /// The name used in RFC 9278 thumbprint URIs (`sha-256`, ...).
    #[must_use]
    pub const fn uri_name(self) -> &'static str {
        match self {
            HashAlg::Sha256 => "sha-256",
            HashAlg::Sha384 => "sha-384",
            HashAlg::Sha512 => "sha-512",
        }
    }
}

/// The family a JWS algorithm belongs to, which fixes the key type it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JwsFamily {
    /// HMAC with an `oct` key.
    Hmac,
    /// RSASSA-PKCS1-v1_5 with an `RSA` key.
    RsaPkcs1,
    /// RSASSA-PSS with an `RSA` key.
    RsaPss,
    /// ECDSA with an `EC` key on the named curve.
    Ecdsa(EcCurve),
    /// EdDSA with an `OKP` Ed25519 key.
    Ed25519,
    /// ML-DSA with an `AKP` key of the same parameter set.
    MlDsa(MlDsa),
}

impl JwsAlg {
    /// The algorithm family, which fixes the key type.
    #[must_use]
    pub const fn family(self) -> JwsFamily {
        match self {
            JwsAlg::Hs256 | JwsAlg::Hs384 | JwsAlg::Hs512 => JwsFamily::Hmac,
            JwsAlg::Rs256 | JwsAlg::Rs384 | JwsAlg::Rs512 => JwsFamily::RsaPkcs1,
            JwsAlg::Ps256 | JwsAlg::Ps384 | JwsAlg::Ps512 => JwsFamily::RsaPss,
            JwsAlg::Es256 => JwsFamily::Ecdsa(EcCurve::P256),
            JwsAlg::Es384 => JwsFamily::Ecdsa(EcCurve::P384),
            JwsAlg::Es512 => JwsFamily::Ecdsa(EcCurve::P521),
            JwsAlg::Es256K => JwsFamily::Ecdsa(EcCurve::Secp256k1),
            JwsAlg::EdDsa | JwsAlg::Ed25519 => JwsFamily::Ed25519,
            JwsAlg::MlDsa44 => JwsFamily::MlDsa(MlDsa::MlDsa44),
            JwsAlg::MlDsa65 => JwsFamily::MlDsa(MlDsa::MlDsa65),
            JwsAlg::MlDsa87 => JwsFamily::MlDsa(MlDsa::MlDsa87),
        }
    }

    /// The hash the algorithm uses (for Ed25519, SHA-512 is internal to the scheme; ML-DSA
    /// hashes with SHAKE-256 inside the scheme and gives SHA-512, which nothing uses).
    #[must_use]
    pub const fn hash(self) -> HashAlg {
        match self {
            JwsAlg::Hs256 | JwsAlg::Rs256 | JwsAlg::Ps256 | JwsAlg::Es256 | JwsAlg::Es256K => {
                HashAlg::Sha256
            }
            JwsAlg::Hs384 | JwsAlg::Rs384 | JwsAlg::Ps384 | JwsAlg::Es384 => HashAlg::Sha384,
            JwsAlg::Hs512
            | JwsAlg::Rs512
            | JwsAlg::Ps512
            | JwsAlg::Es512
            | JwsAlg::EdDsa
            | JwsAlg::Ed25519
            | JwsAlg::MlDsa44
            | JwsAlg::MlDsa65
            | JwsAlg::MlDsa87 => HashAlg::Sha512,
        }
    }
}

impl JweEnc {
    /// Length of the content-encryption key in bytes (RFC 7518 sections 5.2.3 to 5.3).
    #[must_use]
    pub const fn cek_len(self) -> usize {
        match self {
            JweEnc::A128Gcm => 16,
            JweEnc::A192Gcm => 24,
            JweEnc::A256Gcm | JweEnc::A128CbcHs256 => 32,
            JweEnc::A192CbcHs384 => 48,
            JweEnc::A256CbcHs512 => 64,
        }
    }

    /// Length of the initialization vector in bytes.
    #[must_use]
    pub const fn iv_len(self) -> usize {
        match self {
            JweEnc::A128Gcm | JweEnc::A192Gcm | JweEnc::A256Gcm => 12,
            JweEnc::A128CbcHs256 | JweEnc::A192CbcHs384 | JweEnc::A256CbcHs512 => 16,
        }
    }

    /// The AES-GCM content encryption whose key has `len` bytes (used by AES-GCM key wrap).
    #[must_use]
    pub const fn gcm_for_key_len(len: usize) -> Option<JweEnc> {
        match len {
            16 => Some(JweEnc::A128Gcm),
            24 => Some(JweEnc::A192Gcm),
            32 => Some(JweEnc::A256Gcm),
            _ => None,
        }
    }
}

/// How a JWE key-management algorithm produces the CEK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyManagement {
    /// `dir`: the shared key is the CEK.
    Direct,
    /// AES key wrap with a KEK of this many bytes.
    AesKw(usize),
    /// AES-GCM key wrap with a KEK of this many bytes.
    AesGcmKw(usize),
    /// RSA encryption of the CEK.
    Rsa,
    /// ECDH-ES; `Some(n)` wraps the CEK with an `n`-byte derived KEK, `None` derives the CEK.
    EcdhEs(Option<usize>),
    /// PBES2 with HMAC-`hash` and a derived AES-KW KEK of this many bytes.
    Pbes2(HashAlg, usize),
    /// HPKE (RFC 9180, draft-ietf-jose-hpke-encrypt) with `suite`: integrated encryption
    /// of the content when `integrated` (no `enc`, no CEK), else encryption of the CEK.
    Hpke {
        /// The HPKE ciphersuite.
        suite: HpkeSuite,
        /// Integrated encryption (`HPKE-N`) rather than key encryption (`HPKE-N-KE`).
        integrated: bool,
    },
}

/// An HPKE ciphersuite (RFC 9180 section 7), by its registered identifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct HpkeSuite {
    /// KEM identifier (0x0010 P-256, 0x0011 P-384, 0x0012 P-521, 0x0020 X25519).
    pub kem: u16,
    /// KDF identifier (0x0001 HKDF-SHA256, 0x0002 HKDF-SHA384, 0x0003 HKDF-SHA512).
    pub kdf: u16,
    /// AEAD identifier (0x0001 AES-128-GCM, 0x0002 AES-256-GCM, 0x0003 ChaCha20-Poly1305).
    pub aead: u16,
}

impl HpkeSuite {
    #[cfg_attr(not(feature = "hpke"), allow(dead_code))]
    const fn new(kem: u16, kdf: u16, aead: u16) -> Self {
        HpkeSuite { kem, kdf, aead }
    }

    #[cfg_attr(not(feature = "hpke"), allow(dead_code))]
    const fn management(self, integrated: bool) -> KeyManagement {
        KeyManagement::Hpke {
            suite: self,
            integrated,
        }
    }

    /// The kind of key the suite's KEM takes.
    #[must_use]
    pub const fn key_kind(self) -> Option<KeyKind> {
        match self.kem {
            0x0010 => Some(KeyKind::Ec(EcCurve::P256)),
            0x0011 => Some(KeyKind::Ec(EcCurve::P384)),
            0x0012 => Some(KeyKind::Ec(EcCurve::P521)),
            0x0020 => Some(KeyKind::Okp(OkpCurve::X25519)),
            _ => None,
        }
    }
}

impl JweAlg {
    /// The key-management family and its key length.
    #[must_use]
    pub const fn management(self) -> KeyManagement {
        match self {
            JweAlg::Dir => KeyManagement::Direct,
            JweAlg::A128Kw => KeyManagement::AesKw(16),
            JweAlg::A192Kw => KeyManagement::AesKw(24),
            JweAlg::A256Kw => KeyManagement::AesKw(32),
            JweAlg::A128GcmKw => KeyManagement::AesGcmKw(16),
            JweAlg::A192GcmKw => KeyManagement::AesGcmKw(24),
            JweAlg::A256GcmKw => KeyManagement::AesGcmKw(32),
            JweAlg::Rsa1_5 | JweAlg::RsaOaep | JweAlg::RsaOaep256 => KeyManagement::Rsa,
            JweAlg::EcdhEs => KeyManagement::EcdhEs(None),
            JweAlg::EcdhEsA128Kw => KeyManagement::EcdhEs(Some(16)),
            JweAlg::EcdhEsA192Kw => KeyManagement::EcdhEs(Some(24)),
            JweAlg::EcdhEsA256Kw => KeyManagement::EcdhEs(Some(32)),
            JweAlg::Pbes2Hs256A128Kw => KeyManagement::Pbes2(HashAlg::Sha256, 16),
            JweAlg::Pbes2Hs384A192Kw => KeyManagement::Pbes2(HashAlg::Sha384, 24),
            JweAlg::Pbes2Hs512A256Kw => KeyManagement::Pbes2(HashAlg::Sha512, 32),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke0 => HpkeSuite::new(0x10, 1, 1).management(true),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke1 => HpkeSuite::new(0x11, 2, 2).management(true),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke2 => HpkeSuite::new(0x12, 3, 2).management(true),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke3 => HpkeSuite::new(0x20, 1, 1).management(true),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke4 => HpkeSuite::new(0x20, 1, 3).management(true),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke7 => HpkeSuite::new(0x10, 1, 2).management(true),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke0Ke => HpkeSuite::new(0x10, 1, 1).management(false),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke1Ke => HpkeSuite::new(0x11, 2, 2).management(false),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke2Ke => HpkeSuite::new(0x12, 3, 2).management(false),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke3Ke => HpkeSuite::new(0x20, 1, 1).management(false),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke4Ke => HpkeSuite::new(0x20, 1, 3).management(false),
            #[cfg(feature = "hpke")]
            JweAlg::Hpke7Ke => HpkeSuite::new(0x10, 1, 2).management(false),
        }
    }

    /// True for the HPKE algorithms (`HPKE-N` and `HPKE-N-KE`).
    #[must_use]
    pub const fn is_hpke(self) -> bool {
        matches!(self.management(), KeyManagement::Hpke { .. })
    }

    /// True for HPKE integrated encryption (`HPKE-N`): no `enc`, no CEK, one recipient.
    #[must_use]
    pub const fn is_integrated(self) -> bool {
        matches!(
            self.management(),
            KeyManagement::Hpke {
                integrated: true,
                ..
            }
        )
    }
}

/// A key's `alg` member: a registered name of any JOSE registry, or something else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlg {
    /// A JWS algorithm.
    Jws(JwsAlg),
    /// A JWE key-management algorithm.
    Jwe(JweAlg),
    /// A JWE content-encryption algorithm (used on `dir` keys).
    Enc(JweEnc),
    /// A name bodyseal does not know; the key cannot be used with any algorithm.
    Other(String),
}

impl KeyAlg {
    /// Classifies a key's `alg` member.
    #[must_use]
    pub fn parse(s: &str) -> Self {
        if let Ok(a) = s.parse() {
            KeyAlg::Jws(a)
        } else if let Ok(a) = s.parse() {
            KeyAlg::Jwe(a)
        } else if let Ok(a) = s.parse() {
            KeyAlg::Enc(a)
        } else {
            KeyAlg::Other(s.to_owned())
        }
    }

    /// The member's text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            KeyAlg::Jws(a) => a.as_str(),
            KeyAlg::Jwe(a) => a.as_str(),
            KeyAlg::Enc(a) => a.as_str(),
            KeyAlg::Other(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_case_sensitive() {
        for a in JwsAlg::ALL {
            assert_eq!(a.as_str().parse::<JwsAlg>().unwrap(), *a);
            assert!(
                a.as_str().to_lowercase().parse::<JwsAlg>().is_err()
                    || a.as_str() == a.as_str().to_lowercase()
            );
        }
        assert!("hs256".parse::<JwsAlg>().is_err());
        assert!("none".parse::<JwsAlg>().is_err());
        assert!("NONE".parse::<JwsAlg>().is_err());
        assert_eq!(
            "ECDH-ES+A128KW".parse::<JweAlg>().unwrap(),
            JweAlg::EcdhEsA128Kw
        );
    }

    #[test]
    fn key_alg_classification() {
        assert_eq!(KeyAlg::parse("ES256"), KeyAlg::Jws(JwsAlg::Es256));
        assert_eq!(KeyAlg::parse("A128GCM"), KeyAlg::Enc(JweEnc::A128Gcm));
        assert_eq!(KeyAlg::parse("ES521"), KeyAlg::Other("ES521".into()));
    }
}
