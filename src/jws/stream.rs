//! Streamed compact JWS: signing as the payload passes; verifying in passes, so the
//! payload is released only after the signature verified (see [`crate::stream`]).

use super::parse::compact_header;
use super::{Signer, SignerInfo};
use crate::b64;
use crate::compact::{self, Decoder, Layout, Shape};
use crate::crypto::SignStream;
use crate::error::{Error, Part, Result};
use crate::key::VerifyingKeys;
use crate::policy::JwsPolicy;
use crate::stream::{pump, read_some, write, Encoder, Replay, SegmentReader, CHUNK};
use std::io::{Read, Write};
use zeroize::Zeroizing;

/// Writes a compact JWS (attached, base64url payload) of everything written to it: the
/// signing input is hashed as it passes (HS*, RS*, PS*, ES*; EdDSA holds it). Call
/// [`SignWriter::finish`] to append the signature.
pub struct SignWriter<'k, W: Write> {
    out: W,
    st: Box<dyn SignStream + 'k>,
    enc: Encoder,
}

impl<W: Write> core::fmt::Debug for SignWriter<'_, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SignWriter").finish_non_exhaustive()
    }
}

impl<'k, W: Write> SignWriter<'k, W> {
    /// Writes the header to `out` and starts.
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] for a signer with `b64: false`; [`Error::Io`].
    pub fn new(signer: &'k Signer, mut out: W) -> Result<Self> {
        let (protected_b64, key, alg, b64_payload) = signer.stream_parts();
        if !b64_payload {
            return Err(Error::ApiMisuse(
                "streamed signing needs a base64url payload",
            ));
        }
        let mut st = key.start(alg)?;
        st.update(protected_b64.as_bytes());
        st.update(b".");
        write(&mut out, protected_b64.as_bytes())?;
        write(&mut out, b".")?;
        Ok(SignWriter {
            out,
            st,
            enc: Encoder::default(),
        })
    }

    /// Appends the signature; returns the inner writer.
    ///
    /// # Errors
    /// [`Error::Io`]; a backend failure.
    pub fn finish(self) -> Result<W> {
        let SignWriter {
            mut out,
            mut st,
            mut enc,
        } = self;
        let text = enc.finish();
        st.update(text.as_bytes());
        write(&mut out, text.as_bytes())?;
        let mut sig = Vec::new();
        st.finish(&mut sig)?;
        write(&mut out, b".")?;
        write(&mut out, b64::encode(&sig).as_bytes())?;
        Ok(out)
    }
}

impl<W: Write> Write for SignWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = self.enc.feed(buf);
        self.st.update(text.as_bytes());
        self.out.write_all(text.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Signs `input` as a compact JWS (attached payload) written to `output`.
///
/// # Errors
/// [`Error::Io`]; as [`Signer::compact`].
pub fn sign_compact(signer: &Signer, mut input: impl Read, mut output: impl Write) -> Result<()> {
    if !signer.stream_parts().3 {
        let mut body = Zeroizing::new(Vec::new());
        input
            .read_to_end(&mut body)
            .map_err(|e| crate::stream::io_err(&e))?;
        return write(&mut output, signer.compact(&body)?.as_bytes());
    }
    let mut w = SignWriter::new(signer, output)?;
    pump(input, &mut w)?;
    w.finish().map(|_| ())
}

/// Verifies the compact JWS read from `input` and, once the signature verified, writes
/// its payload to `output`. Nothing is written when this fails before the payload is
/// released; an error while writing it (I/O) can leave part of the verified payload.
///
/// # Errors
/// [`Error::Io`]; as [`jws::parse_compact`](super::parse_compact) and
/// [`UnverifiedJws::verify`](super::UnverifiedJws::verify).
pub fn verify_compact(
    mut input: impl Replay,
    keys: &VerifyingKeys,
    policy: &JwsPolicy,
    mut output: impl Write,
) -> Result<SignerInfo> {
    let layout = compact::scan(&mut input, Shape::Jws, &policy.limits)?;
    let (signer, payload) = verify(&mut input, layout, keys, policy)?;
    pump(payload, &mut output)?;
    Ok(signer)
}

/// Verifies the compact JWS that `src` holds and `layout` describes, with the same checks
/// in the same order as [`parse_compact`](super::parse_compact) then
/// [`verify`](super::UnverifiedJws::verify), and returns the signer and a reader of the
/// verified payload. Nothing of the payload is decoded or passed on before the signature
/// verified.
pub(crate) fn verify<'s, S: Replay + ?Sized>(
    src: &'s mut S,
    layout: Layout,
    keys: &VerifyingKeys,
    policy: &JwsPolicy,
) -> Result<(SignerInfo, SegmentReader<'s, S>)> {
    layout.require(Shape::Jws)?;
    let h = layout
        .head
        .first()
        .ok_or(Error::Unreachable("a JWS has a header"))?;
    let header = compact_header(h, &policy.limits)?;
    let sig = compact::small(&layout.tail, Part::Signature)?;
    if policy.jws_algs.is_empty() {
        return Err(Error::ApiMisuse("the policy allows no algorithm"));
    }
    header.check(policy)?;
    let alg = header.alg();
    let candidates = keys.candidates(header.kid(), alg)?;
    let mut streams = candidates
        .iter()
        .map(|k| k.start(alg))
        .collect::<Result<Vec<_>>>()?;
    // The signing input is everything up to the end of the payload segment; the payload's
    // base64url is checked on the way and reported only once the signature verified, as
    // the one-shot path decodes it only then.
    let b64_payload = header.b64();
    let mut payload_ok: Result<()> = Ok(());
    let mut dec = Decoder::default();
    let mut scratch = Zeroizing::new(Vec::new());
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    src.seek_to(0)?;
    let mut at: u64 = 0;
    let end = layout.body.end();
    while at < end {
        let want = usize::try_from(end - at).unwrap_or(CHUNK).min(CHUNK);
        let n = read_some(src, buf.get_mut(..want).unwrap_or_default())?;
        if n == 0 {
            return Err(Error::Io(std::io::ErrorKind::UnexpectedEof));
        }
        let piece = buf.get(..n).unwrap_or_default();
        for s in &mut streams {
            s.update(piece);
        }
        if b64_payload && payload_ok.is_ok() {
            let skip = usize::try_from(layout.body.start.saturating_sub(at)).unwrap_or(n);
            scratch.clear();
            payload_ok = dec.feed(
                piece.get(skip..).unwrap_or_default(),
                &mut scratch,
                Part::Payload,
            );
        }
        at += n as u64;
    }
    if b64_payload && payload_ok.is_ok() {
        scratch.clear();
        payload_ok = dec.finish(&mut scratch, Part::Payload);
    }
    let verified = candidates
        .into_iter()
        .zip(streams)
        .find_map(|(key, s)| s.finish(&sig).is_ok().then_some(key));
    let Some(key) = verified else {
        return Err(Error::InvalidSignature);
    };
    payload_ok?;
    let decode = b64_payload.then_some(Part::Payload);
    Ok((
        SignerInfo::new(key, header, 0, sig),
        SegmentReader::new(src, layout.body, decode),
    ))
}
