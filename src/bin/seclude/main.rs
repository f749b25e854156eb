//! `seclude`: run a program under pledge-style promises and unveil-style
//! path rules, learn what a program needs, and explain a policy.
//!
//! The command is a thin layer over the library: argument parsing and
//! output here, every kernel mechanism in `seclude::*`. Run mode keeps the
//! flags of Cosmopolitan's `pledge.com` where they overlap. Exit statuses
//! are listed in [`exit`] and in `--help`.

#![warn(clippy::undocumented_unsafe_blocks)]

mod attr;
mod cli;
mod elf;
mod exit;
mod inspect;
mod json;
mod judge;
mod launch;
mod learn;
mod marker;
mod options;
mod plan;
mod policy_file;
mod procfs;
mod recycle;
mod run;
mod seccompiler;
mod supervise;
mod tracker;
mod verdict;

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

/// Freed memory is kept for reuse rather than given back (see [`recycle`]).
#[global_allocator]
static ALLOCATOR: recycle::Recycle = recycle::Recycle::new();

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let outcome = match args.first().and_then(|a| a.to_str()) {
        Some("learn") => learn::main(&args[1..]),
        Some("explain") => inspect::explain(&args[1..]),
        Some("bpf") => inspect::bpf(&args[1..]),
        Some("resolve") => inspect::resolve(&args[1..]),
        Some("syscalls") => inspect::syscalls(&args[1..]),
        Some("check") => policy_file::check(&args[1..]),
        Some("-h" | "--help" | "help") => {
            print!("{}", cli::HELP);
            Ok(0)
        }
        _ => run::main(&args),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            let _ = std::io::stdout().flush();
            cli::say_err(format_args!("seclude: {}", failure.message));
            if failure.code == exit::USAGE {
                cli::say_err(format_args!("Try 'seclude --help'."));
            }
            ExitCode::from(failure.code)
        }
    }
}
