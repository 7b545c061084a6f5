//! What a verifier accepts: algorithm allowlists, understood `crit` extensions, signature
//! rules and size limits. The allowlist cannot be left out: [`JwsPolicy::new`] takes it.

use crate::alg::{JweAlg, JweEnc, JwsAlg, KeyManagement};
use crate::error::{Rejected, Result};
use crate::key::{DecryptionKeys, VerifyingKeys};

/// Limits on attacker-controlled sizes. Exceeding one gives
/// [`Rejected::LimitExceeded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest token accepted, in bytes. Defaults to 64 MiB.
    pub max_token_bytes: usize,
    /// Largest header of any kind, in bytes: a protected header as encoded, an unprotected,
    /// shared or per-recipient header as JSON. Defaults to 16 KiB.
    pub max_header_bytes: usize,
    /// Largest sum of every header of a token (all signatures, all recipients). Defaults
    /// to 64 KiB.
    pub max_total_header_bytes: usize,
    /// Most signatures in a general JSON JWS. Defaults to 16.
    pub max_signatures: usize,
    /// Most recipients in a general JSON JWE. Defaults to 16.
    pub max_recipients: usize,
    /// Most PBES2 iterations (`p2c`) one token may cost, summed over every recipient and
    /// every candidate key (a password tried against each); checked before any
    /// derivation starts. Defaults to 1,000,000.
    pub max_pbes2_count: u64,
    /// Shortest PBES2 salt input (`p2s`) accepted, in bytes (RFC 7518 section 4.8.1.1
    /// asks for at least 8). Defaults to 8.
    pub min_pbes2_salt_len: usize,
    /// Largest plaintext a `zip: "DEF"` JWE may inflate to. Defaults to 16 MiB.
    pub max_decompressed_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_bytes: 64 << 20,
            max_header_bytes: 16 << 10,
            max_total_header_bytes: 64 << 10,
            max_signatures: 16,
            max_recipients: 16,
            max_pbes2_count: 1_000_000,
            min_pbes2_salt_len: 8,
            max_decompressed_bytes: 16 << 20,
        }
    }
}

impl Limits {
    pub(crate) fn check(limit: &'static str, required: usize, allowed: usize) -> Result<()> {
        if required > allowed {
            Err(Rejected::LimitExceeded {
                limit,
                required: required as u64,
                allowed: allowed as u64,
            }
            .into())
        } else {
            Ok(())
        }
    }
}

/// How many signatures of a general JSON JWS must verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SignatureRule {
    /// One signature by a trusted key suffices; the others are not checked (the
    /// verification record names the one that verified). Default.
    #[default]
    AnyTrusted,
    /// Every signature must verify with a trusted key.
    All,
}

/// The former name of [`JwsPolicy`] (it holds the JWS rules, beside [`JwePolicy`]).
#[deprecated(note = "renamed `JwsPolicy`")]
pub type Policy = JwsPolicy;

/// Verification policy for JWS.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwsPolicy {
    /// Accepted JWS algorithms. Set by [`JwsPolicy::new`]; an empty list accepts nothing.
    pub jws_algs: Vec<JwsAlg>,
    /// `crit` extension names understood beyond `b64` (RFC 7797). A token naming any other
    /// name in `crit` is rejected. Defaults to none.
    pub crit: Vec<String>,
    /// Signature rule for general JSON. Defaults to [`SignatureRule::AnyTrusted`].
    pub signatures: SignatureRule,
    /// Required `typ` (RFC 8725 section 3.11), compared as RFC 7515 section 4.1.9 says
    /// (case-insensitive, `application/` prefix optional). Defaults to none required.
    pub typ: Option<String>,
    /// Whether a JWS whose `alg` is only in an unprotected header (RFC 7515 allows it in
    /// the JSON serializations; a flattened JWS may even have no protected header) is
    /// accepted. Such an `alg` (and `kid`) is not authenticated by the signature.
    /// Defaults to `false`: [`Rejected::UnprotectedAlg`].
    pub allow_unprotected_alg: bool,
    /// Size limits. Defaults to [`Limits::default`].
    pub limits: Limits,
}

impl JwsPolicy {
    /// A policy accepting exactly `algs`.
    #[must_use]
    pub fn new(algs: &[JwsAlg]) -> Self {
        JwsPolicy {
            jws_algs: algs.to_vec(),
            crit: Vec::new(),
            signatures: SignatureRule::default(),
            typ: None,
            allow_unprotected_alg: false,
            limits: Limits::default(),
        }
    }

    /// A policy accepting every algorithm that one of `keys` can verify: the default
    /// that fits the keys a verifier was given.
    #[must_use]
    pub fn fitting(keys: &VerifyingKeys) -> Self {
        let algs: Vec<JwsAlg> = JwsAlg::ALL
            .iter()
            .copied()
            .filter(|a| keys.keys().iter().any(|k| k.check_alg(*a).is_ok()))
            .collect();
        JwsPolicy::new(&algs)
    }

    /// Also understands the `crit` extension `name`.
    #[must_use]
    pub fn understand_crit(mut self, name: impl Into<String>) -> Self {
        self.crit.push(name.into());
        self
    }

    /// Requires every signature of a general JSON JWS to verify.
    #[must_use]
    pub fn require_all_signatures(mut self) -> Self {
        self.signatures = SignatureRule::All;
        self
    }

    /// Requires this `typ`.
    #[must_use]
    pub fn require_typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Accepts `alg` carried only in an unprotected header (not authenticated by the
    /// signature: the allowlist and the trusted keys still decide what verifies).
    #[must_use]
    pub fn allow_unprotected_alg(mut self) -> Self {
        self.allow_unprotected_alg = true;
        self
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Checks `alg` against the allowlist.
    ///
    /// # Errors
    /// [`Rejected::AlgNotAllowed`].
    pub fn check_alg(&self, alg: JwsAlg) -> Result<()> {
        if self.jws_algs.contains(&alg) {
            Ok(())
        } else {
            Err(Rejected::AlgNotAllowed(alg.as_str()).into())
        }
    }
}

/// Decryption policy for JWE.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JwePolicy {
    /// Accepted key-management algorithms. Set by [`JwePolicy::new`].
    pub algs: Vec<JweAlg>,
    /// Accepted content-encryption algorithms. Set by [`JwePolicy::new`].
    pub encs: Vec<JweEnc>,
    /// Whether `RSA1_5` may decrypt even when listed in `algs`: it is open to
    /// Bleichenbacher-style oracles and needs this second, explicit opt-in. Defaults to
    /// `false`.
    pub allow_rsa1_5: bool,
    /// Whether `zip: "DEF"` is accepted (inflating at most
    /// [`Limits::max_decompressed_bytes`]). Defaults to `false`.
    pub allow_zip: bool,
    /// `crit` extension names understood. Defaults to none.
    pub crit: Vec<String>,
    /// Size and work limits. Defaults to [`Limits::default`].
    pub limits: Limits,
}

impl JwePolicy {
    /// A policy accepting exactly these key-management and content-encryption algorithms.
    #[must_use]
    pub fn new(algs: &[JweAlg], encs: &[JweEnc]) -> Self {
        JwePolicy {
            algs: algs.to_vec(),
            encs: encs.to_vec(),
            allow_rsa1_5: false,
            allow_zip: false,
            crit: Vec::new(),
            limits: Limits::default(),
        }
    }

    /// A policy accepting every content encryption and every key-management algorithm
    /// that one of `keys` fits, except RSA1_5, PBES2 and HPKE (which need an explicit
    /// choice):
    /// the default that fits the keys a decrypter was given.
    #[must_use]
    pub fn fitting(keys: &DecryptionKeys) -> Self {
        let algs: Vec<JweAlg> = JweAlg::ALL
            .iter()
            .copied()
            // RSA1_5, PBES2 and HPKE need the caller to name them.
            .filter(|a| {
                *a != JweAlg::Rsa1_5
                    && !matches!(
                        a.management(),
                        KeyManagement::Pbes2(..) | KeyManagement::Hpke { .. }
                    )
            })
            .filter(|a| {
                keys.keys()
                    .iter()
                    .any(|k| JweEnc::ALL.iter().any(|e| k.check_alg(*a, *e).is_ok()))
            })
            .collect();
        JwePolicy::new(&algs, JweEnc::ALL)
    }

    /// Opts in to `RSA1_5` decryption (it must also be in `algs`).
    #[must_use]
    pub fn allow_rsa1_5(mut self) -> Self {
        self.allow_rsa1_5 = true;
        self
    }

    /// Accepts `zip: "DEF"`.
    #[must_use]
    pub fn allow_zip(mut self) -> Self {
        self.allow_zip = true;
        self
    }

    /// Sets the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Also understands the `crit` extension `name`.
    #[must_use]
    pub fn understand_crit(mut self, name: impl Into<String>) -> Self {
        self.crit.push(name.into());
        self
    }

    /// Checks `alg` and, unless absent (HPKE integrated encryption), `enc` against the
    /// allowlists.
    pub(crate) fn check_header(&self, alg: JweAlg, enc: Option<JweEnc>) -> Result<()> {
        match enc {
            Some(enc) => self.check(alg, enc),
            None if self.algs.contains(&alg) && alg.is_integrated() => Ok(()),
            None => Err(Rejected::AlgNotAllowed(alg.as_str()).into()),
        }
    }

    /// Checks `alg` and `enc` against the allowlists.
    ///
    /// # Errors
    /// [`Rejected::AlgNotAllowed`].
    pub fn check(&self, alg: JweAlg, enc: JweEnc) -> Result<()> {
        if !self.algs.contains(&alg) || (alg == JweAlg::Rsa1_5 && !self.allow_rsa1_5) {
            return Err(Rejected::AlgNotAllowed(alg.as_str()).into());
        }
        if !self.encs.contains(&enc) {
            return Err(Rejected::AlgNotAllowed(enc.as_str()).into());
        }
        Ok(())
    }
}

/// Compares media types as RFC 7515 section 4.1.9 asks: case-insensitively, with the
/// `application/` prefix optional when there is no other `/`.
#[must_use]
pub fn typ_matches(actual: &str, expected: &str) -> bool {
    fn norm(s: &str) -> String {
        let lower = s.to_ascii_lowercase();
        match lower.strip_prefix("application/") {
            Some(rest) => rest.to_owned(),
            None => lower,
        }
    }
    norm(actual) == norm(expected)
}
