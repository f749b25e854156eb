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
//! loader's promises anyway (see `crate::launch::LOADER`). The paths the
//! program names (open, exec, stat, create, remove) are read from its
//! memory to propose `-v` rules: a hint, never a decision.

use crate::cli::{self, Failure};
use crate::elf;
use crate::launch::{self, LOADER};
use crate::marker;
use crate::procfs;
use crate::supervise::{self, Ended, Launch};
use crate::verdict::{Caller, Phase, Verdict};
use seclude::landlock::UnixSockets;
use seclude::pledge::{Needs, Promises, needs, smallest_cover};
use seclude::seccomp::notify::{Notification, Response};
use seclude::sys::fd::{MFD_EXEC, MFD_NOEXEC_SEAL};
use seclude::tables::{Abi, Syscall};
use std::collections::BTreeMap;
use std::ffi::{CString, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

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
    /// The paths the program named after loading, with unveil letters.
    paths: BTreeMap<PathBuf, String>,
    /// Whether it made a UNIX socket that unveil refuses on this kernel
    /// (Landlock before ABI 9 cannot confine connecting to one by path).
    unix_sockets: bool,
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
            let mut args = n.data.args;
            if call == Syscall::memfd_create && args[1] & u64::from(MFD_EXEC) == 0 {
                // Under exec, seclude run seals the memfd itself: exec
                // takes nothing from it.
                args[1] |= u64::from(MFD_NOEXEC_SEAL);
            }
            let need = needs(Abi::NATIVE, call, &args, n.pid);
            if !seen.needs.contains(&need) {
                seen.needs.push(need);
            }
            if phase == Phase::Loaded {
                let refused = seclude::landlock::seccomp_supplement_rules(
                    seclude::landlock::abi_version(),
                    UnixSockets::ConfinedOnly,
                );
                let bits = Abi::NATIVE.pointer_bits();
                self.unix_sockets |= matches!(call, Syscall::socket | Syscall::socketpair)
                    && refused
                        .iter()
                        .any(|r| r.syscall == call && r.matches(&n.data.args, bits));
                if let Some((path, letters)) = named_path(n, call) {
                    add_letters(self.paths.entry(path).or_default(), letters);
                }
            }
        }
    }
}

/// The path a call names and the unveil letters it needs, read from the
/// caller's memory. A hint for the report, never a decision: another
/// thread could change the memory after it was read.
fn named_path(n: &Notification, call: Syscall) -> Option<(PathBuf, &'static str)> {
    use Syscall as S;
    const O_ACCMODE: u64 = 3;
    const O_CREAT: u64 = 0o100;
    let a = &n.data.args;
    let open_letters = |flags: u64| match (flags & O_ACCMODE, flags & O_CREAT != 0) {
        (0, false) => "r",
        (0, true) => "rc",
        (1, false) => "w",
        (1, true) => "wc",
        (_, false) => "rw",
        (_, true) => "rwc",
    };
    // (directory descriptor or None for the working directory, path, letters)
    let (dir, address, letters) = match call {
        S::open => (None, a[0], open_letters(a[1])),
        S::openat => (Some(a[0]), a[1], open_letters(a[2])),
        S::creat => (None, a[0], "wc"),
        S::execve => (None, a[0], "rx"),
        S::execveat => (Some(a[0]), a[1], "rx"),
        S::stat | S::lstat | S::access | S::readlink | S::chdir => (None, a[0], "r"),
        S::newfstatat | S::statx | S::faccessat | S::faccessat2 | S::readlinkat => {
            (Some(a[0]), a[1], "r")
        }
        S::mkdir | S::unlink | S::rmdir => (None, a[0], "c"),
        S::mkdirat | S::unlinkat => (Some(a[0]), a[1], "c"),
        _ => return None,
    };
    let path = procfs::read_string(n.pid, address)?;
    if path.as_os_str().is_empty() {
        return None;
    }
    let full = if path.is_absolute() {
        path
    } else {
        let base = match dir {
            Some(fd) if fd as i32 != seclude::sys::fd::AT_FDCWD => {
                std::fs::read_link(format!("/proc/{}/fd/{}", n.pid, fd as i32)).ok()?
            }
            _ => std::fs::read_link(format!("/proc/{}/cwd", n.pid)).ok()?,
        };
        base.join(path)
    };
    Some((full, letters))
}

/// Adds the unveil letters of `more` that `letters` lacks.
fn add_letters(letters: &mut String, more: &str) {
    for letter in more.chars() {
        if !letters.contains(letter) {
            letters.push(letter);
        }
    }
}

/// The `-v` rules to propose: the paths the program used that exist and
/// that run mode would not unveil by itself under `promises`
/// ([`launch::unveiled_automatically`]), a directory instead of its files when
/// it used three or more of them. Paths under /proc/self stay as named:
/// resolved here they would name seclude.
fn unveil_hints(
    paths: &BTreeMap<PathBuf, String>,
    program: &Path,
    promises: Promises,
) -> Vec<(String, PathBuf)> {
    let mut chosen: BTreeMap<PathBuf, String> = BTreeMap::new();
    let mut by_dir: BTreeMap<PathBuf, Vec<(PathBuf, &String)>> = BTreeMap::new();
    let program = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    for (path, letters) in paths {
        // Creating or removing needs the right on the directory (Landlock
        // checks the parent), and the file may not exist (any more).
        let target = if letters.contains('c') {
            path.parent().unwrap_or(path).to_path_buf()
        } else {
            path.clone()
        };
        let Ok(canonical) = std::fs::canonicalize(&target) else {
            continue;
        };
        let real = if target.starts_with("/proc/self") {
            target
        } else {
            canonical
        };
        if launch::unveiled_automatically(&real, promises) || real == program {
            continue;
        }
        let dir = if real.is_dir() {
            real.clone()
        } else {
            real.parent().unwrap_or(&real).to_path_buf()
        };
        by_dir.entry(dir).or_default().push((real, letters));
    }
    for (dir, entries) in by_dir {
        let many = entries.len() >= 3;
        for (path, letters) in entries {
            let target = if many { dir.clone() } else { path };
            add_letters(chosen.entry(target).or_default(), letters);
        }
    }
    chosen
        .into_iter()
        .map(|(path, letters)| {
            let mut sorted: Vec<char> = letters.chars().collect();
            sorted.sort_by_key(|c| "rwxc".find(*c));
            (sorted.into_iter().collect(), path)
        })
        .collect()
}

/// A rule as `-v` takes it, quoted for a shell.
fn flag(letters: &str, path: &Path) -> String {
    format!(
        "-v {}",
        cli::shell_quote(&format!("{letters}:{}", path.display()))
    )
}

/// `seclude learn`.
pub fn main(args: &[OsString]) -> Result<u8, Failure> {
    let mut rest = args;
    let mut save = None;
    if rest.first().map(|a| a.as_bytes()) == Some(b"--save") {
        let file = rest
            .get(1)
            .ok_or_else(|| Failure::usage("learn: --save needs a file".into()))?;
        save = Some(PathBuf::from(file));
        rest = &rest[2..];
    }
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
    let path = launch::find_program(name)?;
    let executable =
        elf::inspect(&path).map_err(|e| launch::cannot_execute(&path, &e.to_string()))?;
    let loader = launch::loader_of(&path, &executable)?;
    let mut env: Vec<(OsString, OsString)> = std::env::vars_os().collect();
    let mut marker_fd = None;
    if loader.as_deref().is_some_and(elf::trusted_loader) {
        if let Some(object) = elf::NATIVE_MACHINE.and_then(marker::object) {
            let fd = launch::marker_memfd(&object)?;
            launch::set_preload(&mut env, &format!("/proc/self/fd/{}", fd.raw()));
            marker_fd = Some(fd);
        }
    }
    let mut launch = Launch {
        path: CString::new(path.as_os_str().as_bytes()).expect("paths have no NUL"),
        argv: launch::c_strings(rest)?,
        envp: launch::environment(&env),
        clone_flags: 0,
        filter: launch::filter(Promises::empty(), None, false, false),
        extra_filter: Vec::new(),
        follow_images: false,
    };
    let mut record = Record::default();
    let mut handler = |n: &Notification, caller: Caller| -> Verdict {
        record.add(n, caller.phase);
        Verdict::answer(Response::Continue)
    };
    let ended = supervise::run(
        &mut launch,
        &supervise::ParentWatch::new(),
        &mut || Ok(()),
        &mut handler,
    )?;
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
    let learned = report(&record, &shown, code, &path);
    eprint!("{}", learned.text);
    if let Some(file) = save {
        let policy = crate::policy_file::render(&learned.promises, &learned.unveils);
        std::fs::write(&file, policy).map_err(|e| {
            Failure::new(
                crate::exit::SETUP,
                format!("learn: --save {}: {e}", file.display()),
            )
        })?;
        cli::say_err(format_args!(
            "saved: {} (run it with: seclude --policy {} -- {shown})",
            file.display(),
            cli::shell_quote(&file.to_string_lossy())
        ));
    }
    Ok(code)
}

/// What learn found: the report, and the smallest promise set and unveil
/// rules it proposes.
struct Learned {
    text: String,
    promises: String,
    unveils: Vec<(String, PathBuf)>,
}

/// The report: program-phase calls with counts and what allows them, the
/// loading phase in one line, the calls no promise allows, and the
/// smallest promise set with the command line to use it.
fn report(record: &Record, shown: &str, code: u8, program: &Path) -> Learned {
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
    if cover.conflicts() > 0 {
        let _ = writeln!(
            out,
            "refused under the promise set below: {} call(s) that it excludes (an executable memfd, MFD_EXEC, under exec)",
            cover.conflicts()
        );
    }
    let words = cli::promise_words(cover.promises());
    let _ = writeln!(
        out,
        "smallest promise set: {}",
        if words.is_empty() { "(none)" } else { &words }
    );
    let unveils = unveil_hints(&record.paths, program, cover.promises());
    let hints: Vec<String> = unveils.iter().map(|(l, p)| flag(l, p)).collect();
    let _ = writeln!(
        out,
        "paths it used, besides what seclude unveils by itself: {}",
        if hints.is_empty() {
            "(none)".to_string()
        } else {
            hints.join(" ")
        }
    );
    let mut command = vec![
        "seclude".to_string(),
        "-p".to_string(),
        cli::shell_quote(&words),
    ];
    command.extend(hints);
    command.push("--".to_string());
    command.push(shown.to_string());
    let _ = writeln!(out, "try: {}", command.join(" "));
    if record.unix_sockets {
        let _ = writeln!(
            out,
            "note: it made UNIX sockets, which unveil refuses on this kernel (its Landlock cannot confine connecting to them by path before ABI 9, Linux 7.1): if it needs them, add --unconfined-unix (policy file: \"unconfined_unix\": true), and every pathname socket becomes reachable"
        );
    }
    Learned {
        text: out,
        promises: words,
        unveils,
    }
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
                .zip(need.excluded())
                .map(|(a, unless)| {
                    let words = cli::promise_words(*a);
                    if unless.is_empty() {
                        words
                    } else {
                        format!("{words} without {}", cli::promise_words(*unless))
                    }
                })
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
usage: seclude learn [--save FILE] [--] PROGRAM [ARGS...]

Runs PROGRAM with every system call reported to seclude and let through,
then prints (on standard error) the calls it made after loading, with
their counts and the promises that allow them, the smallest promise set
that allows them all, the paths it used (as -v rules, leaving out what
seclude unveils by itself) and the command line to run it confined. The
exit status is the program's. --save FILE also writes the promises and
rules found as a policy file, for `seclude --policy FILE` and `seclude
check FILE`.

example:
  seclude learn -- ls /
  seclude learn --save ls.json -- ls / && seclude --policy ls.json -- ls /
  eval \"$(seclude learn -- ls / 2>&1 >/dev/null | sed -n 's/^try: //p')\"
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_what_to_unveil() {
        let dir = std::env::temp_dir().join(format!("seclude-hints-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for f in ["a", "b", "c"] {
            std::fs::write(dir.join(f), "x").unwrap();
        }
        let dir = std::fs::canonicalize(&dir).unwrap();
        let mut paths = BTreeMap::new();
        paths.insert(PathBuf::from("/etc/hostname"), "r".to_string());
        // Created: the directory needs the rights (the file may be gone).
        paths.insert(dir.join("new-file"), "wc".to_string());
        // Three files of one directory: the directory.
        for f in ["a", "b", "c"] {
            paths.insert(dir.join(f), "r".to_string());
        }
        // Unveiled by seclude itself, the program, and a missing path.
        paths.insert(PathBuf::from("/usr/lib/os-release"), "r".to_string());
        paths.insert(PathBuf::from("/bin/sh"), "rx".to_string());
        paths.insert(PathBuf::from("/nonexistent/x"), "r".to_string());
        // Unveiled under stdio; /proc/self/maps is not (vminfo's), and
        // stays /proc/self (the child's, not seclude's).
        paths.insert(PathBuf::from("/dev/null"), "rw".to_string());
        paths.insert(PathBuf::from("/proc/self/maps"), "r".to_string());
        let hints: Vec<String> = unveil_hints(&paths, Path::new("/bin/sh"), Promises::STDIO)
            .iter()
            .map(|(letters, path)| flag(letters, path))
            .collect();
        std::fs::remove_dir_all(&dir).unwrap();
        let expected = vec![
            "-v r:/etc/hostname".to_string(),
            "-v r:/proc/self/maps".to_string(),
            format!("-v rwc:{}", dir.display()),
        ];
        assert_eq!(hints, expected);
    }
}
