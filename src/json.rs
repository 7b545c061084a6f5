//! Strict JSON for untrusted input: RFC 8259 text in which no object has the same member
//! name twice, at any depth (RFC 7515 section 5.2 step 4 and RFC 7516 section 5.2 step
//! 4 ask for unique header names; serde_json alone keeps the last one silently). Depth is
//! bounded by serde_json's recursion limit.

use crate::error::{Malformed, Part, Result};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

struct Strict(Value);

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Strict;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
        Ok(Strict(Value::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Strict, E> {
        Ok(Strict(Value::from(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
        Ok(Strict(Value::String(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Strict, E> {
        Ok(Strict(Value::String(v)))
    }
    fn visit_unit<E>(self) -> Result<Strict, E> {
        Ok(Strict(Value::Null))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Strict(Value::Array(out)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom("duplicate member"));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Strict(Value::Object(out)))
    }
}

/// Parses strict JSON.
///
/// # Errors
/// [`Malformed::DuplicateMember`] for a repeated member name, [`Malformed::Json`] for
/// anything else.
pub(crate) fn parse(bytes: &[u8], part: Part) -> Result<Value> {
    serde_json::from_slice::<Strict>(bytes)
        .map(|s| s.0)
        .map_err(|e| {
            if e.is_data() && e.to_string().starts_with("duplicate member") {
                Malformed::DuplicateMember(part).into()
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
    fn rejects_trailing_data_and_non_objects() {
        assert!(parse_object(br#"{"a":1} x"#, Part::Header).is_err());
        assert!(parse_object(b"[1]", Part::Header).is_err());
    }
}
