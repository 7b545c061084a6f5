//! Compact JWS and JWE from a reader to a writer, for bodies too large to hold twice.
//!
//! The work is done by writers that can be chained: [`SignWriter`], [`VerifyWriter`],
//! [`EncryptWriter`] and [`DecryptWriter`] take bytes as they come and pass their output
//! to the next writer, so a nested token is sealed or opened in one pass (see
//! [`Sealer::seal_stream`](crate::seal::Sealer::seal_stream) and
//! [`Opener::open_stream`](crate::seal::Opener::open_stream)). The functions below are
//! the one-layer conveniences.
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
use crate::crypto::{ContentStream, Provider, SignStream, VerifyStream};
use crate::error::{Error, Malformed, Part, Rejected, Result};
use crate::jwe::{Decrypted, Encryptor, Prepared, UnverifiedJwe};
use crate::jws::{self, Signer, SignerInfo};
use crate::key::{DecryptionKeys, KeySet, VerifyingKey};
use crate::policy::{JwePolicy, Limits, Policy};
use std::io::{Read, Write};

/// Bytes of body per step: a multiple of 3 (whole base64 groups) and of 16 (AES blocks).
const CHUNK: usize = 3 << 16;

/// The longest encrypted key, IV, signature or tag segment accepted (base64url chars).
const MAX_SMALL_SEGMENT: usize = 16 << 10;

pub(crate) fn io_err(e: &std::io::Error) -> Error {
    Error::Io(e.kind())
}

fn write(out: &mut impl Write, data: &[u8]) -> Result<()> {
    // A chained writer's own error comes back out as it was.
    out.write_all(data).map_err(from_io)
}

/// Carries a bodyseal error through `std::io::Write`.
fn to_io(e: Error) -> std::io::Error {
    std::io::Error::other(e)
}

/// Recovers a bodyseal error carried through `std::io`.
fn from_io(e: std::io::Error) -> Error {
    match e.downcast::<Error>() {
        Ok(inner) => inner,
        Err(e) => io_err(&e),
    }
}

/// Copies `input` into a chained writer, returning bodyseal's error if a layer failed.
pub(crate) fn pump(mut input: impl Read, w: &mut impl Write) -> Result<()> {
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io_err(&e)),
        };
        w.write_all(buf.get(..n).unwrap_or_default())
            .map_err(from_io)?;
    }
}

/// Whether an encoded header that decodes to a JSON object with `alg` also names `enc`
/// (a JWE) or not (a JWS); `None` when it is not such a header. Used only to say which
/// layer an opener found where it expected the other.
fn names_enc(seg: &[u8]) -> Option<bool> {
    let raw = b64::decode(seg, Part::Header).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&raw).ok()?;
    v.get("alg")?;
    Some(v.get("enc").is_some())
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

    fn finish(&mut self, out: &mut Vec<u8>) -> Result<()> {
        let rest = core::mem::take(&mut self.pending);
        // No trimming: only the end of the whole token may carry whitespace, and that is
        // the last segment, which is never decoded here.
        let rest = rest.as_slice();
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
    /// Encodes what it can of `piece`; returns the text.
    fn feed(&mut self, piece: &[u8]) -> &str {
        self.text.clear();
        if self.pending.is_empty() {
            let whole = piece.len() / 3 * 3;
            let (now, rest) = piece.split_at(whole);
            b64::encode_into(now, &mut self.text);
            self.pending.extend_from_slice(rest);
        } else {
            self.pending.extend_from_slice(piece);
            let whole = self.pending.len() / 3 * 3;
            b64::encode_into(
                self.pending.get(..whole).unwrap_or_default(),
                &mut self.text,
            );
            self.pending.drain(..whole);
        }
        &self.text
    }

    /// Encodes the rest; returns the text.
    fn finish(&mut self) -> &str {
        self.text.clear();
        b64::encode_into(&self.pending, &mut self.text);
        self.pending.clear();
        &self.text
    }
}

macro_rules! opaque_debug {
    ($($t:ident),*) => {$(
        impl<W: Write> core::fmt::Debug for $t<'_, W> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_struct(stringify!($t)).finish_non_exhaustive()
            }
        }
    )*};
}

opaque_debug!(SignWriter, VerifyWriter, EncryptWriter, DecryptWriter);

// ---- JWS ----------------------------------------------------------------------------

/// Writes a compact JWS (attached, base64url payload) of everything written to it: the
/// signing input is hashed as it passes (HS*, RS*, PS*, ES*; EdDSA holds it). Call
/// [`SignWriter::finish`] to append the signature.
pub struct SignWriter<'k, W: Write> {
    out: W,
    st: Box<dyn SignStream + 'k>,
    enc: Encoder,
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

type Streams<'k> = Vec<(&'k VerifyingKey, Box<dyn VerifyStream + 'k>)>;

enum VState<'k> {
    Header(Vec<u8>),
    Payload {
        header: jws::Header,
        streams: Streams<'k>,
        dec: Decoder,
    },
    Signature {
        header: jws::Header,
        streams: Streams<'k>,
        sig: Vec<u8>,
    },
    /// `b64: false`: the token is held and verified whole at the end.
    Raw(Vec<u8>),
    Failed,
}

/// Verifies a compact JWS written to it, passing the decoded payload to the inner writer
/// as it streams. The payload is unauthenticated until [`VerifyWriter::finish`] returns
/// `Ok`: the inner writer must hold it back until then.
pub struct VerifyWriter<'k, W: Write> {
    keys: &'k KeySet,
    policy: &'k Policy,
    out: W,
    state: VState<'k>,
    read: usize,
    plain: Vec<u8>,
    nesting: Option<&'static str>,
    require_nested: Option<&'static str>,
}

impl<'k, W: Write> VerifyWriter<'k, W> {
    /// A verifier with the caller's trusted keys and policy.
    #[must_use]
    pub fn new(keys: &'k KeySet, policy: &'k Policy, out: W) -> Self {
        VerifyWriter {
            keys,
            policy,
            out,
            state: VState::Header(Vec::new()),
            read: 0,
            plain: Vec::new(),
            nesting: None,
            require_nested: None,
        }
    }

    /// Requires the header's `cty` to declare a nested token, else [`Rejected::Nesting`]
    /// with `why`.
    pub(crate) fn require_nested(mut self, why: &'static str) -> Self {
        self.require_nested = Some(why);
        self
    }

    /// Reports a JWE header as [`Rejected::Nesting`] with `why` (for nested opening).
    pub(crate) fn nesting(mut self, why: &'static str) -> Self {
        self.nesting = Some(why);
        self
    }

    fn start(&mut self, h: Vec<u8>) -> Result<VState<'k>> {
        let limits = &self.policy.limits;
        let header = match jws::compact_header(&h, limits) {
            Ok(header) => header,
            Err(e) => {
                if let Some(why) = self.nesting {
                    if names_enc(&h) == Some(true) {
                        return Err(Rejected::Nesting(why).into());
                    }
                }
                return Err(e);
            }
        };
        header.check(self.policy)?;
        if let Some(why) = self.require_nested {
            if !crate::seal::declares_nesting(header.cty()) {
                return Err(Rejected::Nesting(why).into());
            }
        }
        if !header.b64() {
            let mut raw = h;
            raw.push(b'.');
            return Ok(VState::Raw(raw));
        }
        let alg = header.alg();
        let mut streams = self
            .keys
            .candidates(header.kid(), alg)?
            .into_iter()
            .map(|k| k.start(alg).map(|s| (k, s)))
            .collect::<Result<Streams<'k>>>()?;
        for (_, s) in &mut streams {
            s.update(&h);
            s.update(b".");
        }
        Ok(VState::Payload {
            header,
            streams,
            dec: Decoder::default(),
        })
    }

    fn push(&mut self, mut rest: &[u8]) -> Result<()> {
        self.read = self.read.saturating_add(rest.len());
        Limits::check("token size", self.read, self.policy.limits.max_token_bytes)?;
        while !rest.is_empty() {
            let state = core::mem::replace(&mut self.state, VState::Failed);
            self.state = match state {
                VState::Header(mut h) => {
                    if h.is_empty() {
                        rest = rest.trim_ascii_start();
                    }
                    match memchr::memchr(b'.', rest) {
                        Some(i) => {
                            h.extend_from_slice(rest.get(..i).unwrap_or_default());
                            rest = rest.get(i + 1..).unwrap_or_default();
                            Limits::check(
                                "header size",
                                h.len(),
                                self.policy.limits.max_header_bytes,
                            )?;
                            self.start(h)?
                        }
                        None => {
                            h.extend_from_slice(rest);
                            rest = &[];
                            Limits::check(
                                "header size",
                                h.len(),
                                self.policy.limits.max_header_bytes,
                            )?;
                            VState::Header(h)
                        }
                    }
                }
                VState::Payload {
                    header,
                    mut streams,
                    mut dec,
                } => {
                    // At most CHUNK at a time, so the decoded buffer stays small.
                    let window = rest.get(..rest.len().min(CHUNK)).unwrap_or_default();
                    let (piece, dot) = match memchr::memchr(b'.', window) {
                        Some(i) => (window.get(..i).unwrap_or_default(), true),
                        None => (window, false),
                    };
                    rest = rest
                        .get(piece.len() + usize::from(dot)..)
                        .unwrap_or_default();
                    for (_, s) in &mut streams {
                        s.update(piece);
                    }
                    self.plain.clear();
                    dec.feed(piece, &mut self.plain)?;
                    if dot {
                        dec.finish(&mut self.plain)?;
                    }
                    write(&mut self.out, &self.plain)?;
                    if dot {
                        VState::Signature {
                            header,
                            streams,
                            sig: Vec::new(),
                        }
                    } else {
                        VState::Payload {
                            header,
                            streams,
                            dec,
                        }
                    }
                }
                VState::Signature {
                    header,
                    streams,
                    mut sig,
                } => {
                    if memchr::memchr(b'.', rest).is_some() {
                        return Err(Malformed::SegmentCount { found: 4 }.into());
                    }
                    sig.extend_from_slice(rest);
                    rest = &[];
                    Limits::check("signature size", sig.len(), MAX_SMALL_SEGMENT)?;
                    VState::Signature {
                        header,
                        streams,
                        sig,
                    }
                }
                VState::Raw(mut raw) => {
                    raw.extend_from_slice(rest);
                    rest = &[];
                    VState::Raw(raw)
                }
                VState::Failed => {
                    return Err(Error::ApiMisuse("write after a failed verification"))
                }
            };
        }
        Ok(())
    }

    /// Checks the signature; returns who signed and the inner writer.
    ///
    /// # Errors
    /// [`Error::InvalidSignature`]; [`Error::Malformed`] for a truncated token; as
    /// [`jws::UnverifiedJws::verify`].
    pub fn finish(self) -> Result<(SignerInfo, W)> {
        let VerifyWriter {
            keys,
            policy,
            mut out,
            state,
            ..
        } = self;
        match state {
            VState::Signature {
                header,
                streams,
                sig,
            } => {
                // Whitespace may end the token (a file's newline), nothing else.
                let sig = b64::decode(sig.trim_ascii_end(), Part::Signature)?;
                for (key, s) in streams {
                    if s.finish(&sig).is_ok() {
                        let info = SignerInfo {
                            kid: key.kid().or(header.kid()).map(str::to_owned),
                            alg: header.alg(),
                            thumbprint: key.thumbprint().to_owned(),
                            header,
                        };
                        return Ok((info, out));
                    }
                }
                Err(Error::InvalidSignature)
            }
            VState::Raw(raw) => {
                let token =
                    String::from_utf8(raw).map_err(|_| Malformed::Utf8 { part: Part::Token })?;
                let v =
                    jws::parse_compact(token.trim_ascii(), &policy.limits)?.verify(keys, policy)?;
                write(&mut out, v.payload())?;
                let info = v
                    .signer()
                    .cloned()
                    .ok_or(Error::Unreachable("a verified JWS has a signer"))?;
                Ok((info, out))
            }
            VState::Header(_) => Err(Malformed::SegmentCount { found: 1 }.into()),
            VState::Payload { .. } => Err(Malformed::SegmentCount { found: 2 }.into()),
            VState::Failed => Err(Error::ApiMisuse("finish after a failed verification")),
        }
    }
}

impl<W: Write> Write for VerifyWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf).map_err(to_io)?;
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
        let mut body = Vec::new();
        input.read_to_end(&mut body).map_err(|e| io_err(&e))?;
        return write(&mut output, signer.compact(&body)?.as_bytes());
    }
    let mut w = SignWriter::new(signer, output)?;
    pump(input, &mut w)?;
    w.finish().map(|_| ())
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
    output: impl Write,
) -> Result<SignerInfo> {
    if policy.jws_algs.is_empty() {
        return Err(Error::ApiMisuse("the policy allows no algorithm"));
    }
    let mut w = VerifyWriter::new(keys, policy, output);
    pump(input, &mut w)?;
    w.finish().map(|(info, _)| info)
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

enum EState {
    Cbc {
        st: Box<dyn ContentStream>,
        enc: Encoder,
        ct: Vec<u8>,
    },
    /// AES-GCM (or `zip`): the body is held and sealed in place at the end.
    Held {
        body: Vec<u8>,
        prepared: Option<Prepared>,
    },
}

/// Writes a compact JWE of everything written to it: AES-CBC-HMAC streams, AES-GCM and
/// `zip` hold the body once. Call [`EncryptWriter::finish`] to complete it.
pub struct EncryptWriter<'e, W: Write> {
    encryptor: &'e Encryptor,
    out: W,
    state: EState,
}

impl<'e, W: Write> EncryptWriter<'e, W> {
    /// Starts (for AES-CBC-HMAC, the header goes to `out` now).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] unless there is exactly one recipient; [`Error::Io`].
    pub fn new(encryptor: &'e Encryptor, mut out: W) -> Result<Self> {
        let (enc, provider, zip) = encryptor.content();
        if zip {
            return Ok(EncryptWriter {
                encryptor,
                out,
                state: EState::Held {
                    body: Vec::new(),
                    prepared: None,
                },
            });
        }
        let prepared = encryptor.prepare(true)?;
        let [(_, ek)] = prepared.recipients.as_slice() else {
            return Err(Error::ApiMisuse(
                "the compact serialization has one recipient",
            ));
        };
        let state = if is_cbc(enc) {
            let st =
                provider
                    .jwe
                    .cbc_stream(enc, &prepared.cek, &prepared.iv, &prepared.aad, true)?;
            write_head(&mut out, &prepared.protected_b64, ek, &prepared.iv)?;
            EState::Cbc {
                st,
                enc: Encoder::default(),
                ct: Vec::new(),
            }
        } else {
            EState::Held {
                body: Vec::new(),
                prepared: Some(prepared),
            }
        };
        Ok(EncryptWriter {
            encryptor,
            out,
            state,
        })
    }

    /// Completes the token; returns the inner writer.
    ///
    /// # Errors
    /// [`Error::Io`]; a backend failure.
    pub fn finish(self) -> Result<W> {
        let EncryptWriter {
            encryptor,
            mut out,
            state,
        } = self;
        match state {
            EState::Cbc {
                st,
                mut enc,
                mut ct,
            } => {
                ct.clear();
                let tag = st.finish(&[], &mut ct)?;
                write(&mut out, enc.feed(&ct).as_bytes())?;
                write(&mut out, enc.finish().as_bytes())?;
                write(&mut out, b".")?;
                write(&mut out, b64::encode(&tag).as_bytes())?;
            }
            EState::Held {
                body,
                prepared: None,
            } => write(&mut out, encryptor.compact_owned(body)?.as_bytes())?,
            EState::Held {
                mut body,
                prepared: Some(p),
            } => {
                let (enc, provider, _) = encryptor.content();
                let tag = provider.jwe.seal(enc, &p.cek, &p.iv, &p.aad, &mut body)?;
                let ek = p
                    .recipients
                    .first()
                    .map(|(_, ek)| ek.as_slice())
                    .unwrap_or_default();
                write_head(&mut out, &p.protected_b64, ek, &p.iv)?;
                let mut text = String::new();
                for piece in body.chunks(CHUNK) {
                    text.clear();
                    b64::encode_into(piece, &mut text);
                    write(&mut out, text.as_bytes())?;
                }
                write(&mut out, b".")?;
                write(&mut out, b64::encode(&tag).as_bytes())?;
            }
        }
        Ok(out)
    }
}

impl<W: Write> Write for EncryptWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.state {
            EState::Cbc { st, enc, ct } => {
                ct.clear();
                st.update(buf, ct).map_err(to_io)?;
                self.out.write_all(enc.feed(ct).as_bytes())?;
            }
            EState::Held { body, .. } => body.extend_from_slice(buf),
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

enum Body {
    Cbc {
        st: Box<dyn ContentStream>,
        meta: Decrypted,
    },
    Held {
        jwe: UnverifiedJwe,
        ct: Vec<u8>,
    },
}

/// Decrypts a compact JWE written to it, passing the plaintext to the inner writer: as it
/// streams for AES-CBC-HMAC (unauthenticated until [`DecryptWriter::finish`] returns
/// `Ok`: the inner writer must hold it back), at the end for AES-GCM and `zip`.
pub struct DecryptWriter<'k, W: Write> {
    keys: &'k DecryptionKeys,
    policy: &'k JwePolicy,
    out: W,
    read: usize,
    head: Vec<Vec<u8>>,
    cur: Vec<u8>,
    body: Option<Body>,
    dec: Decoder,
    buf: (Vec<u8>, Vec<u8>),
    tag: Option<Vec<u8>>,
    nesting: Option<&'static str>,
    require_nested: Option<&'static str>,
}

impl<'k, W: Write> DecryptWriter<'k, W> {
    /// A decryptor with the caller's keys and policy.
    #[must_use]
    pub fn new(keys: &'k DecryptionKeys, policy: &'k JwePolicy, out: W) -> Self {
        DecryptWriter {
            keys,
            policy,
            out,
            read: 0,
            head: Vec::with_capacity(3),
            cur: Vec::new(),
            body: None,
            dec: Decoder::default(),
            buf: (Vec::new(), Vec::new()),
            tag: None,
            nesting: None,
            require_nested: None,
        }
    }

    /// Requires the header's `cty` to declare a nested token, else [`Rejected::Nesting`]
    /// with `why`.
    pub(crate) fn require_nested(mut self, why: &'static str) -> Self {
        self.require_nested = Some(why);
        self
    }

    /// Reports a JWS header as [`Rejected::Nesting`] with `why` (for nested opening).
    pub(crate) fn nesting(mut self, why: &'static str) -> Self {
        self.nesting = Some(why);
        self
    }

    /// Under [`DecryptWriter::nesting`], a first header without `enc` is a JWS.
    fn check_kind(&self) -> Result<()> {
        let (Some(why), Some(h)) = (self.nesting, self.head.first()) else {
            return Ok(());
        };
        if names_enc(h) == Some(false) {
            return Err(Rejected::Nesting(why).into());
        }
        Ok(())
    }

    fn start(&mut self) -> Result<Body> {
        let [h, ek, iv] = self.head.as_slice() else {
            return Err(Error::Unreachable("three head segments"));
        };
        let jwe = UnverifiedJwe::compact_head(h, ek, iv, &self.policy.limits)?;
        let enc = match jwe.protected_header().get("enc") {
            Some(e) => e.as_str().and_then(|e| e.parse::<JweEnc>().ok()),
            None => {
                if let Some(why) = self.nesting {
                    return Err(Rejected::Nesting(why).into());
                }
                return Err(Malformed::MissingMember("enc").into());
            }
        };
        let zip = jwe.protected_header().contains_key("zip");
        if let Some(why) = self.require_nested {
            let cty = jwe
                .protected_header()
                .get("cty")
                .and_then(serde_json::Value::as_str);
            if !crate::seal::declares_nesting(cty) {
                return Err(Rejected::Nesting(why).into());
            }
        }
        match enc {
            Some(enc) if is_cbc(enc) && !zip => {
                let provider = Provider::default();
                let (cek, meta) = jwe.unwrap_cek(self.keys, self.policy, &provider)?;
                let st = provider
                    .jwe
                    .cbc_stream(enc, &cek, jwe.iv(), jwe.protected_b64().as_bytes(), false)
                    .map_err(|_| Error::DecryptionFailed)?;
                Ok(Body::Cbc { st, meta })
            }
            _ => Ok(Body::Held {
                jwe,
                ct: Vec::new(),
            }),
        }
    }

    fn push(&mut self, mut rest: &[u8]) -> Result<()> {
        self.read = self.read.saturating_add(rest.len());
        Limits::check("token size", self.read, self.policy.limits.max_token_bytes)?;
        while !rest.is_empty() {
            // At most CHUNK at a time, so the working buffers stay small.
            let window = rest.get(..rest.len().min(CHUNK)).unwrap_or_default();
            let dot = memchr::memchr(b'.', window);
            let piece = window
                .get(..dot.unwrap_or(window.len()))
                .unwrap_or_default();
            let after = rest
                .get(piece.len() + usize::from(dot.is_some())..)
                .unwrap_or_default();
            if let Some(tag) = &mut self.tag {
                if dot.is_some() {
                    return Err(Malformed::SegmentCount { found: 6 }.into());
                }
                tag.extend_from_slice(piece);
                Limits::check("tag size", tag.len(), MAX_SMALL_SEGMENT)?;
            } else if let Some(body) = &mut self.body {
                let (ct, pt) = &mut self.buf;
                ct.clear();
                self.dec.feed(piece, ct)?;
                if dot.is_some() {
                    self.dec.finish(ct)?;
                }
                match body {
                    Body::Cbc { st, .. } => {
                        pt.clear();
                        st.update(ct, pt)?;
                        write(&mut self.out, pt)?;
                    }
                    Body::Held { ct: all, .. } => all.extend_from_slice(ct),
                }
                if dot.is_some() {
                    self.tag = Some(Vec::new());
                }
            } else {
                let piece = if self.head.is_empty() && self.cur.is_empty() {
                    piece.trim_ascii_start()
                } else {
                    piece
                };
                self.cur.extend_from_slice(piece);
                let max = if self.head.is_empty() {
                    self.policy.limits.max_header_bytes
                } else {
                    MAX_SMALL_SEGMENT
                };
                Limits::check("header segment size", self.cur.len(), max)?;
                if dot.is_some() {
                    self.head.push(core::mem::take(&mut self.cur));
                    if self.head.len() == 1 {
                        self.check_kind()?;
                    }
                    if self.head.len() == 3 {
                        self.body = Some(self.start()?);
                    }
                }
            }
            rest = after;
        }
        Ok(())
    }

    /// Checks the tag; returns the decryption record (without plaintext) and the inner
    /// writer.
    ///
    /// # Errors
    /// [`Error::DecryptionFailed`]; [`Error::Malformed`] for a truncated token; as
    /// [`UnverifiedJwe::decrypt`].
    pub fn finish(self) -> Result<(Decrypted, W)> {
        let DecryptWriter {
            keys,
            policy,
            mut out,
            head,
            body,
            tag,
            ..
        } = self;
        let (Some(body), Some(tag)) = (body, tag) else {
            return Err(Malformed::SegmentCount {
                found: head.len() + 1,
            }
            .into());
        };
        // Whitespace may end the token (a file's newline), nothing else.
        let tag = tag.trim_ascii_end();
        if tag.is_empty() {
            return Err(Rejected::Missing("tag").into());
        }
        let tag = b64::decode(tag, Part::Token)?;
        match body {
            Body::Cbc { st, meta } => {
                let mut pt = Vec::new();
                st.finish(&tag, &mut pt)?;
                write(&mut out, &pt)?;
                Ok((meta, out))
            }
            Body::Held { mut jwe, ct } => {
                jwe.set_body(ct, tag);
                let mut d = jwe.decrypt(keys, policy)?;
                let plaintext = d.take_plaintext();
                for piece in plaintext.chunks(CHUNK) {
                    write(&mut out, piece)?;
                }
                Ok((d, out))
            }
        }
    }
}

impl<W: Write> Write for DecryptWriter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.push(buf).map_err(to_io)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Encrypts `input` as a compact JWE written to `output`: streamed for A*CBC-HS*, in
/// place for AES-GCM (the body is held once).
///
/// # Errors
/// [`Error::Io`]; as [`Encryptor::compact`].
pub fn encrypt_compact(encryptor: &Encryptor, input: impl Read, output: impl Write) -> Result<()> {
    let mut w = EncryptWriter::new(encryptor, output)?;
    pump(input, &mut w)?;
    w.finish().map(|_| ())
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
    output: impl Write,
) -> Result<Decrypted> {
    let mut w = DecryptWriter::new(keys, policy, output);
    pump(input, &mut w)?;
    w.finish().map(|(d, _)| d)
}

#[cfg(test)]
mod tests;
