//! pledge against the real kernel, as root and as uid 65534 without
//! capabilities.

#[path = "support/child.rs"]
mod child;

use seclude::pledge::{Penalty, Pledge};
use seclude::promises;
use std::fs::File;

/// An errno no kernel path below returns, so that a refusal by the filter
/// is told apart from the kernel's own EPERM.
const FILTER_ERRNO: i32 = 131; // ENOTRECOVERABLE

fn pledge(p: seclude::pledge::Promises) {
    Pledge::new(p)
        .penalty(Penalty::errno(FILTER_ERRNO as u16))
        .apply()
        .expect("pledge applied");
}

fn refused<T>(r: std::io::Result<T>) -> bool {
    matches!(r, Err(e) if e.raw_os_error() == Some(FILTER_ERRNO))
}

#[test]
fn stdio_alone_cannot_open_etc_passwd() {
    child::run_both("stdio_alone_cannot_open_etc_passwd", || {
        pledge(promises!("stdio"));
        if !refused(File::open("/etc/passwd")) {
            return 1;
        }
        println!("still writing to stdout");
        0
    });
}

#[test]
fn rpath_opens_etc_passwd() {
    child::run_both("rpath_opens_etc_passwd", || {
        pledge(promises!("stdio rpath"));
        if File::open("/etc/passwd").is_err() {
            return 1;
        }
        0
    });
}

#[test]
fn a_thread_can_be_created_under_stdio() {
    child::run_both("a_thread_can_be_created_under_stdio", || {
        pledge(promises!("stdio"));
        let t = std::thread::spawn(|| 42);
        if t.join().ok() != Some(42) {
            return 1;
        }
        0
    });
}

#[test]
fn the_trap_message_names_the_syscall_and_the_promise() {
    const TEST: &str = "the_trap_message_names_the_syscall_and_the_promise";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::EPERM.reported())
                .apply()
                .expect("pledge applied");
            match File::open("/etc/passwd") {
                Err(e) if e.raw_os_error() == Some(1) => 0,
                _ => 1,
            }
        });
        exit.assert_success(TEST);
        assert!(
            exit.stderr
                .contains("seclude: openat denied; promise \"rpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn a_reported_kill_prints_then_kills_with_sigsys() {
    const TEST: &str = "a_reported_kill_prints_then_kills_with_sigsys";
    for mode in child::MODES {
        let exit = child::run(TEST, mode, || {
            Pledge::new(promises!("stdio"))
                .penalty(Penalty::KILL_PROCESS.reported())
                .apply()
                .expect("pledge applied");
            let _ = std::fs::create_dir("/tmp/seclude-never");
            0
        });
        exit.assert_signal(31, TEST);
        assert!(
            exit.stderr
                .contains("seclude: mkdir denied; promise \"cpath\" would allow it\n"),
            "{mode:?}: {exit:#?}"
        );
    }
}

#[test]
fn pledging_works_on_a_default_sized_thread_stack() {
    child::run_both("pledging_works_on_a_default_sized_thread_stack", || {
        let t = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| Pledge::new(promises!("stdio rpath inet")).apply().is_ok())
            .unwrap();
        if t.join().ok() != Some(true) {
            return 1;
        }
        0
    });
}
