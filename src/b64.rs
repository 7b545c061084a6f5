//! The only base64url code: strict, unpadded (RFC 7515 section 2).
//!
//! Decoding rejects padding, whitespace, characters outside the URL-safe alphabet and
//! non-canonical trailing bits, so every value has exactly one encoding.
//!
//! The decoder is not constant-time; it is applied to secrets only when they are read from
//! the caller's own key files (`k`, `d`, ...), never to attacker-chosen secrets.

use crate::error::{Malformed, Part, Result};
use base64_simd::URL_SAFE_NO_PAD as B64;

/// Encodes `data` as unpadded base64url.
#[must_use]
pub fn encode(data: &[u8]) -> String {
    B64.encode_to_string(data)
}

/// Appends the unpadded base64url encoding of `data` to `out`.
pub fn encode_into(data: &[u8], out: &mut String) {
    B64.encode_append(data, out);
}

/// Length of the unpadded base64url encoding of `n` bytes.
#[must_use]
pub const fn encoded_len(n: usize) -> usize {
    B64.encoded_length(n)
}

/// Decodes strict unpadded base64url.
///
/// # Errors
/// [`Malformed::Base64`] naming `part`.
pub fn decode(data: &[u8], part: Part) -> Result<Vec<u8>> {
    let out = B64
        .decode_to_vec(data)
        .map_err(|_| Malformed::Base64 { part })?;
    // base64-simd rejects padding and characters outside the alphabet; re-check the
    // canonical form (no stray bits in the last symbol) so one value has one encoding.
    if !canonical_tail(data) {
        return Err(Malformed::Base64 { part }.into());
    }
    Ok(out)
}

/// Appends the decoding of strict unpadded base64url to `out`.
///
/// # Errors
/// [`Malformed::Base64`] naming `part`.
pub fn decode_into(data: &[u8], out: &mut Vec<u8>, part: Part) -> Result<()> {
    if !canonical_tail(data) {
        return Err(Malformed::Base64 { part }.into());
    }
    B64.decode_append(data, out)
        .map_err(|_| Malformed::Base64 { part }.into())
}

/// True when the unused low bits of the last symbol are zero (RFC 4648 section 3.5).
fn canonical_tail(data: &[u8]) -> bool {
    let Some(&last) = data.last() else {
        return true;
    };
    let value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'-' => 62,
        b'_' => 63,
        _ => return false,
    };
    match data.len() % 4 {
        0 => true,
        2 => value & 0x0f == 0,
        3 => value & 0x03 == 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_all_lengths() {
        for n in 0..70u8 {
            let data: Vec<u8> = (0..n).collect();
            let enc = encode(&data);
            assert!(!enc.contains('='));
            assert_eq!(encoded_len(data.len()), enc.len());
            assert_eq!(decode(enc.as_bytes(), Part::Token).unwrap(), data);
        }
    }

    #[test]
    fn rejects_padding_whitespace_and_alphabet() {
        for bad in ["eyJ=", "ey J", "ey+J", "ey/J", "e", "eyJh\n", "eyJhbA=="] {
            assert!(decode(bad.as_bytes(), Part::Token).is_err(), "{bad}");
        }
    }

    #[test]
    fn rejects_non_canonical_tail() {
        // "QQ" is canonical for "A"; "QR" carries stray bits.
        assert_eq!(decode(b"QQ", Part::Token).unwrap(), b"A");
        assert!(decode(b"QR", Part::Token).is_err());
        assert_eq!(decode(b"QUE", Part::Token).unwrap(), b"AA");
        assert!(decode(b"QUF", Part::Token).is_err());
    }
}
