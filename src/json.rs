//! Strict JSON for untrusted input: RFC 8259 text in which no object has the same member
//! name twice, at any depth (RFC 7515 section 5.2 step 4 and RFC 7516 section 5.2 step
//! 4 ask for unique header names; serde_json alone keeps the last one silently). Depth is
//! bounded by serde_json's recursion limit.

use crate::error::{Malformed, Part, Rejected, Result};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// A limit on the length of the top-level arrays of a document (`signatures`,
/// `recipients`), enforced while parsing: a document with more entries is refused at the
/// first one over, before the rest is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cap {
    pub(crate) items: usize,
    pub(crate) limit: &'static str,
}

const DUPLICATE: &str = "duplicate member";
const OVER_CAP: &str = "count over the limit";

/// Parses one value at `depth` (the document is depth 0).
#[derive(Clone, Copy)]
struct Strict {
    depth: u32,
    cap: Option<Cap>,
}

impl<'de> de::DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Strict {
    fn inner(self) -> Strict {
        Strict {
            depth: self.depth.saturating_add(1),
            cap: self.cap,
        }
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let cap = self.cap.filter(|_| self.depth == 1);
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self.inner())? {
            if cap.is_some_and(|c| out.len() >= c.items) {
                return Err(de::Error::custom(OVER_CAP));
            }
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(DUPLICATE));
            }
            let v = map.next_value_seed(self.inner())?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses strict JSON.
///
/// # Errors
/// [`Malformed::DuplicateMember`] for a repeated member name, [`Malformed::Json`] for
/// anything else.
pub(crate) fn parse(bytes: &[u8], part: Part) -> Result<Value> {
    parse_capped(bytes, part, None)
}

/// Parses strict JSON whose top-level arrays hold at most `cap` entries.
///
/// # Errors
/// As [`parse`]; [`Rejected::LimitExceeded`] naming the cap's limit.
pub(crate) fn parse_capped(bytes: &[u8], part: Part, cap: Option<Cap>) -> Result<Value> {
    let mut d = serde_json::Deserializer::from_slice(bytes);
    let parsed = de::DeserializeSeed::deserialize(Strict { depth: 0, cap }, &mut d)
        .and_then(|v| d.end().map(|()| v));
    parsed.map_err(|e| {
        let msg = e.to_string();
        if e.is_data() && msg.starts_with(DUPLICATE) {
            Malformed::DuplicateMember(part).into()
        } else if let (true, Some(c)) = (e.is_data() && msg.starts_with(OVER_CAP), cap) {
            Rejected::LimitExceeded {
                limit: c.limit,
                required: c.items as u64 + 1,
                allowed: c.items as u64,
            }
            .into()
        } else {
            Malformed::Json { part }.into()
        }
    })
}

/// Parses strict JSON that must be an object.
///
/// # Errors
/// As [`parse`].
pub(crate) fn parse_object(bytes: &[u8], part: Part) -> Result<Map<String, Value>> {
    match parse(bytes, part)? {
        Value::Object(m) => Ok(m),
        _ => Err(Malformed::Json { part }.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert!(matches!(
            parse(br#"{"a":1,"a":2}"#, Part::Header),
            Err(crate::Error::Malformed(Malformed::DuplicateMember(
                Part::Header
            )))
        ));
        assert!(parse(br#"{"a":{"b":1,"b":1}}"#, Part::Header).is_err());
        assert!(parse(br#"{"a":[{"b":1,"c":2}]}"#, Part::Header).is_ok());
    }

    #[test]
    fn refuses_a_long_top_level_array_at_the_first_entry_over() {
        let cap = Some(Cap {
            items: 2,
            limit: "signature count",
        });
        let doc = |n: usize| {
            format!(
                r#"{{"a":[{}],"b":{{"c":[1,2,3]}}}}"#,
                vec!["{}"; n].join(",")
            )
        };
        assert!(parse_capped(doc(2).as_bytes(), Part::Token, cap).is_ok());
        assert_eq!(
            parse_capped(doc(3).as_bytes(), Part::Token, cap),
            Err(crate::Error::Rejected(Rejected::LimitExceeded {
                limit: "signature count",
                required: 3,
                allowed: 2
            }))
        );
        // Refused before the rest of the document is read: what follows is not JSON.
        let broken = format!(r#"{{"a":[{}, nonsense"#, ["{}"; 3].join(","));
        assert!(matches!(
            parse_capped(broken.as_bytes(), Part::Token, cap),
            Err(crate::Error::Rejected(_))
        ));
    }

    #[test]
    fn rejects_trailing_data_and_non_objects() {
        assert!(parse_object(br#"{"a":1} x"#, Part::Header).is_err());
        assert!(parse_object(b"[1]", Part::Header).is_err());
    }
}
