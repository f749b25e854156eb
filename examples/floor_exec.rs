//! Runs a program under the kernel mechanisms alone, with no supervisor
//! and no promises: what any sandbox built on them costs at least. The
//! launch benchmark (`.ci/bench-launch.sh`) runs its jobs this way beside
//! `seclude`, so the part of seclude's overhead that is the kernel's own is
//! measured, not guessed.
//!
//!     cargo run --release --example floor_exec -- -s -v rx:/usr -- find /usr/lib -type f
//!
//! `-v PERM:PATH` unveils PATH (Landlock, as `seclude -v`; the letters
//! `r`, `w`, `x`, `c`), and `-s` installs a seccomp filter that allows
//! every call of the native ABI: the kernel caches its verdicts when it is
//! loaded, so what remains is seccomp's entry path on every system call,
//! the least a filter costs. Without either, it measures the wrapper
//! itself: one more exec and a program's start. `-f` runs the program as
//! a child and waits for it, as a wrapper that stays to supervise must
//! (std's spawn: `posix_spawn`, a `vfork`-style clone), and exits with its
//! status.

use seclude::bpf::Action;
use seclude::landlock::Unveil;
use seclude::seccomp::{FilterFlags, Policy};
use seclude::tables::Syscall;
use std::ffi::CString;
use std::os::unix::process::CommandExt;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut unveiled: Vec<(String, CString)> = Vec::new();
    let mut seccomp = false;
    let mut fork = false;
    let mut rest = args.iter();
    let program: Vec<&String> = loop {
        match rest.next().map(String::as_str) {
            Some("-s") => seccomp = true,
            Some("-f") => fork = true,
            Some("-v") => {
                let Some((perms, path)) = rest.next().and_then(|v| v.split_once(':')) else {
                    eprintln!("floor_exec: -v needs PERM:PATH");
                    return ExitCode::from(64);
                };
                let Ok(path) = CString::new(path) else {
                    eprintln!("floor_exec: a path with a NUL byte");
                    return ExitCode::from(64);
                };
                unveiled.push((perms.to_string(), path));
            }
            Some("--") => break rest.collect(),
            _ => {
                eprintln!("usage: floor_exec [-f] [-s] [-v PERM:PATH]... -- PROGRAM [ARGS...]");
                return ExitCode::from(64);
            }
        }
    };
    let Some((name, args)) = program.split_first() else {
        eprintln!("floor_exec: no program");
        return ExitCode::from(64);
    };
    if !unveiled.is_empty() {
        // A missing path (/usr/lib64, say) is skipped, as seclude skips it.
        let mut unveil: Unveil<'_, 64> = Unveil::new().skip_missing_paths();
        for (perms, path) in &unveiled {
            if let Err(e) = unveil.unveil(path, perms) {
                eprintln!("floor_exec: {}: {e}", path.to_string_lossy());
                return ExitCode::from(64);
            }
        }
        if let Err(e) = unveil.commit() {
            eprintln!("floor_exec: {e}");
            return ExitCode::from(71);
        }
    }
    if seccomp {
        // One rule, so the filter is a real one (the default answers the
        // rest): every call is allowed.
        let policy: Policy<1> =
            Policy::new(Action::Allow).rule(Syscall::getpid, &[], Action::Allow);
        let program = match seclude::seccomp::compile::<1, 64>(&policy) {
            Ok(program) => program,
            Err(e) => {
                eprintln!("floor_exec: compiling the filter: {e:?}");
                return ExitCode::from(70);
            }
        };
        if let Err(e) = seclude::seccomp::load(program.instructions(), FilterFlags::empty()) {
            eprintln!("floor_exec: loading the filter: {e}");
            return ExitCode::from(71);
        }
    }
    if fork {
        return match Command::new(name).args(args).status() {
            Ok(status) => ExitCode::from(status.code().unwrap_or(128) as u8),
            Err(e) => {
                eprintln!("floor_exec: {name}: {e}");
                ExitCode::from(126)
            }
        };
    }
    let e = Command::new(name).args(args).exec();
    eprintln!("floor_exec: {name}: {e}");
    ExitCode::from(126)
}
