//! The JOSE header of one signature: the union of the protected and unprotected headers
//! (RFC 7515 sections 4 and 7.2.1), checked for shape once.

use crate::alg::JwsAlg;
use crate::error::{Malformed, Part, Rejected, Result};
use crate::policy::{typ_matches, Policy};
use serde_json::{Map, Value};

/// Names registered by RFC 7515, 7516 and 7518, which `crit` must not list
/// (RFC 7515 section 4.1.11).
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// A parsed, shape-checked JWS header. Untrusted until the signature verified.
#[derive(Debug, Clone)]
pub struct Header {
    alg: JwsAlg,
    alg_protected: bool,
    kid: Option<String>,
    typ: Option<String>,
    cty: Option<String>,
    crit: Vec<String>,
    b64: bool,
    protected: Map<String, Value>,
    unprotected: Map<String, Value>,
}

fn string<'a>(v: Option<&'a Value>, name: &'static str) -> Result<Option<&'a str>> {
    match v {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(Malformed::InvalidMember(name).into()),
    }
}

impl Header {
    /// Checks and types the joint header.
    pub(crate) fn parse(
        protected: Map<String, Value>,
        unprotected: Map<String, Value>,
    ) -> Result<Self> {
        // RFC 7515 section 7.2.1: the two header sets must be disjoint.
        if unprotected.keys().any(|k| protected.contains_key(k)) {
            return Err(Malformed::DuplicateMember(Part::Header).into());
        }
        let get = |name: &str| protected.get(name).or_else(|| unprotected.get(name));
        let alg_protected = protected.contains_key("alg");
        let alg: JwsAlg = string(get("alg"), "alg")?
            .ok_or(Malformed::MissingMember("alg"))?
            .parse()?;
        let kid = string(get("kid"), "kid")?.map(str::to_owned);
        let typ = string(get("typ"), "typ")?.map(str::to_owned);
        let cty = string(get("cty"), "cty")?.map(str::to_owned);

        // RFC 7515 section 4.1.11: crit is protected, a non-empty list of unique names,
        // none of them registered.
        if unprotected.contains_key("crit") {
            return Err(Malformed::InvalidMember("crit").into());
        }
        let crit = match protected.get("crit") {
            None => Vec::new(),
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut names: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    let name = item.as_str().ok_or(Malformed::InvalidMember("crit"))?;
                    if REGISTERED.contains(&name) || names.iter().any(|n| n == name) {
                        return Err(Malformed::InvalidMember("crit").into());
                    }
                    if !protected.contains_key(name) {
                        return Err(Malformed::InvalidMember("crit").into());
                    }
                    names.push(name.to_owned());
                }
                names
            }
            Some(_) => return Err(Malformed::InvalidMember("crit").into()),
        };

        // RFC 7797 section 3 and 6: b64 is a protected boolean listed in crit.
        if unprotected.contains_key("b64") {
            return Err(Malformed::InvalidMember("b64").into());
        }
        let b64 = match protected.get("b64") {
            None => true,
            Some(Value::Bool(b)) => {
                if !crit.iter().any(|c| c == "b64") {
                    return Err(Malformed::InvalidMember("b64").into());
                }
                *b
            }
            Some(_) => return Err(Malformed::InvalidMember("b64").into()),
        };
        for name in ["jku", "x5u"] {
            string(get(name), name)?;
        }
        if get("jwk").is_some_and(|v| !v.is_object()) {
            return Err(Malformed::InvalidMember("jwk").into());
        }
        if get("x5c").is_some_and(|v| !v.is_array()) {
            return Err(Malformed::InvalidMember("x5c").into());
        }
        Ok(Header {
            alg,
            alg_protected,
            kid,
            typ,
            cty,
            crit,
            b64,
            protected,
            unprotected,
        })
    }

    /// Checks the header against the policy: allowlisted `alg`, understood `crit`,
    /// required `typ`, protected `alg` if required.
    pub(crate) fn check(&self, policy: &Policy) -> Result<()> {
        policy.check_alg(self.alg)?;
        if !self.alg_protected && !policy.allow_unprotected_alg {
            return Err(Rejected::Mismatch("alg").into());
        }
        for name in &self.crit {
            if name != "b64" && !policy.crit.iter().any(|c| c == name) {
                return Err(Rejected::UnknownCritical.into());
            }
        }
        if let Some(expected) = &policy.typ {
            match &self.typ {
                Some(t) if typ_matches(t, expected) => {}
                Some(_) => return Err(Rejected::Mismatch("typ").into()),
                None => return Err(Rejected::Missing("typ").into()),
            }
        }
        Ok(())
    }

    /// `alg`.
    #[must_use]
    pub fn alg(&self) -> JwsAlg {
        self.alg
    }

    /// `kid`.
    #[must_use]
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `typ`.
    #[must_use]
    pub fn typ(&self) -> Option<&str> {
        self.typ.as_deref()
    }

    /// `cty`.
    #[must_use]
    pub fn cty(&self) -> Option<&str> {
        self.cty.as_deref()
    }

    /// `crit`.
    #[must_use]
    pub fn crit(&self) -> &[String] {
        &self.crit
    }

    /// `b64` (RFC 7797); `true` when absent.
    #[must_use]
    pub fn b64(&self) -> bool {
        self.b64
    }

    /// Any member of the joint header.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.protected
            .get(name)
            .or_else(|| self.unprotected.get(name))
    }

    /// Any member of the integrity-protected header only.
    #[must_use]
    pub fn get_protected(&self, name: &str) -> Option<&Value> {
        self.protected.get(name)
    }

    /// The protected header.
    #[must_use]
    pub fn protected(&self) -> &Map<String, Value> {
        &self.protected
    }

    /// The unprotected header (JSON serializations only).
    #[must_use]
    pub fn unprotected(&self) -> &Map<String, Value> {
        &self.unprotected
    }
}
