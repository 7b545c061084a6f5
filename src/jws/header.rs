//! The JOSE header of one signature: the union of the protected and unprotected headers
//! (RFC 7515 sections 4 and 7.2.1), checked for shape once.

use crate::alg::JwsAlg;
use crate::error::{Malformed, Part, Rejected, Result};
use crate::policy::{typ_matches, JwsPolicy};
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
        // One pass over the members (no repeated lookups: this runs for every token).
        let mut alg = None;
        let mut alg_protected = false;
        let (mut kid, mut typ, mut cty) = (None, None, None);
        let mut crit_value = None;
        let mut b64_value = None;
        let members = protected
            .iter()
            .map(|(k, v)| (k, v, true))
            .chain(unprotected.iter().map(|(k, v)| (k, v, false)));
        for (name, value, is_protected) in members {
            match name.as_str() {
                "alg" => {
                    alg = string(Some(value), "alg")?;
                    alg_protected = is_protected;
                }
                "kid" => kid = string(Some(value), "kid")?.map(str::to_owned),
                "typ" => typ = string(Some(value), "typ")?.map(str::to_owned),
                "cty" => cty = string(Some(value), "cty")?.map(str::to_owned),
                // RFC 7515 section 4.1.11 and RFC 7797 section 3: protected only.
                "crit" if is_protected => crit_value = Some(value),
                "b64" if is_protected => b64_value = Some(value),
                "crit" => return Err(Malformed::InvalidMember("crit").into()),
                "b64" => return Err(Malformed::InvalidMember("b64").into()),
                "jku" => drop(string(Some(value), "jku")?),
                "x5u" => drop(string(Some(value), "x5u")?),
                "jwk" if !value.is_object() => return Err(Malformed::InvalidMember("jwk").into()),
                "x5c" if !value.is_array() => return Err(Malformed::InvalidMember("x5c").into()),
                _ => {}
            }
        }
        let alg: JwsAlg = alg.ok_or(Malformed::MissingMember("alg"))?.parse()?;

        // RFC 7515 section 4.1.11: a non-empty list of unique names, none of them
        // registered, each present in the protected header.
        let crit = match crit_value {
            None => Vec::new(),
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut names: Vec<String> = Vec::with_capacity(items.len());
                for item in items {
                    let name = item.as_str().ok_or(Malformed::InvalidMember("crit"))?;
                    if REGISTERED.contains(&name)
                        || names.iter().any(|n| n == name)
                        || !protected.contains_key(name)
                    {
                        return Err(Malformed::InvalidMember("crit").into());
                    }
                    names.push(name.to_owned());
                }
                names
            }
            Some(_) => return Err(Malformed::InvalidMember("crit").into()),
        };

        // RFC 7797 section 6: b64 is a boolean listed in crit.
        let b64 = match b64_value {
            None => true,
            Some(Value::Bool(b)) if crit.iter().any(|c| c == "b64") => *b,
            Some(_) => return Err(Malformed::InvalidMember("b64").into()),
        };
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
    pub(crate) fn check(&self, policy: &JwsPolicy) -> Result<()> {
        policy.check_alg(self.alg)?;
        if !self.alg_protected && !policy.allow_unprotected_alg {
            return Err(Rejected::UnprotectedAlg.into());
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
