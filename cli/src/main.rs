//! The `bodyseal` command line: a thin layer over the library.
//!
//! Exit codes: 0 success; 1 the input was rejected (bad signature, policy); 2 usage,
//! malformed input, key or I/O problems.

#![forbid(unsafe_code)]

mod args;
mod cmd;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = args::Cli::parse();
    let result = match args.command {
        args::Command::Demo => cmd::demo::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if e.is_rejection() {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}
