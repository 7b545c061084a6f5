//! Compact JWS and JWE from a reader to a writer, for bodies too large to hold twice.
//!
//! # The rule
//!
//! No byte of a payload or plaintext reaches a parser, a hash used for a binding, a
//! writer or any output before the layer that protects it has authenticated. The
//! streamed paths keep it by construction: they read their input more than once, which
//! is why they take a [`Replay`] input, and they write nothing until the last check
//! passed.
//!
//! * **JWS** ([`verify_compact`]): one pass finds the segments and parses the header and
//!   signature (with the parsers of [`jws::parse_compact`](crate::jws::parse_compact)),
//!   a second hashes the signing input and checks the signature, and only then a third
//!   decodes the payload to the output.
//! * **JWE with A\*CBC-HS\*** ([`decrypt_compact`]): one pass finds the segments, a second
//!   computes the HMAC over AAD || IV || ciphertext || AL and checks the tag (for each
//!   candidate key, in the order of the one-shot path), and only then a third decrypts to
//!   the output, checking the tag once more so that an input that changed between the
//!   passes fails too.
//! * **JWE with AES-GCM or `zip`**: the ciphertext is held and decrypted in place exactly
//!   as [`jwe::UnverifiedJwe::decrypt`](crate::jwe::UnverifiedJwe::decrypt) does; the
//!   plaintext is written only after the tag verified.
//! * **Nested tokens** (`seal::Opener::open_stream`, which builds on these): the
//!   inner layer is read from the outer layer's authenticated content, replayed as often
//!   as its own passes need (CBC content is decrypted again each time; plaintext is never
//!   spooled). The inner layer is not even parsed before the outer one authenticated, so
//!   every error it can give comes after that.
//!
//! A file is read in place (any `Read + Seek` is a [`Replay`]). Spool a pipe to an
//! anonymous temporary file first (the CLI does); memory stays bounded either way. The
//! input must not change while it is read.
//!
//! Signing and encrypting ([`sign_compact`], [`encrypt_compact`], and the chainable
//! [`SignWriter`] and [`EncryptWriter`] behind
//! `seal::Sealer::seal_stream`) need one pass: they hash
//! or encrypt as the body streams (AES-GCM and `zip` hold the body once).

use crate::compact::{Decoder, Span};
use crate::error::{Error, Part, Result};
use std::io::{Read, Seek, SeekFrom, Write};
use zeroize::Zeroizing;

pub use crate::jwe::stream::{decrypt_compact, encrypt_compact, EncryptWriter};
pub use crate::jws::stream::{sign_compact, verify_compact, SignWriter};

/// Bytes of body per step: a multiple of 3 (whole base64 groups), of 4 (whole base64
/// quads) and of 16 (AES blocks).
pub(crate) const CHUNK: usize = 3 << 16;

/// An input that can be read again: what the streamed verification and decryption need,
/// since they authenticate in one pass and release in another. Every `Read + Seek` is one.
pub trait Replay: Read {
    /// Positions the input `offset` bytes after its start.
    ///
    /// # Errors
    /// [`Error::Io`].
    fn seek_to(&mut self, offset: u64) -> Result<()>;
}

impl<T: Read + Seek> Replay for T {
    fn seek_to(&mut self, offset: u64) -> Result<()> {
        self.seek(SeekFrom::Start(offset))
            .map(|_| ())
            .map_err(|e| io_err(&e))
    }
}

pub(crate) fn io_err(e: &std::io::Error) -> Error {
    Error::Io(e.kind())
}

pub(crate) fn write(out: &mut impl Write, data: &[u8]) -> Result<()> {
    // A chained writer's own error comes back out as it was.
    out.write_all(data).map_err(from_io)
}

/// Carries a bodyseal error through `std::io`.
pub(crate) fn to_io(e: Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Recovers a bodyseal error carried through `std::io`.
pub(crate) fn from_io(e: std::io::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(inner) => inner,
        Err(e) => io_err(&e),
    }
}

/// One read, retried when interrupted.
pub(crate) fn read_some<R: Read + ?Sized>(src: &mut R, buf: &mut [u8]) -> Result<usize> {
    loop {
        match src.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(from_io(e)),
        }
    }
}

/// Copies everything `input` gives into `w`, returning bodyseal's error if a layer
/// failed.
pub(crate) fn pump(mut input: impl Read, w: &mut impl Write) -> Result<()> {
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    loop {
        let n = read_some(&mut input, &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        write(w, buf.get(..n).unwrap_or_default())?;
    }
}

/// Reads one segment of a [`Replay`] input, base64url-decoded or as it is, and can start
/// it again: the payload of a verified JWS, the ciphertext of a JWE.
pub(crate) struct SegmentReader<'s, S: Replay + ?Sized> {
    src: &'s mut S,
    span: Span,
    decode: Option<Part>,
    left: u64,
    started: bool,
    done: bool,
    dec: Decoder,
    text: Zeroizing<Vec<u8>>,
    out: Zeroizing<Vec<u8>>,
    pos: usize,
}

impl<'s, S: Replay + ?Sized> SegmentReader<'s, S> {
    /// Reads `span` of `src`, decoding base64url (errors naming `decode`) when given.
    pub(crate) fn new(src: &'s mut S, span: Span, decode: Option<Part>) -> Self {
        SegmentReader {
            src,
            span,
            decode,
            left: 0,
            started: false,
            done: false,
            dec: Decoder::default(),
            text: Zeroizing::new(Vec::new()),
            out: Zeroizing::new(Vec::new()),
            pos: 0,
        }
    }

    /// Starts the segment again from its first byte.
    pub(crate) fn restart(&mut self) {
        self.started = false;
        self.done = false;
        self.dec = Decoder::default();
        self.out.clear();
        self.pos = 0;
    }

    /// The next piece of the segment (empty at its end).
    pub(crate) fn next_piece(&mut self) -> Result<&[u8]> {
        if !self.started {
            self.src.seek_to(self.span.start)?;
            self.left = self.span.len;
            self.started = true;
        }
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() && !self.done {
            if self.left == 0 {
                if let Some(part) = self.decode {
                    self.dec.finish(&mut self.out, part)?;
                }
                self.done = true;
                break;
            }
            let want = usize::try_from(self.left).unwrap_or(CHUNK).min(CHUNK);
            self.text.resize(want, 0);
            let n = read_some(self.src, &mut self.text)?;
            if n == 0 {
                // The input is shorter than when it was scanned.
                return Err(Error::Io(std::io::ErrorKind::UnexpectedEof));
            }
            self.left -= n as u64;
            let text = self.text.get(..n).unwrap_or_default();
            match self.decode {
                Some(part) => self.dec.feed(text, &mut self.out, part)?,
                None => self.out.extend_from_slice(text),
            }
        }
        Ok(self.out.as_slice())
    }
}

impl<S: Replay + ?Sized> Read for SegmentReader<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.out.len() {
            self.next_piece().map_err(to_io)?;
        }
        let avail = self.out.get(self.pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

impl<S: Replay + ?Sized> Replay for SegmentReader<'_, S> {
    fn seek_to(&mut self, offset: u64) -> Result<()> {
        self.restart();
        skip(self, offset)
    }
}

/// Reads and drops `n` bytes.
pub(crate) fn skip(src: &mut impl Read, n: u64) -> Result<()> {
    let skipped =
        std::io::copy(&mut src.by_ref().take(n), &mut std::io::sink()).map_err(from_io)?;
    if skipped == n {
        Ok(())
    } else {
        Err(Error::Io(std::io::ErrorKind::UnexpectedEof))
    }
}

/// Base64url encoding of data that arrives in pieces.
#[derive(Default)]
pub(crate) struct Encoder {
    pending: Vec<u8>,
    text: String,
}

impl Encoder {
    /// Encodes what it can of `piece`; returns the text.
    pub(crate) fn feed(&mut self, piece: &[u8]) -> &str {
        self.text.clear();
        if self.pending.is_empty() {
            let whole = piece.len() / 3 * 3;
            let (now, rest) = piece.split_at(whole);
            crate::b64::encode_into(now, &mut self.text);
            self.pending.extend_from_slice(rest);
        } else {
            self.pending.extend_from_slice(piece);
            let whole = self.pending.len() / 3 * 3;
            crate::b64::encode_into(
                self.pending.get(..whole).unwrap_or_default(),
                &mut self.text,
            );
            self.pending.drain(..whole);
        }
        &self.text
    }

    /// Encodes the rest; returns the text.
    pub(crate) fn finish(&mut self) -> &str {
        self.text.clear();
        crate::b64::encode_into(&self.pending, &mut self.text);
        self.pending.clear();
        &self.text
    }
}

#[cfg(test)]
mod tests;
