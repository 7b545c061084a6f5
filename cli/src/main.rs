//! The `bodyseal` command line: a thin layer over the library.
//!
//! Exit codes: 0 success; 1 cryptographic rejection (bad signature, decryption failure,
//! algorithm not allowed, wrong nesting order, binding mismatch); 2 usage or malformed
//! input (bad flag, unreadable key, unparseable token, unsupported algorithm). On any
//! failure nothing goes to stdout and no `-o` file is left behind.

#![forbid(unsafe_code)]

mod args;
mod cmd;
mod error;
mod io;
mod keys;
mod time;

use args::{Cli, Command, VectorsCommand};
use clap::{CommandFactory, Parser};
use std::process::ExitCode;

fn run(cli: Cli) -> error::CliResult<()> {
    match cli.command {
        Command::Key(k) => cmd::key::run(k),
        Command::Sign(a) => cmd::jose::sign(a),
        Command::Verify(a) => cmd::jose::verify(a),
        Command::Encrypt(a) => cmd::jose::encrypt(a),
        Command::Decrypt(a) => cmd::jose::decrypt(a),
        Command::Seal(a) => cmd::seal::seal(a),
        Command::Open(a) => cmd::seal::open(a),
        Command::Proxy(p) => cmd::proxy::run(p),
        Command::Inspect(a) => cmd::inspect::run(a),
        Command::Vectors(VectorsCommand::Check { paths }) => cmd::vectors::check(&paths),
        Command::Demo(a) if a.https => cmd::demo::https(),
        Command::Demo(_) => cmd::demo::run(),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "bodyseal",
                &mut std::io::stdout(),
            );
            Ok(())
        }
    }
}

fn main() -> ExitCode {
    // clap exits with 2 on usage errors (and 0 for --help / --version).
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}", f.message);
            if let Some(h) = f.hint {
                eprintln!("hint: {h}");
            }
            ExitCode::from(f.code)
        }
    }
}
