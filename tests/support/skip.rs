//! Skipping a group of tests that needs something a fresh clone lacks (a
//! downloaded kernel tree, a Debian package), visibly, and never in CI.
//!
//! `cargo test` must pass on a machine with nothing installed beyond
//! rustup, yet a check that silently does nothing proves nothing. So a
//! group that cannot run says so in one line on the terminal, naming what
//! is missing and how to get it; and `.ci/test-all` sets
//! `SECLUDE_REQUIRE_ALL=1`, under which the same situation is a test
//! failure.
//!
//! The line is written to the process's standard error directly: libtest
//! captures what the `print!`/`eprint!` macros write (and shows it only
//! for failing tests), but not writes to the `Stderr` handle, so the line
//! appears in `cargo test`'s output even for a passing test.
//!
//! Shared by the integration tests and the generator's tests, each
//! including this file with `#[path]`. It uses only `std::` paths, so the
//! `no_std` library's unit tests can include it too.

#![allow(dead_code)]

use std::io::Write;

/// The variable under which a skip is a failure (`.ci/test-all` sets it).
pub const REQUIRE_ALL: &str = "SECLUDE_REQUIRE_ALL";

/// The groups already reported by this process: one line per group, not
/// one per test of it.
static REPORTED: std::sync::Mutex<std::vec::Vec<std::string::String>> =
    std::sync::Mutex::new(std::vec::Vec::new());

/// Reports that the tests of `group` do not run here because `missing`,
/// and that `how` makes them run: one line on standard error (once per
/// group and test process), or a panic when `SECLUDE_REQUIRE_ALL=1`. The
/// caller then returns from the test without checking anything.
pub fn skipped(group: &str, missing: &str, how: &str) {
    if required() {
        std::panic!("{group} cannot run: {missing} ({how}); {REQUIRE_ALL}=1 makes this a failure");
    }
    let mut reported = REPORTED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if reported.iter().any(|g| g == group) {
        return;
    }
    reported.push(std::string::String::from(group));
    let line = std::format!("skipped: {group}: {missing} ({how})\n");
    // One write, so the line is not split by other tests' output.
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Whether every test must run (`SECLUDE_REQUIRE_ALL=1`).
pub fn required() -> bool {
    std::env::var_os(REQUIRE_ALL).is_some_and(|v| v == "1")
}

/// Whether `program` is found in one of `PATH`'s directories, as
/// `Command::new(program)` would look for it.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
