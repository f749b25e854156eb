//! `seclude learn [--] PROGRAM [ARGS…]`: runs the program with every
//! system call reported to seclude and let through (seccomp user
//! notifications answered with "continue"), then prints what it called and
//! the smallest promise set that allows all of it.
//!
//! The calls pledge always answers itself are not seen and need no
//! promise: `exit`, `exit_group`, `rt_sigreturn`, `getpid`, and the ones
//! that fail with `ENOSYS` under every pledge (`clone3`, `openat2`, …) —
//! they fail here too, so that the program takes the fallback it will
//! take when confined, and that is what gets learnt. A dynamically linked
//! program's loading phase is reported apart: seclude allows it the
//! loader's promises anyway (see `crate::run::LOADER`).

use crate::cli::{self, Failure};
use crate::elf;
use crate::marker;
use crate::run::{self, LOADER};
use crate::supervise::{self, Ended, Launch, Phase, Verdict};
use seclude::pledge::{Needs, Promises, needs, smallest_cover};
use seclude::seccomp::notify::{Notification, Response};
use seclude::tables::{Abi, Syscall};
use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;

/// What was seen of one system call.
#[derive(Default)]
struct Seen {
    calls: u64,
    /// The distinct requirements of its calls (few: they depend on flag
    /// arguments, not on pointers).
    needs: Vec<Needs>,
}

#[derive(Default)]
struct Record {
    program: BTreeMap<u32, Seen>,
    loading: BTreeMap<u32, Seen>,
}

impl Record {
    fn add(&mut self, n: &Notification, phase: Phase) {
        let book = match phase {
            Phase::Loading => &mut self.loading,
            Phase::Loaded => &mut self.program,
        };
        let seen = book.entry(n.data.nr as u32).or_default();
        seen.calls += 1;
        if let Some(call) = Abi::NATIVE.syscall(n.data.nr as u32) {
            let need = needs(Abi::NATIVE, call, &n.data.args, n.pid);
            if !seen.needs.contains(&need) {
                seen.needs.push(need);
            }
        }
    }
}

/// `seclude learn`.
pub fn main(args: &[OsString]) -> Result<u8, Failure> {
    let mut rest = args;
    match rest.first().map(|a| a.as_bytes()) {
        Some(b"--") => rest = &rest[1..],
        Some(b"-h" | b"--help") => {
            print!("{HELP}");
            return Ok(0);
        }
        Some(flag) if flag.starts_with(b"-") => {
            return Err(Failure::usage(format!(
                "learn: unknown flag {} (the program goes after `--`)",
                String::from_utf8_lossy(flag)
            )));
        }
        _ => {}
    }
    let Some(name) = rest.first() else {
        return Err(Failure::usage("learn: no program to run".into()));
    };
    let path = run::find_program(name)?;
    let executable = elf::inspect(&path).map_err(|e| run::cannot_execute(&path, &e.to_string()))?;
    let loader = run::loader_of(&path, &executable)?;
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let mut marker_fd = None;
    if loader.as_deref().is_some_and(elf::trusted_loader) {
        if let Some(object) = elf::NATIVE_MACHINE.and_then(marker::object) {
            let fd = run::marker_memfd(&object)?;
            run::set_preload(&mut env, &format!("/proc/self/fd/{}", fd.raw()));
            marker_fd = Some(fd);
        }
    }
    let launch = Launch {
        path: CString::new(path.as_os_str().as_bytes()).expect("paths have no NUL"),
        argv: run::c_strings(rest)?,
        envp: run::environment(&env),
        clone_flags: 0,
        filter: run::filter(Promises::empty())?,
    };
    let mut record = Record::default();
    let mut handler = |n: &Notification, phase: Phase| -> Verdict {
        record.add(n, phase);
        Verdict {
            response: Response::Continue,
            kill: false,
        }
    };
    let ended = supervise::run(&launch, &mut || Ok(()), &mut handler)?;
    drop(marker_fd);
    let shown: Vec<String> = rest
        .iter()
        .map(|a| cli::shell_quote(&a.to_string_lossy()))
        .collect();
    let shown = shown.join(" ");
    let status = match ended {
        Ended::Failed(failure) => return Err(failure),
        Ended::Ran { status, .. } => status,
    };
    let code = match status {
        seclude::sys::process::ExitStatus::Exited(code) => code as u8,
        seclude::sys::process::ExitStatus::Killed { signal, .. } => {
            128u8.wrapping_add(signal as u8)
        }
    };
    eprint!("{}", report(&record, &shown, code));
    Ok(code)
}

/// The report: program-phase calls with counts and what allows them, the
/// loading phase in one line, the calls no promise allows, and the
/// smallest promise set with the command line to use it.
fn report(record: &Record, shown: &str, code: u8) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let total: u64 = record.program.values().map(|s| s.calls).sum();
    let _ = writeln!(
        out,
        "\nseclude learn: `{shown}` exited with {code}; after loading it made {total} system calls, {} different:",
        record.program.len()
    );
    let _ = writeln!(out, "  {:>7}  {:<20} allowed by", "calls", "syscall");
    let mut by_count: Vec<(&u32, &Seen)> = record.program.iter().collect();
    by_count.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
    for (nr, seen) in &by_count {
        let _ = writeln!(
            out,
            "  {:>7}  {:<20} {}",
            seen.calls,
            name(**nr),
            allowed_by(&seen.needs)
        );
    }
    // The loading phase is covered by the loader's allowance, except what
    // the loader's promises do not allow.
    let mut required: Vec<Needs> = Vec::new();
    for seen in record.program.values() {
        required.extend(seen.needs.iter().copied());
    }
    if !record.loading.is_empty() {
        let calls: u64 = record.loading.values().map(|s| s.calls).sum();
        let names: Vec<&str> = record.loading.keys().map(|&nr| name(nr)).collect();
        let _ = writeln!(
            out,
            "  while loading ({calls} calls, allowed by seclude's loader promises \"{}\"): {}",
            cli::promise_words(LOADER),
            names.join(" ")
        );
        for seen in record.loading.values() {
            required.extend(seen.needs.iter().copied().filter(|n| !n.allows(LOADER)));
        }
    }
    let cover = smallest_cover(&required);
    let never: Vec<&str> = record
        .program
        .iter()
        .chain(record.loading.iter())
        .filter(|(_, s)| s.needs.iter().any(Needs::is_never))
        .map(|(&nr, _)| name(nr))
        .collect();
    if !never.is_empty() {
        let _ = writeln!(
            out,
            "no promise allows: {} (refused under any pledge)",
            never.join(" ")
        );
    }
    let words = cli::promise_words(cover.promises());
    let _ = writeln!(
        out,
        "smallest promise set: {}",
        if words.is_empty() { "(none)" } else { &words }
    );
    let _ = writeln!(
        out,
        "try: seclude -p '{words}' -v r:PATH… -- {shown}\n(add -v rules for the paths it needs: unveil hides every other file)"
    );
    out
}

fn name(nr: u32) -> &'static str {
    Abi::NATIVE
        .syscall(nr)
        .map(Syscall::name)
        .unwrap_or("(unknown)")
}

/// The alternatives of a syscall's calls, e.g. `stdio`, `rpath | wpath cpath`.
fn allowed_by(needs: &[Needs]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for need in needs {
        let text = if need.is_never() {
            "(no promise)".to_string()
        } else if need.is_always() {
            "(always)".to_string()
        } else {
            let alts: Vec<String> = need
                .alternatives()
                .iter()
                .map(|a| cli::promise_words(*a))
                .collect();
            alts.join(" or ")
        };
        if !parts.contains(&text) {
            parts.push(text);
        }
    }
    parts.join("; ")
}

/// `seclude learn --help`.
pub const HELP: &str = "\
usage: seclude learn [--] PROGRAM [ARGS...]

Runs PROGRAM with every system call reported to seclude and let through,
then prints (on standard error) the calls it made after loading, with
their counts and the promises that allow them, and the smallest promise
set that allows them all. The exit status is the program's.

example:
  seclude learn -- ls /
  seclude -p \"$(seclude learn -- ls / 2>&1 >/dev/null | sed -n 's/^smallest promise set: //p')\" -v r:/ -- ls /
";
