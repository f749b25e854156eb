//! The committed tables are exactly what the generator writes from the
//! kernel sources: regenerate in memory and compare byte for byte.
//!
//! Needs the kernel tree `syscalls/fetch-linux-source.sh` unpacks into
//! `target/linux-source-6.12` (or `SECLUDE_LINUX_SRC`); without it the tests
//! say in one line that they were skipped and how to run them, and fail
//! under `SECLUDE_REQUIRE_ALL=1` (`.ci/test-all`), because a skipped sync
//! check proves nothing.

#[path = "../../../tests/support/skip.rs"]
mod skip;

use std::path::PathBuf;

/// The kernel tree, or `None` (after saying so) if it is not unpacked.
fn linux_dir() -> Option<PathBuf> {
    let linux = std::env::var_os("SECLUDE_LINUX_SRC")
        .map(PathBuf::from)
        .unwrap_or_else(seclude_syscalls::default_linux_dir);
    if linux.join("scripts/syscall.tbl").is_file() {
        return Some(linux);
    }
    skip::skipped(
        "syscall tables vs the generator",
        &format!("no kernel sources at {}", linux.display()),
        "run `bash syscalls/fetch-linux-source.sh`, or set SECLUDE_LINUX_SRC",
    );
    None
}

#[test]
fn committed_tables_match_the_generator() {
    let Some(linux) = linux_dir() else { return };
    let dir = seclude_syscalls::syscalls_dir();
    let post = std::fs::read_to_string(dir.join("post-6.12.tbl")).unwrap();
    let files = seclude_syscalls::generate(&linux, &post).unwrap();
    assert_eq!(
        files.len(),
        20,
        "14 tables + syscall enum + arch facts + uapi constants + 3 errno sets"
    );
    let drift = seclude_syscalls::drift(&dir, &files);
    assert!(
        drift.is_empty(),
        "generated files differ from the generator's output: {drift:?}\n\
         run `cargo run -p seclude-syscalls` and commit the result"
    );
}

#[test]
fn a_hand_edit_is_detected() {
    // The comparison itself must be able to fail: change one byte of a
    // rendered file and expect drift against the committed tree.
    let Some(linux) = linux_dir() else { return };
    let dir = seclude_syscalls::syscalls_dir();
    let post = std::fs::read_to_string(dir.join("post-6.12.tbl")).unwrap();
    let mut files = seclude_syscalls::generate(&linux, &post).unwrap();
    let text = files
        .get_mut(std::path::Path::new("tables/x86_64.rs"))
        .unwrap();
    *text = text.replacen("(0, Syscall::read)", "(0, Syscall::write)", 1);
    assert_eq!(
        seclude_syscalls::drift(&dir, &files),
        vec![PathBuf::from("tables/x86_64.rs")]
    );
}

#[test]
fn post_612_syscalls_are_not_already_in_the_kernel_tables() {
    // load_table refuses a hand-added name the kernel table already has:
    // once the input moves past 6.12 the hand list must shrink.
    let Some(linux) = linux_dir() else { return };
    let spec = &seclude_syscalls::TABLES[0];
    let err = seclude_syscalls::load_table(&linux, spec, &[(0, "read".into(), "9.9".into())])
        .unwrap_err();
    assert!(err.contains("already in the kernel's table"), "{err}");
}
