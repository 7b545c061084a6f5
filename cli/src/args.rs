//! The command line as clap sees it.

use clap::{Parser, Subcommand};

/// Sign, verify, encrypt and decrypt API bodies with JOSE.
#[derive(Debug, Parser)]
#[command(name = "bodyseal", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Walk through signing and verifying a sample body; needs no files.
    ///
    /// Example: bodyseal demo
    Demo,
}
