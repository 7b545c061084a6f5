//! What can go wrong on the command line, and the exit code and hint for each.

use bodyseal::alg::{JweAlg, JweEnc};
use bodyseal::error::{KeyError, Rejected};
use bodyseal::Error;

/// A failed command: one line for stderr, at most one hint, and the exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
    pub(crate) code: u8,
}

pub(crate) type CliResult<T> = Result<T, Failure>;

impl Failure {
    /// A usage or input problem (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            hint: None,
            code: 2,
        }
    }

    /// Adds a hint line.
    pub(crate) fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// A library error about a key the user passed (exit 2), with a hint.
    pub(crate) fn key(e: Error, what: &str) -> Self {
        let hint = match &e {
            Error::Rejected(Rejected::KeyMismatch(m)) => Some(format!("{m}; pass a {what}")),
            Error::Key(KeyError::NotPrivate) => {
                Some(format!("this is a public key; pass a {what}"))
            }
            _ => None,
        };
        Failure {
            message: format!("unusable key: {e}"),
            hint,
            code: 2,
        }
    }

    /// An I/O problem with a named file (exit 2).
    pub(crate) fn io(what: &std::path::Path, e: &std::io::Error) -> Self {
        Failure::usage(format!("{}: {e}", what.display()))
    }
}

/// Exit 1 for a cryptographic or policy rejection of the input; 2 for everything else
/// (malformed or unsupported input, keys, usage).
impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::Rejected(_) | Error::InvalidSignature | Error::DecryptionFailed => 1,
            _ => 2,
        };
        let hint = match &e {
            Error::Rejected(Rejected::AlgNotAllowed(name)) => Some(format!(
                "allow it with {} if you expect it",
                allow_flag(name, "--allow-alg")
            )),
            Error::Rejected(Rejected::Compressed) => Some(
                "the token is compressed (zip: DEF); --allow-zip accepts it (inflated output is capped)"
                    .to_owned(),
            ),
            Error::Rejected(Rejected::Nesting(_)) => {
                Some("check --order: the token has another nesting".to_owned())
            }
            Error::Rejected(Rejected::Missing("aud" | "iss")) => Some(
                "the token lacks the aud/iss key binding; --allow-unbound accepts it".to_owned(),
            ),
            Error::Rejected(Rejected::KeyNotFound) => {
                Some("no given key matches the token's kid or algorithm".to_owned())
            }
            _ => None,
        };
        Failure {
            message: e.to_string(),
            hint,
            code,
        }
    }
}

/// The flag that allows algorithm `name`: `--allow-enc` for a content encryption,
/// `jwe_alg_flag` for a key-management algorithm (`--allow-alg` for `decrypt`,
/// `--allow-key-alg` for `open`), `--allow-alg` for a signature algorithm.
fn allow_flag(name: &str, jwe_alg_flag: &'static str) -> &'static str {
    if name.parse::<JweEnc>().is_ok() {
        "--allow-enc"
    } else if name.parse::<JweAlg>().is_ok() {
        jwe_alg_flag
    } else {
        "--allow-alg"
    }
}

impl Failure {
    /// A library error from `open`, whose flags differ: `--allow-key-alg` for the key
    /// management, and no `--allow-zip` (sealed bodies are never compressed).
    pub(crate) fn from_open(e: Error) -> Self {
        let mut f = Failure::from(e.clone());
        match &e {
            Error::Rejected(Rejected::AlgNotAllowed(name)) => {
                f.hint = Some(format!(
                    "allow it with {} if you expect it",
                    allow_flag(name, "--allow-key-alg")
                ));
            }
            Error::Rejected(Rejected::Compressed) => f.hint = None,
            _ => {}
        }
        f
    }
}
