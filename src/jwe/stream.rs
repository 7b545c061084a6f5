//! Streamed compact JWE: encrypting as the body passes; decrypting in passes, so no
//! plaintext exists before the tag verified (see [`crate::stream`]).

use super::{Decrypted, Encryptor, Header, Prepared, UnverifiedJwe};
use crate::alg::JweEnc;
use crate::b64;
use crate::compact::{self, Layout, Shape};
use crate::crypto::{ContentStream, Provider};
use crate::error::{Error, Part, Result};
use crate::key::DecryptionKeys;
use crate::policy::JwePolicy;
use crate::stream::{pump, to_io, write, Encoder, Replay, SegmentReader, CHUNK};
use std::io::{Read, Write};
use zeroize::Zeroizing;

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
    /// AES-GCM (or `zip`): the body is held and encrypted in place at the end.
    Held {
        body: Zeroizing<Vec<u8>>,
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

impl<W: Write> core::fmt::Debug for EncryptWriter<'_, W> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EncryptWriter").finish_non_exhaustive()
    }
}

impl<'e, W: Write> EncryptWriter<'e, W> {
    /// Starts (for AES-CBC-HMAC, the header goes to `out` now).
    ///
    /// # Errors
    /// [`Error::ApiMisuse`] unless there is exactly one recipient; [`Error::Io`].
    pub fn new(encryptor: &'e Encryptor, mut out: W) -> Result<Self> {
        let (enc, provider, zip) = encryptor.content();
        // `zip` and HPKE integrated encryption (no `enc`) encrypt the whole body at
        // `finish`.
        let Some(enc) = enc.filter(|_| !zip) else {
            return Ok(EncryptWriter {
                encryptor,
                out,
                state: EState::Held {
                    body: Zeroizing::new(Vec::new()),
                    prepared: None,
                },
            });
        };
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
                body: Zeroizing::new(Vec::new()),
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
                mut body,
                prepared: None,
            } => write(
                &mut out,
                encryptor
                    .compact_owned(core::mem::take(&mut *body))?
                    .as_bytes(),
            )?,
            EState::Held {
                mut body,
                prepared: Some(p),
            } => {
                let (enc, provider, _) = encryptor.content();
                let enc = enc.ok_or(Error::Unreachable("no enc after prepare"))?;
                let tag = provider
                    .jwe
                    .encrypt(enc, &p.cek, &p.iv, &p.aad, &mut body)?;
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

/// Decrypts the compact JWE read from `input` and, once the tag verified, writes the
/// plaintext to `output` (streamed for A*CBC-HS*, from memory for AES-GCM and `zip`).
/// The returned [`Decrypted`] holds no plaintext.
///
/// # Errors
/// [`Error::Io`]; as [`jwe::parse_compact`](super::parse_compact) and
/// [`UnverifiedJwe::decrypt`].
pub fn decrypt_compact(
    mut input: impl Replay,
    keys: &DecryptionKeys,
    policy: &JwePolicy,
    mut output: impl Write,
) -> Result<Decrypted> {
    let layout = compact::scan(&mut input, Shape::Jwe, &policy.limits)?;
    let (decrypted, plaintext) = decrypt(&mut input, layout, keys, policy)?;
    pump(plaintext, &mut output)?;
    Ok(decrypted)
}

/// Decrypts the compact JWE that `src` holds and `layout` describes, with the same checks
/// in the same order as [`parse_compact`](super::parse_compact) then
/// [`decrypt`](UnverifiedJwe::decrypt) (the same procedure, [`UnverifiedJwe::decrypt_by`],
/// tries the candidate keys), and returns the record and a reader of the plaintext. For
/// A*CBC-HS* the tag is checked over the whole ciphertext before anything is decrypted.
pub(crate) fn decrypt<'s, S: Replay + ?Sized>(
    src: &'s mut S,
    layout: Layout,
    keys: &DecryptionKeys,
    policy: &JwePolicy,
) -> Result<(Decrypted, Plaintext<'s, S>)> {
    layout.require(Shape::Jwe)?;
    let [h, ek, iv] = layout.head.as_slice() else {
        return Err(Error::Unreachable("a JWE has three head segments"));
    };
    let mut jwe = UnverifiedJwe::compact_head(h, ek, iv, &policy.limits)?;
    layout.body_b64?;
    let tag = compact::small(&layout.tail, Part::Token)?;
    let protected = jwe.protected_header();
    let streamed = protected
        .get("enc")
        .and_then(serde_json::Value::as_str)
        .and_then(|e| e.parse::<JweEnc>().ok())
        .is_some_and(is_cbc)
        && !protected.contains_key("zip");
    let mut ct = SegmentReader::new(src, layout.body, Some(Part::Token));
    if !streamed {
        let mut ciphertext = Vec::new();
        pump(&mut ct, &mut ciphertext)?;
        jwe.set_body(ciphertext, tag);
        let mut decrypted = jwe.decrypt(keys, policy)?;
        let data = Zeroizing::new(decrypted.take_plaintext());
        return Ok((decrypted, Plaintext::Held { data, pos: 0 }));
    }
    let provider = Provider::default();
    let aad = jwe.aad().into_owned();
    let (cek, decrypted) = jwe.decrypt_by(keys, policy, &provider, |header, _, cek, _| {
        check_tag(&mut ct, &provider, header, cek, jwe.iv(), &aad, &tag)?;
        Ok(Zeroizing::new(cek.to_vec()))
    })?;
    ct.restart();
    let reader = CbcReader {
        ct,
        provider,
        enc: decrypted.header.enc.ok_or(Error::DecryptionFailed)?,
        cek,
        iv: jwe.iv().to_vec(),
        aad,
        tag,
        st: None,
        out: Zeroizing::new(Vec::new()),
        pos: 0,
        done: false,
    };
    Ok((decrypted, Plaintext::Cbc(Box::new(reader))))
}

/// The first pass of streamed CBC-HMAC: the tag over the whole ciphertext, nothing
/// decrypted. Every failure is [`Error::DecryptionFailed`].
fn check_tag<S: Replay + ?Sized>(
    ct: &mut SegmentReader<'_, S>,
    provider: &Provider,
    header: &Header,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    tag: &[u8],
) -> Result<()> {
    let mut mac = provider
        .jwe
        .cbc_mac(header.enc.ok_or(Error::DecryptionFailed)?, cek, iv, aad)
        .map_err(|_| Error::DecryptionFailed)?;
    ct.restart();
    loop {
        let piece = ct.next_piece()?;
        if piece.is_empty() {
            break;
        }
        mac.update(piece);
    }
    mac.finish(tag).map_err(|_| Error::DecryptionFailed)
}

/// The plaintext of a decrypted compact JWE, readable (and re-readable) once the tag
/// verified.
pub(crate) enum Plaintext<'s, S: Replay + ?Sized> {
    /// AES-GCM or `zip`: decrypted in memory.
    Held {
        data: Zeroizing<Vec<u8>>,
        pos: usize,
    },
    /// A*CBC-HS*: decrypted again on each read, from the authenticated ciphertext.
    Cbc(Box<CbcReader<'s, S>>),
}

/// Decrypts CBC content whose tag already verified, checking it once more at the end
/// (so that an input that changed since fails).
pub(crate) struct CbcReader<'s, S: Replay + ?Sized> {
    ct: SegmentReader<'s, S>,
    provider: Provider,
    enc: JweEnc,
    cek: Zeroizing<Vec<u8>>,
    iv: Vec<u8>,
    aad: Vec<u8>,
    tag: Vec<u8>,
    st: Option<Box<dyn ContentStream>>,
    out: Zeroizing<Vec<u8>>,
    pos: usize,
    done: bool,
}

impl<S: Replay + ?Sized> CbcReader<'_, S> {
    fn fill(&mut self) -> Result<()> {
        self.out.clear();
        self.pos = 0;
        while self.out.is_empty() && !self.done {
            let st = match &mut self.st {
                Some(st) => st,
                None => self.st.insert(
                    self.provider
                        .jwe
                        .cbc_stream(self.enc, &self.cek, &self.iv, &self.aad, false)
                        .map_err(|_| Error::DecryptionFailed)?,
                ),
            };
            let piece = self.ct.next_piece()?;
            if piece.is_empty() {
                self.done = true;
                if let Some(st) = self.st.take() {
                    st.finish(&self.tag, &mut self.out)
                        .map_err(|_| Error::DecryptionFailed)?;
                }
            } else {
                st.update(piece, &mut self.out)
                    .map_err(|_| Error::DecryptionFailed)?;
            }
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.ct.restart();
        self.st = None;
        self.out.clear();
        self.pos = 0;
        self.done = false;
    }
}

impl<S: Replay + ?Sized> Read for Plaintext<'_, S> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let (data, pos): (&[u8], &mut usize) = match self {
            Plaintext::Held { data, pos } => (data.as_slice(), pos),
            Plaintext::Cbc(r) => {
                if r.pos >= r.out.len() {
                    r.fill().map_err(to_io)?;
                }
                (r.out.as_slice(), &mut r.pos)
            }
        };
        let avail = data.get(*pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        *pos += n;
        Ok(n)
    }
}

impl<S: Replay + ?Sized> Replay for Plaintext<'_, S> {
    fn seek_to(&mut self, offset: u64) -> Result<()> {
        match self {
            Plaintext::Held { data, pos } => {
                *pos = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                Ok(())
            }
            Plaintext::Cbc(r) => {
                r.restart();
                crate::stream::skip(self, offset)
            }
        }
    }
}
