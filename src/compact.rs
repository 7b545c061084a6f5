//! The compact serialization's framing, shared by JWS (RFC 7515 section 7.1) and JWE
//! (RFC 7516 section 7.1), for tokens in memory and for tokens read from a stream.
//!
//! A compact token is base64url segments joined by `.`: three for a JWS, five for a JWE.
//! One segment may be large (the JWS payload, the JWE ciphertext); the others are small
//! and capped. Both paths apply the same rules through the functions here: the segment
//! count, the cap on small segments, and base64url decoding. No whitespace is accepted
//! anywhere in a token; a caller that reads tokens from files trims the ends first.
//!
//! [`scan`] is the streamed form: one pass over a [`Replay`] input that finds the segment
//! boundaries, keeps the small segments and checks the large one's base64url, without
//! decoding anything into an output. The formats then parse the small segments with the
//! same functions as for a token in memory.

use crate::b64;
use crate::error::{Error, Malformed, Part, Result};
use crate::policy::Limits;
use crate::stream::{read_some, Replay, CHUNK};
use zeroize::Zeroizing;

/// The longest encrypted key, IV, tag or signature segment accepted, in base64url
/// characters (a 16 KiB segment decodes to 12 KiB: an ML-DSA-87 signature is 4.6 KB).
pub(crate) const MAX_SMALL_SEGMENT: usize = 16 << 10;

/// The dots of a token in memory, as segment bounds; [`Malformed::SegmentCount`] unless
/// there are exactly `N` segments.
pub(crate) fn split<const N: usize>(token: &[u8]) -> Result<[&[u8]; N]> {
    let mut out: [&[u8]; N] = [&[]; N];
    let mut from = 0;
    let mut dots = memchr::memchr_iter(b'.', token);
    for slot in out.iter_mut().take(N - 1) {
        let Some(d) = dots.next() else {
            return Err(count_error(token));
        };
        *slot = token
            .get(from..d)
            .ok_or(Error::Unreachable("segment bounds"))?;
        from = d + 1;
    }
    if dots.next().is_some() {
        return Err(count_error(token));
    }
    if let Some(last) = out.last_mut() {
        *last = token
            .get(from..)
            .ok_or(Error::Unreachable("segment bounds"))?;
    }
    Ok(out)
}

fn count_error(token: &[u8]) -> Error {
    Malformed::SegmentCount {
        found: memchr::memchr_iter(b'.', token).count() + 1,
    }
    .into()
}

/// Decodes a small segment (encrypted key, IV, tag, signature) under its cap.
pub(crate) fn small(seg: &[u8], part: Part) -> Result<Vec<u8>> {
    Limits::check("segment size", seg.len(), MAX_SMALL_SEGMENT)?;
    b64::decode(seg, part)
}

/// Which format a streamed token is read as: how many small segments come before the
/// large one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `header.payload.signature`.
    Jws,
    /// `header.encrypted_key.iv.ciphertext.tag`.
    Jwe,
}

impl Shape {
    fn heads(self) -> usize {
        match self {
            Shape::Jws => 1,
            Shape::Jwe => 3,
        }
    }

    /// The number of segments of this format.
    pub(crate) fn segments(self) -> usize {
        self.heads() + 2
    }
}

/// A byte range of a streamed input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) start: u64,
    pub(crate) len: u64,
}

impl Span {
    pub(crate) fn end(self) -> u64 {
        self.start.saturating_add(self.len)
    }
}

/// What [`scan`] found.
#[derive(Debug)]
pub(crate) struct Layout {
    /// How many segments the token has (dots plus one).
    pub(crate) segments: usize,
    /// The small segments before the large one, as transmitted; each is kept up to one
    /// byte over its cap, so the parser still sees that it is too long.
    pub(crate) head: Vec<Vec<u8>>,
    /// The large segment.
    pub(crate) body: Span,
    /// Whether the large segment is valid base64url (checked for JWE ciphertext only).
    pub(crate) body_b64: Result<()>,
    /// The last segment, kept as the head segments are.
    pub(crate) tail: Vec<u8>,
    /// Whether the whole token is UTF-8 text (what an inner layer must be).
    pub(crate) utf8: bool,
}

impl Layout {
    /// [`Malformed::SegmentCount`] unless the token has `shape`'s segment count.
    pub(crate) fn require(&self, shape: Shape) -> Result<()> {
        if self.segments == shape.segments() {
            Ok(())
        } else {
            Err(Malformed::SegmentCount {
                found: self.segments,
            }
            .into())
        }
    }
}

/// One pass over `src` read as `shape`: segment bounds, small segments, and (for a JWE)
/// the ciphertext's base64url. Stops with [`Rejected::LimitExceeded`] past
/// `max_token_bytes`.
///
/// [`Rejected::LimitExceeded`]: crate::error::Rejected::LimitExceeded
pub(crate) fn scan(src: &mut impl Replay, shape: Shape, limits: &Limits) -> Result<Layout> {
    src.seek_to(0)?;
    let heads = shape.heads();
    let cap = |i: usize| {
        if i == 0 {
            limits.max_header_bytes.saturating_add(1)
        } else {
            MAX_SMALL_SEGMENT + 1
        }
    };
    let mut layout = Layout {
        segments: 1,
        head: Vec::with_capacity(heads),
        body: Span::default(),
        body_b64: Ok(()),
        tail: Vec::new(),
        utf8: true,
    };
    layout.head.push(Vec::new());
    let mut utf8 = Utf8::default();
    let mut check = (shape == Shape::Jwe).then(Decoder::default);
    let mut scratch = Zeroizing::new(Vec::new());
    // An inner layer's text is plaintext of the layer around it: wiped when dropped.
    let mut buf = Zeroizing::new(vec![0u8; CHUNK]);
    let mut pos: u64 = 0;
    loop {
        let n = read_some(src, &mut buf)?;
        if n == 0 {
            break;
        }
        let read = pos.saturating_add(n as u64);
        Limits::check(
            "token size",
            usize::try_from(read).unwrap_or(usize::MAX),
            limits.max_token_bytes,
        )?;
        let mut rest = buf.get(..n).unwrap_or_default();
        utf8.feed(rest);
        let mut at = pos;
        while !rest.is_empty() {
            let dot = memchr::memchr(b'.', rest);
            let piece = rest.get(..dot.unwrap_or(rest.len())).unwrap_or_default();
            let k = layout.segments - 1;
            if k < heads {
                if let Some(h) = layout.head.last_mut() {
                    let room = cap(k).saturating_sub(h.len());
                    h.extend_from_slice(piece.get(..piece.len().min(room)).unwrap_or_default());
                }
            } else if k == heads {
                layout.body.len += piece.len() as u64;
                if let (Some(d), Ok(())) = (&mut check, &layout.body_b64) {
                    scratch.clear();
                    layout.body_b64 = d.feed(piece, &mut scratch, Part::Token);
                }
            } else if k == heads + 1 {
                let room = (MAX_SMALL_SEGMENT + 1).saturating_sub(layout.tail.len());
                layout
                    .tail
                    .extend_from_slice(piece.get(..piece.len().min(room)).unwrap_or_default());
            }
            if dot.is_some() {
                if k == heads {
                    end_body(&mut layout, &mut check, &mut scratch);
                }
                layout.segments += 1;
                if layout.segments <= heads {
                    layout.head.push(Vec::new());
                }
                if layout.segments - 1 == heads {
                    layout.body.start = at + piece.len() as u64 + 1;
                }
            }
            let used = piece.len() + usize::from(dot.is_some());
            at += used as u64;
            rest = rest.get(used..).unwrap_or_default();
        }
        pos = read;
    }
    if layout.segments - 1 == heads {
        end_body(&mut layout, &mut check, &mut scratch);
    }
    layout.utf8 = utf8.finish();
    Ok(layout)
}

/// UTF-8 validation of text that arrives in pieces.
#[derive(Default)]
struct Utf8 {
    /// The start of a character cut by the end of the last piece.
    carry: Vec<u8>,
    bad: bool,
}

impl Utf8 {
    fn feed(&mut self, mut piece: &[u8]) {
        while !self.bad && !self.carry.is_empty() {
            let Some((&b, rest)) = piece.split_first() else {
                return;
            };
            piece = rest;
            self.carry.push(b);
            match core::str::from_utf8(&self.carry) {
                Ok(_) => self.carry.clear(),
                Err(e) if e.error_len().is_some() => self.bad = true,
                Err(_) => {}
            }
        }
        if self.bad {
            return;
        }
        if let Err(e) = core::str::from_utf8(piece) {
            match e.error_len() {
                Some(_) => self.bad = true,
                None => self.carry = piece.get(e.valid_up_to()..).unwrap_or_default().to_vec(),
            }
        }
    }

    fn finish(&self) -> bool {
        !self.bad && self.carry.is_empty()
    }
}

fn end_body(layout: &mut Layout, check: &mut Option<Decoder>, scratch: &mut Vec<u8>) {
    if let (Some(d), Ok(())) = (check.as_mut(), &layout.body_b64) {
        scratch.clear();
        layout.body_b64 = d.finish(scratch, Part::Token);
    }
}

/// Base64url decoding of a segment that arrives in pieces: the same decoder as for a
/// whole segment, fed four characters at a time.
#[derive(Default)]
pub(crate) struct Decoder {
    pending: Vec<u8>,
}

impl Decoder {
    /// Decodes what it can of `piece`, appending to `out`.
    pub(crate) fn feed(&mut self, piece: &[u8], out: &mut Vec<u8>, part: Part) -> Result<()> {
        if self.pending.is_empty() {
            let whole = piece.len() / 4 * 4;
            let (now, rest) = piece.split_at(whole);
            b64::decode_into(now, out, part)?;
            self.pending.extend_from_slice(rest);
            return Ok(());
        }
        self.pending.extend_from_slice(piece);
        let whole = self.pending.len() / 4 * 4;
        if whole > 0 {
            b64::decode_into(self.pending.get(..whole).unwrap_or_default(), out, part)?;
            self.pending.drain(..whole);
        }
        Ok(())
    }

    /// Decodes the rest (the segment ended).
    pub(crate) fn finish(&mut self, out: &mut Vec<u8>, part: Part) -> Result<()> {
        let rest = core::mem::take(&mut self.pending);
        b64::decode_into(&rest, out, part)
    }
}
