//! What can go wrong on the command line, and the exit code and hint for each.

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
            Error::Rejected(Rejected::AlgNotAllowed(_)) => {
                Some("allow it with --allow-alg if you expect it".to_owned())
            }
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
