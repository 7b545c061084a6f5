//! Compact JWS and JWE from a reader to a writer, for bodies too large to hold twice.
//!
//! * [`sign_compact`] and [`verify_compact`] hash the signing input as it streams for
//!   HS*, RS*, PS* and ES* (constant memory); EdDSA, which signs the message itself,
//!   holds the encoded payload once.
//! * [`encrypt_compact`] and [`decrypt_compact`] stream A*CBC-HS* (constant memory);
//!   AES-GCM (one-shot in aws-lc-rs) holds the body once and seals or opens it in place,
//!   and the token text is never held whole. `zip` holds the body too.
//!
//! The verifying and decrypting functions write to `output` *before* the signature or tag
//! is checked: give them a temporary file and release it only when they return `Ok`
//! (the CLI renames it into place). On error the output holds unauthenticated bytes and
//! must be discarded.

use crate::alg::JweEnc;
use crate::b64;
use crate::crypto::Provider;
use crate::error::{Error, Malformed, Part, Rejected, Result};
use crate::jwe::{Decrypted, Encryptor, UnverifiedJwe};
use crate::jws::{self, Signer, SignerInfo};
use crate::key::{DecryptionKeys, KeySet};
use crate::policy::{JwePolicy, Limits, Policy};
use std::io::{BufRead, BufReader, Read, Write};

/// Bytes of body per step: a multiple of 3 (whole base64 groups) and of 16 (AES blocks).
const CHUNK: usize = 3 << 16;

/// The longest encrypted key, IV, signature or tag segment accepted (base64url chars).
const MAX_SMALL_SEGMENT: usize = 16 << 10;

pub(crate) fn io_err(e: &std::io::Error) -> Error {
    Error::Io(e.kind())
}

fn write(out: &mut impl Write, data: &[u8]) -> Result<()> {
    out.write_all(data).map_err(|e| io_err(&e))
}

/// Reads until `buf` is full or the input ends; returns how much was read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        let rest = buf.get_mut(n..).ok_or(Error::Unreachable("fill"))?;
        match input.read(rest) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io_err(&e)),
        }
    }
    Ok(n)
}

/// A compact token read segment by segment.
struct Segments<R> {
    r: BufReader<R>,
    read: usize,
    max: usize,
}

impl<R: Read> Segments<R> {
    fn new(r: R, limits: &Limits) -> Self {
        Segments {
            r: BufReader::with_capacity(1 << 16, r),
            read: 0,
            max: limits.max_token_bytes,
        }
    }

    /// Passes the bytes up to the next `.` (or the end) to `f`, in pieces; true when a
    /// `.` ended the segment.
    fn each(&mut self, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<bool> {
        loop {
            let buf = self.r.fill_buf().map_err(|e| io_err(&e))?;
            if buf.is_empty() {
                return Ok(false);
            }
            let (piece, dot) = match memchr::memchr(b'.', buf) {
                Some(i) => (buf.get(..i).unwrap_or_default(), true),
                None => (buf, false),
            };
            self.read = self.read.saturating_add(piece.len() + usize::from(dot));
            Limits::check("token size", self.read, self.max)?;
            f(piece)?;
            let used = piece.len() + usize::from(dot);
            self.r.consume(used);
            if dot {
                return Ok(true);
            }
        }
    }

    /// A short segment, at most `max` bytes, surrounding whitespace removed.
    fn small(&mut self, max: usize, what: &'static str) -> Result<(Vec<u8>, bool)> {
        let mut v = Vec::new();
        let dot = self.each(|p| {
            v.extend_from_slice(p);
            Limits::check(what, v.len(), max)
        })?;
        let trimmed = v.trim_ascii().to_vec();
        Ok((trimmed, dot))
    }
}

/// Base64url decoding of a segment that arrives in pieces.
#[derive(Default)]
struct Decoder {
    pending: Vec<u8>,
}

impl Decoder {
    fn feed(&mut self, piece: &[u8], out: &mut Vec<u8>) -> Result<()> {
        self.pending.extend_from_slice(piece);
        let whole = self.pending.len() / 4 * 4;
        if whole > 0 {
            let (now, _) = self.pending.split_at(whole);
            b64::decode_into(now, out, Part::Token)?;
            self.pending.drain(..whole);
        }
        Ok(())
    }

    fn finish(self, out: &mut Vec<u8>) -> Result<()> {
        let rest = self.pending.trim_ascii_end();
        if !rest.is_empty() {
            b64::decode_into(rest, out, Part::Token)?;
        }
        Ok(())
    }
}

/// Base64url encoding of data that arrives in pieces.
#[derive(Default)]
struct Encoder {
    pending: Vec<u8>,
    text: String,
}

impl Encoder {
    /// Encodes what it can of `piece` and writes it.
    fn feed(&mut self, piece: &[u8], out: &mut impl Write) -> Result<()> {
        self.pending.extend_from_slice(piece);
        let whole = self.pending.len() / 3 * 3;
        if whole > 0 {
            self.text.clear();
            b64::encode_into(
                self.pending.get(..whole).unwrap_or_default(),
                &mut self.text,
            );
            self.pending.drain(..whole);
            write(out, self.text.as_bytes())?;
        }
        Ok(())
    }

    fn finish(mut self, out: &mut impl Write) -> Result<()> {
        self.text.clear();
        b64::encode_into(&self.pending, &mut self.text);
        write(out, self.text.as_bytes())
    }
}

// ---- JWS ----------------------------------------------------------------------------

/// Signs `input` as a compact JWS (attached payload) written to `output`. The signing
/// input is hashed as it streams (HS*, RS*, PS*, ES*).
///
/// # Errors
/// [`Error::Io`]; as [`Signer::compact`].
pub fn sign_compact(signer: &Signer, mut input: impl Read, mut output: impl Write) -> Result<()> {
    let (protected_b64, key, alg, b64_payload) = signer.stream_parts();
    if !b64_payload {
        let mut body = Vec::new();
        input.read_to_end(&mut body).map_err(|e| io_err(&e))?;
        return write(&mut output, signer.compact(&body)?.as_bytes());
    }
    let mut st = key.start(alg)?;
    let mut head = String::with_capacity(protected_b64.len() + 1);
    head.push_str(protected_b64);
    head.push('.');
    st.update(head.as_bytes());
    write(&mut output, head.as_bytes())?;
    let mut buf = vec![0u8; CHUNK];
    let mut text = String::new();
    loop {
        let n = fill(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        text.clear();
        b64::encode_into(buf.get(..n).unwrap_or_default(), &mut text);
        st.update(text.as_bytes());
        write(&mut output, text.as_bytes())?;
        if n < buf.len() {
            break;
        }
    }
    let mut sig = Vec::new();
    st.finish(&mut sig)?;
    write(&mut output, b".")?;
    write(&mut output, b64::encode(&sig).as_bytes())
}

/// Verifies the compact JWS read from `input` and writes its payload to `output` as it
/// streams (see the module docs: discard the output unless this returns `Ok`).
///
/// # Errors
/// [`Error::Io`]; as [`jws::UnverifiedJws::verify`].
pub fn verify_compact(
    input: impl Read,
    keys: &KeySet,
    policy: &Policy,
    mut output: impl Write,
) -> Result<SignerInfo> {
    if policy.jws_algs.is_empty() {
        return Err(Error::ApiMisuse("the policy allows no algorithm"));
    }
    let mut seg = Segments::new(input, &policy.limits);
    let (h, dot) = seg.small(policy.limits.max_header_bytes, "header size")?;
    if !dot {
        return Err(Malformed::SegmentCount { found: 1 }.into());
    }
    let header = jws::compact_header(&h, &policy.limits)?;
    header.check(policy)?;
    if !header.b64() {
        // RFC 7797 compact with an attached raw payload: read it whole.
        let mut rest = Vec::new();
        seg.r.read_to_end(&mut rest).map_err(|e| io_err(&e))?;
        let token = [h.as_slice(), b".", rest.trim_ascii()].concat();
        let token = String::from_utf8(token).map_err(|_| Malformed::Utf8 { part: Part::Token })?;
        let v = jws::parse_compact(&token, &policy.limits)?.verify(keys, policy)?;
        write(&mut output, v.payload())?;
        return v
            .signer()
            .cloned()
            .ok_or(Error::Unreachable("a verified JWS has a signer"));
    }
    let alg = header.alg();
    let candidates = keys.candidates(header.kid(), alg)?;
    let mut streams = candidates
        .iter()
        .map(|k| k.start(alg).map(|s| (*k, s)))
        .collect::<Result<Vec<_>>>()?;
    for (_, s) in &mut streams {
        s.update(&h);
        s.update(b".");
    }
    let mut dec = Decoder::default();
    let mut plain = Vec::with_capacity(CHUNK);
    let dot = seg.each(|piece| {
        for (_, s) in &mut streams {
            s.update(piece);
        }
        plain.clear();
        dec.feed(piece, &mut plain)?;
        write(&mut output, &plain)
    })?;
    if !dot {
        return Err(Malformed::SegmentCount { found: 2 }.into());
    }
    plain.clear();
    dec.finish(&mut plain)?;
    write(&mut output, &plain)?;
    let (sig, dot) = seg.small(MAX_SMALL_SEGMENT, "signature size")?;
    if dot {
        return Err(Malformed::SegmentCount { found: 4 }.into());
    }
    let sig = b64::decode(&sig, Part::Signature)?;
    for (key, s) in streams {
        if s.finish(&sig).is_ok() {
            return Ok(SignerInfo {
                kid: key.kid().or(header.kid()).map(str::to_owned),
                alg,
                thumbprint: key.thumbprint().to_owned(),
                header,
            });
        }
    }
    Err(Error::InvalidSignature)
}

// ---- JWE ----------------------------------------------------------------------------

fn is_cbc(enc: JweEnc) -> bool {
    matches!(
        enc,
        JweEnc::A128CbcHs256 | JweEnc::A192CbcHs384 | JweEnc::A256CbcHs512
    )
}

/// Writes `header.ek.iv.` of a compact JWE.
fn write_head(out: &mut impl Write, protected_b64: &str, ek: &[u8], iv: &[u8]) -> Result<()> {
    let mut head = String::from(protected_b64);
    for part in [ek, iv] {
        head.push('.');
        b64::encode_into(part, &mut head);
    }
    head.push('.');
    write(out, head.as_bytes())
}

/// Encrypts `input` as a compact JWE written to `output`: streamed for A*CBC-HS*, in
/// place for AES-GCM (the body is held once).
///
/// # Errors
/// [`Error::Io`]; as [`Encryptor::compact`].
pub fn encrypt_compact(
    encryptor: &Encryptor,
    mut input: impl Read,
    mut output: impl Write,
) -> Result<()> {
    let (enc, provider, zip) = encryptor.content();
    if zip {
        let mut body = Vec::new();
        input.read_to_end(&mut body).map_err(|e| io_err(&e))?;
        return write(&mut output, encryptor.compact_owned(body)?.as_bytes());
    }
    let prepared = encryptor.prepare(true)?;
    let [(_, ek)] = prepared.recipients.as_slice() else {
        return Err(Error::ApiMisuse(
            "the compact serialization has one recipient",
        ));
    };
    if !is_cbc(enc) {
        let mut body = Vec::new();
        input.read_to_end(&mut body).map_err(|e| io_err(&e))?;
        let tag = provider
            .jwe
            .seal(enc, &prepared.cek, &prepared.iv, &prepared.aad, &mut body)?;
        write_head(&mut output, &prepared.protected_b64, ek, &prepared.iv)?;
        let mut text = String::new();
        for piece in body.chunks(CHUNK) {
            text.clear();
            b64::encode_into(piece, &mut text);
            write(&mut output, text.as_bytes())?;
        }
        write(&mut output, b".")?;
        return write(&mut output, b64::encode(&tag).as_bytes());
    }
    let mut st = provider
        .jwe
        .cbc_stream(enc, &prepared.cek, &prepared.iv, &prepared.aad, true)?;
    write_head(&mut output, &prepared.protected_b64, ek, &prepared.iv)?;
    let mut buf = vec![0u8; CHUNK];
    let mut ct = Vec::with_capacity(CHUNK + 16);
    let mut encoder = Encoder::default();
    loop {
        let n = fill(&mut input, &mut buf)?;
        if n == 0 {
            break;
        }
        ct.clear();
        st.update(buf.get(..n).unwrap_or_default(), &mut ct)?;
        encoder.feed(&ct, &mut output)?;
        if n < buf.len() {
            break;
        }
    }
    ct.clear();
    let tag = st.finish(&[], &mut ct)?;
    encoder.feed(&ct, &mut output)?;
    encoder.finish(&mut output)?;
    write(&mut output, b".")?;
    write(&mut output, b64::encode(&tag).as_bytes())
}

/// Decrypts the compact JWE read from `input` and writes the plaintext to `output`:
/// streamed for A*CBC-HS* (see the module docs: discard the output unless this returns
/// `Ok`), in place for AES-GCM. The returned [`Decrypted`] holds no plaintext.
///
/// # Errors
/// [`Error::Io`]; as [`UnverifiedJwe::decrypt`].
pub fn decrypt_compact(
    input: impl Read,
    keys: &DecryptionKeys,
    policy: &JwePolicy,
    mut output: impl Write,
) -> Result<Decrypted> {
    let limits = &policy.limits;
    let mut seg = Segments::new(input, limits);
    let mut head = Vec::with_capacity(3);
    for (max, what) in [
        (limits.max_header_bytes, "header size"),
        (MAX_SMALL_SEGMENT, "encrypted key size"),
        (MAX_SMALL_SEGMENT, "iv size"),
    ] {
        let (s, dot) = seg.small(max, what)?;
        if !dot {
            return Err(Malformed::SegmentCount {
                found: head.len() + 1,
            }
            .into());
        }
        head.push(s);
    }
    let [h, ek, iv] = head.as_slice() else {
        return Err(Error::Unreachable("three head segments"));
    };
    let mut jwe = UnverifiedJwe::compact_head(h, ek, iv, limits)?;
    let enc = jwe
        .protected_header()
        .get("enc")
        .and_then(serde_json::Value::as_str)
        .and_then(|e| e.parse::<JweEnc>().ok());
    let zip = jwe.protected_header().contains_key("zip");
    let provider = Provider::default();
    match enc {
        Some(enc) if is_cbc(enc) && !zip => {
            let (cek, decrypted) = jwe.unwrap_cek(keys, policy, &provider)?;
            let mut st = provider
                .jwe
                .cbc_stream(enc, &cek, jwe.iv(), jwe.protected_b64().as_bytes(), false)
                .map_err(|_| Error::DecryptionFailed)?;
            let mut dec = Decoder::default();
            let (mut ct, mut pt) = (Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK + 16));
            let dot = seg.each(|piece| {
                ct.clear();
                dec.feed(piece, &mut ct)?;
                pt.clear();
                st.update(&ct, &mut pt)?;
                write(&mut output, &pt)
            })?;
            if !dot {
                return Err(Malformed::SegmentCount { found: 4 }.into());
            }
            ct.clear();
            dec.finish(&mut ct)?;
            pt.clear();
            st.update(&ct, &mut pt)?;
            write(&mut output, &pt)?;
            let tag = tag_segment(&mut seg)?;
            pt.clear();
            st.finish(&tag, &mut pt)?;
            write(&mut output, &pt)?;
            Ok(decrypted)
        }
        _ => {
            // AES-GCM, zip, or a header the policy will refuse: hold the ciphertext once.
            let mut dec = Decoder::default();
            let mut ct = Vec::new();
            let dot = seg.each(|piece| dec.feed(piece, &mut ct))?;
            if !dot {
                return Err(Malformed::SegmentCount { found: 4 }.into());
            }
            dec.finish(&mut ct)?;
            let tag = tag_segment(&mut seg)?;
            jwe.set_body(ct, tag);
            let mut d = jwe.decrypt(keys, policy)?;
            write(&mut output, &d.take_plaintext())?;
            Ok(d)
        }
    }
}

fn tag_segment<R: Read>(seg: &mut Segments<R>) -> Result<Vec<u8>> {
    let (tag, dot) = seg.small(MAX_SMALL_SEGMENT, "tag size")?;
    if dot {
        return Err(Malformed::SegmentCount { found: 6 }.into());
    }
    if tag.is_empty() {
        return Err(Rejected::Missing("tag").into());
    }
    b64::decode(&tag, Part::Token)
}

#[cfg(test)]
mod tests;
