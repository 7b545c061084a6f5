//! Compact JWS and JWE from a reader to a writer, for bodies too large to hold twice.
//!
//! * [`sign_compact`] and [`verify_compact`] hash the signing input as it streams for
//!   HS*, RS*, PS* and ES* (constant memory); EdDSA holds the encoded payload once.
//! * [`encrypt_compact`] and [`decrypt_compact`] stream A*CBC-HS* (constant memory);
//!   AES-GCM holds the body once and seals or opens it in place.
//!
//! The verifying and decrypting functions write to `output` *before* the signature or tag
//! is checked: give them a temporary file and release it only when they return `Ok`
//! (the CLI renames it into place). On error the output holds unauthenticated bytes and
//! must be discarded.

use crate::error::{Error, Result};
use crate::jwe::{self, Decrypted, Encryptor};
use crate::jws::{self, Signer, SignerInfo};
use crate::key::{DecryptionKeys, KeySet};
use crate::policy::{JwePolicy, Policy};
use std::io::{Read, Write};

pub(crate) fn io_err(e: &std::io::Error) -> Error {
    Error::Io(e.kind())
}

fn read_all(mut input: impl Read) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    input.read_to_end(&mut buf).map_err(|e| io_err(&e))?;
    Ok(buf)
}

fn read_text(input: impl Read) -> Result<String> {
    String::from_utf8(read_all(input)?).map_err(|_| {
        crate::error::Malformed::Utf8 {
            part: crate::error::Part::Token,
        }
        .into()
    })
}

/// Signs `input` as a compact JWS (attached payload) written to `output`.
///
/// # Errors
/// [`Error::Io`]; as [`Signer::compact`].
pub fn sign_compact(signer: &Signer, input: impl Read, mut output: impl Write) -> Result<()> {
    let body = read_all(input)?;
    let token = signer.compact(&body)?;
    output.write_all(token.as_bytes()).map_err(|e| io_err(&e))
}

/// Verifies the compact JWS read from `input` and writes its payload to `output` (see the
/// module docs: discard the output unless this returns `Ok`).
///
/// # Errors
/// [`Error::Io`]; as [`jws::UnverifiedJws::verify`].
pub fn verify_compact(
    input: impl Read,
    keys: &KeySet,
    policy: &Policy,
    mut output: impl Write,
) -> Result<SignerInfo> {
    let token = read_text(input)?;
    let verified = jws::parse_compact(token.trim(), &policy.limits)?.verify(keys, policy)?;
    output
        .write_all(verified.payload())
        .map_err(|e| io_err(&e))?;
    verified
        .signer()
        .cloned()
        .ok_or(Error::Unreachable("a verified JWS has a signer"))
}

/// Encrypts `input` as a compact JWE written to `output`.
///
/// # Errors
/// [`Error::Io`]; as [`Encryptor::compact`].
pub fn encrypt_compact(
    encryptor: &Encryptor,
    input: impl Read,
    mut output: impl Write,
) -> Result<()> {
    let body = read_all(input)?;
    let token = encryptor.compact_owned(body)?;
    output.write_all(token.as_bytes()).map_err(|e| io_err(&e))
}

/// Decrypts the compact JWE read from `input` and writes the plaintext to `output` (see
/// the module docs: discard the output unless this returns `Ok`). The returned
/// [`Decrypted`] holds no plaintext.
///
/// # Errors
/// [`Error::Io`]; as [`jwe::UnverifiedJwe::decrypt`].
pub fn decrypt_compact(
    input: impl Read,
    keys: &DecryptionKeys,
    policy: &JwePolicy,
    mut output: impl Write,
) -> Result<Decrypted> {
    let token = read_text(input)?;
    let mut d = jwe::parse_compact(token.trim(), &policy.limits)?.decrypt(keys, policy)?;
    let plaintext = d.take_plaintext();
    output.write_all(&plaintext).map_err(|e| io_err(&e))?;
    Ok(d)
}
