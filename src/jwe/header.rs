//! The JOSE header of one JWE recipient: the union of the protected header, the shared
//! unprotected header and the recipient's header (RFC 7516 section 7.2.1), checked once.

use crate::alg::{JweAlg, JweEnc};
use crate::b64;
use crate::error::{Malformed, Part, Rejected, Result, Unsupported};
use crate::jwk::Jwk;
use crate::policy::JwePolicy;
use serde_json::{Map, Value};
use std::sync::Arc;

/// Names registered by RFC 7515, 7516 and 7518, which `crit` must not list.
const REGISTERED: &[&str] = &[
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc",
    "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
];

/// A parsed, shape-checked JWE header for one recipient. Untrusted until decryption
/// succeeded (the protected part is then authenticated; the unprotected parts never are).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Header {
    /// `alg`
    pub alg: JweAlg,
    /// `enc`: absent (`None`) exactly for HPKE integrated encryption (`HPKE-N`).
    pub enc: Option<JweEnc>,
    /// `zip: "DEF"` present (protected only).
    pub zip: bool,
    /// `kid`
    pub kid: Option<String>,
    /// `typ`
    pub typ: Option<String>,
    /// `cty`
    pub cty: Option<String>,
    /// `crit`
    pub crit: Vec<String>,
    /// `epk` (ECDH-ES): the sender's ephemeral public key.
    pub epk: Option<Arc<Jwk>>,
    /// `apu` (decoded).
    pub apu: Vec<u8>,
    /// `apv` (decoded).
    pub apv: Vec<u8>,
    /// `iv` of AES-GCM key wrap (decoded).
    pub kw_iv: Option<Vec<u8>>,
    /// `tag` of AES-GCM key wrap (decoded).
    pub kw_tag: Option<Vec<u8>>,
    /// `p2s` (decoded).
    pub p2s: Option<Vec<u8>>,
    /// `p2c`
    pub p2c: Option<u64>,
    /// `ek` (HPKE key encryption): the encapsulated key (decoded).
    pub ek: Option<Vec<u8>>,
    /// The protected header members (shared by every recipient's header).
    pub protected: Arc<Map<String, Value>>,
}

fn string<'a>(v: &'a Value, name: &'static str) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| Malformed::InvalidMember(name).into())
}

fn bytes(v: &Value, name: &'static str) -> Result<Vec<u8>> {
    b64::decode(string(v, name)?.as_bytes(), Part::Header)
        .map_err(|_| Malformed::InvalidMember(name).into())
}

impl Header {
    pub(crate) fn parse(
        protected: &Arc<Map<String, Value>>,
        shared: &Map<String, Value>,
        recipient: &Map<String, Value>,
    ) -> Result<Self> {
        // RFC 7516 section 7.2.1: the three sets of names are disjoint.
        if shared.keys().any(|k| protected.contains_key(k))
            || recipient
                .keys()
                .any(|k| protected.contains_key(k) || shared.contains_key(k))
        {
            return Err(Malformed::DuplicateMember(Part::Header).into());
        }
        let mut h = Header {
            alg: JweAlg::Dir,
            enc: None,
            zip: false,
            kid: None,
            typ: None,
            cty: None,
            crit: Vec::new(),
            epk: None,
            apu: Vec::new(),
            apv: Vec::new(),
            kw_iv: None,
            kw_tag: None,
            p2s: None,
            p2c: None,
            ek: None,
            protected: Arc::clone(protected),
        };
        let (mut alg, mut enc) = (None, None);
        let mut alg_protected = false;
        // HPKE members, read once `alg` is known: (value, in the protected header).
        let (mut ek, mut psk_id) = (None, None);
        let members = protected.iter().map(|(k, v)| (k, v, true)).chain(
            shared
                .iter()
                .chain(recipient.iter())
                .map(|(k, v)| (k, v, false)),
        );
        for (name, v, is_protected) in members {
            match name.as_str() {
                "alg" => {
                    alg = Some(string(v, "alg")?);
                    alg_protected = is_protected;
                }
                "ek" => ek = Some(v),
                "psk_id" => psk_id = Some(is_protected),
                "enc" => enc = Some(string(v, "enc")?),
                // RFC 7516 section 4.1.3: zip must be integrity protected.
                "zip" if is_protected => {
                    if string(v, "zip")? != "DEF" {
                        return Err(Unsupported::Feature("a zip other than DEF").into());
                    }
                    h.zip = true;
                }
                "zip" | "crit" if !is_protected => {
                    return Err(Malformed::InvalidMember(
                        "zip or crit outside the protected header",
                    )
                    .into())
                }
                "crit" => {
                    let items = v
                        .as_array()
                        .filter(|a| !a.is_empty())
                        .ok_or(Malformed::InvalidMember("crit"))?;
                    for item in items {
                        let n = string(item, "crit")?;
                        if REGISTERED.contains(&n)
                            || h.crit.iter().any(|c| c == n)
                            || !protected.contains_key(n)
                        {
                            return Err(Malformed::InvalidMember("crit").into());
                        }
                        h.crit.push(n.to_owned());
                    }
                }
                "kid" => h.kid = Some(string(v, "kid")?.to_owned()),
                "typ" => h.typ = Some(string(v, "typ")?.to_owned()),
                "cty" => h.cty = Some(string(v, "cty")?.to_owned()),
                "epk" => {
                    h.epk = Some(Arc::new(
                        Jwk::from_value(v).map_err(|_| Malformed::InvalidMember("epk"))?,
                    ))
                }
                "apu" => h.apu = bytes(v, "apu")?,
                "apv" => h.apv = bytes(v, "apv")?,
                "iv" => h.kw_iv = Some(bytes(v, "iv")?),
                "tag" => h.kw_tag = Some(bytes(v, "tag")?),
                "p2s" => h.p2s = Some(bytes(v, "p2s")?),
                "p2c" => {
                    h.p2c = Some(
                        v.as_u64()
                            .filter(|n| *n > 0)
                            .ok_or(Malformed::InvalidMember("p2c"))?,
                    )
                }
                _ => {}
            }
        }
        h.alg = alg.ok_or(Malformed::MissingMember("alg"))?.parse()?;
        if h.alg.is_integrated() {
            // draft-ietf-jose-hpke-encrypt section 4 (integrated encryption): `alg` is
            // protected, there is no `enc` and no `ek`.
            if !alg_protected {
                return Err(Malformed::InvalidMember(
                    "alg of HPKE integrated encryption outside the protected header",
                )
                .into());
            }
            if enc.is_some() {
                return Err(Malformed::InvalidMember("enc with HPKE integrated encryption").into());
            }
            if ek.is_some() {
                return Err(Malformed::InvalidMember("ek with HPKE integrated encryption").into());
            }
        } else {
            h.enc = Some(enc.ok_or(Malformed::MissingMember("enc"))?.parse()?);
            if h.alg.is_hpke() {
                h.ek = Some(bytes(ek.ok_or(Malformed::MissingMember("ek"))?, "ek")?);
            }
        }
        if h.alg.is_hpke() {
            match psk_id {
                None => {}
                Some(false) => {
                    return Err(
                        Malformed::InvalidMember("psk_id outside the protected header").into(),
                    )
                }
                Some(true) => return Err(Unsupported::Feature("psk_id (the HPKE PSK mode)").into()),
            }
        }
        if h.epk.as_ref().is_some_and(|k| k.is_private()) {
            return Err(Malformed::InvalidMember("epk").into());
        }
        Ok(h)
    }

    /// Policy checks that need no key: allowlists, `crit`, `zip`, PBES2 work factor.
    pub(crate) fn check(&self, policy: &JwePolicy) -> Result<()> {
        policy.check_header(self.alg, self.enc)?;
        if self.crit.iter().any(|c| !policy.crit.contains(c)) {
            return Err(Rejected::UnknownCritical.into());
        }
        if self.zip && !policy.allow_zip {
            return Err(Rejected::Compressed.into());
        }
        if let crate::alg::KeyManagement::Pbes2(..) = self.alg.management() {
            let p2c = self.p2c.ok_or(Malformed::MissingMember("p2c"))?;
            if p2c > policy.limits.max_pbes2_count {
                return Err(Rejected::LimitExceeded {
                    limit: "PBES2 iteration count",
                    required: p2c,
                    allowed: policy.limits.max_pbes2_count,
                }
                .into());
            }
            let salt = self
                .p2s
                .as_ref()
                .ok_or(Malformed::MissingMember("p2s"))?
                .len();
            if salt < policy.limits.min_pbes2_salt_len {
                return Err(Rejected::Mismatch("p2s").into());
            }
        }
        Ok(())
    }
}
