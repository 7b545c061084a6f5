//! Input from a path or stdin; output that appears only when the command succeeded.
//!
//! Every output goes to a temporary file first: beside the target for `-o FILE` (renamed
//! into place on success), or an anonymous one for stdout (copied out on success). So a
//! failed verification or decryption leaves no file behind and prints nothing, and
//! unauthenticated plaintext is never released.

use crate::error::{CliResult, Failure};
use std::fs::File;
use std::io::{BufWriter, IsTerminal, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Bodies larger than this get a progress bar on a terminal.
const PROGRESS_THRESHOLD: u64 = 8 << 20;

fn is_stdin(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p.as_os_str() == "-")
}

/// Opens INPUT (stdin for none or `-`), with a progress bar for large files on a TTY.
pub(crate) fn open_input(path: Option<&Path>) -> CliResult<Box<dyn Read>> {
    if is_stdin(path) {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let path = path.unwrap_or(Path::new("-"));
    let file = File::open(path).map_err(|e| Failure::io(path, &e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size > PROGRESS_THRESHOLD && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(size);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        ) {
            bar.set_style(style);
        }
        return Ok(Box::new(bar.wrap_read(file)));
    }
    Ok(Box::new(file))
}

/// A token on its way in: a JSON serialization (read whole, it is small) or a compact
/// token left in its file, to be read as often as verification needs.
pub(crate) enum Token {
    Json(String),
    Compact(TokenFile),
}

/// Opens INPUT as a token: a file is read in place, stdin is spooled first to an
/// anonymous temporary file (mode 0600, unnamed where the OS allows, gone when closed).
/// Whitespace around the token (a file's newline) is not part of it; inside a token
/// nothing but its own characters is accepted.
pub(crate) fn open_token(path: Option<&Path>) -> CliResult<Token> {
    let name = path.unwrap_or(Path::new("stdin"));
    let read_err = |e: std::io::Error| Failure::io(name, &e);
    let mut file = if is_stdin(path) {
        let mut spool =
            tempfile::tempfile().map_err(|e| Failure::usage(format!("temporary file: {e}")))?;
        std::io::copy(&mut std::io::stdin().lock(), &mut spool).map_err(read_err)?;
        spool
    } else {
        File::open(name).map_err(read_err)?
    };
    let len = file.seek(std::io::SeekFrom::End(0)).map_err(read_err)?;
    file.rewind().map_err(read_err)?;
    // The first byte that is not whitespace.
    let mut start = 0u64;
    let mut buf = vec![0u8; 1 << 16];
    let first = loop {
        let n = file.read(&mut buf).map_err(read_err)?;
        if n == 0 {
            break None;
        }
        let chunk = buf.get(..n).unwrap_or_default();
        match chunk.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                start += i as u64;
                break chunk.get(i).copied();
            }
            None => start += n as u64,
        }
    };
    // The end, before any trailing whitespace.
    let mut end = len;
    while end > start {
        let from = end.saturating_sub(buf.len() as u64).max(start);
        let n = usize::try_from(end - from).unwrap_or(0);
        let chunk = buf.get_mut(..n).unwrap_or_default();
        file.seek(std::io::SeekFrom::Start(from))
            .map_err(read_err)?;
        file.read_exact(chunk).map_err(read_err)?;
        match chunk.iter().rposition(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                end = from + i as u64 + 1;
                break;
            }
            None => end = from,
        }
    }
    let mut token = TokenFile {
        file,
        start,
        len: end - start,
        pos: 0,
    };
    if first == Some(b'{') {
        let mut text = String::new();
        token
            .read_to_string(&mut text)
            .map_err(|_| Failure::usage("input is not UTF-8 JSON"))?;
        return Ok(Token::Json(text));
    }
    Ok(Token::Compact(token))
}

/// The bytes `start..start + len` of a file, read and seeked as a file of their own.
pub(crate) struct TokenFile {
    file: File,
    start: u64,
    len: u64,
    pos: u64,
}

impl Read for TokenFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == 0 {
            self.file.seek(std::io::SeekFrom::Start(self.start))?;
        }
        let left = usize::try_from(self.len - self.pos).unwrap_or(usize::MAX);
        let n = buf.len().min(left);
        let n = self.file.read(buf.get_mut(..n).unwrap_or_default())?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for TokenFile {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        let target = match to {
            std::io::SeekFrom::Start(n) => Some(n),
            std::io::SeekFrom::End(d) => self.len.checked_add_signed(d),
            std::io::SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        }
        .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidInput))?
        .min(self.len);
        self.file
            .seek(std::io::SeekFrom::Start(self.start + target))?;
        self.pos = target;
        Ok(target)
    }
}

/// Reads all of INPUT.
pub(crate) fn read_all(path: Option<&Path>) -> CliResult<Vec<u8>> {
    let mut buf = Vec::new();
    open_input(path)?
        .read_to_end(&mut buf)
        .map_err(|e| Failure::io(path.unwrap_or(Path::new("stdin")), &e))?;
    Ok(buf)
}

/// Reads all of INPUT as UTF-8 text.
pub(crate) fn read_text(path: Option<&Path>) -> CliResult<String> {
    String::from_utf8(read_all(path)?).map_err(|_| Failure::usage("input is not UTF-8 text"))
}

/// Reads a named file.
pub(crate) fn read_file(path: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| Failure::io(path, &e))
}

enum Dest {
    /// Linux: an unnamed file (`O_TMPFILE`) in the target's directory, linked into place
    /// on commit. Nothing of it can be left behind, whatever ends the process.
    Unnamed {
        dir: PathBuf,
        target: PathBuf,
    },
    /// Elsewhere: a named temporary beside the target, renamed into place on commit,
    /// removed on drop and on SIGINT, SIGTERM and SIGHUP.
    Named {
        temp: tempfile::TempPath,
        target: PathBuf,
    },
    Stdout,
}

/// An output that becomes visible only on [`Output::commit`]. Dropping it uncommitted
/// deletes what was written.
pub(crate) struct Output {
    dest: Dest,
    file: BufWriter<File>,
}

/// Who may read an output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Privacy {
    /// Mode 0600: private keys, plaintext and reports.
    Private,
    /// Mode 0644: tokens and public keys.
    Public,
}

impl Output {
    /// An output to `path` (stdout when `None` or `-`).
    pub(crate) fn create(path: Option<&Path>, privacy: Privacy) -> CliResult<Self> {
        let Some(target) = path.filter(|p| p.as_os_str() != "-") else {
            // Unnamed where the OS allows (tempfile uses O_TMPFILE on Linux), deleted at
            // once elsewhere.
            let file =
                tempfile::tempfile().map_err(|e| Failure::usage(format!("temporary file: {e}")))?;
            return Ok(Output {
                dest: Dest::Stdout,
                file: BufWriter::with_capacity(1 << 20, file),
            });
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let (file, dest) = match unnamed_in(dir) {
            Some(file) => (
                file,
                Dest::Unnamed {
                    dir: dir.to_owned(),
                    target: target.to_owned(),
                },
            ),
            None => {
                // Created with mode 0600 on Unix.
                let temp = tempfile::Builder::new()
                    .prefix(".bodyseal-")
                    .tempfile_in(dir)
                    .map_err(|e| Failure::io(target, &e))?;
                let (file, temp) = temp.into_parts();
                cleanup::register(&temp);
                (
                    file,
                    Dest::Named {
                        temp,
                        target: target.to_owned(),
                    },
                )
            }
        };
        if privacy == Privacy::Public {
            set_public(&file);
        }
        Ok(Output {
            dest,
            file: BufWriter::with_capacity(1 << 20, file),
        })
    }

    /// The writer (nothing is visible until commit).
    pub(crate) fn writer(&mut self) -> &mut BufWriter<File> {
        &mut self.file
    }

    /// Makes the output visible: links or renames the file into place, or copies it to
    /// stdout.
    pub(crate) fn commit(self) -> CliResult<()> {
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| Failure::usage(format!("write: {}", e.error())))?;
        match self.dest {
            Dest::Unnamed { dir, target } => {
                file.sync_all().map_err(|e| Failure::io(&target, &e))?;
                link_into_place(&file, &dir, &target).map_err(|e| Failure::io(&target, &e))?;
            }
            Dest::Named { temp, target } => {
                file.sync_all().map_err(|e| Failure::io(&target, &e))?;
                cleanup::forget(&temp);
                temp.persist(&target)
                    .map_err(|e| Failure::io(&target, &e.error))?;
            }
            Dest::Stdout => {
                file.rewind()
                    .map_err(|e| Failure::usage(format!("temporary file: {e}")))?;
                let mut out = std::io::stdout().lock();
                std::io::copy(&mut file, &mut out)
                    .and_then(|_| out.flush())
                    .map_err(|e| Failure::usage(format!("stdout: {e}")))?;
            }
        }
        Ok(())
    }
}

/// An unnamed file in `dir`, mode 0600 (`None` where the OS or file system has none,
/// or when `BODYSEAL_NAMED_TEMP` is set, which the tests use to exercise the other path).
#[cfg(target_os = "linux")]
fn unnamed_in(dir: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    if std::env::var_os("BODYSEAL_NAMED_TEMP").is_some() {
        return None;
    }
    rustix::fs::open(
        dir,
        OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o600),
    )
    .ok()
    .map(File::from)
}

#[cfg(not(target_os = "linux"))]
fn unnamed_in(_: &Path) -> Option<File> {
    None
}

/// Gives the unnamed `file` the name `target`: linked under a fresh name beside it (a
/// link never replaces a file), then renamed over it.
#[cfg(target_os = "linux")]
fn link_into_place(file: &File, dir: &Path, target: &Path) -> std::io::Result<()> {
    use rustix::fs::{AtFlags, CWD};
    use std::os::fd::AsRawFd;
    let fd = format!("/proc/self/fd/{}", file.as_raw_fd());
    let named = tempfile::Builder::new()
        .prefix(".bodyseal-")
        .make_in(dir, |path| {
            rustix::fs::linkat(CWD, fd.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW)
                .or_else(|_| rustix::fs::linkat(file, "", CWD, path, AtFlags::EMPTY_PATH))
                .map_err(std::io::Error::from)
        })?;
    named.into_temp_path().persist(target).map_err(|e| e.error)
}

#[cfg(not(target_os = "linux"))]
fn link_into_place(_: &File, _: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Named temporaries to remove if a signal ends the process before they are committed.
mod cleanup {
    use std::path::PathBuf;
    use std::sync::{Mutex, Once};

    static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

    fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
        PENDING
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Removes `path` on SIGINT, SIGTERM or SIGHUP until it is forgotten.
    pub(super) fn register(path: &std::path::Path) {
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            {
                std::thread::spawn(move || {
                    if let Some(sig) = signals.forever().next() {
                        for p in pending().iter() {
                            let _ = std::fs::remove_file(p);
                        }
                        std::process::exit(128 + sig);
                    }
                });
            }
        });
        pending().push(path.to_owned());
    }

    /// No longer removes `path` (committed). A temporary dropped uncommitted is removed
    /// by its owner; removing it again on a signal is harmless.
    pub(super) fn forget(path: &std::path::Path) {
        pending().retain(|p| p != path);
    }
}

/// Writes `data` to `path` or stdout, atomically.
pub(crate) fn write_all(path: Option<&Path>, privacy: Privacy, data: &[u8]) -> CliResult<()> {
    let mut out = Output::create(path, privacy)?;
    out.writer()
        .write_all(data)
        .map_err(|e| Failure::usage(format!("write: {e}")))?;
    out.commit()
}

#[cfg(unix)]
fn set_public(file: &File) {
    use std::os::unix::fs::PermissionsExt;
    // Best effort: a token or public key may be world-readable.
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_public(_: &File) {}

/// Maps a write error.
pub(crate) fn write_err(e: std::io::Error) -> Failure {
    Failure::usage(format!("write: {e}"))
}

/// Prints a line to stdout; a closed pipe (`| head`) ends the output quietly.
pub(crate) fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}
