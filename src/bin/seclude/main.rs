//! `seclude`: run a program under pledge-style promises and unveil-style
//! path rules, learn what a program needs, and explain a policy.
//!
//! The command is a thin layer over the library: argument parsing and
//! output here, every kernel mechanism in `seclude::*`. Run mode keeps the
//! flags of Cosmopolitan's `pledge.com` where they overlap. Exit statuses
//! are listed in [`exit`] and in `--help`.

mod attr;
mod cli;
mod elf;
mod inspect;
mod json;
mod learn;
mod marker;
mod policy_file;
mod recycle;
mod run;
mod seccompiler;
mod supervise;

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

/// seclude's own exit statuses. Any other status is the program's own; a
/// program killed by signal N gives 128 + N.
pub mod exit {
    /// A bad flag, argument or value (the message names it).
    pub const USAGE: u8 = 64;
    /// A promise list with an unknown word, or promises that cannot be
    /// compiled.
    pub const PROMISES: u8 = 65;
    /// An unveil rule that cannot be applied (missing path, bad
    /// permission letters, Landlock unavailable).
    pub const UNVEIL: u8 = 66;
    /// `explain` found the promise table and the compiled filter
    /// disagreeing: a bug in seclude (`EX_SOFTWARE`).
    pub const BUG: u8 = 70;
    /// Another part of the sandbox could not be applied (namespaces,
    /// limits, ids, the seccomp filter).
    pub const SETUP: u8 = 71;
    /// The program was found but could not be executed.
    pub const CANNOT_EXECUTE: u8 = 126;
    /// The program was not found.
    pub const NOT_FOUND: u8 = 127;
    /// Killed for a refused call under `-k` (as by `SIGSYS`: 128 + 31).
    pub const VIOLATION: u8 = 159;
}
