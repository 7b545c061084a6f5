//! What a verifier accepts: algorithm allowlists, understood `crit` extensions, signature
//! rules and size limits. The allowlist cannot be left out: [`Policy::new`] takes it.

use crate::alg::JwsAlg;
use crate::error::{Rejected, Result};

/// Limits on attacker-controlled sizes. Exceeding one gives
/// [`Rejected::LimitExceeded`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest token accepted, in bytes. Defaults to 64 MiB.
    pub max_token_bytes: usize,
    /// Largest encoded protected or unprotected header, in bytes. Defaults to 16 KiB.
    pub max_header_bytes: usize,
    /// Most signatures in a general JSON JWS. Defaults to 16.
    pub max_signatures: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_token_bytes: 64 << 20,
            max_header_bytes: 16 << 10,
            max_signatures: 16,
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
    /// One signature by a trusted key suffices; the others are not checked. Default.
    #[default]
    AnyTrusted,
    /// Every signature must verify with a trusted key.
    All,
}

/// Verification policy for JWS.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Policy {
    /// Accepted JWS algorithms. Set by [`Policy::new`]; an empty list accepts nothing.
    pub jws_algs: Vec<JwsAlg>,
    /// `crit` extension names understood beyond `b64` (RFC 7797). A token naming any other
    /// name in `crit` is rejected. Defaults to none.
    pub crit: Vec<String>,
    /// Signature rule for general JSON. Defaults to [`SignatureRule::AnyTrusted`].
    pub signatures: SignatureRule,
    /// Required `typ` (RFC 8725 section 3.11), compared as RFC 7515 section 4.1.9 says
    /// (case-insensitive, `application/` prefix optional). Defaults to none required.
    pub typ: Option<String>,
    /// Whether a JWS whose `alg` is only in the unprotected header (RFC 7515 allows it in
    /// the JSON serializations) is accepted. Defaults to `true`, since the key set and the
    /// allowlist already fix what can verify.
    pub allow_unprotected_alg: bool,
    /// Size limits. Defaults to [`Limits::default`].
    pub limits: Limits,
}

impl Policy {
    /// A policy accepting exactly `algs`.
    #[must_use]
    pub fn new(algs: &[JwsAlg]) -> Self {
        Policy {
            jws_algs: algs.to_vec(),
            crit: Vec::new(),
            signatures: SignatureRule::default(),
            typ: None,
            allow_unprotected_alg: true,
            limits: Limits::default(),
        }
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

    /// Refuses `alg` carried only in an unprotected header.
    #[must_use]
    pub fn require_protected_alg(mut self) -> Self {
        self.allow_unprotected_alg = false;
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
