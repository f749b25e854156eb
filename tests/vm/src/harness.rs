//! Running a check in a fresh child, as root and as an unprivileged user,
//! and printing one `pass`/`FAIL` line per result.
//!
//! A filter or a Landlock domain cannot be undone, so every check body runs
//! in its own forked child. In the unprivileged mode the child first drops
//! to uid/gid 65534 with no groups, which (from root, without
//! `SECBIT_KEEP_CAPS`) empties every capability set; the harness reads
//! `/proc/self/status` to be sure before the body runs.
//!
//! A body reports through a pipe, one result per line (`NAME\tok|bad\tTEXT`),
//! so a check may prove several things (one line per Landlock right, say);
//! a child that dies before its final line is a failure with the reason.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::os::fd::FromRawFd;

pub const NOBODY: u32 = 65534;

/// Who the body runs as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    Root,
    User,
}

impl Mode {
    pub const BOTH: [Mode; 2] = [Mode::Root, Mode::User];

    pub fn label(self) -> &'static str {
        match self {
            Mode::Root => "root",
            Mode::User => "uid 65534",
        }
    }
}

/// What the check program was told about the kernel it runs on.
pub struct Env {
    pub mode: Mode,
    /// The Landlock ABI this kernel must report.
    pub landlock_abi: u32,
    /// Whether the x32 ABI was switched on at boot (amd64 kernels).
    pub x32: bool,
}

/// Where a body writes its results.
pub struct Results {
    out: std::fs::File,
}

impl Results {
    /// One result named `name` (appended to the check's name).
    pub fn record(&mut self, name: &str, ok: bool, text: &str) {
        let text = text.replace(['\n', '\t'], " ");
        let _ = writeln!(
            self.out,
            "{name}\t{}\t{text}",
            if ok { "ok" } else { "bad" }
        );
    }
}

pub type Body = fn(&Env, &mut Results) -> Result<String, String>;

/// Counts of what was printed.
#[derive(Default)]
pub struct Tally {
    pub passed: u32,
    pub failed: u32,
    /// Only the checks whose names start with this (for debugging).
    pub only: Option<String>,
}

impl Tally {
    pub fn print(&mut self, ok: bool, name: &str, mode: Option<Mode>, text: &str) {
        let mut line = String::new();
        let _ = write!(line, "{} {name}", if ok { "pass" } else { "FAIL" });
        if let Some(mode) = mode {
            let _ = write!(line, " [{}]", mode.label());
        }
        if !text.is_empty() {
            let _ = write!(line, ": {text}");
        }
        println!("{line}");
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
    }

    /// Runs `body` once in each mode.
    pub fn check(&mut self, env: &Env, name: &str, body: Body) {
        if self
            .only
            .as_ref()
            .is_some_and(|o| !name.starts_with(o.as_str()))
        {
            return;
        }
        for mode in Mode::BOTH {
            self.check_as(env, name, mode, body);
        }
    }

    /// Runs `body` in a fresh child as `mode` and prints its results.
    pub fn check_as(&mut self, env: &Env, name: &str, mode: Mode, body: Body) {
        let env = Env { mode, ..*env };
        let (read_end, write_end) = pipe();
        // SAFETY: this program is single-threaded; the child runs the body
        // and leaves with _exit.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            self.print(false, name, Some(mode), "fork failed");
            return;
        }
        if pid == 0 {
            // SAFETY: both ends are ours.
            unsafe { libc::close(read_end) };
            // SAFETY: the write end is ours, now owned by the File.
            let mut results = Results {
                out: unsafe { std::fs::File::from_raw_fd(write_end) },
            };
            let outcome = match mode {
                Mode::User => drop_privileges(),
                Mode::Root => Ok(()),
            }
            .and_then(|()| body(&env, &mut results));
            let status = match outcome {
                Ok(text) => {
                    results.record("", true, &text);
                    0
                }
                Err(why) => {
                    results.record("", false, &why);
                    1
                }
            };
            let _ = std::io::stdout().flush();
            // SAFETY: leaves at once, whatever the body's filter allows.
            unsafe { libc::_exit(status) };
        }
        // SAFETY: the write end belongs to the child now.
        unsafe { libc::close(write_end) };
        let mut text = String::new();
        // SAFETY: the read end is ours.
        let _ = unsafe { std::fs::File::from_raw_fd(read_end) }.read_to_string(&mut text);
        let ended = wait(pid);
        let mut finished = false;
        for line in text.lines() {
            let mut parts = line.splitn(3, '\t');
            let (sub, verdict, detail) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            let full = if sub.is_empty() {
                finished = true;
                name.to_string()
            } else {
                format!("{name}.{sub}")
            };
            self.print(verdict == "ok", &full, Some(mode), detail);
        }
        if !finished {
            self.print(
                false,
                name,
                Some(mode),
                &format!("the check's child {ended} before it finished"),
            );
        } else if !matches!(ended, Ended::Exited(0) | Ended::Exited(1)) {
            self.print(
                false,
                name,
                Some(mode),
                &format!("the check's child {ended}"),
            );
        }
    }
}

/// How a child ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ended {
    Exited(i32),
    Signaled(i32),
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ended::Exited(code) => write!(f, "exited with {code}"),
            Ended::Signaled(sig) => write!(f, "was killed by signal {sig}"),
        }
    }
}

pub fn pipe() -> (i32, i32) {
    let mut fds = [0; 2];
    // SAFETY: fds has room for the two descriptors.
    let rc = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
    assert_eq!(rc, 0, "pipe2");
    (fds[0], fds[1])
}

pub fn wait(pid: i32) -> Ended {
    let mut status = 0;
    // SAFETY: status is ours.
    while unsafe { libc::waitpid(pid, &mut status, 0) } < 0 {
        if errno() != libc::EINTR {
            return Ended::Exited(-1);
        }
    }
    if libc::WIFSIGNALED(status) {
        Ended::Signaled(libc::WTERMSIG(status))
    } else {
        Ended::Exited(libc::WEXITSTATUS(status))
    }
}

pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Runs `f` in a forked child with its stdout and stderr collected;
/// returns how it ended and what it wrote. For calls expected to kill.
pub fn in_child(f: impl FnOnce() -> i32) -> (Ended, String) {
    let (read_end, write_end) = pipe();
    // SAFETY: single-threaded; the child leaves with _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // SAFETY: descriptors of this process.
        unsafe {
            libc::dup2(write_end, 1);
            libc::dup2(write_end, 2);
        }
        let status = f();
        let _ = std::io::stdout().flush();
        // SAFETY: leaves at once.
        unsafe { libc::_exit(status) };
    }
    // SAFETY: the write end is the child's.
    unsafe { libc::close(write_end) };
    let mut text = String::new();
    // SAFETY: the read end is ours.
    let _ = unsafe { std::fs::File::from_raw_fd(read_end) }.read_to_string(&mut text);
    (wait(pid), text)
}

/// Runs a program with stdout and stderr collected.
pub fn run(argv: &[&str]) -> Result<(Ended, String, String), String> {
    use std::os::unix::process::ExitStatusExt;
    let out = std::process::Command::new(argv[0])
        .args(&argv[1..])
        .output()
        .map_err(|e| format!("{} did not start: {e}", argv[0]))?;
    let ended = match out.status.signal() {
        Some(sig) => Ended::Signaled(sig),
        None => Ended::Exited(out.status.code().unwrap_or(-1)),
    };
    Ok((
        ended,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    ))
}

/// uid/gid 65534, no groups, no capabilities (checked), dumpable as a
/// logged-in user's process is.
fn drop_privileges() -> Result<(), String> {
    // SAFETY: plain credential calls.
    unsafe {
        if libc::setgroups(0, std::ptr::null()) != 0
            || libc::setresgid(NOBODY, NOBODY, NOBODY) != 0
            || libc::setresuid(NOBODY, NOBODY, NOBODY) != 0
        {
            return Err(format!("dropping to uid 65534 failed: errno {}", errno()));
        }
        libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0);
    }
    let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
    for field in ["CapInh", "CapPrm", "CapEff", "CapAmb"] {
        let value = status
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:\t")))
            .ok_or(format!("no {field} in /proc/self/status"))?;
        if !value.trim_start_matches('0').is_empty() {
            return Err(format!("{field} is {value} after dropping to uid 65534"));
        }
    }
    Ok(())
}

/// A fresh directory under /tmp, owned by whoever runs the check.
pub fn scratch(tag: &str) -> Result<String, String> {
    // SAFETY: getpid cannot fail.
    let dir = format!("/tmp/vm-{tag}-{}", unsafe { libc::getpid() });
    std::fs::create_dir_all(&dir).map_err(|e| format!("{dir}: {e}"))?;
    Ok(dir)
}

/// The errno of a libc call's -1 result, or Ok with its value.
pub fn sys(ret: i64) -> Result<i64, i32> {
    if ret < 0 { Err(errno()) } else { Ok(ret) }
}

/// A C string for a path (the paths here have no NUL).
pub fn c(path: &str) -> std::ffi::CString {
    std::ffi::CString::new(path).expect("no NUL in the path")
}

/// `strerror`-style name of an errno, for the messages.
pub fn errno_name(errno: i32) -> String {
    match seclude::Errno::new(errno) {
        Some(e) => format!("{e:?}"),
        None => format!("errno {errno}"),
    }
}
