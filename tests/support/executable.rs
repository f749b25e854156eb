//! Files a test executes, written by a process of their own.
//!
//! A file the test process writes is open for writing while it is written,
//! and a process another test thread forks meanwhile holds that descriptor
//! until its own exec: executing the file then fails now and then with
//! `ETXTBSY` ("Text file busy"). Written by `cp` or `cat` in a child, the
//! descriptor is never in the test process, so no fork of it holds one.

#![allow(dead_code)]

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

/// Copies `from` to `to` with `cp`, then gives it `mode`.
pub fn copy_executable(from: &Path, to: &Path, mode: u32) {
    let status = Command::new("cp").arg(from).arg(to).status().unwrap();
    assert!(status.success(), "cp {from:?} {to:?}: {status}");
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Writes `bytes` to `to` through `cat` in a child, then gives it `mode`.
pub fn write_executable(to: &Path, bytes: &[u8], mode: u32) {
    let mut cat = Command::new("sh")
        .args(["-c", "exec cat > \"$0\""])
        .arg(to)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    cat.stdin.take().unwrap().write_all(bytes).unwrap();
    let status = cat.wait().unwrap();
    assert!(status.success(), "writing {to:?}: {status}");
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode)).unwrap();
}
