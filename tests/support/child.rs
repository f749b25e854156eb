//! Running a test body in a fresh child process, as root and as an
//! unprivileged user.
//!
//! Installing a seccomp filter cannot be undone, so every body that loads
//! one runs in its own process: the test binary re-executes itself with
//! `--exact <test> --include-ignored` (the test's path in its binary, read
//! from the name of the thread libtest runs it on) and an environment
//! variable naming the test and the mode; in that child, [`run`] executes
//! the body and exits with its status, and the parent collects how the
//! child ended. Nothing is forked from the multithreaded test harness.
//!
//! The unprivileged mode is what most users have: before the body runs, the
//! child drops to uid/gid 65534 with no supplementary groups, which (from
//! root, without `SECBIT_KEEP_CAPS`) also empties every capability set; the
//! harness checks `/proc/self/status` to be sure. It then makes itself
//! dumpable again, as a process of a user who logged in as 65534 is.

#![allow(dead_code)]

use std::process::Command;

const ENV: &str = "SECLUDE_TEST_CHILD";
pub const NOBODY: u32 = 65534;

/// Who the body runs as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// As the test runs (root with every capability, here).
    Root,
    /// uid/gid 65534, no groups, no capabilities.
    Unprivileged,
}

/// Both modes, root first.
pub const MODES: [Mode; 2] = [Mode::Root, Mode::Unprivileged];

/// How a child ended.
#[derive(Debug)]
pub struct Exit {
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Exit {
    /// Panics with the child's output unless it exited with status 0.
    pub fn assert_success(&self, what: &str) {
        assert_eq!(self.code, Some(0), "{what}: {self:#?}");
    }

    /// Panics unless the child was killed by `signal`.
    pub fn assert_signal(&self, signal: i32, what: &str) {
        assert_eq!(self.signal, Some(signal), "{what}: {self:#?}");
    }
}

/// In the parent: runs `body` in a child in `mode` and returns how it
/// ended. In the child (recognised by the environment): runs `body` and
/// exits with the status it returns, never returning.
///
/// `test` must be the test function's name, so `--exact` selects it.
pub fn run(test: &str, mode: Mode, body: fn() -> i32) -> Exit {
    run_with_env(test, mode, &[], body)
}

/// [`run`], with extra environment variables for the child (a fixture
/// directory's path, say: the body cannot capture anything).
pub fn run_with_env(test: &str, mode: Mode, env: &[(&str, &str)], body: fn() -> i32) -> Exit {
    let tag = format!("{test}/{mode:?}");
    if std::env::var(ENV).ok().as_deref() == Some(tag.as_str()) {
        if mode == Mode::Unprivileged {
            drop_privileges();
        }
        let status = body();
        // Straight to exit_group: no atexit handlers, no stdio flushing
        // through calls the body's filter may deny.
        seclude::sys::exit_group(status);
    }
    let name = libtest_name(test);
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            &name,
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .envs(env.iter().copied())
        .env(ENV, &tag)
        // Bodies may build policies of hundreds of rules, which debug
        // builds copy through every const builder call.
        .env("RUST_MIN_STACK", (256usize << 20).to_string())
        .output()
        .expect("re-execute the test binary");
    use std::os::unix::process::ExitStatusExt;
    let exit = Exit {
        code: out.status.code(),
        signal: out.status.signal(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // A name `--exact` does not select runs no test: the child would exit
    // with 0 without running the body, and the test would pass unchecked.
    // libtest announces the count before it starts the test.
    assert!(
        exit.stdout.contains("running 1 test\n"),
        "{tag}: `--exact {name}` did not select one test of {}: {exit:#?}",
        std::env::current_exe().unwrap().display()
    );
    exit
}

/// The name libtest knows the running test by, for `--exact`: `test`
/// itself for a test at the root of its binary, `module::test` for one in a
/// module (`tests/pledge_promises/` has one per section). libtest runs each
/// test on a thread named after it; on any other thread, `test` as given.
fn libtest_name(test: &str) -> String {
    match std::thread::current().name() {
        Some(name)
            if name == test
                || name
                    .strip_suffix(test)
                    .is_some_and(|module| module.ends_with("::")) =>
        {
            name.to_owned()
        }
        _ => test.to_owned(),
    }
}

/// Runs `body` in a child in both modes and requires status 0 from each.
pub fn run_both(test: &str, body: fn() -> i32) {
    for mode in MODES {
        run(test, mode, body).assert_success(&format!("{test} ({mode:?})"));
    }
}

/// Whether this process is running as the unprivileged child.
pub fn unprivileged() -> bool {
    // SAFETY: getuid has no arguments.
    unsafe { libc::getuid() != 0 }
}

fn drop_privileges() {
    // SAFETY: plain libc calls with integer arguments (setgroups gets an
    // empty list).
    unsafe {
        assert_eq!(libc::setgroups(0, std::ptr::null()), 0, "setgroups");
        assert_eq!(libc::setresgid(NOBODY, NOBODY, NOBODY), 0, "setresgid");
        assert_eq!(libc::setresuid(NOBODY, NOBODY, NOBODY), 0, "setresuid");
    }
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    for set in ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"] {
        let line = status.lines().find(|l| l.starts_with(set)).unwrap();
        let value = u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap();
        // The bounding set is not cleared by a uid change; the others must be.
        if set != "CapBnd" {
            assert_eq!(
                value, 0,
                "{set} not empty after dropping to {NOBODY}: {line}"
            );
        }
    }
    assert_eq!(unsafe { libc::geteuid() }, NOBODY);
    // The uid change made the process non-dumpable (fs.suid_dumpable), so
    // its /proc/self files now belong to root and it could not write its
    // own uid_map. A user who logged in as 65534 would be dumpable: be that
    // user.
    // SAFETY: prctl with integer arguments.
    assert_eq!(unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 1, 0, 0, 0) }, 0);
}
