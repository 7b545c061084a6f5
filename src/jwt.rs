//! JSON Web Token (RFC 7519) on top of JWS, with the checks of RFC 8725.
//!
//! ```
//! use bodyseal::{jwt, jwk::Jwk, crypto::KeyKind, alg::{JwsAlg, OkpCurve}};
//! use bodyseal::{key::{SigningKey, VerifyingKey, VerifyingKeys}, jws::Signer, policy::JwsPolicy};
//! let jwk = Jwk::generate(KeyKind::Okp(OkpCurve::Ed25519))?;
//! let signer = Signer::new(&SigningKey::from_jwk(&jwk)?);
//! let token = jwt::sign(&signer, &serde_json::json!({"iss": "a", "aud": "b", "exp": 4102444800u64}))?;
//! let keys = VerifyingKeys::single(VerifyingKey::from_jwk(&jwk)?);
//! let v = jwt::Validation::new().issuer("a").audience("b");
//! let out: jwt::Jwt<serde_json::Value> = jwt::verify(&token, &keys, &JwsPolicy::new(&[JwsAlg::EdDsa]), &v)?;
//! assert_eq!(out.registered.iss.as_deref(), Some("a"));
//! # Ok::<(), bodyseal::Error>(())
//! ```

use crate::error::{Error, Malformed, Part, Rejected, Result};
use crate::json;
use crate::jws::{self, Signer, SignerInfo};
use crate::key::VerifyingKeys;
use crate::policy::{typ_matches, JwsPolicy};
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};

/// The registered claims (RFC 7519 section 4.1), type-checked.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct RegisteredClaims {
    /// `iss`
    pub iss: Option<String>,
    /// `sub`
    pub sub: Option<String>,
    /// `aud`, a string or an array of strings.
    pub aud: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub exp: Option<i64>,
    /// `nbf`, seconds since the epoch.
    pub nbf: Option<i64>,
    /// `iat`, seconds since the epoch.
    pub iat: Option<i64>,
    /// `jti`
    pub jti: Option<String>,
}

fn claim_str(v: &Value, name: &'static str) -> Result<Option<String>> {
    match v.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

fn claim_time(v: &Value, name: &'static str) -> Result<Option<i64>> {
    match v.get(name) {
        None => Ok(None),
        // NumericDate may be fractional (RFC 7519 section 2); whole seconds are kept.
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && f.abs() < 1e15)
                    .map(|f| f.floor() as i64)
            })
            .map(Some)
            .ok_or_else(|| Malformed::InvalidMember(name).into()),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

impl RegisteredClaims {
    fn from_value(v: &Value) -> Result<Self> {
        if !v.is_object() {
            return Err(Malformed::Json { part: Part::Claims }.into());
        }
        let aud = match v.get("aud") {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_owned)
                        .ok_or(Malformed::InvalidMember("aud").into())
                })
                .collect::<Result<_>>()?,
            Some(_) => return Err(Malformed::InvalidMember("aud").into()),
        };
        Ok(RegisteredClaims {
            iss: claim_str(v, "iss")?,
            sub: claim_str(v, "sub")?,
            aud,
            exp: claim_time(v, "exp")?,
            nbf: claim_time(v, "nbf")?,
            iat: claim_time(v, "iat")?,
            jti: claim_str(v, "jti")?,
        })
    }
}

/// What a JWT must satisfy beyond its signature.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Validation {
    /// Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Defaults to 60.
    pub leeway: u64,
    /// Accepted issuers; `None` accepts any. Defaults to `None`.
    pub iss: Option<Vec<String>>,
    /// Accepted audiences (one must appear in `aud`); `None` accepts any, but a token
    /// with `aud` is then refused (RFC 7519 section 4.1.3). Defaults to `None`.
    pub aud: Option<Vec<String>>,
    /// Required subject. Defaults to `None`.
    pub sub: Option<String>,
    /// Claims that must be present. Defaults to `["exp"]`.
    pub required: Vec<String>,
    /// Required `typ` header (RFC 8725 section 3.11). Defaults to `None`.
    pub typ: Option<String>,
    /// Refuse an `iat` in the future (beyond the leeway). Defaults to `true`.
    pub reject_future_iat: bool,
    /// The time to check against, seconds since the epoch; `None` is the system clock.
    /// Defaults to `None`.
    pub now: Option<i64>,
}

impl Default for Validation {
    fn default() -> Self {
        Validation {
            leeway: 60,
            iss: None,
            aud: None,
            sub: None,
            required: vec!["exp".into()],
            typ: None,
            reject_future_iat: true,
            now: None,
        }
    }
}

impl Validation {
    /// The defaults.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Accepts this issuer (may be called again for more).
    #[must_use]
    pub fn issuer(mut self, iss: impl Into<String>) -> Self {
        self.iss.get_or_insert_with(Vec::new).push(iss.into());
        self
    }

    /// Accepts this audience (may be called again for more).
    #[must_use]
    pub fn audience(mut self, aud: impl Into<String>) -> Self {
        self.aud.get_or_insert_with(Vec::new).push(aud.into());
        self
    }

    /// Requires this subject.
    #[must_use]
    pub fn subject(mut self, sub: impl Into<String>) -> Self {
        self.sub = Some(sub.into());
        self
    }

    /// Requires these claims to be present.
    #[must_use]
    pub fn required(mut self, claims: &[&str]) -> Self {
        self.required = claims.iter().map(|c| (*c).to_owned()).collect();
        self
    }

    /// Requires this `typ`.
    #[must_use]
    pub fn typ(mut self, typ: impl Into<String>) -> Self {
        self.typ = Some(typ.into());
        self
    }

    /// Sets the leeway in seconds.
    #[must_use]
    pub fn leeway(mut self, seconds: u64) -> Self {
        self.leeway = seconds;
        self
    }

    /// Checks against this time instead of the clock.
    #[must_use]
    pub fn at(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// Checks claims.
    ///
    /// # Errors
    /// [`Rejected::Missing`], [`Rejected::Expired`], [`Rejected::NotYetValid`],
    /// [`Rejected::Mismatch`].
    pub fn check(&self, claims: &Value, reg: &RegisteredClaims) -> Result<()> {
        for name in &self.required {
            if claims.get(name).is_none() {
                return Err(Rejected::Missing(required_name(name)).into());
            }
        }
        let now = match self.now {
            Some(n) => n,
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
                .map_err(|_| Error::Unreachable("clock before 1970"))?,
        };
        let leeway = i64::try_from(self.leeway).unwrap_or(i64::MAX);
        if let Some(exp) = reg.exp {
            if now >= exp.saturating_add(leeway) {
                return Err(Rejected::Expired.into());
            }
        }
        if let Some(nbf) = reg.nbf {
            if now.saturating_add(leeway) < nbf {
                return Err(Rejected::NotYetValid.into());
            }
        }
        if let (Some(iat), true) = (reg.iat, self.reject_future_iat) {
            if now.saturating_add(leeway) < iat {
                return Err(Rejected::NotYetValid.into());
            }
        }
        if let Some(accepted) = &self.iss {
            match &reg.iss {
                Some(iss) if accepted.contains(iss) => {}
                Some(_) => return Err(Rejected::Mismatch("iss").into()),
                None => return Err(Rejected::Missing("iss").into()),
            }
        }
        match &self.aud {
            Some(accepted) => {
                if reg.aud.is_empty() {
                    return Err(Rejected::Missing("aud").into());
                }
                if !reg.aud.iter().any(|a| accepted.contains(a)) {
                    return Err(Rejected::Mismatch("aud").into());
                }
            }
            // RFC 7519 section 4.1.3: a recipient that does not identify itself with a
            // value in `aud` must reject the token.
            None if !reg.aud.is_empty() => return Err(Rejected::Mismatch("aud").into()),
            None => {}
        }
        if let Some(sub) = &self.sub {
            match &reg.sub {
                Some(s) if s == sub => {}
                Some(_) => return Err(Rejected::Mismatch("sub").into()),
                None => return Err(Rejected::Missing("sub").into()),
            }
        }
        Ok(())
    }
}

fn required_name(name: &str) -> &'static str {
    ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]
        .into_iter()
        .find(|n| *n == name)
        .unwrap_or("claim")
}

/// A verified JWT.
#[derive(Debug)]
#[non_exhaustive]
pub struct Jwt<T> {
    /// The claims, deserialized.
    pub claims: T,
    /// The registered claims.
    pub registered: RegisteredClaims,
    /// Who signed.
    pub signer: SignerInfo,
}

/// Signs `claims` as a compact JWT. Sets `typ: "JWT"` unless the signer already has a
/// `typ`.
///
/// # Errors
/// [`Error::ApiMisuse`] when the claims do not serialize to a JSON object.
pub fn sign<T: Serialize>(signer: &Signer, claims: &T) -> Result<String> {
    let value = serde_json::to_value(claims)
        .map_err(|_| Error::ApiMisuse("claims must serialize to JSON"))?;
    if !value.is_object() {
        return Err(Error::ApiMisuse("claims must be a JSON object"));
    }
    let body = serde_json::to_vec(&value)
        .map_err(|_| Error::ApiMisuse("claims must serialize to JSON"))?;
    let header =
        crate::dangerous::insecure_decode_header(&format!("{}..", signer.protected_b64()))?;
    if header.get("typ").is_some() {
        signer.compact(&body)
    } else {
        signer.clone().with_typ("JWT").compact(&body)
    }
}

/// Verifies a compact JWT: signature by the policy and trusted keys, then `typ` and claims
/// by `validation`.
///
/// # Errors
/// Everything [`jws::UnverifiedJws::verify`] returns, [`Malformed::Json`] for claims that
/// are not a JSON object, and the claim rejections of [`Validation::check`].
pub fn verify<T: DeserializeOwned>(
    token: &str,
    keys: &VerifyingKeys,
    policy: &JwsPolicy,
    validation: &Validation,
) -> Result<Jwt<T>> {
    let verified = jws::parse_compact(token, &policy.limits)?.verify(keys, policy)?;
    let signer = verified
        .signer()
        .cloned()
        .ok_or(Error::Unreachable("verified without signer"))?;
    if let Some(expected) = &validation.typ {
        match signer.header.typ() {
            Some(t) if typ_matches(t, expected) => {}
            Some(_) => return Err(Rejected::Mismatch("typ").into()),
            None => return Err(Rejected::Missing("typ").into()),
        }
    }
    let value = json::parse(verified.payload(), Part::Claims)?;
    let registered = RegisteredClaims::from_value(&value)?;
    validation.check(&value, &registered)?;
    let claims =
        serde_json::from_value(value).map_err(|_| Malformed::Json { part: Part::Claims })?;
    Ok(Jwt {
        claims,
        registered,
        signer,
    })
}
